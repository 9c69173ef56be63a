"""The appraiser's pages: the group overview (where every unit stands and what is left to do)
and the appraisal sheet of one assessment, with return for explanation and marking appraised."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from communes.collation import vietnamese_sort_key
from communes.models import AdministrativeUnit
from communes.selectors import request_memberships
from core.problems import Problem
from scoring.assessments.rules import APPRAISER_ROLES
from scoring.assessments.scores import ScoreError
from scoring.assessments.sheets import group_totals
from scoring.assessments.views import assessment_or_404, sheet_page
from scoring.assessments.workflow import (
    assessment_appraisal_finish,
    assessment_return,
)
from scoring.models import Assessment, AssessmentStatus
from scoring.rankings.choices import group_choices

NOT_STARTED = "not_started"
# The stages an appraiser follows, in the order the work goes.
STAGES = {
    NOT_STARTED: gettext_lazy("Not started"),
    AssessmentStatus.OPEN.value: gettext_lazy("Self-assessing"),
    AssessmentStatus.SUBMITTED.value: gettext_lazy("Submitted"),
    AssessmentStatus.RETURNED.value: gettext_lazy("Returned for explanation"),
    AssessmentStatus.APPRAISED.value: gettext_lazy("Appraised"),
}


@dataclass
class StageCount:
    code: str
    label: str
    count: int
    selected: bool


def stage_of(assessment) -> str:
    if assessment.status == AssessmentStatus.OPEN and not assessment.scored:
        return NOT_STARTED
    return assessment.status


@login_required
def overview(request):
    framework, period, issuers, periods = group_choices(
        request.user,
        request.GET.get("group"),
        request.GET.get("period"),
        request_memberships(request),
    )
    rows, stages, assessments = [], [], []
    chosen = request.GET.get("stage", "")
    if framework is not None:
        assessments = group_totals(
            Assessment.objects.visible_to(request.user)
            .filter(framework=framework, period=period)
            .select_related("unit", "result")
            .order_by("unit__code")
        )
        assessments.sort(key=lambda a: vietnamese_sort_key(a.unit.name))
        for assessment in assessments:
            assessment.stage = stage_of(assessment)
            assessment.stage_label = STAGES[assessment.stage]
        counts = dict.fromkeys(STAGES, 0)
        for assessment in assessments:
            counts[assessment.stage] += 1
        stages = [StageCount(c, label, counts[c], c == chosen) for c, label in STAGES.items()]
        rows = [a for a in assessments if not chosen or a.stage == chosen]
    can_appraise = (
        framework is not None
        and AdministrativeUnit.objects.changeable_by(request.user, APPRAISER_ROLES)
        .filter(pk=framework.issuer_id)
        .exists()
        or request.user.is_superuser
    )
    return render(
        request,
        "scoring/assessments/appraisal_overview.html",
        {
            "framework": framework,
            "period": period,
            "issuers": issuers,
            "periods": periods,
            "rows": rows,
            "stages": stages,
            "total": len(assessments),
            "chosen_stage": chosen,
            "can_appraise": can_appraise,
        },
    )


@login_required
def appraisal_sheet(request, code, period):
    return sheet_page(request, code, period, "scoring/assessments/appraisal_sheet.html")


def _appraisal_refused(request, code, period, exc):
    """The sheet again, with why the action was refused (HTTP 400)."""
    return sheet_page(
        request,
        code,
        period,
        "scoring/assessments/appraisal_sheet.html",
        problems=[Problem(None, None, str(exc))],
        status=400,
    )


@login_required
@require_POST
def appraisal_return(request, code, period):
    assessment = assessment_or_404(request, code, period)
    try:
        assessment_return(
            assessment=assessment,
            user=request.user,
            note=request.POST.get("return_note", ""),
            item_notes={
                key.removeprefix("item-"): value
                for key, value in request.POST.items()
                if key.startswith("item-")
            },
        )
    except ScoreError as exc:
        return _appraisal_refused(request, code, period, exc)
    messages.success(
        request,
        _("%(unit)s was asked to explain; the self-assessment is open again for the commune.")
        % {"unit": assessment.unit.name},
    )
    return redirect("appraisal-sheet", code=code, period=period)


@login_required
@require_POST
def appraisal_finish(request, code, period):
    assessment = assessment_or_404(request, code, period)
    try:
        assessment_appraisal_finish(assessment=assessment, user=request.user)
    except ScoreError as exc:
        return _appraisal_refused(request, code, period, exc)
    messages.success(
        request, _("%(unit)s is marked as appraised.") % {"unit": assessment.unit.name}
    )
    return redirect(
        f"{reverse('appraisal-overview')}?group={assessment.framework.issuer.code}"
        f"&period={assessment.period.code}"
    )
