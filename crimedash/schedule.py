"""The whole beat schedule, in one place.

Each entry expires at about 1.2x its interval so a backlog never piles up.
django-celery-beat copies these into the database, where admins may edit them.
"""

from celery.schedules import crontab

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def _entry(task: str, schedule, interval_seconds: int, **kwargs) -> dict:
    return {"task": task, "schedule": schedule, "options": {"expire_seconds": int(interval_seconds * 1.2)}, **kwargs}


BEAT_SCHEDULE = {
    "fetch-police-uk-monthly": _entry(
        "ingestion.tasks.fetch_police_uk_configured", crontab(day_of_month="3", hour="4", minute="0"), 31 * DAY
    ),
    "refresh-analytics-hourly": _entry("analytics.tasks.refresh_analytics", crontab(minute="15"), HOUR),
    "warm-dashboards": _entry("dashboards.tasks.warm_dashboards", 5 * MINUTE, 5 * MINUTE),
    "detect-emerging-trends-daily": _entry("analytics.tasks.detect_trends", crontab(hour="5", minute="30"), DAY),
    "run-backtests-weekly": _entry(
        "analytics.tasks.run_backtests", crontab(day_of_week="sun", hour="2", minute="0"), 7 * DAY
    ),
    "compute-actions-daily": _entry("investigations.tasks.compute_actions", crontab(hour="0", minute="10"), DAY),
    "snapshot-action-trend-daily": _entry(
        "investigations.tasks.snapshot_action_counts", crontab(hour="23", minute="50"), DAY
    ),
    "purge-audit-daily": _entry("accounts.tasks.purge_audit", crontab(hour="3", minute="0"), DAY),
}
