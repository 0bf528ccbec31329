"""Admin registration is explicit (SimpleAdminConfig): django-leaflet's admin module would import GeoDjango,
which needs the system GDAL library. Add an app's admin module here when it has one."""

from importlib import import_module

ADMIN_MODULES = [
    "django.contrib.auth.admin",
    "rest_framework.authtoken.admin",
    "django_celery_beat.admin",
    "axes.admin",
    "django_otp.plugins.otp_totp.admin",
    "accounts.admin",
    "ingestion.admin",
    "analytics.admin",
    "investigations.admin",
]


def register_admin_modules() -> None:
    for module in ADMIN_MODULES:
        import_module(module)
