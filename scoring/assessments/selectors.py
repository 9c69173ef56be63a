"""Reads of assessments within a user's scope."""

from django.db.models import Count, Q

from communes.selectors import can_change
from scoring.assessments.rules import OFFICER_ROLES
from scoring.models import (
    Assessment,
    AssessmentStatus,
)


def visible_assessment(user, unit_code: str, period_code: str, framework_code=None):
    """The assessment of the unit in the period if the user may see it; None otherwise, and
    when the unit has several frameworks in the period and none is named."""
    assessments = Assessment.objects.visible_to(user).filter(
        unit__code=unit_code, period__code=str(period_code).upper()
    )
    if framework_code:
        assessments = assessments.filter(framework__code=framework_code)
    found = list(assessments.select_related("unit", "framework__issuer", "period")[:2])
    return found[0] if len(found) == 1 else None


def returned_for_explanation(user, unit):
    """The unit's self-assessments the appraisers returned, that `user` may answer, with how
    many items they asked about (`asked`): what the commune's home page tells its officers."""
    returned = Assessment.objects.filter(unit=unit, status=AssessmentStatus.RETURNED)
    if not can_change(user, unit, OFFICER_ROLES):
        return []
    return list(
        returned.select_related("period")
        .annotate(asked=Count("scores", filter=~Q(scores__return_note="")))
        .order_by("-period__end")
    )
