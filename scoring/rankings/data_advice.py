"""What the statistics would change (#17): for each item whose points the engine derives from the
monthly dossier figures, the figures that would give it more points.

- a deduction: each case fewer gives back `per_count` points (once the count is below the
  point where the floor of 0 stops mattering);
- a ratio to a target, or steps: how many more dossiers of the rate's numerator (on time,
  online…) out of the same total reach the target or the next step, over the period and per
  month.

The rates are the ones `dossiers.metrics.rate` computes (the engine's formula and rounding), and
the points the ones the engine stored, so the advice never disagrees with the ranking."""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dossiers.metrics import COUNTER_FIELDS, COUNTER_LABELS, METRICS, Metric, rate
from dossiers.models import DossierReport
from scoring.models import Method, Score
from scoring.points import format_points

DATA_METHODS = (Method.DEDUCTION, Method.RATIO_TARGET, Method.STEPS)


@dataclass
class DataAdvice:
    sub_criterion: object
    method: str
    label: str  # the metric's or the counter's name
    value: Decimal  # the rate in percent, or the count
    points: Decimal  # what the item earns now
    max_points: Decimal
    # A deduction: points back per case fewer, and the cases to remove before any comes back.
    per_count: Decimal | None = None
    fewer_before_points: int = 0
    # A rate: the percent to reach, the points it gives, and the numerator dossiers it takes.
    goal_percent: Decimal | None = None
    goal_points: Decimal | None = None
    more_dossiers: int | None = None
    more_per_month: int | None = None
    months: int = 0

    @property
    def lost(self) -> Decimal:
        return self.max_points - self.points

    @property
    def text(self) -> str:
        return advice_text(self)


def period_sums(unit_id: int, period) -> dict:
    """The unit's counters summed over the period's months, and `months`: how many it reported."""
    sums = DossierReport.objects.filter(
        commune_id=unit_id, month__gte=period.start, month__lte=period.end
    ).aggregate(months=Count("id"), **{name: Sum(name) for name in COUNTER_FIELDS})
    return {name: value or 0 for name, value in sums.items()}


def dossiers_to_reach(metric, sums: dict, goal: Decimal) -> int | None:
    """The fewest dossiers moved into the metric's numerator, out of the same total, for its
    rate to reach `goal`; None when even all of them would not (or there is nothing to count)."""
    denominator = sum(sums.get(f, 0) for f in metric.denominator)
    numerator = sum(sums.get(f, 0) for f in metric.numerator)
    if denominator == 0:
        return None

    # The same rate (formula and rounding) over the two sums, whatever fields they share.
    as_sums = Metric(metric.name, metric.label, ("numerator",), ("denominator",))

    def reaches(more: int) -> bool:
        return rate(as_sums, {"numerator": numerator + more, "denominator": denominator}) >= goal

    more = max(0, math.ceil(goal * denominator / 100 - numerator))
    while more > 0 and reaches(more - 1):  # the rate rounds half up: one fewer may do
        more -= 1
    if not reaches(more):
        more += 1
        if numerator + more > denominator or not reaches(more):
            return None
    return more


def _deduction(score, item) -> DataAdvice | None:
    count = int(score.metric_value)
    if count == 0 or not item.per_count:
        return None
    # Points stay 0 down to the count where max − per_count × count is 0; a case fewer than
    # that gives points back.
    last_zero = math.ceil(item.max_points / item.per_count)
    label = COUNTER_LABELS.get(item.metric, item.metric or item.name)
    return DataAdvice(
        item,
        item.method,
        str(label),
        Decimal(count),
        score.points,
        item.max_points,
        per_count=item.per_count,
        fewer_before_points=max(0, count - last_zero),
    )


def _rate_goal(score, item) -> tuple[Decimal, Decimal] | None:
    """(percent to reach, points there): the target, or the next step giving more points."""
    if item.method == Method.RATIO_TARGET:
        return (item.target_percent, item.max_points) if item.target_percent else None
    for step in sorted(item.steps.all(), key=lambda s: s.threshold_percent):
        if step.threshold_percent > score.metric_value and step.points > score.points:
            return step.threshold_percent, step.points
    return None


