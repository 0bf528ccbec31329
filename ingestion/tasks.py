"""Celery tasks of the ingestion app: thin wrappers over the import services (which enqueue the analytics refresh)."""

from celery import shared_task

from ingestion.services import calls_import, police_uk_archive_import, runs_summary


def _user(user_id: int | None):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@shared_task(name="ingestion.tasks.import_police_uk_archive")
def import_police_uk_archive(*, paths: list[str], user_id: int | None = None) -> dict:
    return runs_summary(police_uk_archive_import(paths=paths, user=_user(user_id)), 0)


@shared_task(name="ingestion.tasks.import_calls")
def import_calls(
    *, paths: list[str], layout: str = "auto", mapping: str | None = None, user_id: int | None = None
) -> dict:
    return runs_summary(calls_import(paths=paths, layout=layout, mapping=mapping, user=_user(user_id)), 0)


@shared_task(name="ingestion.tasks.fetch_police_uk_configured")
def fetch_police_uk_configured() -> dict:
    """Monthly beat task: the latest published month of data.police.uk for POLICE_UK_AREAS."""
    from ingestion.sources.police_uk.api import police_uk_fetch_configured

    return runs_summary(police_uk_fetch_configured(), 0)


@shared_task(name="ingestion.tasks.import_upload")
def import_upload(*, upload_id: int) -> str:
    """A file uploaded on /imports/."""
    from ingestion.uploads import upload_process

    return upload_process(upload_id=upload_id).status
