"""Ratios from matching numerators and denominators: a period's budget is its months' share of each financial year's
budget, and a change on last year needs two whole, comparable periods."""

from datetime import date
from decimal import Decimal

from analytics.selectors import add_months
from dashboards.efficiency import AreaFigures, change_on_last_year, financial_year, period_resources, total_row


def _months(first: date, count: int) -> list[date]:
    return [add_months(first, n) for n in range(count)]


def test_financial_years_start_in_april():
    assert financial_year(date(2024, 3, 1)) == 2023
    assert financial_year(date(2024, 4, 1)) == 2024


def test_january_to_october_takes_ten_twelfths_across_two_financial_years():
    resources = {("A", 2023): (100, Decimal(12_000)), ("A", 2024): (200, Decimal(24_000))}
    officers, budget = period_resources(resources, code="A", months=_months(date(2024, 1, 1), 10))
    assert budget == Decimal(3 * 1_000 + 7 * 2_000)  # Jan-Mar of 2023/24, Apr-Oct of 2024/25
    assert officers == round((3 * 100 + 7 * 200) / 10, 1)


def test_a_period_with_a_month_missing_resources_has_no_ratios():
    resources = {("A", 2024): (200, Decimal(24_000))}
    assert period_resources(resources, code="A", months=_months(date(2024, 1, 1), 12)) == (None, None)


def test_the_total_row_sets_only_resourced_areas_crime_against_resources():
    staffed = AreaFigures(code="A", name="A", recorded=100, all_crime=100, officers=10, budget=Decimal(1000))
    unstaffed = AreaFigures(code="B", name="B", recorded=50, all_crime=50)
    total = total_row([staffed, unstaffed])
    assert total.recorded == 150
    assert total.per_officer is None and total.budget_per_crime is None  # not 150 crimes over A's officers alone
    assert total_row([staffed]).per_officer == 10


def test_change_on_last_year_needs_two_whole_years():
    months = _months(date(2024, 1, 1), 12)
    monthly = {month: 10 for month in _months(date(2023, 1, 1), 24)}
    assert change_on_last_year(monthly, months=months, complete=set(monthly)) == 0
    two_months_before = set(months) | {date(2023, 11, 1), date(2023, 12, 1)}
    assert change_on_last_year(monthly, months=months, complete=two_months_before) is None
    assert change_on_last_year(monthly, months=_months(date(2023, 1, 1), 24), complete=set(monthly)) is None
    assert change_on_last_year({**monthly, date(2023, 5, 1): None}, months=months, complete=set(monthly)) is None
