"""Celery tasks: ids in, a service call, nothing else."""

from celery import shared_task

from notices.mail import notices_email


@shared_task(name="notices.tasks.send_notice_emails")
def send_notice_emails(ids: list[int]) -> int:
    return notices_email(ids)
