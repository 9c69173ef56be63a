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
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Subquery

from scoring.models import DirtyGroup, Period, RankingRun, Result, RunStatus

TTL = 600
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupState:
    """What a reader of a group's ranking asks on every request, read in one query."""

    stamp: str  # how many results there are and when they were last written
    as_of: datetime.datetime | None  # the end of the latest successful recompute
    dirty_since: datetime.datetime | None  # the oldest change not yet in the ranking


def group_state(framework_id: int, period_id: int) -> GroupState:
    group = {"framework_id": framework_id, "period_id": period_id}
    results = Result.objects.filter(**group).order_by().values("period_id")
    runs = RankingRun.objects.filter(**group, status=RunStatus.SUCCEEDED).order_by("-finished_at")
    dirty = DirtyGroup.objects.filter(**group).order_by("id")
    # Anchored on the period's row, so a group without results still answers.
    row = Period.objects.filter(pk=period_id).values(
        count=Subquery(results.annotate(n=Count("id")).values("n")),
        at=Subquery(results.annotate(m=Max("computed_at")).values("m")),
        as_of=Subquery(runs.values("finished_at")[:1]),
        dirty_since=Subquery(dirty.values("dirty_since")[:1]),
    )
    state = row.first() or {"count": 0, "at": None, "as_of": None, "dirty_since": None}
    at = state["at"].timestamp() if state["at"] else 0
    return GroupState(
        stamp=f"{state['count'] or 0}.{at:.6f}",
        as_of=state["as_of"],
        dirty_since=state["dirty_since"],
    )


def kept(kind: str, framework_id: int, period_id: int, parts: tuple, build: Callable, stamp: str):
    """What `build()` returns for this group as its results stand (`stamp`, from group_state),
    from the cache when it has it. `parts` tell apart the variants of one kind (ranking group,
    language)."""
    key = ":".join(["ranking", kind, str(framework_id), str(period_id), stamp, *map(str, parts)])
    try:
        value = cache.get(key)
    except Exception:  # a shared cache that is down (any backend's error) costs speed only
        logger.warning("cache unreachable: the ranking is built for this request", exc_info=True)
        return build()
    if value is None:
        value = build()
        try:
            cache.set(key, value, TTL)
        except Exception:
            logger.warning("cache unreachable: the ranking is not kept", exc_info=True)
    return value
