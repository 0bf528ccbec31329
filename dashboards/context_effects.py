"""The analytical page's context panel: each factor's measured effect on daily calls for service (bank holidays,
school terms, weather, events), and whether it earned its place in the forecast on the validation weeks."""

from analytics.forecasting import context as forecast_context
from analytics.forecasting.context_selectors import context_effect_list

UNITS = {"mm": "mm", "c": "°C", "cm": "cm", "kmh": "km/h", "pct": "percentage point"}
MIN_GAIN_WORDS = f"{forecast_context.MIN_GAIN:.0%}"

NOTES = [
    "Effect: the change in daily calls for service on a day with the factor against a day without it with the same "
    "weekday and trend (or per unit of a measurement), from a log-linear regression with every factor together "
    "over the whole period; the interval allows for days that resemble their neighbours (Newey-West).",
    "Mean calls on / off: raw means of daily calls on days with and without the factor, not adjusted for weekday.",
    f"Validation weeks: the regression's mean absolute error on the validation weeks without and with the factor; "
    f"a factor is kept only if it cuts that error by at least {MIN_GAIN_WORDS}, and the regression with the kept "
    "factors is used only if it beats every other model on the same weeks. The test weeks choose nothing.",
    "Days are each source's local days (its own time zone). Weather enters as recorded on the day; bank holidays "
    "are England's for British sources and the US federal ones for American sources. Source: calls for service "
    "(CAD and 911 imports) and the context series loaded with import_context.",
]


def signed_percent(value) -> str:
    return f"{value * 100:+.1f}%" if isinstance(value, int | float) else "–"


def _number(value, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def factor_label(factor: str) -> str:
    return factor.replace("_", " ").capitalize()


def effect_unit(row: dict) -> str:
    """What the effect compares: on with off days, or one more unit of a measurement (unit from the name's suffix)."""
    if row["indicator"]:
        return "on vs off days"
    suffix = row["factor"].rsplit("_", 1)[-1].lower()
    return f"per 1 {UNITS.get(suffix, 'unit')} more"


def effect_words(row: dict) -> str:
    level = f"{row['interval_level']:.0%}"
    interval = f"{signed_percent(row['effect_low'])} to {signed_percent(row['effect_high'])}"
    return f"{signed_percent(row['effect'])} {effect_unit(row)} ({level}: {interval})"


def validation_words(row: dict) -> str:
    if row["note"]:
        return f"not tried: {row['note']}"
    scores = f"MAE {_number(row['validation_mae_without'], 2)} → {_number(row['validation_mae_with'], 2)}"
    if row["used"]:
        return f"{scores}: kept, and the area's forecast uses it"
    if row["improved"]:
        return f"{scores}: kept, but another model won the validation weeks"
    return f"{scores}: not kept (cut under {MIN_GAIN_WORDS})"


def _on_off(row: dict) -> str:
    if not row["indicator"]:
        return "–"
    return f"{_number(row['mean_on'])} / {_number(row['mean_off'])} ({row['days_on']} days on)"


def context_effects_panel(*, user) -> dict:
    result = context_effect_list(user=user) or {"effects": []}
    effects = result["effects"]
    rows = [
        [
            row["area_name"],
            factor_label(row["factor"]),
            row["source"],
            effect_words(row),
            _on_off(row),
            validation_words(row),
        ]
        for row in effects
    ]
    first = effects[0] if effects else {}
    return {
        "id": "context-effects",
        "title": _title(first),
        "columns": ["Area", "Factor", "Source", "Effect on daily calls", "Mean calls on / off", "Validation weeks"],
        "rows": rows,
        "notes": NOTES if rows else [],
        "effects": effects,
        "empty_text": (
            "No context effects yet: they are measured with the weekly daily-demand backtest, which needs 8 weeks of "
            "calls for service; school terms, weather and events come from `manage.py import_context`."
        ),
    }


def _title(first: dict) -> str:
    period = f", {first['period_start']:%d %b %Y} to {first['period_end']:%d %b %Y}" if first else ""
    return f"Context and demand: measured effect of each factor on daily calls for service{period}"
