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
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.broker import BROKER_ERRORS
from scoring.assessments.rules import published_groups
from scoring.models import (
    DirtyGroup,
    Framework,
    Period,
    RankingRun,
    RunStatus,
)
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
# Groups per task when many change at once (a national import): several workers share them.
# The shares wait behind single-group tasks (Redis serves priority 0 first), so a person's
# change waits for the shares being computed, not for the whole country. 100: a month for every
# commune was current in 5.8 s (a person's change waited 1.1 s); 50: 7.8 s (0.6 s); 120: 5.9 s.
BATCH_GROUPS = 100
BATCH_PRIORITY = 6
# Set when a recompute could not be enqueued, so the request that saved can tell its user.
_deferred: ContextVar[bool] = ContextVar("ranking_recompute_deferred", default=False)


# One statement for any number of groups (a national import marks hundreds): new groups are
# inserted, the others count one more change. Atomic against a concurrent marker, and rows are
# taken in the sorted order every marker uses, so two markers never deadlock.
MARK_DIRTY = """
    INSERT INTO {table} (framework_id, period_id, version, marked_at, dirty_since)
    VALUES {values}
    ON CONFLICT (framework_id, period_id)
    DO UPDATE SET version = {table}.version + 1, marked_at = excluded.marked_at
"""
MARK_BATCH = 500
# The runs' outcome in one written-out statement: Django's bulk_update, a CASE per field, took
# longer to build than the update took to run (4 ms of a one-group recompute).
RUNS_FINISH = """
    WITH v(id, n) AS (VALUES {values})
    UPDATE {table} SET status = %s, finished_at = %s, error = %s, results_count = v.n
    FROM v WHERE {table}.id = v.id
"""


def groups_mark_dirty(groups: Iterable[Group], *, trigger: str = "change") -> None:
    """Mark groups dirty in the current transaction and enqueue their recompute after commit."""
    groups = sorted(set(groups))
    if not groups:
        return
    now = timezone.now()
    table = connection.ops.quote_name(DirtyGroup._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(groups), MARK_BATCH):
            share = groups[start : start + MARK_BATCH]
            values = ", ".join(["(%s, %s, 1, %s, %s)"] * len(share))
            cursor.execute(
                MARK_DIRTY.format(table=table, values=values),
                [v for f, p in share for v in (f, p, now, now)],
            )
    transaction.on_commit(lambda: enqueue_recompute(groups, trigger=trigger))


