"""What a round's page reads: every unit's status, what is late, and who has an extension."""

from dataclasses import dataclass

from django.utils import timezone

from communes.collation import vietnamese_sort_key
from scoring.models import Assessment, AssessmentStatus, Framework, Round


@dataclass
class RoundRow:
    assessment: Assessment
    extended_until: object  # a date or None
    self_late: bool
    appraisal_late: bool
    # An open self-assessment of a round with a deadline: the appraisers may extend it.
    extendable: bool
    appraised: bool


def round_rows(round_: Round) -> list[RoundRow]:
    """One row per assessed unit, in Vietnamese order of names (two queries)."""
    today = timezone.localdate()
    extensions = dict(round_.extensions.values_list("unit_id", "until"))
    assessments = Assessment.objects.filter(
        framework=round_.framework, period=round_.period
    ).select_related("unit", "result")
    rows = []
    for assessment in assessments:
        until = extensions.get(assessment.unit_id)
        due = round_.self_assessment_due
        last_day = max(due, until or due) if due else None
        rows.append(
            RoundRow(
                assessment=assessment,
                extended_until=until,
                self_late=assessment.status == AssessmentStatus.OPEN
                and last_day is not None
                and today > last_day,
                appraisal_late=assessment.status != AssessmentStatus.APPRAISED
                and round_.appraisal_due is not None
                and today > round_.appraisal_due,
                extendable=assessment.status == AssessmentStatus.OPEN and due is not None,
                appraised=assessment.status == AssessmentStatus.APPRAISED,
            )
        )
    rows.sort(key=lambda r: vietnamese_sort_key(r.assessment.unit.name))
    return rows


def frameworks_to_open(user):
    """Frameworks the user may open a round of: issued by a unit where they appraise."""
    from communes.models import AdministrativeUnit
    from scoring.assessments.rules import APPRAISER_ROLES

    issuers = AdministrativeUnit.objects.changeable_by(user, APPRAISER_ROLES)
    return (
        Framework.objects.filter(issuer__in=issuers)
        .select_related("issuer")
        .order_by("-year", "issuer__code", "code")
    )
