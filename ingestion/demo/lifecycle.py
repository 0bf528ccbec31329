"""Demo lifecycle times of a call: dispatched a few minutes after it is received, units en route a minute or two
later, on scene after 5 to 20 minutes' travel depending on priority (longer in the busy evening hours), cleared half
an hour or so after. Some emergencies miss the 15-minute target, as real ones do. The demo CAD export writes them as
columns (read by ingestion/data/cad_mapping_demo.json) and simulate_dispatch replays them as status updates.
"""

from datetime import datetime, timedelta

import numpy as np

# priority -> (mean dispatch delay, median travel, spread of travel) in minutes; None: resolved by phone, no unit
ATTENDANCE = {
    "Emergency": (1.5, 7.0, 0.45),
    "Priority": (8.0, 16.0, 0.5),
    "Scheduled": (90.0, 18.0, 0.5),
    "Resolve without deployment": None,
}
COLUMNS = {"dispatched": "Assigned", "en_route": "EnRoute", "on_scene": "Arrived", "resolved": "Cleared"}
TIME_FORMAT = "%d/%m/%Y %H:%M"


def lifecycle_times(rng: np.random.Generator, *, priority: str, created: datetime, busy: float) -> dict:
    """{status: time} of one call received at `created`; `busy` (0-1) lengthens travel in the busiest hours."""
    attendance = ATTENDANCE.get(priority)
    if attendance is None:
        return {"resolved": created + timedelta(minutes=float(rng.uniform(10, 45)))}
    delay, travel, spread = attendance
    dispatched = created + timedelta(minutes=float(rng.exponential(delay)))
    en_route = dispatched + timedelta(minutes=float(rng.uniform(0.5, 2.5)))
    on_scene = en_route + timedelta(minutes=float(rng.lognormal(np.log(travel * (0.8 + 0.5 * busy)), spread)))
    cleared = on_scene + timedelta(minutes=float(rng.lognormal(np.log(35), 0.6)))
    return {"dispatched": dispatched, "en_route": en_route, "on_scene": on_scene, "resolved": cleared}


def lifecycle_cells(times: dict, *, until: datetime) -> list[str]:
    """The export's lifecycle columns (in COLUMNS order): blank for a step not reached by the export's time."""
    return [f"{times[s]:{TIME_FORMAT}}" if s in times and times[s] <= until else "" for s in COLUMNS]


def lifecycle_offsets(row: dict) -> dict[str, timedelta]:
    """{status: time after received} of a demo export row that carries lifecycle columns ({} when it has none)."""
    try:
        created = datetime.strptime(row["Created"], TIME_FORMAT)
    except (KeyError, ValueError):
        return {}
    return {
        status: datetime.strptime(row[column], TIME_FORMAT) - created
        for status, column in COLUMNS.items()
        if row.get(column)
    }
