"""Pilot evaluation: did the areas that took up a plan change more than comparable areas that kept the old allocation?

Difference-in-differences on whole weeks: for each week, the pilot areas' value minus the comparison areas' value;
the effect is the mean of that gap after the start minus its mean before. Its 95% interval comes from a bootstrap
that resamples the weeks before and the weeks after (each with replacement, 2,000 draws, fixed seed), so a week's
shared shock (weather, an event) moves both groups and cancels.

Metrics per group and week: calls per area, median response time (on scene minus received, calls with both times;
a few calls attended hours later would swamp a mean), and the share of calls closed (a clearance time, an outcome
or a closed status). Pure functions on a frame of incidents, so the arithmetic is tested on synthetic data with a
known effect.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_WEEKS_BEFORE = 4
MIN_WEEKS_AFTER = 4
MAX_WEEKS_BEFORE = 12
DRAWS = 2000
LEVEL = 0.95
PILOT, COMPARISON = "pilot", "comparison"
NOT_ENOUGH, NO_DIFFERENCE, NOT_RECORDED = "not yet enough data", "no measurable difference", "not recorded"
METRICS = {
    "calls_per_area": "Calls per area per week",
    "response_minutes": "Median response time, minutes (on scene minus call received)",
    "closed_share": "Share of calls closed (cleared, with an outcome, or a closed status)",
}
# a comparison area's mean weekly calls before the start lies within this factor of the pilot areas' median
COMPARABLE_FACTOR = 2.0
MIN_COMPARISON_AREAS = 2


@dataclass(frozen=True)
class Window:
    start: dt.date
    weeks_before: int
    weeks_after: int

    @property
    def first_day(self) -> dt.date:
        return self.start - dt.timedelta(weeks=self.weeks_before)

    @property
    def end_day(self) -> dt.date:  # exclusive
        return self.start + dt.timedelta(weeks=self.weeks_after)


def window_for(*, start: dt.date, first_data: dt.date | None, last_data: dt.date | None) -> Window:
    """Whole weeks either side of the start that the data cover (at most MAX_WEEKS_BEFORE before)."""
    if first_data is None or last_data is None:
        return Window(start=start, weeks_before=0, weeks_after=0)
    before = min(max((start - first_data).days // 7, 0), MAX_WEEKS_BEFORE)
    after = max(((last_data - start).days + 1) // 7, 0)
    return Window(start=start, weeks_before=before, weeks_after=after)


def comparison_areas(*, weekly_before: dict[str, float], pilot: list[str]) -> list[str]:
    """Areas not in the pilot whose mean weekly calls before the start lie within COMPARABLE_FACTOR of the pilot
    areas' median; when fewer than MIN_COMPARISON_AREAS do, the MIN_COMPARISON_AREAS closest (on a log scale)."""
    pilot_levels = [weekly_before.get(area, 0.0) for area in pilot]
    reference = float(np.median(pilot_levels)) if pilot_levels else 0.0
    others = {area: level for area, level in weekly_before.items() if area not in pilot and level > 0}
    if reference <= 0 or not others:
        return []
    distance = {area: abs(np.log(level / reference)) for area, level in others.items()}
    close = [area for area, gap in distance.items() if gap <= np.log(COMPARABLE_FACTOR)]
    if len(close) >= MIN_COMPARISON_AREAS:
        return sorted(close)
    return sorted(sorted(distance, key=distance.get)[:MIN_COMPARISON_AREAS])


def weekly_values(frame: pd.DataFrame, *, window: Window, areas_in_group: dict[str, int]) -> pd.DataFrame:
    """Group x week table of the three metrics. `frame` has columns group, day, response_minutes, closed."""
    frame = frame[(frame["day"] >= window.first_day) & (frame["day"] < window.end_day)]
    week = pd.Series([(day - window.start).days // 7 for day in frame["day"]], index=frame.index, dtype=int)
    grouped = frame.assign(week=week).groupby(["group", "week"])
    table = pd.DataFrame(
        {
            "calls": grouped.size(),
            "response_minutes": grouped["response_minutes"].median(),
            "closed_share": grouped["closed"].mean(),
        }
    )
    weeks = range(-window.weeks_before, window.weeks_after)
    table = table.reindex(pd.MultiIndex.from_product([[PILOT, COMPARISON], weeks], names=["group", "week"]))
    table["calls"] = table["calls"].fillna(0)
    areas = table.index.get_level_values("group").map(areas_in_group).astype(float)
    table["calls_per_area"] = table["calls"] / areas
    return table


def did(*, pilot: pd.Series, comparison: pd.Series, seed: int = 0) -> dict:
    """Effect (after-gap minus before-gap) and its bootstrap interval; `pilot`/`comparison` indexed by week
    (negative = before). Weeks where either value is missing are left out."""
    gap = (pilot - comparison).dropna()
    before, after = gap[gap.index < 0].to_numpy(), gap[gap.index >= 0].to_numpy()
    if len(before) < MIN_WEEKS_BEFORE or len(after) < MIN_WEEKS_AFTER:
        return {"effect": None, "low": None, "high": None, "weeks_before": len(before), "weeks_after": len(after)}
    rng = np.random.default_rng(seed)
    draws = rng.choice(after, (DRAWS, len(after))).mean(axis=1) - rng.choice(before, (DRAWS, len(before))).mean(axis=1)
    tail = (1 - LEVEL) / 2 * 100
    return {
        "effect": float(after.mean() - before.mean()),
        "low": float(np.percentile(draws, tail)),
        "high": float(np.percentile(draws, 100 - tail)),
        "weeks_before": len(before),
        "weeks_after": len(after),
    }


def verdict(result: dict, *, recorded: bool = True) -> str:
    if not recorded:
        return NOT_RECORDED
    if result["effect"] is None:
        return NOT_ENOUGH
    if result["low"] <= 0 <= result["high"]:
        return NO_DIFFERENCE
    return "lower in the pilot areas" if result["effect"] < 0 else "higher in the pilot areas"


def evaluate(frame: pd.DataFrame, *, window: Window, areas_in_group: dict[str, int]) -> dict:
    """Every metric: the groups' means before and after, the difference-in-differences, its interval, a verdict."""
    table = weekly_values(frame, window=window, areas_in_group=areas_in_group)
    metrics = {}
    for name, label in METRICS.items():
        series = {group: table.loc[group, name] for group in (PILOT, COMPARISON)}
        result = did(pilot=series[PILOT], comparison=series[COMPARISON])
        recorded = bool(series[PILOT].notna().any() and series[COMPARISON].notna().any())
        metrics[name] = {
            "label": label,
            **result,
            **_means(series),
            "verdict": verdict(result, recorded=recorded),
        }
    calls = table["calls"]
    totals = {
        f"{group}_{side}": int(calls.loc[group][mask(calls.loc[group].index)].sum())
        for group in (PILOT, COMPARISON)
        for side, mask in (("before", lambda index: index < 0), ("after", lambda index: index >= 0))
    }
    return {"metrics": metrics, "calls": totals, "enough": window.weeks_after >= MIN_WEEKS_AFTER}


def _means(series: dict[str, pd.Series]) -> dict:
    def mean(values: pd.Series) -> float | None:
        values = values.dropna()
        return float(values.mean()) if len(values) else None

    return {
        f"{group}_{side}": mean(values[values.index < 0] if side == "before" else values[values.index >= 0])
        for group, values in series.items()
        for side in ("before", "after")
    }
