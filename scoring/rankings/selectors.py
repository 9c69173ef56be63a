"""Reads of the scoring app that are more than a one-line query."""

import datetime
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from scoring.models import (
    AreaResult,
    Assessment,
    DirtyGroup,
    Framework,
    Period,
    Publication,
    RankingRun,
    Result,
    RunStatus,
)


def groups_using_statistics(commune_ids, months) -> set[tuple[int, int]]:
    """Unpublished ranking groups whose results read these communes' statistics for these months."""
    if not commune_ids or not months:
        return set()
    covering = reduce(or_, (Q(period__start__lte=m, period__end__gte=m) for m in set(months)))
    published = Publication.objects.filter(
        framework_id=OuterRef("framework_id"), period_id=OuterRef("period_id")
    )
    rows = (
        Assessment.objects.filter(covering, unit_id__in=list(commune_ids))
        .exclude(Exists(published))
        .values_list("framework_id", "period_id")
        .order_by()  # else DISTINCT takes the ordering's unit code too: a row per commune
        .distinct()
    )
    return set(rows)


def ranking_rows(framework: Framework, period: Period, ranking_group=None):
    """Stored results of a group, best first, with units and area results: two queries.
    With `ranking_group`, only that group's units; else every group's, group after group."""
    results = Result.objects.filter(framework=framework, period=period)
    if ranking_group is not None:
        results = results.filter(ranking_group=ranking_group)
    return (
        results.select_related("unit", "band", "ranking_group")
        .prefetch_related(
            Prefetch(
                "area_results",
                queryset=AreaResult.objects.select_related("area").order_by("area__position"),
            )
        )
        .order_by("ranking_group__position", "rank", "unit__code")
    )


def latest_run(framework: Framework, period: Period) -> RankingRun | None:
    return (
        RankingRun.objects.filter(framework=framework, period=period, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at")
        .first()
    )


# A change is normally in the ranking within a second; one older than this is worth a notice.
PENDING_NOTICE_AFTER = datetime.timedelta(seconds=10)


def changes_pending_since(framework: Framework, period: Period) -> datetime.datetime | None:
    """When the oldest change not yet in the group's ranking was saved, if it is overdue."""
    since = (
        DirtyGroup.objects.filter(framework=framework, period=period)
        .values_list("dirty_since", flat=True)
        .first()
    )
    return overdue_since(since)


def overdue_since(dirty_since: datetime.datetime | None) -> datetime.datetime | None:
    """The time a group's waiting changes were saved, if they are overdue (else None)."""
    if dirty_since is None or timezone.now() - dirty_since < PENDING_NOTICE_AFTER:
        return None
    return dirty_since


def overdue_ranking_groups() -> int:
    """How many groups hold changes not ranked within PENDING_NOTICE_AFTER (for monitoring:
    above zero for long means no worker or broker is doing the work)."""
    cutoff = timezone.now() - PENDING_NOTICE_AFTER
    return DirtyGroup.objects.filter(dirty_since__lt=cutoff).count()


def rankings_as_of(framework: Framework, period: Period) -> datetime.datetime | None:
    run = latest_run(framework, period)
    return run.finished_at if run else None


def group_key(result) -> tuple:
    """Which ranking a result's rank counts in: its framework, period and ranking group."""
    return (result.framework_id, result.period_id, result.ranking_group_id)


def group_sizes(results) -> dict[tuple, int]:
    """How many units each of these results' rankings holds (for "rank 10/15"): one query."""
    if not results:
        return {}
    groups = (
        Result.objects.filter(
            framework_id__in={r.framework_id for r in results},
            period_id__in={r.period_id for r in results},
        )
        .values("framework_id", "period_id", "ranking_group_id")
        .annotate(size=Count("id"))
    )
    return {(g["framework_id"], g["period_id"], g["ranking_group_id"]): g["size"] for g in groups}


def unit_history(unit) -> list[dict]:
    """The unit's results over the periods, and for the periods before it existed its
    predecessors' results (the July 2025 mergers), oldest first; each with the size of the
    ranking group it was ranked in. Three queries whatever the history's length."""
    merges = {
        link.predecessor_id: link.merge
        for link in unit.predecessor_links.only("predecessor_id", "merge")
    }
    results = sorted(
        Result.objects.filter(
            Q(unit=unit) | Q(unit_id__in=list(merges), period__end__lt=unit.valid_from)
        ).select_related("unit", "period"),
        key=lambda r: (r.period.start, r.period.end, r.unit.code),
    )
    sizes = group_sizes(results)
    return [
        {
            "period": result.period.code,
            "unit_code": result.unit.code,
            "unit_name": result.unit.name,
            "merge": merges.get(result.unit_id),  # None: the unit's own result
            "index_percent": result.index_percent,
            "band": result.band_label,
            "rank": result.rank,
            "group_size": sizes.get(group_key(result), 0),
        }
        for result in results
    ]
