"""One assessment as a sheet: areas, sub-criteria, points, evidence and running totals.

The self-assessment page, the appraisal sheet and the appraiser's group overview read it, in a
fixed number of queries whatever the size of the framework.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _

from dossiers.metrics import COUNTER_LABELS, METRICS
from scoring.assessments.item_tree import rolled_up, top_level_total
from scoring.models import (
    DERIVED_METHODS,
    Assessment,
    Evidence,
    ItemKind,
    Method,
    Score,
    SubCriterion,
    WhenNothing,
)
from scoring.points import format_points

POINTS_FIELD = DecimalField(max_digits=7, decimal_places=2)
ZERO = Value(Decimal(0), output_field=POINTS_FIELD)
# The rule gives the points (a rate or a count, or what `when_nothing` says when there is none).
RATE_APPLIES = Q(sub_criterion__method__in=DERIVED_METHODS, derived_points__isnull=False)


def _points_expressions(prefix: str = ""):
    """(claimed, in effect) as expressions over Score, optionally through a relation prefix.

    In effect is the engine's rule (engine.py, statement 4): the appraiser's points where
    entered, else the derived points where the rule gives some, else the self points, and 0 for
    an item left out of the maximum. Claimed is the same without the appraiser. Pages show them
    before the worker has recomputed, and tests/test_assessment_pages.py checks they agree with
    the engine's totals.
    """
    applies = Q(
        **{
            f"{prefix}sub_criterion__method__in": DERIVED_METHODS,
            f"{prefix}derived_points__isnull": False,
        }
    )
    left_out = Q(**{f"{prefix}excluded": True})
    claimed = Case(
        When(left_out, then=ZERO),
        When(applies, then=F(f"{prefix}derived_points")),
        default=F(f"{prefix}self_points"),
        output_field=POINTS_FIELD,
    )
    in_effect = Case(
        When(left_out, then=ZERO),
        default=Coalesce(F(f"{prefix}appraised_points"), claimed, ZERO, output_field=POINTS_FIELD),
        output_field=POINTS_FIELD,
    )
    return Coalesce(claimed, ZERO, output_field=POINTS_FIELD), in_effect


def points_text(value) -> str:
    return "" if value is None else format_points(value)


def rule_text(score: Score) -> str:
    """How a derived sub-criterion got its points, e.g. "Tỷ lệ đúng hạn 99,3 % → 4/5 điểm"."""
    sub = score.sub_criterion
    if sub.method not in DERIVED_METHODS:
        return ""
    if sub.method == Method.DEDUCTION:
        return deduction_text(score)
    metric = METRICS.get(sub.metric)
    label = metric.label if metric else sub.metric
    if score.metric_value is None:
        return nothing_text(sub, label)
    values = {
        "metric": label,
        "value": formats.number_format(score.metric_value, decimal_pos=1, use_l10n=True),
        "points": format_points(score.derived_points or 0),
        "max": format_points(sub.max_points),
    }
    if sub.method == Method.RATIO_TARGET:
        values["target"] = format_points(sub.target_percent or 0)
        return (
            _("%(metric)s %(value)s%% of the %(target)s%% target → %(points)s/%(max)s points")
            % values
        )
    return _("%(metric)s %(value)s%% → %(points)s/%(max)s points") % values


def steps_text(sub: SubCriterion) -> str:
    """The scale of a derived or choice sub-criterion, beside its points: "≥ 100%: 5 · ≥ 98%:
    4 · …", or the options a person chooses among ("Ban hành đầy đủ: 1 · Không ban hành: 0")."""
    if sub.method == Method.CHOICE:
        return " · ".join(f"{label}: {format_points(points)}" for label, points in sub.options)
    if sub.method == Method.DEDUCTION:
        return _("%(max)s points, less %(per)s for each case counted, never below 0.") % {
            "max": format_points(sub.max_points),
            "per": format_points(sub.per_count or 0),
        }
    if sub.method == Method.RATIO_TARGET:
        return _("Full points from %(target)s%%, proportional below.") % {
            "target": format_points(sub.target_percent or 0)
        }
    if sub.method != Method.STEPS:
        return ""
    return " · ".join(
        f"≥ {format_points(step.threshold_percent)}%: {format_points(step.points)}"
        for step in sub.steps.all()
    )


