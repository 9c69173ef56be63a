"""Rankings as readers get them, kept between requests per state of the group's results.

A ranking changes only when its group's results do, and every write of them (the engine's
totals on each recompute, publication, reopening, previous ranks refreshed from an earlier
period) stamps them with `computed_at`. The number of the group's results and their latest
stamp, one indexed query, are part of the key: a recompute is the only invalidation, nothing is
ever deleted, and a reader who comes after a change misses and builds anew. Any cache backend
works, a process's own memory included; a shared one (CACHE_URL=redis://…) lets the web
workers build each ranking once between them.

What results do not hold (a unit renamed, a band's label edited in the admin) shows within TTL.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.cache import cached
from scoring.models import DirtyGroup, RankingRun, Result, RunStatus

TTL = 600


@dataclass(frozen=True)
class GroupState:
    """What a reader of a group's ranking asks on every request, read in one query."""

    stamp: str  # how many results there are and when they were last written
    as_of: datetime.datetime | None  # the end of the latest successful recompute
    dirty_since: datetime.datetime | None  # the oldest change not yet in the ranking


# Written out rather than built by the ORM: read on every request of every ranking reader, and
# building four subqueries in Python cost more than running them.
GROUP_STATE = """
SELECT (SELECT count(*) FROM {result} WHERE framework_id = %(f)s AND period_id = %(p)s),
       (SELECT max(computed_at) FROM {result} WHERE framework_id = %(f)s AND period_id = %(p)s),
       (SELECT finished_at FROM {run} WHERE framework_id = %(f)s AND period_id = %(p)s
            AND status = %(succeeded)s ORDER BY finished_at DESC LIMIT 1),
       (SELECT dirty_since FROM {dirty} WHERE framework_id = %(f)s AND period_id = %(p)s
            ORDER BY id LIMIT 1)
"""


def group_state(framework_id: int, period_id: int) -> GroupState:
    tables = {
        "result": Result._meta.db_table,
        "run": RankingRun._meta.db_table,
        "dirty": DirtyGroup._meta.db_table,
    }
    params = {"f": framework_id, "p": period_id, "succeeded": RunStatus.SUCCEEDED.value}
    with connection.cursor() as cursor:
        cursor.execute(GROUP_STATE.format(**tables), params)
        count, at, as_of, dirty_since = cursor.fetchone()
    at = _datetime(at)
    return GroupState(
        stamp=f"{count}.{at.timestamp() if at else 0:.6f}",
        as_of=_datetime(as_of),
        dirty_since=_datetime(dirty_since),
    )


def _datetime(value) -> datetime.datetime | None:
    """A timestamp as the driver gives it: PostgreSQL's aware, SQLite's naive or text, in UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)


def kept(kind: str, framework_id: int, period_id: int, parts: tuple, build: Callable, stamp: str):
    """What `build()` returns for this group as its results stand (`stamp`, from group_state),
    from the cache when it has it. `parts` tell apart the variants of one kind (ranking group,
    language)."""
    key = ":".join(["ranking", kind, str(framework_id), str(period_id), stamp, *map(str, parts)])
    return cached(key, build, TTL)
