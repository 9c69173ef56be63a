"""The path of one assessment: self-assessed, submitted, returned for explanation, appraised."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from core.problems import Problem
from scoring.assessments import rules
from scoring.assessments.scores import ScoreError
from scoring.assessments.sheets import RATE_APPLIES, unscored_sub_criteria
from scoring.models import Assessment, AssessmentStatus, ItemKind, Method, Score
from scoring.rounds import notifications


def _locked(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.unit, locked.period = assessment.unit, assessment.period
    return locked


def _refuse(refusal) -> None:
    if refusal:
        raise ScoreError(refusal.message, refusal.field if refusal.field == "return_note" else None)


def assessment_submit(*, assessment: Assessment, user) -> list[Problem]:
    """Hand the self-assessment to the appraisers. Every sub-criterion a person scores needs
    self points first; the problems name those still empty, and nothing changes then."""
    with transaction.atomic():
        locked = _locked(assessment)
        _refuse(rules.submit_refusal(user, locked))
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


def assessment_return(
    *, assessment: Assessment, user, note: str = "", item_notes: dict | None = None
) -> None:
    """Send a submitted self-assessment back to the commune with what it must explain: a note
    for the whole, and/or a note for each item that needs it ({sub-criterion code: note})."""
    _refuse(rules.appraisal_refusal(user, assessment))
    note = str(note or "").strip()
    items = {code: str(text).strip() for code, text in (item_notes or {}).items()}
    items = {code: text for code, text in items.items() if text}
    if not note and not items:
        raise ScoreError(_("Say what the commune must explain or complete."), "return_note")
    scores = assessment.scores.select_related("sub_criterion")
    known = {s.sub_criterion.code for s in scores}
    unknown = sorted(set(items) - known)
    if unknown:
        raise ScoreError(
            _("The framework has no sub-criterion %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    with transaction.atomic():
        locked = _locked(assessment)
        _refuse(rules.return_refusal(user, locked))
        locked.status = AssessmentStatus.RETURNED
        locked.return_note = note
        locked.save(update_fields=["status", "return_note", "updated_at"])
        # Locked in key order first, as every writer of scores and the ranking engine lock
        # them, so this UPDATE never deadlocks with a recompute of the group.
        rows = list(scores.select_for_update(of=("self",)).order_by("pk"))
        # The questions of an earlier return are settled: only this return's stand. Saved
        # with their history, so the timeline shows what was asked of each item.
        changed = []
        for score in rows:
            note = items.get(score.sub_criterion.code, "")
            if (score.return_note, score.return_answer) != (note, ""):
                score.return_note, score.return_answer = note, ""
                changed.append(score)
        if changed:
            bulk_update_with_history(
                changed,
                Score,
                ["return_note", "return_answer"],
                default_user=user if user is not None and user.is_authenticated else None,
            )
        notifications.assessment_returned(locked, len([t for t in items.values() if t]))
    assessment.status, assessment.return_note = locked.status, locked.return_note


def items_awaiting_appraisal(assessment: Assessment) -> list:
    """The items a person must appraise that have no appraised points yet, in sheet order:
    every scored item of the framework's criteria but those the statistics score (a derived
    item with data) and a deduction whose count the appraiser entered. None left: ready."""
    return [
        score.sub_criterion
        for score in assessment.scores.filter(
            appraised_points__isnull=True,
            sub_criterion__kind=ItemKind.CRITERION,
            sub_criterion__has_items=False,
        )
        .exclude(RATE_APPLIES)
        .exclude(
            sub_criterion__method=Method.DEDUCTION, sub_criterion__metric="", count__isnull=False
        )
        .select_related("sub_criterion")
        .order_by("sub_criterion__area__position", "sub_criterion__position")
    ]


def assessment_appraisal_finish(*, assessment: Assessment, user) -> None:
    """Mark a submitted self-assessment as appraised once every item awaiting a person's
    points has appraised points; they may still be corrected until publication."""
    with transaction.atomic():
        locked = _locked(assessment)
        _refuse(rules.finish_refusal(user, locked))
        waiting = items_awaiting_appraisal(locked)
        if waiting:
            raise ScoreError(
                _("Appraise every item first; still without appraised points: %(codes)s.")
                % {"codes": ", ".join(sub.code for sub in waiting)},
                "appraised_points",
            )
        locked.status = AssessmentStatus.APPRAISED
        locked.appraised_at = timezone.now()
        locked.save(update_fields=["status", "appraised_at", "updated_at"])
        notifications.assessment_appraised(locked)
    assessment.status, assessment.appraised_at = locked.status, locked.appraised_at
