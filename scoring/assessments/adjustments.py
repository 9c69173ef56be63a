"""Bonus and penalty points outside the framework's maximum."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from scoring.assessments import rules
from scoring.assessments.scores import ScoreError
from scoring.models import (
    Adjustment,
    AdjustmentKind,
    Assessment,
)
from scoring.points import parse_points
from scoring.rankings.services import groups_mark_dirty


def adjustment_add(
    *, assessment: Assessment, kind: str, points, reason: str, user=None
) -> Adjustment:
    if kind not in AdjustmentKind.values:
        raise ScoreError(_("Unknown kind '%(kind)s'.") % {"kind": kind}, "kind")
    refusal = rules.adjustment_refusal(user, assessment)
    if refusal:
        raise ScoreError(refusal.message)
    value, error = parse_points(points, Decimal("100"))
    if error or not value:
        raise ScoreError(error or _("Points must be above 0."), "points")
    if not str(reason or "").strip():
        raise ScoreError(_("Give the reason for the bonus or penalty."), "reason")
    with transaction.atomic():
        adjustment = Adjustment.objects.create(
            assessment=assessment, kind=kind, points=value, reason=reason.strip(), created_by=user
        )
        groups_mark_dirty([(assessment.framework_id, assessment.period_id)], trigger="adjustment")
    return adjustment
