from django.db import models


class Access(models.Model):
    """Carries the permissions of accounts.roles that belong to this app; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_strategic", "Open the strategic dashboard"),
            ("view_tactical", "Open the tactical dashboard"),
            ("view_analytical", "Open the analytical dashboard"),
            ("download_briefing", "Download the executive briefing"),
            ("export_data", "Export CSV and GeoJSON"),
            ("view_incidents", "Open incident lists and single incidents"),
        ]
