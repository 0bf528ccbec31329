"""Strategic metrics against hand calculations; outcome classes of police.uk categories."""

import pytest

from analytics import selectors
from analytics.filters import AnalyticsFilters
from analytics.metrics import CHARGED, PENDING, RESOLVED, UNRESOLVED, outcome_class
from analytics.models import StrategicMetric
from analytics.refresh import analytics_refresh
from ingestion.models import BoroughResources
from tests.analytics.factories import CAMDEN, LSOA_C1, WESTMINSTER, incidents, local


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("Offender sent to prison", CHARGED),
        ("Awaiting court outcome", CHARGED),
        ("Suspect charged as part of another case", CHARGED),
        ("Offender given a caution", RESOLVED),
        ("Local resolution", RESOLVED),
        ("Investigation complete; no suspect identified", UNRESOLVED),
        ("Unable to prosecute suspect", UNRESOLVED),
        ("Under investigation", PENDING),
        ("", PENDING),
        ("awaiting-court-result", CHARGED),
    ],
)
def test_outcome_classes(outcome, expected):
    assert outcome_class(outcome) == expected


@pytest.fixture
def borough_year(areas):
    incidents(6, occurred_at=local(2024, 3), outcome="Offender given a caution")
    incidents(4, occurred_at=local(2024, 3), outcome="Awaiting court outcome")
    incidents(10, occurred_at=local(2024, 4), outcome="Investigation complete; no suspect identified")
    incidents(20, occurred_at=local(2024, 4), outcome="")
    BoroughResources.objects.create(area_code=WESTMINSTER, year=2024, budget_gbp=400000, officers=8)
    analytics_refresh(full=True)


@pytest.mark.django_db
def test_strategic_metrics_match_hand_calculation(borough_year):
    metric = StrategicMetric.objects.get(area_code=WESTMINSTER, year=2024)
    assert (metric.recorded, metric.resolved, metric.charged, metric.with_outcome) == (40, 10, 4, 20)
    assert metric.resolution_rate == 0.25 and metric.charge_rate == 0.1 and metric.outcome_rate == 0.5
    assert metric.crimes_per_officer == 5.0
    assert metric.officers_per_1000 == 4.0  # 8 officers, 2,000 residents
    assert metric.budget_per_crime == 10000.0
    assert metric.rate_per_1000 == 20.0


@pytest.mark.django_db
def test_strategic_metrics_selector_gives_trend_by_year_scoped_to_commander(role_users, borough_year):
    incidents(5, occurred_at=local(2023, 5), borough_id=CAMDEN, lsoa_id=LSOA_C1)
    incidents(5, occurred_at=local(2023, 5))
    analytics_refresh(full=True)
    rows = selectors.strategic_metrics(user=role_users["commander"])
    assert [row["area_code"] for row in rows] == [WESTMINSTER]
    assert rows[0]["years"] == [2023, 2024] and rows[0]["trend"]["recorded"] == [5, 40]


@pytest.mark.django_db
def test_kpi_summary_reports_recorded_crime_rate_and_resolution(role_users, borough_year):
    incidents(20, occurred_at=local(2023, 4))
    analytics_refresh(full=True)
    kpis = selectors.kpi_summary(user=role_users["analyst"], filters=AnalyticsFilters())
    by_key = {kpi["key"]: kpi for kpi in kpis["kpis"]}
    assert kpis["period"] == {"from": "2023-05-01", "to": "2024-04-01"}
    assert by_key["recorded"]["value"] == 40
    assert by_key["rate_per_1000"]["value"] == pytest.approx(40 * 1000 / 3000, abs=1e-3)  # force of 3,000
    # the year before holds one month of data (April 2023): no change on last year rather than +100 % (issue 12)
    assert by_key["recorded"]["previous"] is None and by_key["change_on_last_year"]["value"] is None
    assert by_key["resolution_rate"]["value"] == 0.25
    assert len(by_key["recorded"]["series"]) == 12
