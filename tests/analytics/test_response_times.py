"""Response times: histograms built by the refresh give the percentiles and shares computed from the calls themselves,
scoped to the user and suppressed like every count."""

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from analytics.filters import AnalyticsFilters
from analytics.models import Level, Measure, ResponseHourCount, ResponseTarget, ResponseTimeCount
from analytics.refresh import analytics_refresh
from analytics.response_rollups import bucket_of, bucket_width
from analytics.response_times import percentile, response_time_summary, share_within, slowest_calls
from tests.analytics.factories import CAMDEN, LSOA_C1, AreaFactory, incidents, local

pytestmark = pytest.mark.django_db

# a known set of response times in minutes, Westminster, Emergency calls
KNOWN = [3.0, 5.5, 7.0, 8.0, 9.25, 11.0, 12.0, 14.5, 15.0, 16.0, 19.0, 22.0, 27.5, 41.0, 75.0]
TARGET = 15


def calls(minutes: list[float], *, start=None, category="assault", priority="Emergency", **fields) -> list:
    """One call per response time, received at `start` plus an hour each, dispatched two minutes after receipt."""
    start = start or local(2024, 3, 4, 10)
    made = []
    for index, value in enumerate(minutes):
        received = start + dt.timedelta(hours=index)
        made += incidents(1, source="cad_demo", kind="call", category=category, priority=priority,
                          occurred_at=received, time_precision="minute",
                          dispatched_at=received + dt.timedelta(minutes=min(2, value)),
                          on_scene_at=received + dt.timedelta(minutes=value),
                          cleared_at=received + dt.timedelta(minutes=value + 30), **fields)  # fmt: skip
    return made


@pytest.fixture
def known(areas):
    ResponseTarget.objects.update_or_create(priority="Emergency", defaults={"target_minutes": TARGET})
    calls(KNOWN)
    analytics_refresh(full=True)


def test_bucket_holds_its_upper_edge_so_a_target_is_a_sum_of_whole_buckets():
    assert bucket_of(15) == 14 and bucket_of(15.01) == 15 and bucket_of(0) == 0 and bucket_of(1) == 0
    assert bucket_of(61) == 60 and bucket_of(65) == 60 and bucket_of(65.5) == 65 and bucket_of(2000) == 1440
    assert bucket_width(14) == 1 and bucket_width(60) == 5 and bucket_width(1440) is None


def test_refresh_counts_each_call_in_its_bucket_per_measure(known):
    force = ResponseTimeCount.objects.filter(level=Level.FORCE)
    response = {row.bucket: row.count for row in force.filter(measure=Measure.RESPONSE)}
    expected = {}
    for value in KNOWN:
        expected[bucket_of(value)] = expected.get(bucket_of(value), 0) + 1
    assert response == expected  # the SQL buckets agree with the Python twin, 15:00 in bucket 14
    assert {row.bucket: row.count for row in force.filter(measure=Measure.ON_SCENE)} == {29: 15}
    assert sum(row.count for row in ResponseHourCount.objects.filter(level=Level.FORCE)) == len(KNOWN)


def test_percentiles_from_the_rollup_match_the_calls_within_bucket_resolution(role_users, known):
    summary = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters())
    overall = summary["overall"]
    assert overall["count"] == len(KNOWN)
    for key, q in (("p50", 50), ("p90", 90)):
        # the nearest-rank percentile (a call's own time): on 15 calls the interpolating kinds differ by more
        direct = float(np.percentile(KNOWN, q, method="inverted_cdf"))
        assert abs(overall[key] - direct) <= bucket_width(bucket_of(direct)), (key, overall[key], direct)


def test_percentiles_of_many_calls_match_any_percentile_within_a_bucket(role_users, areas):
    rng = np.random.default_rng(7)
    minutes = [round(float(value), 2) for value in rng.lognormal(np.log(12), 0.6, 300)]
    calls(minutes, start=local(2024, 1, 1))
    analytics_refresh(full=True)
    overall = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters())["overall"]
    for key, q in (("p50", 50), ("p90", 90)):
        direct = float(np.percentile(minutes, q))
        assert abs(overall[key] - direct) <= bucket_width(bucket_of(direct)), (key, overall[key], direct)


def test_share_within_target_counts_a_call_on_scene_at_exactly_the_target(role_users, known):
    summary = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters())
    direct = sum(value <= TARGET for value in KNOWN) / len(KNOWN)
    emergency = next(row for row in summary["by_priority"] if row["priority"] == "Emergency")
    assert emergency["within_target"] == pytest.approx(direct)  # 9 of 15, the 15:00 call included
    assert emergency["target_minutes"] == TARGET
    assert summary["overall"]["within_target"] == pytest.approx(direct)


