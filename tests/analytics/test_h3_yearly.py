"""H3YearlyCount and H3YearTotal hold H3MonthlyCount and H3MonthTotal summed over each year: every refresh leaves them
equal to their months, and an H3 map of a period holding whole years reads those years there and only the months
either side monthly, with the same answer as reading every month."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncYear
from django.test.utils import CaptureQueriesContext

from analytics import selectors
from analytics.filters import AnalyticsFilters
from analytics.models import H3MonthlyCount, H3MonthTotal, H3YearlyCount, H3YearTotal, Level
from analytics.refresh import analytics_refresh, rollups_replace
from analytics.rollups import Slice
from analytics.selectors import rollup_counts, whole_years
from ingestion.models import Incident
from tests.analytics.factories import CAMDEN, LSOA_C1, incidents, local

pytestmark = pytest.mark.django_db
CELLS = ["89195da49b7ffff", "89195da4983ffff", "89195da4987ffff", "89195da498bffff"]
CATEGORIES = ["burglary", "robbery", "vehicle-crime"]
SUMMED_FROM = {H3YearlyCount: H3MonthlyCount, H3YearTotal: H3MonthTotal}


@pytest.fixture
def three_years(areas):
    """Crimes in four cells, two boroughs, three categories and two origins, in random months of 2022-2024."""
    rng = random.Random(11)
    for _ in range(60):
        camden = rng.random() < 0.4
        incidents(
            rng.randint(1, 4), occurred_at=local(rng.choice([2022, 2023, 2024]), rng.randint(1, 12)),
            h3_cell=rng.choice(CELLS), category=rng.choice(CATEGORIES),
            origin=rng.choice([Incident.Origin.PUBLIC_REPORT, Incident.Origin.POLICE_GENERATED]),
            **({"borough_id": CAMDEN, "lsoa_id": LSOA_C1} if camden else {}),
        )  # fmt: skip
    analytics_refresh(full=True)


def _by_year(model) -> dict:
    """Each yearly table's rows, and its monthly table's rows summed by year, keyed alike."""
    keys = [field.attname for field in model._meta.concrete_fields if field.attname not in ("id", "month", "count")]
    rows = model.objects.values_list(*keys, "month", "count")
    return {tuple(row[:-1]): row[-1] for row in rows}


def _months_summed(yearly) -> dict:
    keys = [field.attname for field in yearly._meta.concrete_fields if field.attname not in ("id", "month", "count")]
    months = SUMMED_FROM[yearly].objects.annotate(year=TruncYear("month")).values(*keys, "year")
    return {tuple(row[key] for key in [*keys, "year"]): row["total"] for row in months.annotate(total=Sum("count"))}


@pytest.mark.parametrize("yearly", [H3YearlyCount, H3YearTotal], ids=lambda model: model.__name__)
def test_a_full_refresh_leaves_each_year_the_sum_of_its_months(three_years, yearly):
    rows = _by_year(yearly)
    assert rows == _months_summed(yearly)
    assert {key[-1] for key in rows} == {dt.date(2022, 1, 1), dt.date(2023, 1, 1), dt.date(2024, 1, 1)}


def test_a_month_refreshed_rewrites_its_year_in_its_boroughs(three_years):
    incidents(5, occurred_at=local(2023, 6), h3_cell=CELLS[0], borough_id=CAMDEN, lsoa_id=LSOA_C1, category="arson")
    before = _by_year(H3YearTotal)
    rollups_replace(where=Slice(months=("2023-06",), boroughs=(CAMDEN,)))
    for yearly in SUMMED_FROM:
        assert _by_year(yearly) == _months_summed(yearly)
    changed = {key for key, count in _by_year(H3YearTotal).items() if before.get(key) != count}
    assert {(key[1], key[2], key[-1]) for key in changed} == {(CELLS[0], CAMDEN, dt.date(2023, 1, 1))}


def test_a_full_refresh_drops_the_years_no_incident_is_in_any_more(three_years):
    Incident.objects.filter(local_date__year=2022).delete()
    Incident.objects.filter(local_date__year=2023, local_date__month__gt=6).delete()
    analytics_refresh(full=True)
    for yearly in SUMMED_FROM:
        assert _by_year(yearly) == _months_summed(yearly)
        assert not yearly.objects.filter(month=dt.date(2022, 1, 1)).exists()


def test_a_full_refresh_sums_each_year_once_not_once_a_month(three_years):
    with CaptureQueriesContext(connection) as captured:
        analytics_refresh(full=True)
    inserts = [query["sql"] for query in captured if query["sql"].startswith('INSERT INTO "analytics_h3yeartotal"')]
    inserts += [query["sql"] for query in captured if query["sql"].startswith("INSERT INTO analytics_h3yeartotal")]
    # 2021 to 2025 (the refresh takes the months either side of the data too), each once: not once a month
    assert len(inserts) == 5


@pytest.mark.parametrize(
    ("date_from", "date_to", "years"),
    [
        (None, None, (None, None)),
        ("2022-01-01", "2024-12-31", ("2022-01-01", "2024-12-01")),
        ("2022-03-01", "2024-12-31", ("2023-01-01", "2024-12-01")),
        ("2022-01-15", "2024-11-30", ("2022-01-01", "2023-12-01")),
        ("2022-02-01", None, ("2023-01-01", None)),
        (None, "2023-06-30", (None, "2022-12-01")),
        ("2022-02-01", "2023-11-30", None),
        ("2023-01-01", "2023-12-01", ("2023-01-01", "2023-12-01")),
    ],
)
def test_whole_years_are_the_calendar_years_a_period_s_months_cover(date_from, date_to, years):
    day = lambda text: text and dt.date.fromisoformat(text)  # noqa: E731
    filters = AnalyticsFilters(date_from=day(date_from), date_to=day(date_to))
    assert whole_years(filters) == (years and tuple(day(bound) for bound in years))


def _h3_counts(user, filters, top=0) -> list[dict]:
    return rollup_counts(user=user, filters=filters, by=("area_code",), level=Level.H3, top=top)


def _random_filters(rng: random.Random) -> AnalyticsFilters:
    months = [dt.date(year, month, 1) for year in (2021, 2022, 2023, 2024, 2025) for month in range(1, 13)]
    start, end = sorted(rng.sample(months, 2))
    return AnalyticsFilters(
        date_from=rng.choice([None, start, start.replace(day=rng.randint(1, 28))]),
        date_to=rng.choice([None, end, end.replace(day=rng.randint(1, 28))]),
        areas=rng.choice([(), (CAMDEN,), ("met",), (CELLS[1],)]),
        categories=rng.choice([(), (rng.choice(CATEGORIES),)]),
        reported_only=rng.random() < 0.2,
    )


@pytest.mark.parametrize("role", ["analyst", "commander"])
def test_maps_of_whole_years_count_what_every_month_counts_under_random_filters(three_years, role_users, role,
                                                                                monkeypatch):  # fmt: skip
    user, rng, used = role_users[role], random.Random(7), 0
    for _ in range(60):
        filters, top = _random_filters(rng), rng.choice([0, 2])
        split = _h3_counts(user, filters, top)
        used += whole_years(filters) is not None
        with monkeypatch.context() as months_only:
            months_only.setattr(selectors, "YEARLY_TABLES", {})
            assert split == _h3_counts(user, filters, top), filters
    assert used > 30  # most draws hold a whole year, so the yearly read is what was compared


def _tables_read(user, filters) -> set[str]:
    with CaptureQueriesContext(connection) as captured:
        _h3_counts(user, filters)
    tables = ("analytics_h3monthtotal", "analytics_h3monthlycount", "analytics_h3yeartotal", "analytics_h3yearlycount")
    return {table for table in tables if any(table in query["sql"] for query in captured)}


def test_a_period_of_whole_years_reads_them_yearly_and_the_months_either_side_monthly(three_years, role_users):
    analyst = role_users["analyst"]
    whole = AnalyticsFilters(date_from=dt.date(2022, 1, 1), date_to=dt.date(2024, 12, 31))
    assert _tables_read(analyst, whole) == {"analytics_h3yeartotal"}
    around = AnalyticsFilters(date_from=dt.date(2022, 7, 1), date_to=dt.date(2024, 3, 31), categories=("robbery",))
    assert _tables_read(analyst, around) == {"analytics_h3yearlycount", "analytics_h3monthlycount"}
    within = AnalyticsFilters(date_from=dt.date(2023, 2, 1), date_to=dt.date(2023, 11, 30))
    assert _tables_read(analyst, within) == {"analytics_h3monthtotal"}
