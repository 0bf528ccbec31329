"""Who may open the URLs of accounts and the project root (see tests/test_url_matrix.py)."""

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

ROLES = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]


def everyone(status: int, *, anonymous: int | None = None) -> dict:
    return {"anonymous": status if anonymous is None else anonymous, **dict.fromkeys(ROLES, status)}


def admin_only(status: int = 200) -> dict:
    return {**everyone(302), "admin": status}


def invalid_reset_link(org) -> dict:
    return {"uidb64": "MQ", "token": "not-a-valid-token"}


def admin_user(org) -> dict:
    return {"id": get_user_model().objects.get(username="admin").pk}


def admin_totp_device(org) -> dict:
    user = get_user_model().objects.get(username="admin")
    return {"pk": TOTPDevice.objects.create(user=user, name="phone").pk}


EXPECTED = {
    "home": everyone(302),
    "health": everyone(200),
    "login": everyone(302, anonymous=200),
    "logout": everyone(405),
    "accounts:two_factor": everyone(200, anonymous=302),
    "accounts:password_reset": everyone(200),
    "accounts:password_reset_done": everyone(200),
    "accounts:password_reset_confirm": {"kwargs": invalid_reset_link, **everyone(200)},
    "accounts:password_reset_complete": everyone(200),
    "api-schema": everyone(200, anonymous=403),
    "api-docs": everyone(200, anonymous=403),
    # Admin views that the generic admin rule of tests/test_url_matrix.py does not know.
    "admin:auth_user_password_change": {"kwargs": admin_user, **admin_only()},
    "admin:otp_totp_totpdevice_config": {"kwargs": admin_totp_device, **admin_only()},
    "admin:otp_totp_totpdevice_qrcode": {"kwargs": admin_totp_device, **admin_only()},
}
