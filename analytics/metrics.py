"""Strategic metrics per borough and year: outcome and resolution rates, and efficiency against resources."""

import operator
from collections import defaultdict
from decimal import Decimal
from functools import reduce

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear

from analytics.correlation import rate_per_1000
from analytics.models import Level, MonthlyCount, OutcomeCount, StrategicMetric
from ingestion.models import Area, BoroughResources, Incident, Population

# police.uk "last outcome category" text (or API slug) -> class. Charged covers everything that reached a court;
# resolved adds out-of-court disposals (cautions, penalty notices, community resolutions); pending is no outcome yet.
CHARGED_MARKERS = ("charged", "court", "defendant", "offender sent", "offender fined", "offender given community",
                   "offender given suspended", "discharge", "compensation", "deprived of property",
                   "otherwise dealt with", "summons")  # fmt: skip
RESOLVED_MARKERS = ("caution", "penalty notice", "drugs possession warning", "local resolution", "community resolution",
                    "cannabis warning", "khat")  # fmt: skip
PENDING_MARKERS = ("under investigation", "status update unavailable")
CHARGED, RESOLVED, UNRESOLVED, PENDING = "charged", "resolved", "unresolved", "pending"


def outcome_class(outcome: str) -> str:
    text = outcome.replace("-", " ").lower().strip()
    if not text or any(marker in text for marker in PENDING_MARKERS):
        return PENDING
    if any(marker in text for marker in CHARGED_MARKERS):
        return CHARGED
    if any(marker in text for marker in RESOLVED_MARKERS):
        return RESOLVED
    return UNRESOLVED


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _ratio(numerator, denominator, digits: int = 3) -> float | None:
    return round(float(numerator) / float(denominator), digits) if numerator is not None and denominator else None


@transaction.atomic
def strategic_metrics_refresh(*, years: set[int] | None = None) -> None:
    """Recompute the metrics of `years` (None: every year): a refresh of a few months rereads only their years."""
    recorded = _recorded_by_borough_year(years)
    outcomes = _outcomes_by_borough_year(years)
    resources = {(r.area_code, r.year): r for r in BoroughResources.objects.all()}
    population = _population_lookup()
    _in_years(StrategicMetric.objects.all(), years, field="year").delete()
    StrategicMetric.objects.bulk_create(
        StrategicMetric(
            area_code=area_code,
            year=year,
            **metric_values(
                count,
                outcomes.get((area_code, year), {}),
                resources.get((area_code, year)),
                population(area_code, year),
            ),
        )  # fmt: skip
        for (area_code, year), count in recorded.items()
    )


def metric_values(recorded: int, outcomes: dict[str, int], resources, population: int | None) -> dict:
    charged = outcomes.get(CHARGED, 0)
    resolved = charged + outcomes.get(RESOLVED, 0)
    with_outcome = resolved + outcomes.get(UNRESOLVED, 0)
    officers = resources.officers if resources else None
    budget = resources.budget_gbp if resources else None
    return {
        "recorded": recorded,
        "with_outcome": with_outcome,
        "resolved": resolved,
        "charged": charged,
        "population": population,
        "officers": officers,
        "budget_gbp": budget,
        "outcome_rate": _share(with_outcome, recorded),
        "resolution_rate": _share(resolved, recorded),
        "charge_rate": _share(charged, recorded),
        "crimes_per_officer": _ratio(recorded, officers),
        "officers_per_1000": _ratio(officers * 1000, population) if officers is not None else None,
        "budget_per_crime": _ratio(budget, recorded, 2) if isinstance(budget, Decimal) else None,
        "rate_per_1000": rate_per_1000(recorded, population),
    }


def _in_years(rows, years: set[int] | None, *, field: str = "month__year"):
    """The rows of those years (every row for None); by month, each year a range an index on month serves."""
    if years is None:
        return rows
    return rows.filter(reduce(operator.or_, (Q(**{field: year}) for year in years), Q(pk__in=[])))


def _recorded_by_borough_year(years: set[int] | None) -> dict[tuple[str, int], int]:
    rows = _in_years(MonthlyCount.objects.filter(level=Level.BOROUGH, kind=Incident.Kind.CRIME), years)
    totals = rows.annotate(year=ExtractYear("month")).values_list("area_code", "year").annotate(n=Sum("count"))
    return {(code, year): count for code, year, count in totals.order_by()}


def _outcomes_by_borough_year(years: set[int] | None) -> dict[tuple[str, int], dict[str, int]]:
    rows = _in_years(OutcomeCount.objects.filter(level=Level.BOROUGH, kind=Incident.Kind.CRIME), years)
    totals = (
        rows.annotate(year=ExtractYear("month")).values_list("area_code", "year", "outcome").annotate(n=Sum("count"))
    )
    result = defaultdict(lambda: defaultdict(int))
    for code, year, outcome, count in totals.order_by():
        result[(code, year)][outcome_class(outcome)] += count
    return result


def _population_lookup():
    """area, year -> residents: the Population row of the nearest earlier year (else any), else Area.population."""
    by_area = defaultdict(dict)
    for code, year, residents in Population.objects.values_list("area_code", "year", "population"):
        by_area[code][year] = residents
    latest = dict(Area.objects.filter(population__isnull=False).values_list("code", "population"))

    def lookup(area_code: str, year: int) -> int | None:
        years = by_area.get(area_code)
        if not years:
            return latest.get(area_code)
        earlier = [known for known in years if known <= year]
        return years[max(earlier) if earlier else min(years)]

    return lookup
