"""Reads of the stored context effects (analytics.forecasting.context), scoped like every forecasting selector."""

from accounts.scoping import area_codes_visible_to
from analytics.forecasting.selectors import newest_demand_backtest
from analytics.models import ContextEffect
from analytics.privacy import small_count_guard
from ingestion.models import Area

FORCE = "force"
FIELDS = (
    "area_code",
    "factor",
    "source",
    "indicator",
    "period_start",
    "period_end",
    "days",
    "days_on",
    "mean_on",
    "mean_off",
    "effect",
    "effect_low",
    "effect_high",
    "interval_level",
    "validation_mae_without",
    "validation_mae_with",
    "improved",
    "used",
    "note",
)


def context_effect_list(*, user, kind: str = "call") -> dict | None:
    """The newest daily demand backtest's context effects in the user's scope (the force's rows for force-wide roles
    only) with each area's name, force first, then by area and factor; mean daily calls pass the small-count guard.
    None before the first daily backtest."""
    backtest = newest_demand_backtest(granularity="day", kind=kind)
    if backtest is None:
        return None
    rows = ContextEffect.objects.filter(backtest=backtest)
    codes = area_codes_visible_to(user=user)
    if codes is not None:
        rows = rows.filter(area_code__in=sorted(codes))
    guard = small_count_guard(user=user)
    effects = [
        row | {"mean_on": guard(row["mean_on"]), "mean_off": guard(row["mean_off"])} for row in rows.values(*FIELDS)
    ]
    names = dict(Area.objects.filter(code__in={row["area_code"] for row in effects}).values_list("code", "name"))
    for row in effects:
        row["area_name"] = "Whole force" if row["area_code"] == FORCE else names.get(row["area_code"], row["area_code"])
    effects.sort(key=lambda row: (row["area_code"] != FORCE, row["area_code"], row["factor"]))
    return {"backtest_id": backtest.pk, "created_at": backtest.created_at.isoformat(), "effects": effects}
