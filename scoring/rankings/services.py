"""Keeping stored rankings current: dirty marks, enqueueing, and recorded, coalesced recomputes.

A change marks its ranking groups dirty in its own transaction and enqueues a recompute after
commit. A recompute clears the mark only if no change arrived meanwhile, so the last change is
always followed by a run; runs that find nothing dirty do nothing, so a burst coalesces.
"""

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core.broker import BROKER_ERRORS
from scoring.assessments.rules import is_published
from scoring.models import DirtyGroup, Framework, Period, RankingRun, RunStatus
from scoring.rankings import engine

logger = logging.getLogger(__name__)
# What a publish raises when Redis refuses, times out or resets; all mean "recompute later".

Group = tuple[int, int]  # (framework_id, period_id)
STALE_RUN_AFTER = datetime.timedelta(minutes=10)
ABANDONED = "Abandoned: the worker stopped before the run finished."
# A burst of changes is computed once it pauses for QUIET, but never later than MAX_WAIT after
# its first change, so a steady stream cannot starve the ranking.
QUIET = datetime.timedelta(seconds=0.25)
MAX_WAIT = datetime.timedelta(seconds=1)
MAX_PASSES = 20
# Set when a recompute could not be enqueued, so the request that saved can tell its user.
_deferred: ContextVar[bool] = ContextVar("ranking_recompute_deferred", default=False)


def groups_mark_dirty(groups: Iterable[Group], *, trigger: str = "change") -> None:
    """Mark groups dirty in the current transaction and enqueue their recompute after commit."""
    groups = sorted(set(groups))
    if not groups:
        return
    now = timezone.now()
    for framework_id, period_id in groups:
        updated = DirtyGroup.objects.filter(framework_id=framework_id, period_id=period_id).update(
            version=F("version") + 1, marked_at=now
        )
        if not updated:
            try:
                with transaction.atomic():
                    DirtyGroup.objects.create(
                        framework_id=framework_id,
                        period_id=period_id,
                        marked_at=now,
                        dirty_since=now,
                    )
            except IntegrityError:  # created by a concurrent change a moment ago
                DirtyGroup.objects.filter(framework_id=framework_id, period_id=period_id).update(
                    version=F("version") + 1, marked_at=now
                )
    transaction.on_commit(lambda: enqueue_recompute(groups, trigger=trigger))


def enqueue_recompute(groups: Iterable[Group], *, trigger: str = "change") -> bool:
    """Send a recompute task per group. A broker that is down is not the user's problem: the
    data is saved and marked dirty, and the periodic sweep recomputes once the broker is back."""
    from scoring.tasks import recompute_group

    try:
        for framework_id, period_id in groups:
            recompute_group.delay(framework_id, period_id, trigger)
    except BROKER_ERRORS as exc:
        logger.warning("Could not enqueue ranking recompute (%s); the sweep will do it.", exc)
        _deferred.set(True)
        return False
    return True


@contextmanager
def deferrals_tracked() -> Iterator[Callable[[], bool]]:
    """Within the block, yields a function telling whether a recompute could not be enqueued."""
    token = _deferred.set(False)
    try:
        yield _deferred.get
    finally:
        _deferred.reset(token)


def quiet_time_left(framework_id: int, period_id: int) -> float:
    """Seconds to wait before recomputing a group that is still being changed (0: go now)."""
    mark = (
        DirtyGroup.objects.filter(framework_id=framework_id, period_id=period_id)
        .values("marked_at", "dirty_since")
        .first()
    )
    if mark is None:
        return 0.0
    now = timezone.now()
    if now - mark["dirty_since"] >= MAX_WAIT:
        return 0.0
    return max(0.0, (QUIET - (now - mark["marked_at"])).total_seconds())


# One recompute of a group at a time across workers and commands: a PostgreSQL session-level
# advisory lock on (framework, period), which stacks within a session and is released when a
# dead worker's connection closes. SQLite serialises writers anyway.


def _try_lock(framework_id: int, period_id: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [framework_id, period_id])
        return cursor.fetchone()[0]


def _unlock(framework_id: int, period_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [framework_id, period_id])


@contextmanager
def group_locked(framework_id: int, period_id: int) -> Iterator[None]:
    """Wait for the group's lock. Holding it, any run still marked running belongs to a worker
    that died (its transaction was rolled back): say so now rather than after STALE_RUN_AFTER."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [framework_id, period_id])
    try:
        RankingRun.objects.filter(
            framework_id=framework_id, period_id=period_id, status=RunStatus.RUNNING
        ).update(status=RunStatus.FAILED, finished_at=timezone.now(), error=ABANDONED)
        yield
    finally:
        _unlock(framework_id, period_id)


def group_recompute_now(framework: Framework, period: Period, *, trigger: str) -> RankingRun:
    """Recompute one group now, recording the run; waits while another process recomputes it."""
    with group_locked(framework.pk, period.pk):
        return _recompute_recorded(framework, period, trigger=trigger)


def _recompute_recorded(framework: Framework, period: Period, *, trigger: str) -> RankingRun:
    run = RankingRun.objects.create(
        framework=framework,
        period=period,
        status=RunStatus.RUNNING,
        trigger=trigger[:40],
        started_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            mark = DirtyGroup.objects.filter(framework=framework, period=period).first()
            count = engine.recompute_group(framework, period)
            if mark is not None:
                # Only the change we saw is settled; a newer one keeps the mark for the next pass.
                DirtyGroup.objects.filter(pk=mark.pk, version=mark.version).delete()
    except Exception as exc:
        logger.exception("Ranking recompute failed for %s %s", framework, period)
        run.status, run.error = RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:4000]
    else:
        run.status, run.results_count = RunStatus.SUCCEEDED, count
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "results_count", "finished_at"])
    return run


def dirty_group_recompute(framework_id: int, period_id: int, *, trigger: str = "change") -> int:
    """What the Celery task does: recompute the group while it is dirty. Returns the number of
    runs made (0 when an earlier run already covered every change, the usual case in a burst)."""
    runs = 0
    for _ in range(MAX_PASSES):
        if not DirtyGroup.objects.filter(framework_id=framework_id, period_id=period_id).exists():
            return runs
        if not _try_lock(framework_id, period_id):
            return runs  # the holder loops until nothing is dirty, after releasing its lock
        try:
            # Asked under the lock, which publishing holds too: a group published since the
            # mark was made stays frozen.
            if is_published(framework_id, period_id):
                DirtyGroup.objects.filter(framework_id=framework_id, period_id=period_id).delete()
                return runs
            framework = Framework.objects.filter(pk=framework_id).first()
            period = Period.objects.filter(pk=period_id).first()
            if framework is None or period is None:
                DirtyGroup.objects.filter(framework_id=framework_id, period_id=period_id).delete()
                return runs
            run = group_recompute_now(framework, period, trigger=trigger)
            runs += 1
            if run.status == RunStatus.FAILED:
                return runs  # the mark stays; the sweep retries later
        finally:
            _unlock(framework_id, period_id)
    enqueue_recompute([(framework_id, period_id)], trigger="requeue")
    return runs


def dirty_groups_sweep() -> int:
    """Recompute every group still dirty (broker was down, a worker died). Returns groups swept."""
    cutoff = timezone.now() - STALE_RUN_AFTER
    RankingRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=cutoff).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error=ABANDONED,
    )
    groups = list(DirtyGroup.objects.values_list("framework_id", "period_id"))
    for framework_id, period_id in groups:
        dirty_group_recompute(framework_id, period_id, trigger="sweep")
    return len(groups)
