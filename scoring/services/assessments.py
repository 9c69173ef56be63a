"""The path of one assessment: self-assessed, submitted, returned for explanation, appraised."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communes import scoping
from dossiers.services import Problem

from ..models import Assessment, AssessmentStatus
from ..sheets import unscored_sub_criteria
from .rankings import is_published
from .scores import APPRAISER_ROLES, OFFICER_ROLES, ScoreError

SELF_ASSESSING = (AssessmentStatus.OPEN, AssessmentStatus.RETURNED)


def _locked(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.unit = assessment.unit
    return locked


def _not_published(assessment: Assessment) -> None:
    if is_published(assessment.framework_id, assessment.period_id):
        raise ScoreError(_("The results are published and can no longer change."))


def assessment_submit(*, assessment: Assessment, user) -> list[Problem]:
    """Hand the self-assessment to the appraisers. Every sub-criterion a person scores needs
    self points first; the problems name those still empty, and nothing changes then."""
    _not_published(assessment)
    if not scoping.can_change(user, assessment.unit, OFFICER_ROLES):
        raise ScoreError(_("You may not self-assess this unit."))
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.status not in SELF_ASSESSING:
            raise ScoreError(_("The self-assessment was submitted and is closed."))
        missing = unscored_sub_criteria(locked)
        if missing:
            return [
                Problem(
                    None,
                    sub.code,
                    _("%(code)s %(name)s has no self points yet.")
                    % {"code": sub.code, "name": sub.name},
                )
                for sub in missing
            ]
        locked.status = AssessmentStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
    assessment.status, assessment.submitted_at = locked.status, locked.submitted_at
    return []


def assessment_return(*, assessment: Assessment, user, note: str) -> None:
    """Send a submitted self-assessment back to the commune with what it must explain."""
    _not_published(assessment)
    if not scoping.can_change(user, assessment.unit, APPRAISER_ROLES):
        raise ScoreError(_("You may not appraise this unit."))
    note = str(note or "").strip()
    if not note:
        raise ScoreError(_("Say what the commune must explain or complete."), "return_note")
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.status != AssessmentStatus.SUBMITTED:
            raise ScoreError(_("Only a submitted self-assessment can be returned."))
        locked.status = AssessmentStatus.RETURNED
        locked.return_note = note
        locked.save(update_fields=["status", "return_note", "updated_at"])
    assessment.status, assessment.return_note = locked.status, locked.return_note


def assessment_appraisal_finish(*, assessment: Assessment, user) -> None:
    """Mark a submitted self-assessment as appraised; appraised points may still be corrected
    until the group's results are published."""
    _not_published(assessment)
    if not scoping.can_change(user, assessment.unit, APPRAISER_ROLES):
        raise ScoreError(_("You may not appraise this unit."))
    with transaction.atomic():
        locked = _locked(assessment)
        if locked.status != AssessmentStatus.SUBMITTED:
            raise ScoreError(_("Only a submitted self-assessment can be marked as appraised."))
        locked.status = AssessmentStatus.APPRAISED
        locked.appraised_at = timezone.now()
        locked.save(update_fields=["status", "appraised_at", "updated_at"])
    assessment.status, assessment.appraised_at = locked.status, locked.appraised_at