def test_stages_give_dispatch_delay_and_time_on_scene(role_users, known):
    stages = {row["measure"]: row for row in response_time_summary(user=role_users["analyst"],
                                                                   filters=AnalyticsFilters())["stages"]}  # fmt: skip
    assert stages["dispatch"]["p50"] <= 2 and 29 <= stages["on_scene"]["p50"] <= 30


def test_percentile_and_share_helpers_on_a_hand_histogram():
    histogram = {4: 2, 9: 2}  # two calls in (4, 5], two in (9, 10]
    assert percentile(histogram, 0.5) == 5.0
    assert percentile(histogram, 1.0) == 10.0
    assert share_within(histogram, 5) == 0.5 and share_within(histogram, 9.5) == 0.75
    assert percentile({}, 0.5) is None and share_within({}, 15) is None


def test_a_source_without_times_shows_no_response_times_not_zeros(role_users, areas):
    incidents(20, source="baltimore", kind="call", time_precision="minute", occurred_at=local(2024, 3, 4, 10))
    analytics_refresh(full=True)
    summary = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters(sources=("baltimore",)))
    assert summary["has_times"] is False
    assert "records no response times" in summary["empty_reason"]
    assert summary["overall"]["p50"] is None and summary["by_priority"] == []


def test_commander_sees_only_own_bcu(role_users, known):
    calls([30.0] * 8, borough_id=CAMDEN, lsoa_id=LSOA_C1)
    analytics_refresh(full=True)
    commander = response_time_summary(user=role_users["commander"], filters=AnalyticsFilters())
    analyst = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters())
    assert commander["overall"]["count"] == len(KNOWN)
    assert analyst["overall"]["count"] == len(KNOWN) + 8
    assert {row["area_code"] for row in commander["by_area"]["rows"]} == {"E09000033"}
    slow = slowest_calls(user=role_users["commander"], filters=AnalyticsFilters())
    assert slow and all(row["area_code"] == "E09000033" for row in slow)
    assert slow[0]["response_minutes"] == 75.0 and slow[0]["over_target"] is True


def test_small_counts_and_what_derives_from_them_are_hidden_from_a_commander(role_users, known):
    calls([4.0, 6.0], category="overdose", start=local(2024, 3, 20, 10))
    calls([10.0] * 8, category="theft", start=local(2024, 3, 25, 10))
    analytics_refresh(full=True)
    by_category = {
        row["category"]: row
        for row in response_time_summary(user=role_users["commander"], filters=AnalyticsFilters())["by_category"]
    }
    assert by_category["overdose"]["count"] is None and by_category["overdose"]["p50"] is None
    # the total would give 2 back: the next smallest (theft, 8) is hidden too; the largest stays
    assert by_category["theft"]["p50"] is None and by_category["assault"]["p50"] is not None
    analyst = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters(categories=("overdose",)))
    assert analyst["overall"]["count"] == 2 and analyst["overall"]["p50"] == pytest.approx(5.0, abs=1)
    overdose_only = AnalyticsFilters(categories=("overdose",))
    assert slowest_calls(user=role_users["commander"], filters=overdose_only) == []


def test_filters_by_priority_and_period(role_users, known):
    calls([50.0] * 6, priority="Priority", start=local(2024, 5, 6, 10))
    analytics_refresh(full=True)
    user = role_users["analyst"]
    may = AnalyticsFilters(date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 5, 31))
    assert response_time_summary(user=user, filters=may)["overall"]["count"] == 6
    only = response_time_summary(user=user, filters=AnalyticsFilters(), priorities=("Priority",))
    assert only["overall"]["count"] == 6 and [row["priority"] for row in only["by_priority"]] == ["Priority"]
    months = [row["month"] for row in response_time_summary(user=user, filters=AnalyticsFilters())["by_month"]]
    assert months == [dt.date(2024, 3, 1), dt.date(2024, 5, 1)]


# --- the API endpoint -------------------------------------------------------------------------------------------

URL = "/api/analytics/response-times/"


def test_endpoint_returns_what_the_selector_gives_filtered_by_priority(client_for, role_users, known):
    calls([50.0] * 6, priority="Priority", start=local(2024, 5, 6, 10))
    analytics_refresh(full=True)
    data = client_for("analyst").get(URL, {"priority": "Emergency"}).json()
    expected = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters(), priorities=("Emergency",))
    assert data["overall"]["count"] == len(KNOWN) and data["overall"]["p50"] == expected["overall"]["p50"]
    assert [row["priority"] for row in data["by_priority"]] == ["Emergency"]
    assert data["slowest"][0]["response_minutes"] == 75.0
    assert data["covers"]["sources"] == ["cad_demo"] and data["covers"]["time_zones"] == {"cad_demo": "Europe/London"}


def test_endpoint_is_scoped_to_the_commanders_bcu(client_for, known):
    calls([30.0] * 8, borough_id=CAMDEN, lsoa_id=LSOA_C1)
    analytics_refresh(full=True)
    data = client_for("commander").get(URL).json()
    assert data["overall"]["count"] == len(KNOWN)
    assert {row["area_code"] for row in data["by_area"]["rows"]} == {"E09000033"}


@pytest.mark.parametrize("role", ["executive", "supervisor", "officer"])
def test_endpoint_refuses_roles_without_the_tactical_view(client_for, known, role):
    response = client_for(role).get(URL)
    assert response.status_code == 403
    assert "overall" not in response.json()


def test_endpoint_refuses_anonymous(client, known):
    assert client.get(URL).status_code == 403


def test_slowest_calls_rank_by_minutes_over_target_in_the_latest_three_months(role_users, known):
    ResponseTarget.objects.update_or_create(priority="Priority", defaults={"target_minutes": 60})
    calls([130.0], priority="Priority", start=local(2024, 5, 6, 10))  # 70 over its 60 minutes
    calls([500.0], priority="Scheduled", start=local(2024, 5, 7, 10))  # no target: not ranked against one
    calls([90.0], start=local(2023, 12, 4, 10))  # 75 over, but five months before the period's end
    analytics_refresh(full=True)
    slow = slowest_calls(user=role_users["analyst"], filters=AnalyticsFilters())
    assert [(row["priority"], row["over_minutes"]) for row in slow[:3]] == [
        ("Priority", 70.0), ("Emergency", 60.0), ("Emergency", 26.0)
    ]  # fmt: skip
    assert all(row["priority"] != "Scheduled" for row in slow)
    assert len(slow) == 15 and not any("Dec 2023" in row["received"] for row in slow)


def test_the_force_sets_targets_in_the_admin_and_others_cannot(client_for, client, role_users):
    admin = client_for("admin")
    added = admin.post("/admin/analytics/responsetarget/add/", {"priority": "Immediate", "target_minutes": 10,
                                                                "label": "I grade"})  # fmt: skip
    assert added.status_code == 302 and ResponseTarget.objects.get(priority="Immediate").target_minutes == 10
    client.force_login(role_users["commander"])
    assert client.get("/admin/analytics/responsetarget/").status_code in (302, 403)
    refused = client.post("/admin/analytics/responsetarget/add/", {"priority": "X", "target_minutes": 1})
    assert refused.status_code in (302, 403)  # to the login page, or forbidden
    assert not ResponseTarget.objects.filter(priority="X").exists()


def test_feed_updates_reach_the_response_time_figures(role_users, areas):
    from ingestion.dispatch import dispatch_update_record

    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    for status, minutes in (("received", 0), ("dispatched", 2), ("on_scene", 11), ("resolved", 40)):
        dispatch_update_record(data={"incident_id": "LIVE-1", "status": status, "category": "assault",
                                     "priority": "Emergency", "area_code": "E09000033",
                                     "updated_at": start + dt.timedelta(minutes=minutes)})  # fmt: skip
    analytics_refresh(full=True)
    summary = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters(sources=("cad",)))
    assert summary["overall"]["count"] == 1 and 10 <= summary["overall"]["p50"] <= 11
    assert {row["measure"]: row["p50"] for row in summary["stages"]}["on_scene"] == pytest.approx(28.5, abs=0.5)


def test_a_period_without_times_says_so_rather_than_blaming_the_source(role_users, known):
    january = AnalyticsFilters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 31), sources=("cad_demo",))
    summary = response_time_summary(user=role_users["analyst"], filters=january)
    assert summary["has_times"] is False and summary["empty_reason"].startswith("No calls with response times match")


def test_one_borough_is_broken_down_by_its_posts(role_users, areas):
    for code in ("cad-post:W1", "cad-post:W2"):
        AreaFactory(code=code, name=code[-2:], kind="post", parent_id="E09000033")
    calls([10.0] * 6, post_id="cad-post:W1")
    calls([20.0] * 6, post_id="cad-post:W2", start=local(2024, 3, 11, 10))
    analytics_refresh(full=True)
    by_area = response_time_summary(user=role_users["commander"], filters=AnalyticsFilters())["by_area"]
    assert by_area["level"] == "Police post"
    assert {row["name"]: row["p50"] for row in by_area["rows"]} == {"W1": 9.5, "W2": 19.5}
    analyst = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters(areas=("cad-post:W2",)))
    assert analyst["overall"]["count"] == 6