def enqueue_recompute(groups: Iterable[Group], *, trigger: str = "change") -> bool:
    """Send the recompute task of the groups. A broker that is down is not the user's problem: the
    data is saved and marked dirty, and the periodic sweep recomputes once the broker is back."""
    from scoring.tasks import recompute_group, recompute_groups

    groups = sorted(set(groups))
    try:
        if len(groups) == 1:
            recompute_group.delay(*groups[0], trigger)
        else:  # an import or a bulk change: each task computes its share in one pass
            for start in range(0, len(groups), BATCH_GROUPS):
                share = [list(group) for group in groups[start : start + BATCH_GROUPS]]
                recompute_groups.apply_async((share, trigger), priority=BATCH_PRIORITY)
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
    """Seconds to wait before recomputing a group that is still being changed (0: go now).

    A change after a pause goes at once (one change, one short run); changes that follow one
    another (a second before the group was computed, or soon after its last run) are computed
    together when they pause for QUIET, but never later than MAX_WAIT after the first."""
    group = {"framework_id": framework_id, "period_id": period_id}
    mark = DirtyGroup.objects.filter(**group).values("marked_at", "dirty_since", "version").first()
    if mark is None:
        return 0.0
    now = timezone.now()
    if now - mark["dirty_since"] >= MAX_WAIT:
        return 0.0
    if mark["version"] <= 1:
        last = (
            RankingRun.objects.filter(**group)
            .order_by("-started_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        if last is None or now - last >= QUIET:
            return 0.0  # a lone change after a pause
    return max(0.0, (QUIET - (now - mark["marked_at"])).total_seconds())


# One recompute of a group at a time across workers and commands: PostgreSQL session-level
# advisory locks on (framework, period), which stack within a session and are released when a
# dead worker's connection closes. Each takes or releases the locks of any number of groups in
# one statement, in one order (so two runs over overlapping groups never deadlock). SQLite
# serialises writers anyway.


def _values(pairs: Iterable[tuple[int, int]]) -> str:
    """Pairs of ids (groups, marks and versions, runs and counts) as VALUES rows, in order,
    written inline: integers from the database, so the parameters do not grow with them."""
    return ", ".join(f"({int(a)}, {int(b)})" for a, b in sorted(pairs))


def _locks(function: str, groups: set[Group]) -> set[Group]:
    if connection.vendor != "postgresql" or not groups:
        return set(groups)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.f, g.p, {function}(g.f, g.p) FROM (SELECT f, p FROM "
            f"(VALUES {_values(groups)}) v(f, p) ORDER BY f, p) g"
        )
        # pg_try_advisory_lock answers whether it took the lock; the waiting lock, nothing.
        return {(f, p) for f, p, taken in cursor.fetchall() if taken is not False}


def _try_lock(groups: set[Group]) -> set[Group]:
    """The groups whose lock was free (now held)."""
    return _locks("pg_try_advisory_lock", groups)


def _unlock(groups: set[Group]) -> None:
    _locks("pg_advisory_unlock", groups)


def _of(groups: Iterable[Group]) -> Q:
    """The rows of these groups, for any model with framework and period."""
    return reduce(or_, (Q(framework_id=f, period_id=p) for f, p in groups), Q(pk__in=[]))


@contextmanager
def groups_locked(groups: set[Group]) -> Iterator[None]:
    """Wait for the groups' locks. Holding them, any run still marked running belongs to a
    worker that died (its transaction was rolled back): say so now rather than later."""
    _locks("pg_advisory_lock", groups)
    try:
        _abandoned_runs_failed(groups)
        yield
    finally:
        _unlock(groups)


def _abandoned_runs_failed(locked: set[Group]) -> None:
    """Holding the groups' locks, a run still marked running belongs to a dead worker."""
    if connection.vendor != "postgresql":
        return
    # The few running runs (a partial index holds them), matched with these groups here: a
    # filter of one condition per group read every run ever recorded (84 ms for 691 groups).
    running = RankingRun.objects.filter(status=RunStatus.RUNNING)
    rows = running.values_list("pk", "framework_id", "period_id")
    abandoned = [pk for pk, f, p in rows if (f, p) in locked]
    if abandoned:
        running.filter(pk__in=abandoned).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=ABANDONED
        )


def groups_recompute_now(groups: Iterable[Group], *, trigger: str) -> list[RankingRun]:
    """Recompute groups now in one pass, recording a run for each; waits while another
    process recomputes any of them."""
    groups = set(groups)
    with groups_locked(groups):
        return _recompute_recorded(groups, trigger=trigger)


def group_recompute_now(framework: Framework, period: Period, *, trigger: str) -> RankingRun:
    """Recompute one group now, recording the run; waits while another process recomputes it."""
    return groups_recompute_now([(framework.pk, period.pk)], trigger=trigger)[0]


def _recompute_recorded(groups: set[Group], *, trigger: str) -> list[RankingRun]:
    started = timezone.now()
    runs = RankingRun.objects.bulk_create(
        RankingRun(
            framework_id=f,
            period_id=p,
            status=RunStatus.RUNNING,
            trigger=trigger[:40],
            started_at=started,
        )
        for f, p in sorted(groups)
    )
    try:
        with transaction.atomic():
            marks = _marks_seen(groups)
            counts = engine.recompute_groups_counted(groups)
            _marks_settle(marks)
            # In the same transaction: whoever sees the new ranking sees the run that dated it.
            _runs_finish(runs, RunStatus.SUCCEEDED, counts)
    except Exception as exc:
        logger.exception("Ranking recompute failed for %s", sorted(groups))
        _runs_finish(runs, RunStatus.FAILED, {}, f"{type(exc).__name__}: {exc}"[:4000])
    return runs


def _marks_seen(groups: set[Group]) -> list[tuple[int, int]]:
    """(id, version) of the groups' dirty marks as the recompute starts."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH batch(f, p) AS (VALUES {_values(groups)}) SELECT d.id, d.version "
            f"FROM {DirtyGroup._meta.db_table} d "
            "JOIN batch ON d.framework_id = batch.f AND d.period_id = batch.p"
        )
        return cursor.fetchall()


def _marks_settle(marks: list[tuple[int, int]]) -> None:
    """Only the changes the recompute saw are settled: a mark whose version grew meanwhile
    stays for the next pass."""
    if not marks:
        return
    table = DirtyGroup._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH seen(id, version) AS (VALUES {_values(marks)}) DELETE FROM {table} WHERE EXISTS "
            f"(SELECT 1 FROM seen WHERE seen.id = {table}.id AND seen.version = {table}.version)"
        )


def _runs_finish(runs: list[RankingRun], status: str, counts: dict, error: str = "") -> None:
    """Record the runs' outcome, with each group's number of results (`counts`)."""
    finished = timezone.now()
    for run in runs:
        run.status, run.finished_at, run.error = status, finished, error
        run.results_count = counts.get((run.framework_id, run.period_id), 0)
    values = _values((run.pk, run.results_count) for run in runs)
    with connection.cursor() as cursor:
        cursor.execute(
            RUNS_FINISH.format(values=values, table=RankingRun._meta.db_table),
            [status, finished, error],
        )


def dirty_groups_recompute(groups: Iterable[Group] | None = None, *, trigger: str = "change"):
    """What the Celery tasks do: recompute, in one pass each time, the groups (all when None)
    while any is dirty. Returns the number of group runs made (0 when an earlier run already
    covered every change, the usual case in a burst)."""
    wanted = None if groups is None else set(groups)
    runs = 0
    for _ in range(MAX_PASSES):
        marks = (
            DirtyGroup.objects.all() if wanted is None else DirtyGroup.objects.filter(_of(wanted))
        )
        dirty = set(marks.values_list("framework_id", "period_id"))
        locked = _try_lock(dirty)
        if not locked:
            return runs  # the holders loop until nothing is dirty, after releasing their locks
        try:
            # Asked under the locks, which publishing holds too: a group published since the
            # mark was made stays frozen; a deleted framework or period has nothing to compute.
            frozen = published_groups(locked)
            frameworks = Framework.objects.filter(pk__in={f for f, _p in locked}).values("pk")
            periods = Period.objects.filter(pk__in={p for _f, p in locked}).values("pk")
            present = {row["pk"] for row in frameworks}, {row["pk"] for row in periods}
            frozen |= {(f, p) for f, p in locked if f not in present[0] or p not in present[1]}
            if frozen:
                DirtyGroup.objects.filter(_of(frozen)).delete()
            live = locked - frozen
            if not live:
                continue
            _abandoned_runs_failed(live)
            made = _recompute_recorded(live, trigger=trigger)
            runs += len(made)
            if made[0].status == RunStatus.FAILED:
                return runs  # the marks stay; the sweep retries later
        finally:
            _unlock(locked)
    enqueue_recompute(sorted(wanted or dirty), trigger="requeue")
    return runs


def dirty_group_recompute(framework_id: int, period_id: int, *, trigger: str = "change") -> int:
    """One group's task: recompute it while it is dirty (see dirty_groups_recompute)."""
    return dirty_groups_recompute([(framework_id, period_id)], trigger=trigger)


def dirty_groups_sweep() -> int:
    """Recompute every group still dirty (broker was down, a worker died), all in one pass.
    Returns the number of groups swept."""
    cutoff = timezone.now() - STALE_RUN_AFTER
    RankingRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=cutoff).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error=ABANDONED,
    )
    swept = DirtyGroup.objects.count()
    dirty_groups_recompute(None, trigger="sweep")
    return swept