def _rate(score, item, sums: dict) -> DataAdvice | None:
    metric = METRICS.get(item.metric)
    goal = _rate_goal(score, item)
    if metric is None or goal is None:
        return None
    more = dossiers_to_reach(metric, sums, goal[0])
    months = sums.get("months", 0)
    return DataAdvice(
        item,
        item.method,
        str(metric.label),
        score.metric_value,
        score.points,
        item.max_points,
        goal_percent=goal[0],
        goal_points=goal[1],
        more_dossiers=more,
        more_per_month=math.ceil(more / months) if more is not None and months else None,
        months=months,
    )


def data_advice(assessment) -> list[DataAdvice]:
    """The derived items that lose points, the most lost first, with the figures that would
    give them back. Items an appraiser scored by hand are left out: figures no longer move them."""
    scores = (
        Score.objects.filter(
            assessment=assessment,
            sub_criterion__method__in=DATA_METHODS,
            sub_criterion__has_items=False,
            metric_value__isnull=False,
            appraised_points__isnull=True,
            excluded=False,
        )
        .select_related("sub_criterion")
        .prefetch_related("sub_criterion__steps")
    )
    rows, sums = [], None
    for score in scores:
        item = score.sub_criterion
        if score.points is None or score.points >= item.max_points:
            continue
        if item.method == Method.DEDUCTION:
            advice = _deduction(score, item)
        else:
            if sums is None:
                sums = period_sums(assessment.unit_id, assessment.period)
            advice = _rate(score, item, sums)
        if advice:
            rows.append(advice)
    rows.sort(key=lambda a: (-a.lost, a.sub_criterion.position))
    return rows


def advice_text(advice: DataAdvice) -> str:
    """One sentence an officer can act on, in the active language's number style."""
    values = {
        "label": advice.label.lower() if advice.method == Method.DEDUCTION else advice.label,
        "max": format_points(advice.max_points),
    }
    if advice.method == Method.DEDUCTION:
        values.update(
            count=formats.number_format(int(advice.value), use_l10n=True),
            per=format_points(advice.per_count),
        )
        if advice.fewer_before_points:
            values["limit"] = formats.number_format(
                int(advice.value) - advice.fewer_before_points, use_l10n=True
            )
            return (
                _(
                    "%(count)s %(label)s: points come back below %(limit)s, "
                    "%(per)s for each case fewer (up to %(max)s)."
                )
                % values
            )
        return _(
            "%(count)s %(label)s: each case fewer gives %(per)s more points (up to %(max)s)."
        ) % (values)
    values.update(
        value=formats.number_format(advice.value, decimal_pos=2, use_l10n=True),
        goal=format_points(advice.goal_percent),
        points=format_points(advice.goal_points),
    )
    if advice.more_dossiers is None:
        return _(
            "%(label)s %(value)s%%: %(goal)s%% is out of reach with this period's figures."
        ) % (values)
    metric = METRICS[advice.sub_criterion.metric]
    values.update(
        more=formats.number_format(advice.more_dossiers, use_l10n=True),
        counted=metric.counted,
        per_month=formats.number_format(advice.more_per_month or 0, use_l10n=True),
        months=advice.months,
    )
    return (
        ngettext(
            "%(label)s %(value)s%%: %(more)s more %(counted)s of the same total "
            "(%(per_month)s a month over %(months)s month) reach %(goal)s%% → "
            "%(points)s/%(max)s points.",
            "%(label)s %(value)s%%: %(more)s more %(counted)s of the same total "
            "(%(per_month)s a month over %(months)s months) reach %(goal)s%% → "
            "%(points)s/%(max)s points.",
            advice.months,
        )
        % values
    )


def advice_on_sheet(sheet, assessment) -> None:
    """Each derived row of a scoring sheet gets its sentence."""
    texts = {a.sub_criterion.pk: a.text for a in data_advice(assessment)}
    for row in sheet.rows:
        row.advice = texts.get(row.sub.pk, "")
