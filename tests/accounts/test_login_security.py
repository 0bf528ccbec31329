"""Login security: logout, password length, lockout with its 15-minute window and admin unlock."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User

WRONG = "not-the-right-password-1"


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_times(sign_in, username: str, times: int):
    return [sign_in(username, WRONG) for _ in range(times)][-1]


def test_logout_by_post_invalidates_the_old_session(client, role_users, sign_in, password):
    sign_in("analyst", password)
    old_key = client.session.session_key
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = Client()
    replay.cookies["sessionid"] = old_key
    assert replay.get(reverse("home")).status_code == 302


def test_logout_by_get_is_refused(client_for):
    client = client_for("analyst")
    assert client.get(reverse("logout")).status_code == 405
    assert is_signed_in(client)


@pytest.mark.parametrize("candidate", ["short-pw-11", "123456789012345", "password1234"])
def test_weak_passwords_are_refused(db, candidate):
    with pytest.raises(ValidationError):
        validate_password(candidate)


def test_a_twelve_character_passphrase_is_accepted(db):
    validate_password("tram-lantern9")


def test_admin_user_form_refuses_an_eleven_character_password(client_for, org):
    client = client_for("admin")
    data = {"username": "newcomer", "role": "officer", "unit": org["westminster-team-a"].pk, "rank": "constable"}
    short = client.post(
        reverse("admin:accounts_user_add"), {**data, "password1": "short-pw-11", "password2": "short-pw-11"}
    )
    assert short.status_code == 200
    assert not User.objects.filter(username="newcomer").exists()
    client.post(
        reverse("admin:accounts_user_add"), {**data, "password1": "tram-lantern9", "password2": "tram-lantern9"}
    )
    assert User.objects.get(username="newcomer").check_password("tram-lantern9")


def test_sixth_attempt_is_refused_even_with_the_right_password(client, role_users, sign_in, password):
    fail_times(sign_in, "officer", 5)
    response = sign_in("officer", password)
    assert response.status_code == 429
    assert b"Sign-in blocked" in response.content
    assert not is_signed_in(client)


def test_lockout_page_is_the_same_for_an_unknown_username(role_users, sign_in, password):
    fail_times(sign_in, "officer", 5)
    known = sign_in("officer", password)
    fail_times(sign_in, "nobody-by-this-name", 5)
    unknown = sign_in("nobody-by-this-name", password)
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)


def test_failed_login_message_is_the_same_for_an_unknown_username(role_users, sign_in):
    known, unknown = sign_in("officer", WRONG), sign_in("nobody-by-this-name", WRONG)
    assert known.status_code == unknown.status_code == 200
    assert known.content.split(b"<form")[0] == unknown.content.split(b"<form")[0]


def test_four_failures_do_not_lock(client, role_users, sign_in, password):
    fail_times(sign_in, "officer", 4)
    sign_in("officer", password)
    assert is_signed_in(client)


def test_five_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, role_users, sign_in, password):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            sign_in("officer", WRONG)
            clock.shift(timedelta(minutes=4))  # failures at 0, 4, 8, 12 and 16 minutes
        sign_in("officer", password)
    assert is_signed_in(client)


def test_five_failures_within_fifteen_minutes_lock_until_released(client, role_users, sign_in, password):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            sign_in("officer", WRONG)
            clock.shift(timedelta(minutes=3))  # the fifth failure comes 12 minutes after the first
        clock.shift(timedelta(days=2))
        assert sign_in("officer", password).status_code == 429
    assert not is_signed_in(client)


def test_a_failure_outside_the_window_no_longer_counts(client, role_users, sign_in, password):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in("officer", WRONG)
        clock.shift(timedelta(minutes=16))
        fail_times(sign_in, "officer", 4)
        sign_in("officer", password)
    assert is_signed_in(client)


def test_admin_unlock_releases_the_lock_and_is_audited(client, role_users, sign_in, password):
    fail_times(sign_in, "officer", 5)
    admin = Client()
    admin.force_login(role_users["admin"])
    changelist = reverse("admin:accounts_user_changelist")
    response = admin.post(changelist, {"action": "unlock", "_selected_action": [role_users["officer"].pk]})
    assert response.status_code == 302
    unlock = AuditEvent.objects.get(action=AuditEvent.Action.UNLOCK)
    assert (unlock.username, unlock.target) == ("admin", "user:officer")
    sign_in("officer", password)
    assert is_signed_in(client)


def test_admin_user_list_shows_who_is_locked_out(client_for, sign_in):
    fail_times(sign_in, "officer", 5)
    response = client_for("admin").get(reverse("admin:accounts_user_changelist"))
    rows = {row.split(b"</th>")[0]: row for row in response.content.split(b'<th class="field-username">')[1:]}
    officer_row = next(row for key, row in rows.items() if b">officer<" in key)
    assert b"icon-yes" in officer_row.split(b"</tr>")[0]


def test_failures_at_the_admin_login_count_towards_the_same_lockout(client, role_users, sign_in, password):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "admin", "password": WRONG})
    assert sign_in("admin", password).status_code == 429
    assert not is_signed_in(client)
