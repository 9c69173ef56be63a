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

import logging
from collections.abc import Callable

from django.core.cache import cache
from django.db.models import Count, Max

from scoring.models import Result

TTL = 600
logger = logging.getLogger(__name__)


def results_stamp(framework_id: int, period_id: int) -> str:
    """The state of a group's results: how many there are and when they were last written."""
    state = Result.objects.filter(framework_id=framework_id, period_id=period_id).aggregate(
        count=Count("id"), at=Max("computed_at")
    )
    at = state["at"].timestamp() if state["at"] else 0
    return f"{state['count']}.{at:.6f}"


def kept(kind: str, framework_id: int, period_id: int, parts: tuple, build: Callable):
    """What `build()` returns for this group as its results stand, from the cache when it has
    it. `parts` tell apart the variants of one kind (ranking group, language)."""
    stamp = results_stamp(framework_id, period_id)
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
