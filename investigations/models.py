from django.db import models


class Access(models.Model):
    """Carries the permissions of accounts.roles that belong to this app; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_actions", "Open daily actions"),
            ("view_team_queue", "See the team's action queue"),
            ("view_rollup", "See department and BCU roll-ups"),
            ("complete_review", "Complete supervisor reviews"),
            ("reassign_investigation", "Reassign investigations"),
            ("complete_victim_contact", "Complete victim contacts and updates"),
        ]
