"""What bumps the live version: saves and deletions of the rows the tactical page, the incident list and the live
API endpoints show between refreshes. Bulk writes send no signal; they happen only inside refreshes, which bump the
generation instead."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from celery import current_app
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from analytics.models import Alert, DeploymentPlan
from crimedash.caching import bump_live_version
from ingestion.models import DispatchUpdate, ImportRun
from ingestion.signals import import_finished

REFRESH_TASK = "analytics.tasks.refresh_analytics"
LIVE_MODELS = (Alert, DeploymentPlan, DispatchUpdate, ImportRun)

# True inside imports_before_full_refresh(): the imports skip their own refresh, the caller runs a full one after.
_refresh_deferred: ContextVar[bool] = ContextVar("refresh_deferred", default=False)


@contextmanager
def imports_before_full_refresh() -> Iterator[None]:
    """A bulk load (the demo's import_demo_data): the imports inside it refresh nothing of their own, because the
    caller runs `refresh_analytics --full` once they are all in. With Celery eager (the demo without a broker) each
    import would otherwise refresh synchronously, and every one of those refreshes is redone by the full refresh."""
    token = _refresh_deferred.set(True)
    try:
        yield
    finally:
        _refresh_deferred.reset(token)


def live_rows_changed(sender, **kwargs) -> None:
    # After the commit: a page rendered between the bump and the commit would be cached, stale, under the new version.
    transaction.on_commit(bump_live_version)


def refresh_after_import(sender, run, **kwargs) -> None:
    """Ingestion announced a finished import: refresh the months and areas it touched (a Celery task), unless a bulk
    load that ends in a full refresh is running (imports_before_full_refresh)."""
    if _refresh_deferred.get():
        return
    if not current_app.conf.task_always_eager:
        # by name: importing analytics.tasks loads the forecasting stack (scipy, statsmodels, pandas; 1.5 s), which
        # an import command that only queues the refresh never uses
        current_app.send_task(REFRESH_TASK, kwargs={"run_id": run.pk})
        return
    from analytics.tasks import refresh_analytics

    refresh_analytics.delay(run_id=run.pk)


def connect() -> None:
    import_finished.connect(refresh_after_import, dispatch_uid="analytics-refresh-after-import")
    for model in LIVE_MODELS:
        post_save.connect(live_rows_changed, sender=model, dispatch_uid=f"live-{model.__name__}-save")
        post_delete.connect(live_rows_changed, sender=model, dispatch_uid=f"live-{model.__name__}-delete")
