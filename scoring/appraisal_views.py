"""The appraiser's overview of a group: where every unit stands and what is left to do."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from communes import scoping

from .dashboards import group_choices
from .models import AssessmentStatus
from .selectors import assessments_visible_to
from .services.scores import APPRAISER_ROLES
from .sheets import group_totals

NOT_STARTED = "not_started"
# The stages an appraiser follows, in the order the work goes.
STAGES = {
    NOT_STARTED: _("Not started"),
    AssessmentStatus.OPEN.value: _("Self-assessing"),
    AssessmentStatus.SUBMITTED.value: _("Submitted"),
    AssessmentStatus.RETURNED.value: _("Returned for explanation"),
    AssessmentStatus.APPRAISED.value: _("Appraised"),
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
        request.user, request.GET.get("group"), request.GET.get("period")
    )
    rows, stages, assessments = [], [], []
    chosen = request.GET.get("stage", "")
    if framework is not None:
        assessments = list(
            group_totals(
                assessments_visible_to(request.user).filter(framework=framework, period=period)
            )
            .select_related("unit", "result")
            .order_by("unit__name", "unit__code")
        )
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
        and scoping.units_for_roles(request.user, APPRAISER_ROLES)
        .filter(pk=framework.issuer_id)
        .exists()
        or request.user.is_superuser
    )
    return render(
        request,
        "scoring/appraisal_overview.html",
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
