"""Celery tasks of the statistics: ids in, a service call, nothing else."""

from celery import shared_task

from dossiers import jobs


@shared_task(name="dossiers.tasks.run_import", acks_late=True)
def run_import(job_id: str) -> str | None:
    job = jobs.import_job_run(job_id)
    return job.status if job else None


@shared_task(name="dossiers.tasks.purge_import_files")
def purge_import_files() -> int:
    return jobs.import_files_purge()
