"""Emerging trends: a planted surge raises an alert, a stable series none; commanders act on their own BCU only."""

import datetime as dt

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import AuditEvent
from analytics.models import Alert
from analytics.rollups import Slice, rollups_rebuild
from analytics.services import alert_act
from analytics.trends import count_test, monthly_expectation, trends_detect
from tests.analytics.factories import CAMDEN, LSOA_C1, WESTMINSTER, incidents, local

pytestmark = pytest.mark.django_db


def _series(counts, **fields):
    for index, count in enumerate(counts):
        if count:
            incidents(int(count), occurred_at=local(2022 + index // 12, index % 12 + 1), **fields)


def _stable(seed: int = 7, months: int = 30) -> np.ndarray:
    return np.random.default_rng(seed).poisson(20, months)


def test_a_planted_surge_raises_an_up_alert():
    counts = _stable()
    counts[-1] = 60
    _series(counts)
    rollups_rebuild(where=Slice())
    trends_detect()
    alert = Alert.objects.get(level="borough", area_code=WESTMINSTER, category="burglary", period="month")
    assert alert.direction == Alert.Direction.UP
    assert alert.observed == 60
    assert alert.upper < 60
    assert alert.p_value < 0.01


def test_a_stable_series_raises_no_alert():
    _series(_stable())
    rollups_rebuild(where=Slice())
    assert trends_detect()["raised"] == 0
    assert not Alert.objects.exists()


def test_a_collapse_raises_a_down_alert():
    counts = _stable()
    counts[-1] = 0
    _series(counts)
    incidents(1, occurred_at=local(2024, 6), category="robbery")  # the area still reported that month
    rollups_rebuild(where=Slice())
    trends_detect()
    assert Alert.objects.filter(area_code=WESTMINSTER, direction=Alert.Direction.DOWN).exists()


def test_expectation_follows_the_seasonal_pattern():
    # Two years where every December doubles: the next December is expected near 40, not 20.
    history = np.array([20] * 11 + [40] + [20] * 11 + [40] + [20] * 11, dtype=float)
    expected, _dispersion = monthly_expectation(history, month_of_year=12, first_month_of_year=1)
    assert expected > 30


def test_count_test_p_value_matches_the_poisson_tail():
    test = count_test(observed=20, expected=10.0, dispersion=1.0)
    assert test.p_value == pytest.approx(2 * 0.003454, rel=0.01)  # P(X >= 20 | Poisson(10)) = 0.003454


def _alert(borough: str) -> Alert:
    return Alert.objects.create(
        area_code=borough, level="borough", borough_code=borough, category="burglary", period="month",
        period_start="2024-06-01", observed=50, expected=10, lower=3, upper=19, p_value=1e-9, direction="up",
    )  # fmt: skip


def test_commander_acknowledges_an_alert_in_their_bcu_and_it_is_audited(role_users):
    alert = alert_act(user=role_users["commander"], alert_id=_alert(WESTMINSTER).pk, state="acknowledged")
    assert alert.state == Alert.State.ACKNOWLEDGED and alert.acted_by == role_users["commander"]
    assert AuditEvent.objects.filter(target=f"alert:{alert.pk}", username="commander").exists()


def test_commander_cannot_acknowledge_another_bcus_alert(role_users):
    with pytest.raises(Http404):
        alert_act(user=role_users["commander"], alert_id=_alert(CAMDEN).pk, state="acknowledged")
    assert Alert.objects.get().state == Alert.State.OPEN


def test_analyst_may_not_acknowledge_alerts(role_users):
    with pytest.raises(PermissionDenied):
        alert_act(user=role_users["analyst"], alert_id=_alert(WESTMINSTER).pk, state="dismissed")


def test_an_acknowledged_alert_stays_acknowledged_after_detection_reruns(role_users):
    counts = _stable()
    counts[-1] = 60
    _series(counts, borough_id=CAMDEN, lsoa_id=LSOA_C1)
    rollups_rebuild(where=Slice())
    trends_detect()
    alert = Alert.objects.get(level="borough", area_code=CAMDEN, period="month")
    alert_act(user=role_users["admin"], alert_id=alert.pk, state="dismissed")
    trends_detect()
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.DISMISSED


def test_a_surge_in_the_latest_week_of_timed_data_raises_a_weekly_alert():
    first_monday = local(2024, 1, 1, 10)  # 1 January 2024 was a Monday
    for day in range(13 * 7):
        per_day = 12 if day >= 12 * 7 else 3
        incidents(per_day, occurred_at=first_monday + dt.timedelta(days=day), time_precision="minute", kind="call",
                  category="assault")  # fmt: skip
    rollups_rebuild(where=Slice())
    trends_detect()
    alert = Alert.objects.get(level="force", period="week", category="assault")
    assert (alert.period_start, alert.observed, alert.direction) == (dt.date(2024, 3, 25), 84, "up")


def test_a_live_source_running_ahead_does_not_make_a_monthly_archive_look_like_a_collapse():
    _series(_stable())  # police_uk burglary, monthly archive up to June 2024
    incidents(
        5, occurred_at=local(2024, 7), category="assault", source="cad_demo", kind="call", time_precision="minute"
    )
    rollups_rebuild(where=Slice())
    trends_detect()
    burglary = Alert.objects.filter(area_code=WESTMINSTER, category="burglary")
    assert not burglary.filter(period_start=dt.date(2024, 7, 1)).exists()
