"""What if (#17): the index, band and rank a unit's group would give it with other points or
other monthly figures, computed by the ranking engine itself inside a transaction that is then
rolled back, so the answer follows every rule of the framework (derived items from the figures,
nested items, optional areas, bonus caps, the applicable maximum, ties) without a second copy of
them. Nothing is saved."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.problems import Problem
from dossiers.metrics import COUNTER_FIELDS, COUNTER_LABELS, METRICS, bound_violations
from dossiers.models import DossierReport
from dossiers.validation import parse_count, parse_month
from scoring.models import Assessment, Method, Result, Score, SubCriterion
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
    return checked


def figure_fields(framework_id: int) -> list[str]:
    """The counters the framework's derived items read: the ones worth typing in a what-if."""
    used = set()
    items = SubCriterion.objects.filter(framework_id=framework_id, has_items=False)
    for method, metric in items.values_list("method", "metric"):
        if method == Method.DEDUCTION and metric in COUNTER_FIELDS:
            used.add(metric)
        elif metric in METRICS:
            used.update(METRICS[metric].numerator + METRICS[metric].denominator)
    return [name for name in COUNTER_FIELDS if name in used]


def hypothetical_figures(assessment: Assessment, figures: dict) -> dict:
    """{"YYYY-MM": {counter: count}} checked as a save checks them, each month's counters as
    stored with the typed ones instead: month → counters."""
    period = assessment.period
    this_month = datetime.date.today().replace(day=1)
    problems, months = [], {}
    for raw_month, counts in figures.items():
        month, error = parse_month(raw_month)
        if not error and not (period.start <= month <= period.end):
            error = _("%(month)s is not a month of the period %(period)s") % {
                "month": raw_month,
                "period": period.code,
            }
        if not error and month > this_month:
            error = _("%(month)s is in the future") % {"month": raw_month}
        if error or not isinstance(counts, dict):
            problems.append(Problem(None, f"figures.{raw_month}", error or _("give the counts")))
            continue
        stored = DossierReport.objects.filter(commune_id=assessment.unit_id, month=month).first()
        values = stored.counters() if stored else dict.fromkeys(COUNTER_FIELDS, 0)
        for name, raw in counts.items():
            count, error = (
                (None, _("no such counter")) if name not in COUNTER_FIELDS else (parse_count(raw))
            )
            if error or count is None:
                where = f"figures.{raw_month}.{name}"
                problems.append(Problem(None, where, error or _("give the count")))
                continue
            values[name] = count
        for columns, message in bound_violations(values):
            problems.append(Problem(None, f"figures.{raw_month}.{columns}", message))
        months[month] = values
    if problems:
        raise WhatIfRefused(problems)
    return months


def what_if(
    assessment: Assessment, points: dict | None = None, figures: dict | None = None
) -> WhatIf:
    """The unit's standing now and with these points used for these items (as if appraised)
    and these monthly figures in place of the stored ones."""
    checked = hypothetical_points(assessment, points or {})
    months = hypothetical_figures(assessment, figures or {})
    if not checked and not months:
        raise WhatIfRefused(
            [
                Problem(
                    None, "points", _("give the points of at least one item or a month's figures")
                )
            ]
        )
    group = (assessment.framework_id, assessment.period_id)
    if not Result.objects.filter(assessment=assessment).exists():
        raise WhatIfRefused([Problem(None, None, _("The unit is not ranked yet."))])
    now = _standing(assessment)
    # The group's lock, as a recompute takes it: the rows the engine writes are the ones a
    # running recompute would write, and both wait their turn.
    with groups_locked({group}):
        try:
            with transaction.atomic():
                engine.insert_missing_scores([group])
                for month, counters in months.items():
                    DossierReport.objects.update_or_create(
                        commune_id=assessment.unit_id, month=month, defaults=counters
                    )
                for item_id, value in checked.items():
                    Score.objects.filter(assessment=assessment, sub_criterion_id=item_id).update(
                        appraised_points=value
                    )
                engine.recompute_groups([group])
                raise _Computed(_standing(assessment))
        except _Computed as computed:
            return WhatIf(now=now, then=computed.standing)


def figure_choices(result) -> dict:
    """What the what-if panel offers to change: the counters the derived items read (with their
    labels) and the months of the result's period up to this one."""
    fields = figure_fields(result.framework_id)
    period = result.period
    last = min(period.end, datetime.date.today()).replace(day=1)
    months, month = [], period.start.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    stored = (
        DossierReport.objects.filter(
            commune_id=result.unit_id, month__gte=period.start, month__lte=last
        )
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    return {
        "fields": [(name, COUNTER_LABELS[name]) for name in fields],
        "months": months,
        "selected": stored or last,  # the latest month with figures to change
    }
