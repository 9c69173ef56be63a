"""Celery tasks: ids in, a service call, nothing else."""

from celery import shared_task
from celery.signals import worker_ready

from scoring.rankings import services as rankings
from scoring.rounds import notifications


@shared_task(name="scoring.tasks.recompute_group", acks_late=True)
def recompute_group(framework_id: int, period_id: int, trigger: str = "change") -> int:
    # While a burst of changes goes on, come back when it pauses: one run covers all of it.
    wait = rankings.quiet_time_left(framework_id, period_id)
    if wait and not recompute_group.app.conf.task_always_eager:
        recompute_group.apply_async((framework_id, period_id, trigger), countdown=wait)
        return 0
    return rankings.dirty_group_recompute(framework_id, period_id, trigger=trigger)


@shared_task(name="scoring.tasks.recompute_groups", acks_late=True)
def recompute_groups(groups: list[list[int]], trigger: str = "change") -> int:
    # Many groups at once (an import): one pass over all of them, the same statements as one.
    return rankings.dirty_groups_recompute([tuple(group) for group in groups], trigger=trigger)


@shared_task(name="scoring.tasks.sweep_dirty_rankings")
def sweep_dirty_rankings() -> int:
    return rankings.dirty_groups_sweep()


@shared_task(name="scoring.tasks.deadline_reminders")
def deadline_reminders() -> int:
    return notifications.deadline_reminders()


@worker_ready.connect
def _sweep_at_worker_start(sender=None, **kwargs):
    # Changes saved while no worker or broker was up are still marked dirty: catch up now.
    sweep_dirty_rankings.delay()
