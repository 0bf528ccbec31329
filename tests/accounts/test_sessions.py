"""Session lifetime: 30 minutes idle, 12 hours absolute."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

LOGIN = reverse("login")


def opens_home(client) -> bool:
    response = client.get(reverse("home"))
    return not response.url.startswith(LOGIN)


def test_session_survives_29_idle_minutes(client, role_users, sign_in, password):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in("executive", password)
        clock.shift(timedelta(minutes=29))
        assert opens_home(client)


def test_session_ends_after_31_idle_minutes(client, role_users, sign_in, password):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in("executive", password)
        clock.shift(timedelta(minutes=31))
        response = client.get(reverse("home"))
    assert response.url == f"{LOGIN}?next=%2F&expired=1"
    assert "_auth_user_id" not in client.session
    assert b"Your session expired" in client.get(response.url).content


def test_active_session_ends_twelve_hours_after_sign_in(client, role_users, sign_in, password):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in("executive", password)
        for _ in range(24):  # active every 29 minutes: 11 h 36 min
            clock.shift(timedelta(minutes=29))
            assert opens_home(client)
        clock.shift(timedelta(minutes=25))  # 12 h 01 min after sign-in, 25 minutes idle
        assert not opens_home(client)
