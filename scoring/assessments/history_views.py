"""The assessment's history page: the timeline of every change, reached from the commune's
sheet (/assessments/…/history/) and from the appraisal sheet (/appraisal/…/history/)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from scoring.assessments.history import assessment_history
from scoring.assessments.views import assessment_or_404
from scoring.models import AssessmentStatus
from scoring.points import format_points

STATUS_LABELS = dict(AssessmentStatus.choices)


def _shown(change, value):
    """A value as people read it: points 4,5, dates 15/01/2027, statuses by name."""
    if value is None:
        return ""
    if change.what == "status":
        return STATUS_LABELS.get(value, value)
    if change.what.endswith("points"):
        return format_points(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _page(request, code, period, sheet_url_name):
    assessment = assessment_or_404(request, code, period)
    changes = assessment_history(assessment)
    for change in changes:
        change.old_shown = _shown(change, change.old)
        change.new_shown = _shown(change, change.new)
    return render(
        request,
        "scoring/assessments/history.html",
        {
            "assessment": assessment,
            "changes": list(reversed(changes)),  # the newest first, as people read a log
            "back_url": reverse(
                sheet_url_name, args=[assessment.unit.code, assessment.period.code]
            ),
        },
    )


@login_required
def self_assessment_history(request, code, period):
    return _page(request, code, period, "self-assessment")


@login_required
def appraisal_history(request, code, period):
    return _page(request, code, period, "appraisal-sheet")
