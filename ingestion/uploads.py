"""Files uploaded on /imports/: kept on disk, imported by a Celery task through the real import services."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.core.cache import cache
from django.db import DataError, transaction

from accounts.audit import audit_event
from ingestion import conf
from ingestion.models import ImportRun, ImportUpload
from ingestion.readers import DAMAGED, InputError

logger = logging.getLogger(__name__)

PROGRESS_TTL = 24 * 3600


def upload_create(*, uploaded_file, importer: str, user, request=None) -> ImportUpload:
    """Keep the file, record the upload, audit it and queue its import once the transaction commits."""
    folder = conf.upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}-{uploaded_file.name.replace('/', '_')[-120:]}"
    with path.open("wb") as handle:
        for chunk in uploaded_file.chunks():
            handle.write(chunk)
    upload = ImportUpload.objects.create(
        file_name=uploaded_file.name[:255], path=str(path), importer=importer, created_by=user
    )
    audit_event(action="import", request=request, user=user, target=uploaded_file.name, params={"importer": importer})
    from ingestion.tasks import import_upload

    transaction.on_commit(lambda: import_upload.delay(upload_id=upload.pk))
    return upload


def upload_process(*, upload_id: int) -> ImportUpload:
    """Run the chosen importer on the uploaded file, counting rows as they go; failures are recorded, not raised."""
    from ingestion.services import calls_import, police_uk_archive_import

    upload = ImportUpload.objects.get(pk=upload_id)
    _set(upload, status=ImportUpload.Status.RUNNING)
    service = police_uk_archive_import if upload.importer == ImportUpload.Importer.POLICE_UK else calls_import
    try:
        runs = service(paths=[upload.path], user=upload.created_by, progress=lambda n: _advance(upload_id, n))
    except Exception as error:  # noqa: BLE001 (whatever stops an import, the upload ends failed and says why)
        _runs_named_as_uploaded(upload)
        _set(upload, status=ImportUpload.Status.FAILED, error=_without_path(upload, failure_message(error)))
        return upload
    _runs_named_as_uploaded(upload)
    failed = [_without_path(upload, run.error) for run in runs if run.status != "succeeded"]
    status = ImportUpload.Status.FAILED if failed else ImportUpload.Status.SUCCEEDED
    rows = sum(run.rows_read for run in runs)
    _set(upload, status=status, run_ids=[run.pk for run in runs], error="\n".join(failed), rows_done=rows)
    return upload


def failure_message(error: Exception) -> str:
    """What an analyst can act on, for any exception an import raises (the traceback goes to the log)."""
    if isinstance(error, InputError):
        return str(error)
    if isinstance(error, DAMAGED):
        return "The file is damaged: it stops or fails its checksum part way. Download it again and upload the copy."
    if isinstance(error, DataError):
        return "A value in the file is longer or larger than the database can hold; nothing was imported."
    logger.exception("Upload import failed")
    return "The import stopped on an unexpected error; nothing was imported. The administrators have the details."


def _without_path(upload: ImportUpload, text: str) -> str:
    folder = str(Path(upload.path).parent)
    return text.replace(upload.path, upload.file_name).replace(folder + "/", "")


def _runs_named_as_uploaded(upload: ImportUpload) -> None:
    """The upload's runs name the file as the user uploaded it, never where the server keeps it."""
    for run in ImportRun.objects.filter(target__startswith=upload.path):
        run.target, run.error = _without_path(upload, run.target), _without_path(upload, run.error)
        run.save(update_fields=["target", "error"])


def _advance(upload_id: int, rows: int) -> None:
    # Called from inside the loader's COPY, when the database connection is busy: count in the cache instead.
    key = progress_key(upload_id)
    cache.add(key, 0, timeout=PROGRESS_TTL)
    cache.incr(key, rows)


def progress_key(upload_id: int) -> str:
    return f"ingestion:upload:{upload_id}:rows"


def upload_rows_done(upload: ImportUpload) -> int:
    if upload.status in (ImportUpload.Status.SUCCEEDED, ImportUpload.Status.FAILED):
        return upload.rows_done
    return cache.get(progress_key(upload.pk)) or 0


def _set(upload: ImportUpload, **fields) -> None:
    for name, value in fields.items():
        setattr(upload, name, value)
    ImportUpload.objects.filter(pk=upload.pk).update(**fields)
