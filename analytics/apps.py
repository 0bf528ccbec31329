from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _new_release(sender, **kwargs):
    # Every deployment runs migrate: bumping the generation there means no page kept by the old code (its templates,
    # its static file names) is served by the new one.
    from crimedash.caching import bump_generation

    bump_generation()


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self):
        from analytics import signals

        signals.connect()
        post_migrate.connect(_new_release, sender=self)