@dataclass
class SheetRow:
    score: Score
    sub: SubCriterion
    claimed: Decimal
    in_effect: Decimal
    rule: str
    scale: str
    rate_applies: bool
    advice: str = ""  # the figures that would give a derived item more points (pages set it)

    @property
    def counts_by_hand(self) -> bool:
        """A deduction whose count the appraiser enters (no dossier counter)."""
        return self.sub.method == Method.DEDUCTION and not self.sub.metric

    @property
    def is_group(self) -> bool:
        """An item made of items: it shows their points rolled up and takes none itself."""
        return self.sub.has_items

    @property
    def needs_self_points(self) -> bool:
        """A person scores it: manual and survey sub-criteria, and rates with nothing to count."""
        return not self.rate_applies and not self.is_group

    @property
    def evidence(self):
        return self.score.evidence.all()


@dataclass
class SheetArea:
    code: str
    name: str
    max_points: Decimal
    rows: list[SheetRow] = field(default_factory=list)
    # The framework's declared bonus or penalty items: shown like an area, outside its totals.
    is_adjustment: bool = False

    @property
    def numbered(self) -> bool:
        return not self.is_adjustment

    def _total(self, name: str) -> Decimal:
        total = sum((getattr(r, name) for r in self.rows if r.sub.parent_id is None), Decimal(0))
        # Bonus (penalty) items count up to the framework's cap, as in the engine.
        return min(total, self.max_points) if self.is_adjustment else total

    @property
    def claimed(self) -> Decimal:
        return self._total("claimed")

    @property
    def in_effect(self) -> Decimal:
        return self._total("in_effect")

    def roll_up(self) -> None:
        """Items made of items take their items' points, capped at their maximum."""
        subs = [row.sub for row in self.rows]
        for name in ("claimed", "in_effect"):
            values = rolled_up({row.sub.pk: getattr(row, name) for row in self.rows}, subs)
            for row in self.rows:
                setattr(row, name, values[row.sub.pk])


@dataclass
class Sheet:
    assessment: Assessment
    areas: list[SheetArea]

    @property
    def rows(self):
        return [row for area in self.areas for row in area.rows]

    @property
    def criteria_areas(self):
        return [area for area in self.areas if not area.is_adjustment]

    @property
    def criteria_rows(self):
        """The items every commune must score (a bonus claim is optional); not the items made
        of items, which take their items' points."""
        return [row for area in self.criteria_areas for row in area.rows if not row.is_group]

    @property
    def group_rows(self):
        return [row for row in self.rows if row.is_group]

    @property
    def max_points(self) -> Decimal:
        return sum((a.max_points for a in self.criteria_areas), Decimal(0))

    @property
    def claimed(self) -> Decimal:
        return sum((a.claimed for a in self.criteria_areas), Decimal(0))

    @property
    def in_effect(self) -> Decimal:
        return sum((a.in_effect for a in self.criteria_areas), Decimal(0))

    @property
    def unscored(self) -> list[SheetRow]:
        return [
            r for r in self.criteria_rows if r.needs_self_points and r.score.self_points is None
        ]

    @property
    def returned(self) -> list[SheetRow]:
        """Items the appraisers asked about when they last returned the self-assessment."""
        return [r for r in self.rows if r.score.return_note]

    # What a commune should look at before submitting (the appraisers will ask for it).
    @property
    def without_explanation(self) -> list[SheetRow]:
        return [
            r for r in self.criteria_rows if r.needs_self_points and not r.score.explanation.strip()
        ]

    @property
    def without_evidence(self) -> list[SheetRow]:
        return [r for r in self.criteria_rows if r.needs_self_points and not r.evidence]


def _scores(assessment: Assessment):
    claimed, in_effect = _points_expressions()
    return (
        assessment.scores.select_related("sub_criterion__area")
        .prefetch_related(
            "sub_criterion__steps",
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")),
        )
        .annotate(claimed=claimed, in_effect=in_effect)
        .order_by("sub_criterion__area__position", "sub_criterion__position")
    )


def assessment_sheet(assessment: Assessment) -> Sheet:
    """The whole sheet: four queries."""
    areas: dict = {}
    framework = assessment.framework
    titles = {ItemKind.BONUS: _("Bonus points"), ItemKind.PENALTY: _("Penalty points")}
    for score in _scores(assessment):
        sub = score.sub_criterion
        if sub.area_id is None:  # a declared bonus or penalty item, after the areas
            area = areas.setdefault(
                sub.kind,
                SheetArea(
                    sub.kind,
                    titles[sub.kind],
                    getattr(framework, f"{sub.kind}_max") or Decimal(0),
                    is_adjustment=True,
                ),
            )
        else:
            area = areas.setdefault(
                sub.area_id, SheetArea(sub.area.code, sub.area.name, sub.area.max_points)
            )
        area.rows.append(_row(score))
    for area in areas.values():
        area.roll_up()
    ordered = sorted(areas.values(), key=lambda a: a.is_adjustment)
    return Sheet(assessment, ordered)


