"""What if (#17): the index, band and rank a unit's group would give it with other points,
computed by the ranking engine itself inside a transaction that is then rolled back, so the
answer follows every rule of the framework (nested items, optional areas, bonus caps, the
applicable maximum, ties) without a second copy of them. Nothing is saved."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.problems import Problem
from scoring.models import Assessment, Result, Score, SubCriterion
from scoring.points import not_scored_reason, parse_points_for
from scoring.rankings import engine
from scoring.rankings.services import groups_locked


class WhatIfRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Standing:
    index_percent: Decimal
    band: str
    rank: int | None
    group_size: int
    earned: Decimal
    max_points: Decimal


@dataclass
class WhatIf:
    now: Standing
    then: Standing


class _Computed(Exception):
    """Leaves the transaction (rolling it back) with what the engine computed."""

    def __init__(self, standing: Standing):
        super().__init__()
        self.standing = standing


def _standing(assessment: Assessment) -> Standing:
    result = Result.objects.get(assessment=assessment)
    size = Result.objects.filter(
        framework_id=result.framework_id,
        period_id=result.period_id,
        ranking_group_id=result.ranking_group_id,
    ).count()
    return Standing(
        index_percent=result.index_percent,
        band=result.band_label,
        rank=result.rank,
        group_size=size,
        earned=result.total_points + result.bonus_points - result.penalty_points,
        max_points=result.max_points,
    )


def hypothetical_points(assessment: Assessment, points: dict) -> dict[int, Decimal]:
    """{item code: points as typed} checked as a save checks them: sub-criterion id → points."""
    items = {s.code: s for s in SubCriterion.objects.filter(framework_id=assessment.framework_id)}
    problems, checked = [], {}
    for code, raw in points.items():
        item = items.get(str(code))
        if item is None:
            problems.append(Problem(None, str(code), _("the framework has no such item")))
            continue
        reason = not_scored_reason(item)
        value, error = (None, reason) if reason else parse_points_for(item, raw)
        if error or value is None:
            problems.append(Problem(None, item.code, error or _("give the points")))
            continue
        checked[item.pk] = value
    if problems:
        raise WhatIfRefused(problems)
    if not checked:
        raise WhatIfRefused([Problem(None, "points", _("give the points of at least one item"))])
    return checked


def what_if(assessment: Assessment, points: dict) -> WhatIf:
    """The unit's standing now and with these points used for these items (as if appraised)."""
    checked = hypothetical_points(assessment, points)
    group = (assessment.framework_id, assessment.period_id)
    if not Result.objects.filter(assessment=assessment).exists():
        raise WhatIfRefused([Problem(None, None, _("The unit is not ranked yet."))])
    now = _standing(assessment)
    # The group's lock, as a recompute takes it: the rows the engine writes are the ones a
    # running recompute would write, and both wait their turn.
    with groups_locked({group}):
        try:
            with transaction.atomic():
                engine.insert_missing_scores(*group)
                for item_id, value in checked.items():
                    Score.objects.filter(assessment=assessment, sub_criterion_id=item_id).update(
                        appraised_points=value
                    )
                engine.recompute_groups([group])
                raise _Computed(_standing(assessment))
        except _Computed as computed:
            return WhatIf(now=now, then=computed.standing)
