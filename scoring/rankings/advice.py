"""What would raise a unit's standing (#17): the points to its next band and to its next rank,
and the items where it falls furthest behind its group's average. Read from the stored results
and scores; the index is the engine's (ROUND(100 × earned / maximum, precision), half away from
zero), inverted here by one function."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, F

from scoring.models import ItemKind, Result, Score, localized
from scoring.rankings.dashboards import group_bands
from scoring.rankings.data_advice import data_advice
from scoring.rankings.index_rule import CENT, points_for_index


@dataclass
class Step:
    """A better standing and what it takes: `points` more than the unit earned; `within_reach`
    when its items can still give that many."""

    label: str  # the band's label, or the rank
    index_percent: Decimal
    points: Decimal
    within_reach: bool


@dataclass
class Behind:
    sub_criterion: object
    points: Decimal
    group_average: Decimal
    gap: Decimal


@dataclass
class Advice:
    next_band: Step | None  # None: already in the best band
    next_rank: Step | None  # None: first of its group
    behind: list  # Behind, the widest gap first
    open_items: list  # (item, points) of the items below their maximum, in the framework's order
    data: list = field(default_factory=list)  # DataAdvice: the figures that would give points


def _step(result: Result, label: str, percent) -> Step:
    earned = result.total_points + result.bonus_points - result.penalty_points
    needed = points_for_index(percent, result.max_points, result.framework.precision) - earned
    needed = max(needed, CENT)
    # What the items can still give: the maximum that applies less what they earned.
    return Step(label, Decimal(percent), needed, needed <= result.max_points - result.total_points)


def next_steps(result: Result) -> tuple[Step | None, Step | None]:
    """(the next band, the next rank), each None when there is none above."""
    bands = group_bands(result.framework, result.ranking_group)  # the highest first
    above = [b for b in bands if b.min_percent > result.index_percent]
    next_band = (
        _step(result, localized(above[-1], "label"), above[-1].min_percent) if above else None
    )
    better = (
        Result.objects.filter(
            framework_id=result.framework_id,
            period_id=result.period_id,
            ranking_group_id=result.ranking_group_id,
            index_percent__gt=result.index_percent,
        )
        .order_by("index_percent")
        .values_list("index_percent", "rank")
        .first()
    )
    next_rank = _step(result, str(better[1]), better[0]) if better else None
    return next_band, next_rank


def standing_advice(result: Result, behind_count: int = 5) -> Advice:
    if not result.max_points:
        return Advice(None, None, [], [])
    next_band, next_rank = next_steps(result)
    behind, open_items = _behind_group(result, behind_count)
    return Advice(next_band, next_rank, behind, open_items, data_advice(result.assessment))


def _behind_group(result: Result, count: int) -> tuple[list[Behind], list]:
    """The criteria items where the unit earned the fewest points against the average of the
    units ranked with it; and every item that can still give points."""
    items = {"sub_criterion__kind": ItemKind.CRITERION, "sub_criterion__has_items": False}
    averages = dict(
        Score.objects.filter(
            assessment__result__framework_id=result.framework_id,
            assessment__result__period_id=result.period_id,
            assessment__result__ranking_group_id=result.ranking_group_id,
            **items,
        )
        .values_list("sub_criterion_id")
        .annotate(average=Avg("points"))
    )
    own = (
        Score.objects.filter(assessment_id=result.assessment_id, **items)
        .select_related("sub_criterion")
        .annotate(max_points=F("sub_criterion__max_points"))
    )
    rows, open_items = [], []
    for score in own.order_by("sub_criterion__position"):
        if score.points is not None and score.points < score.max_points:
            open_items.append((score.sub_criterion, score.points))
        average = averages.get(score.sub_criterion_id)
        if average is None or score.points is None:
            continue
        gap = Decimal(average) - score.points
        if gap > 0:
            rows.append(Behind(score.sub_criterion, score.points, Decimal(average), gap))
    rows.sort(key=lambda r: (-r.gap, r.sub_criterion.position))
    return rows[:count], open_items


def sheet_steps(assessment) -> tuple[Step | None, Step | None] | None:
    """The next band and rank for a scoring sheet, once the assessment is ranked."""
    result = (
        Result.objects.filter(assessment=assessment)
        .select_related("framework", "ranking_group")
        .first()
    )
    if result is None or not result.max_points or result.rank is None:
        return None
    return next_steps(result)
