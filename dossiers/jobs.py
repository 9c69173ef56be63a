"""Statistics files read by a worker: the web process stores the file, answers at once and
shows the progress; the worker checks (or imports) it with the same service as a small file.

Files wait in the media storage (`imports/`), shared by every web process and worker, until they
are imported or expire (IMPORT_PREVIEW_HOURS), so an unconfirmed upload never stays forever.
"""

import datetime
import logging
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.broker import BROKER_ERRORS
from dossiers.models import ImportJob
from dossiers.services import dossier_file_import

logger = logging.getLogger(__name__)
IMPORTS_DIR = "imports"
# Share of the progress bar each stage takes (reading is the slow part of a workbook).
STAGES = {"reading": (0, 60), "checking": (60, 90), "writing": (90, 99)}


def runs_in_background(size: int) -> bool:
    """Files above IMPORT_BACKGROUND_BYTES are read by a worker, not by the web process."""
    return size > settings.IMPORT_BACKGROUND_BYTES


def import_job_start(
    *, user, file_name: str, content: bytes, dry_run: bool, commune=None
) -> ImportJob:
    """Store the file and queue its reading; the job answers how far it is."""
    suffix = PurePath(file_name).suffix.lower()
    job = ImportJob(
        created_by=user,
        commune=commune,
        file_name=file_name[:255],
        dry_run=dry_run,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.path = default_storage.save(f"{IMPORTS_DIR}/{job.id.hex}{suffix}", ContentFile(content))
    with transaction.atomic():
        job.save()
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def import_job_confirm(*, job: ImportJob, user) -> ImportJob | None:
    """Import for good a file whose check succeeded; None when it cannot be (expired, not
    checked, already confirmed)."""
    if not (job.dry_run and job.status == ImportJob.Status.SUCCEEDED and job.created_by == user):
        return None
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.result.get("confirmed_by"):  # confirmed twice: the same import, once
            return ImportJob.objects.filter(pk=locked.result["confirmed_by"]).first()
        if not default_storage.exists(job.path):  # expired
            return None
        follow = ImportJob.objects.create(
            created_by=user,
            commune=job.commune,
            file_name=job.file_name,
            path=job.path,
            dry_run=False,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        locked.result = {**locked.result, "confirmed_by": str(follow.pk)}
        locked.save(update_fields=["result"])
        transaction.on_commit(lambda: _enqueue(follow.pk))
    return follow


def _enqueue(job_id) -> None:
    from dossiers.tasks import run_import

    try:
        run_import.delay(str(job_id))
    except BROKER_ERRORS as exc:
        # The broker is down: the person still gets their file read, by this process.
        logger.warning(
            "Could not queue import %s (%s); reading it in the web process.", job_id, exc
        )
        import_job_run(job_id)


def _progress_writer(job_id):
    last = {"percent": -1}

    def report(stage: str, done: int, total: int | None) -> None:
        low, high = STAGES[stage]
        if total:
            percent = low + (high - low) * min(done, total) // total
        else:  # rows read so far, total unknown: creep towards the stage's end
            percent = low + (high - low) * done // (done + 20_000)
        if percent != last["percent"]:
            last["percent"] = percent
            ImportJob.objects.filter(pk=job_id).update(stage=stage, percent=percent)

    return report


def import_job_run(job_id) -> ImportJob | None:
    """Read and check (or import) the job's file. Runs once: a repeated delivery of the task
    finds the job no longer queued and does nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, stage=ImportJob.Stage.READING
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    # Messages in the uploader's language, whichever process reads the file.
    with translation.override(job.language or settings.LANGUAGE_CODE):
        _run(job)
    return job


def _run(job: ImportJob) -> None:
    try:
        with default_storage.open(job.path, "rb") as handle:
            content = handle.read()
        result = dossier_file_import(
            file_name=job.file_name,
            content=content,
            user=job.created_by,
            dry_run=job.dry_run,
            progress=_progress_writer(job.pk),
        )
    except FileNotFoundError:
        job.result = {"problems": [_problem_dict(None, None, _expired_message())]}
        job.status = ImportJob.Status.FAILED
    except Exception:
        logger.exception("Background import %s failed", job.pk)
        job.result = {"problems": [_problem_dict(None, None, _failed_message())]}
        job.status = ImportJob.Status.FAILED
    else:
        job.result = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "notices": [str(n) for n in result.notices],
            "problems": [
                _problem_dict(p.row, p.column, str(p.message), p.column_label)
                for p in result.problems
            ],
            "year": max(r.month for r in result.rows).year if result.rows else None,
        }
        job.status = ImportJob.Status.SUCCEEDED if result.ok else ImportJob.Status.FAILED
    job.percent = 100
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "status", "percent", "finished_at"])
    if not (job.dry_run and job.status == ImportJob.Status.SUCCEEDED):
        default_storage.delete(job.path)  # imported or refused: nothing more to do with it


def _problem_dict(row, column, message, label=None) -> dict:
    return {"row": row, "column": column, "column_label": label or column, "message": message}


def _expired_message() -> str:
    return _("The uploaded file is no longer kept; upload it again.")


def _failed_message() -> str:
    return _("The file could not be read because of an error on the server; nothing was saved.")


def import_files_purge(*, now=None) -> int:
    """Forget uploads older than IMPORT_PREVIEW_HOURS: background jobs with their files, and
    files of previews never confirmed. Returns how many files were deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.IMPORT_PREVIEW_HOURS)
    ImportJob.objects.filter(created_at__lt=cutoff).delete()
    kept = set(ImportJob.objects.values_list("path", flat=True))
    deleted = 0
    try:
        _dirs, files = default_storage.listdir(IMPORTS_DIR)
    except FileNotFoundError:
        return 0
    for name in files:
        path = f"{IMPORTS_DIR}/{name}"
        if path in kept:
            continue
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted
