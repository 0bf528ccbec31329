"""Small counts are hidden from roles without analyst access, by the one helper every selector uses."""

import pytest

from analytics import selectors
from analytics.filters import AnalyticsFilters
from analytics.privacy import suppress_rows, with_shares
from analytics.refresh import analytics_refresh
from tests.analytics.factories import CAMDEN, LSOA_C1, incidents, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_and_large(areas):
    incidents(3, occurred_at=local(2024, 1), borough_id=CAMDEN, lsoa_id=LSOA_C1)  # below the threshold of 5
    incidents(12, occurred_at=local(2024, 1))
    analytics_refresh(full=True)


def _counts(user) -> dict:
    return {row["area_code"]: row["count"] for row in selectors.area_comparison(user=user, filters=AnalyticsFilters())}


def test_executive_does_not_see_a_count_below_five(role_users, small_and_large):
    rows = {
        row["area_code"]: row
        for row in selectors.area_comparison(user=role_users["executive"], filters=AnalyticsFilters())
    }
    assert rows[CAMDEN]["count"] is None and rows[CAMDEN]["suppressed"] is True
    assert rows[CAMDEN]["rate_per_1000"] is None  # a rate would give the count away
    # the only other area is hidden too: the total of the two, on the same page, would give Camden's 3 back
    assert rows["E09000033"]["count"] is None and rows["E09000033"]["suppressed"] is True


def test_analyst_sees_every_count(role_users, small_and_large):
    assert _counts(role_users["analyst"])[CAMDEN] == 3


def test_monthly_series_suppresses_small_months_for_an_executive(role_users, areas):
    incidents(2, occurred_at=local(2024, 1))
    incidents(8, occurred_at=local(2024, 2))
    analytics_refresh(full=True)
    assert selectors.monthly_series(user=role_users["executive"], filters=AnalyticsFilters())["y"] == [None, 8]
    assert selectors.monthly_series(user=role_users["analyst"], filters=AnalyticsFilters())["y"] == [2, 8]


def test_zero_is_not_suppressed_and_the_smallest_other_count_hides_the_small_one(role_users):
    rows = suppress_rows([{"count": 0}, {"count": 4}, {"count": 6}, {"count": 40}], user=role_users["executive"])
    # 4 is small; 6 goes with it, so the hidden counts are two and hold at least the threshold together
    assert [row["count"] for row in rows] == [0, None, None, 40]


def test_hidden_counts_lose_their_shares_and_the_shown_shares_give_no_single_count_back(role_users):
    rows = with_shares([{"count": 3}, {"count": 20}, {"count": 30}], user=role_users["commander"])
    assert [(row["count"], row["share"]) for row in rows] == [(None, None), (None, None), (30, 0.566)]
    total = 30 / 0.566  # what a reader can work out: the hidden two hold 23 between them, not which holds what
    assert round(total) - 30 == 23
    seen = with_shares([{"count": 3}, {"count": 20}, {"count": 30}], user=role_users["analyst"])
    assert [row["share"] for row in seen] == [0.0566, 0.3774, 0.566]


def test_threshold_comes_from_settings(role_users, monkeypatch):
    monkeypatch.setattr("analytics.conf.SUPPRESSION_THRESHOLD", 10)
    assert suppress_rows([{"count": 7}], user=role_users["executive"])[0]["count"] is None
