"""Located, timed calls for the coverage and pilot tests: six posts on a north-south line in Westminster, each call
with a response time (on scene minus received), and a known change in the pilot posts from a start day."""

import datetime as dt

import numpy as np
from django.utils import timezone

from ingestion.models import Incident
from tests.analytics.factories import WESTMINSTER, IncidentFactory

POSITIONS = {f"post-{i}": (51.49 + 0.012 * i, -0.14) for i in range(1, 7)}
PER_DAY = {"post-1": 5.0, "post-2": 4.0, "post-3": 4.0, "post-4": 3.0, "post-5": 3.0, "post-6": 1.0}


def pilot_calls(
    *,
    start: dt.date,
    weeks_before: int,
    weeks_after: int,
    pilot: tuple[str, ...] = ("post-1", "post-2"),
    effect_minutes: float = 0.0,
    borough: str = WESTMINSTER,
    seed: int = 0,
) -> int:
    """Calls every day from `weeks_before` weeks before `start` to `weeks_after` weeks after it; the pilot posts'
    response times change by `effect_minutes` from `start`. Returns how many were made."""
    rng = np.random.default_rng(seed)
    rows = []
    first = start - dt.timedelta(weeks=weeks_before)
    for offset in range((weeks_before + weeks_after) * 7):
        day = first + dt.timedelta(days=offset)
        shock = rng.normal(0, 1.0)  # a day's weather: every post alike
        for post, rate in PER_DAY.items():
            shift = effect_minutes if post in pilot and day >= start else 0.0
            for _call in range(rng.poisson(rate)):
                rows.append(_call_row(rng, post, day, 12 + shock + shift + rng.normal(0, 3), borough))
    Incident.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _call_row(rng, post: str, day: dt.date, minutes: float, borough: str) -> Incident:
    received = timezone.make_aware(dt.datetime.combine(day, dt.time(int(rng.integers(24)), int(rng.integers(60)))))
    lat, lon = POSITIONS[post]
    return IncidentFactory.build(
        source="cad",
        kind=Incident.Kind.CALL,
        category="disorder",
        occurred_at=received,
        time_precision=Incident.Precision.MINUTE,
        borough_id=borough,
        post_id=post,
        lsoa_id=None,
        latitude=lat + rng.normal(0, 0.001),
        longitude=lon + rng.normal(0, 0.001),
        on_scene_at=received + dt.timedelta(minutes=max(float(minutes), 1.0)),
        status="Closed" if rng.random() < 0.8 else "Open",
    )
