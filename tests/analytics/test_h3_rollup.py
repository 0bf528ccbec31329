"""MonthlyCount's H3 level is a table of its own (H3MonthlyCount), and its sum over category and origin another
(H3MonthTotal): the refresh writes them there and nowhere else; the map's hexagons read the sum without a category and
H3MonthlyCount with one, and the API's level=h3 pages read H3MonthlyCount."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.filters import AnalyticsFilters
from analytics.models import AreaMonthTotal, H3MonthlyCount, H3MonthTotal, Level, MonthlyCount, RefreshSlice
from analytics.refresh import analytics_refresh
from analytics.rollups import LANES, LEVEL_FIELDS, MODELS, SPECS, Slice, rollups_rebuild
from analytics.selectors import rollup_totals
from ingestion.models import Incident
from tests.analytics.factories import CAMDEN, LSOA_C1, WESTMINSTER, incidents, local

pytestmark = pytest.mark.django_db
CELL_A, CELL_B = "89195da49b7ffff", "89195da4983ffff"


@pytest.fixture
def cells(areas):
    incidents(6, occurred_at=local(2024, 1), h3_cell=CELL_A)
    incidents(4, occurred_at=local(2024, 1), h3_cell=CELL_A, category="robbery")
    incidents(5, occurred_at=local(2024, 2), h3_cell=CELL_B, borough_id=CAMDEN, lsoa_id=LSOA_C1)
    incidents(3, occurred_at=local(2024, 2), h3_cell="")  # no cell: counted at every level but H3
    analytics_refresh(full=True)


def _totals(user, **where) -> dict:
    rows = rollup_totals(user=user, filters=AnalyticsFilters(**where), by=("area_code",), level=Level.H3)
    return {row["area_code"]: row["total"] for row in rows}


def test_the_h3_level_is_written_to_its_own_table_only(cells):
    assert not MonthlyCount.objects.filter(level=Level.H3).exists()
    assert not AreaMonthTotal.objects.filter(level=Level.H3).exists()
    rows = {(row.area_code, row.month, row.category): row.count for row in H3MonthlyCount.objects.all()}
    assert rows == {
        (CELL_A, dt.date(2024, 1, 1), "burglary"): 6,
        (CELL_A, dt.date(2024, 1, 1), "robbery"): 4,
        (CELL_B, dt.date(2024, 2, 1), "burglary"): 5,
    }
    assert sum(MonthlyCount.objects.filter(level=Level.FORCE).values_list("count", flat=True)) == 18


def test_the_h3_month_totals_sum_the_cells_over_category_and_origin(cells):
    incidents(2, occurred_at=local(2024, 2), h3_cell=CELL_B, borough_id=CAMDEN, category="robbery", origin="proactive")
    rollups_rebuild(where=Slice(months=("2024-02",), boroughs=(CAMDEN,)))
    rows = {(row.area_code, row.month, row.borough_code): row.count for row in H3MonthTotal.objects.all()}
    assert rows == {(CELL_A, dt.date(2024, 1, 1), WESTMINSTER): 10, (CELL_B, dt.date(2024, 2, 1), CAMDEN): 7}
    assert set(H3MonthTotal.objects.values_list("level", "kind", "source")) == {("h3", "crime", "police_uk")}


def _tables_read(user, **where) -> set[str]:
    with CaptureQueriesContext(connection) as captured:
        _totals(user, **where)
    return {table for table in ("analytics_h3monthtotal", "analytics_h3monthlycount")
            if any(table in query["sql"] for query in captured.captured_queries)}  # fmt: skip


# months of one year: a period of whole years reads their yearly sums (tests/analytics/test_h3_yearly.py)
HALF_YEAR = {"date_from": dt.date(2024, 1, 1), "date_to": dt.date(2024, 6, 30)}


def test_hexagon_totals_read_the_summed_table_unless_a_category_or_the_origin_is_chosen(cells, role_users):
    analyst = role_users["analyst"]
    assert _tables_read(analyst, **HALF_YEAR) == {"analytics_h3monthtotal"}
    assert _tables_read(analyst, **HALF_YEAR, areas=(CAMDEN,), kinds=("crime",)) == {"analytics_h3monthtotal"}
    assert _tables_read(analyst, **HALF_YEAR, categories=("robbery",)) == {"analytics_h3monthlycount"}
    assert _tables_read(analyst, **HALF_YEAR, reported_only=True) == {"analytics_h3monthlycount"}


def test_hexagon_totals_read_the_h3_table_with_and_without_a_category(cells, role_users):
    analyst = role_users["analyst"]
    assert _totals(analyst) == {CELL_A: 10, CELL_B: 5}
    assert _totals(analyst, categories=("robbery",)) == {CELL_A: 4}
    assert _totals(analyst, areas=(CAMDEN,)) == {CELL_B: 5}
    assert _totals(analyst, date_from=dt.date(2024, 2, 1)) == {CELL_B: 5}


def test_a_commander_sees_the_cells_of_their_own_borough_only(cells, role_users):
    assert _totals(role_users["commander"]) == {CELL_A: 10}  # Westminster's; Camden's cell is not theirs


def test_the_api_pages_h3_rows_with_level_h3_and_the_other_levels_without(cells, client_for):
    client, url = client_for("analyst"), reverse("analytics-monthly-count-list")
    cells_page = client.get(url, {"level": "h3"}).json()["results"]
    assert {(row["area_code"], row["category"], row["count"]) for row in cells_page} == {
        (CELL_A, "burglary", 6), (CELL_A, "robbery", 4), (CELL_B, "burglary", 5)}  # fmt: skip
    assert {row["level"] for row in cells_page} == {"h3"}
    every_level = client.get(url).json()["results"]
    assert every_level and "h3" not in {row["level"] for row in every_level}
    one_cell = client.get(url, {"level": "h3", "area_code": CELL_B}).json()["results"]
    assert [(row["area_code"], row["count"]) for row in one_cell] == [(CELL_B, 5)]


def test_the_lanes_write_every_rollup_table_once():
    in_lanes = [model for lane in LANES for model in lane]
    assert sorted(model.__name__ for model in in_lanes) == sorted(model.__name__ for model in MODELS)


def _fields_read(where) -> set[str]:
    """The model fields a Q object filters on."""
    fields = set()
    for child in where.children:
        fields |= _fields_read(child) if hasattr(child, "children") else {child[0].split("__")[0]}
    return fields


def test_the_slice_copy_holds_every_incident_column_a_rollup_groups_or_filters_by():
    """RefreshSlice lists its columns by hand: a dimension added to a rollup spec and not to it fails here, by name."""
    needed = {"borough_id", "local_date", *LEVEL_FIELDS.values()}
    for spec in SPECS:
        needed |= {value for value in spec.dimensions.values() if isinstance(value, str)} | _fields_read(spec.where)
    copied = {field.attname for field in RefreshSlice._meta.concrete_fields}
    incident_columns = {field.attname for field in Incident._meta.concrete_fields}
    assert needed - copied == set()
    assert copied <= incident_columns  # each is read from Incident by the same name
