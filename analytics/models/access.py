from django.db import models


class Access(models.Model):
    """Carries the permissions of accounts.roles that belong to this app; it has no table."""

    class Meta:
        app_label = "analytics"
        managed = False
        default_permissions = ()
        permissions = [
            ("acknowledge_alert", "Acknowledge or dismiss emerging-trend alerts"),
            ("accept_deployment", "Accept a deployment plan"),
            ("run_backtest", "Run forecast backtests"),
        ]


__all__ = ["Access"]
