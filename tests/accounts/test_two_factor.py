"""TOTP two-factor: anyone may enrol; admins must use it when required; a setting extends it to every role."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent

TWO_FACTOR = reverse("accounts:two_factor")


def current_token(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def enrol(client, user):
    page = client.get(TWO_FACTOR)
    assert b"Scan this code" in page.content
    return client.post(f"{TWO_FACTOR}?next=/admin/", {"token": current_token(user)})


@pytest.fixture
def admins_need_two_factor(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = True


def test_admin_without_two_factor_is_sent_to_enrol(client_for, admins_need_two_factor):
    response = client_for("admin").get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url == f"{TWO_FACTOR}?next=/admin/"


def test_admin_enrols_with_a_real_totp_code_and_opens_the_admin(client_for, role_users, admins_need_two_factor):
    client = client_for("admin")
    response = enrol(client, role_users["admin"])
    assert response.url == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200
    assert TOTPDevice.objects.get(user=role_users["admin"]).confirmed
    assert AuditEvent.objects.filter(action="two_factor", target="enrol", outcome="success").exists()


def test_enrolled_admin_must_verify_again_in_a_new_session(
    client, role_users, admins_need_two_factor, sign_in, password
):
    sign_in("admin", password)
    enrol(client, role_users["admin"])
    client.post(reverse("logout"))
    sign_in("admin", password)
    assert client.get(reverse("admin:index")).status_code == 302
    page = client.get(TWO_FACTOR)
    assert b"Enter the six-digit code" in page.content


def test_wrong_code_is_refused_and_audited(client_for, admins_need_two_factor):
    client = client_for("admin")
    client.get(TWO_FACTOR)
    response = client.post(TWO_FACTOR, {"token": "000000x"})
    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302
    assert AuditEvent.objects.filter(action="two_factor", outcome="failed").count() == 1


def test_other_roles_are_not_forced_when_only_admins_need_it(client_for, admins_need_two_factor):
    assert client_for("commander").get(reverse("dashboards:tactical")).status_code == 200


def test_every_role_is_forced_when_required_for_all(client_for, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ALL = True
    response = client_for("officer").get(reverse("investigations:actions"))
    assert response.url.startswith(TWO_FACTOR)


def test_any_role_may_enrol_voluntarily(client_for, role_users):
    client = client_for("officer")
    enrol(client, role_users["officer"])
    assert TOTPDevice.objects.get(user=role_users["officer"]).confirmed


def test_admins_need_two_factor_in_production_settings():
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED_FOR_ADMINS)"
    env = {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "crimedash.example"}
    output = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='crimedash.settings'; django.setup(); {code}",
        ],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert output.stdout.strip() == "True"
