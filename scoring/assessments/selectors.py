"""Reads of assessments within a user's scope."""

from scoring.models import (
    Assessment,
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