def nothing_text(sub: SubCriterion, label: str) -> str:
    """What an item computed from the statistics earns when there is nothing to count."""
    values = {"metric": label, "max": format_points(sub.max_points)}
    if sub.when_nothing == WhenNothing.FULL:
        return _("%(metric)s: nothing to count in this period → full points (%(max)s).") % values
    if sub.when_nothing == WhenNothing.EXCLUDE:
        return _("%(metric)s: nothing to count in this period → left out of the maximum.") % values
    return _("%(metric)s: nothing to count in this period; enter the points by hand.") % values


def deduction_text(score: Score) -> str:
    """ "3 late dossiers × 0,5 → 3,5/5 points"."""
    sub = score.sub_criterion
    label = (
        str(COUNTER_LABELS.get(sub.metric, sub.metric)).lower()
        if sub.metric
        else _("cases counted by the appraiser")
    )
    if score.metric_value is None:
        if not sub.metric:
            return _("Deduction: the appraiser enters the count (%(per)s points each).") % {
                "per": format_points(sub.per_count)
            }
        return nothing_text(sub, label)
    return _("%(count)s %(metric)s × %(per)s → %(points)s/%(max)s points") % {
        "count": formats.number_format(int(score.metric_value), use_l10n=True),
        "metric": label,
        "per": format_points(sub.per_count),
        "points": format_points(score.derived_points or 0),
        "max": format_points(sub.max_points),
    }


def _row(score: Score) -> SheetRow:
    sub = score.sub_criterion
    return SheetRow(
        score=score,
        sub=sub,
        claimed=score.claimed,
        in_effect=score.in_effect,
        rule=rule_text(score),
        scale=steps_text(sub),
        rate_applies=sub.method in DERIVED_METHODS and score.derived_points is not None,
    )


def sheet_row(assessment: Assessment, sub_code: str) -> SheetRow | None:
    score = _scores(assessment).filter(sub_criterion__code=sub_code).first()
    return None if score is None else _row(score)


def unscored_sub_criteria(assessment: Assessment) -> list[SubCriterion]:
    """Sub-criteria a person must score that still have no self points, in sheet order."""
    return [
        score.sub_criterion
        for score in assessment.scores.filter(
            self_points__isnull=True,
            sub_criterion__kind=ItemKind.CRITERION,
            sub_criterion__has_items=False,
        )
        .exclude(RATE_APPLIES)
        .select_related("sub_criterion")
        .order_by("sub_criterion__area__position", "sub_criterion__position")
    ]


def group_totals(assessments) -> list[Assessment]:
    """The assessments (a queryset, evaluated here) with their claimed and in-effect totals and
    how many items have self points: three queries whatever their number. Totals are added up
    the way the engine does, items made of items capped at their maximum."""
    assessments = list(
        assessments.annotate(
            scored=Count(
                "scores",
                filter=Q(
                    scores__sub_criterion__kind=ItemKind.CRITERION,
                    scores__self_points__isnull=False,
                ),
            )
        )
    )
    claimed, in_effect = _points_expressions()
    values: dict = {}
    for row in (
        Score.objects.filter(
            assessment__in=[a.pk for a in assessments], sub_criterion__kind=ItemKind.CRITERION
        )
        .annotate(claimed=claimed, in_effect=in_effect)
        .values_list("assessment_id", "sub_criterion_id", "claimed", "in_effect")
    ):
        values.setdefault(row[0], ([], []))
        values[row[0]][0].append((row[1], row[2]))
        values[row[0]][1].append((row[1], row[3]))
    subs: dict = {}
    for sub in SubCriterion.objects.filter(
        framework__in={a.framework_id for a in assessments}, kind=ItemKind.CRITERION
    ).only("pk", "framework_id", "parent_id", "depth", "has_items", "max_points"):
        subs.setdefault(sub.framework_id, []).append(sub)
    for assessment in assessments:
        claimed_values, in_effect_values = values.get(assessment.pk, ([], []))
        tree = subs.get(assessment.framework_id, [])
        assessment.claimed_total = top_level_total(dict(claimed_values), tree)
        assessment.in_effect_total = top_level_total(dict(in_effect_values), tree)
    return assessments
