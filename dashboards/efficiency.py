"""The strategic page's figures over one period: each borough's recorded crime, residents, resolved crimes, officers
and budget for the same months, and the total row the tiles show, so a tile never disagrees with its table.

Resources are kept per financial year (April to March, named by the year it starts). A period's budget is each
month's twelfth of its financial year's budget; its officers are the average strength over its months. A period that
any month of lacks resources has no efficiency ratios: half a budget against a whole period's crime would mislead.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

FINANCIAL_YEAR_START = 4  # April


def financial_year(month: date) -> int:
    return month.year if month.month >= FINANCIAL_YEAR_START else month.year - 1


@dataclass
class AreaFigures:
    code: str
    name: str
    recorded: int = 0  # crimes of the chosen categories
    all_crime: int = 0  # every crime: what officers and budget are set against
    resolved: int = 0
    population: int | None = None
    officers: float | None = None
    budget: Decimal | None = None

    @property
    def rate_per_1000(self) -> float | None:
        return _ratio(self.recorded * 1000, self.population)

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.resolved * 100, self.recorded)

    @property
    def per_officer(self) -> float | None:
        return _ratio(self.all_crime, self.officers)

    @property
    def budget_per_crime(self) -> float | None:
        return _ratio(self.budget, self.all_crime)


def _ratio(numerator, denominator) -> float | None:
    return float(numerator) / float(denominator) if numerator is not None and denominator else None


def period_resources(resources: dict, *, code: str, months: list[date]) -> tuple[float | None, Decimal | None]:
    """(average officers, budget prorated to the months) from {(code, financial year): (officers, budget)}."""
    years = [resources.get((code, financial_year(month))) for month in months]
    if not months or None in years:
        return None, None
    officers = sum(officers for officers, _budget in years) / len(years)
    return round(officers, 1), sum((budget / 12 for _officers, budget in years), Decimal(0))


def total_row(areas: list[AreaFigures], *, name: str = "Total") -> AreaFigures:
    """The sum of the rows; ratios only over the rows that have both sides (residents, resources), so a borough
    without a budget adds neither its crimes nor a budget to 'budget per crime'."""
    staffed = [area for area in areas if area.officers is not None]
    peopled = [area for area in areas if area.population]
    total = AreaFigures(code="", name=name)
    total.recorded = sum(area.recorded for area in areas)
    total.resolved = sum(area.resolved for area in areas)
    total.all_crime = sum(area.all_crime for area in staffed)
    total.officers = sum(area.officers for area in staffed) if staffed and len(staffed) == len(areas) else None
    total.budget = sum((area.budget for area in staffed), Decimal(0)) if total.officers is not None else None
    total.population = sum(area.population for area in peopled) if len(peopled) == len(areas) else None
    return total


def change_on_last_year(monthly: dict[date, int | None], *, months: list[date], complete: set[date]) -> float | None:
    """Percentage change on the same months a year before, only when both periods are whole (every month of both
    has data), do not overlap (12 months or fewer) and hold no hidden small count; otherwise None: 'not enough
    comparable data'."""
    before = [month.replace(year=month.year - 1) for month in months]
    if not months or len(months) > 12 or not set(months + before) <= complete:
        return None
    if any(monthly.get(month, 0) is None for month in months + before):
        return None
    previous = sum(monthly.get(month, 0) for month in before)
    current = sum(monthly.get(month, 0) for month in months)
    return 100 * (current - previous) / previous if previous else None
