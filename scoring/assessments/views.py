"""Pages of one assessment: the commune's self-assessment and the appraiser's sheet.

Both edit the same scores through the same endpoint, field by field, as the person types;
the services decide who may change what.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from communes.models import AdministrativeUnit
from core.problems import Problem
from scoring.assessments import rules
from scoring.assessments.evidence import ALLOWED, evidence_add, evidence_delete
from scoring.assessments.rules import APPRAISER_ROLES, OFFICER_ROLES
from scoring.assessments.scores import SCORE_FIELDS, ScoreConflict, ScoreError, score_update
from scoring.assessments.selectors import visible_assessment
from scoring.assessments.sheets import assessment_sheet, group_totals, points_text, sheet_row
from scoring.assessments.workflow import (
    assessment_submit,
)
from scoring.models import Assessment, Evidence
from scoring.rankings.advice import sheet_steps
from scoring.rankings.data_advice import advice_on_sheet

EVIDENCE_ACCEPT = ",".join(sorted(ALLOWED))


def assessment_or_404(request, code, period):
    framework = request.GET.get("framework") or request.POST.get("framework")
    assessment = visible_assessment(request.user, code, period, framework)
    if assessment is None:
        raise Http404
    return assessment


@login_required
def my_assessments(request):
    """The officer's list: every assessment of their units, the open ones first."""
    units = AdministrativeUnit.objects.changeable_by(request.user, OFFICER_ROLES)
    assessments = group_totals(
        Assessment.objects.visible_to(request.user)
        .filter(unit__in=units)
        .select_related("unit", "period", "framework__issuer")
        .order_by("-period__end", "period__start", "unit__code")
    )
    if (
        not assessments
        and AdministrativeUnit.objects.changeable_by(request.user, APPRAISER_ROLES).exists()
    ):
        return redirect("appraisal-overview")
    return render(request, "scoring/assessments/my_assessments.html", {"assessments": assessments})


def sheet_page(request, code, period, template, *, problems=(), status=200, steps=False):
    assessment = assessment_or_404(request, code, period)
    sheet = assessment_sheet(assessment)
    advice_on_sheet(sheet, assessment)
    # The officer's sheet says what the next band and rank take (#17).
    standing = sheet_steps(assessment) if steps else None
    return render(
        request,
        template,
        {
            "assessment": assessment,
            "sheet": sheet,
            "standing": standing,
            "problems": problems,
            "evidence_accept": EVIDENCE_ACCEPT,
            **rules.permissions(request.user, assessment),
        },
        status=status,
    )


@login_required
def self_assessment(request, code, period):
    return sheet_page(request, code, period, "scoring/assessments/self_assessment.html", steps=True)


def _shown(field: str, value) -> str:
    if field == "count":  # a count of 0 is shown as 0, not as nothing entered
        return "" if value is None else str(value)
    return points_text(value) if field.endswith("points") else (value or "")


@login_required
@require_POST
def score_save(request, code, period, sub_code):
    """Save one field of one score, as typed; answer with the field's message and the totals."""
    assessment = assessment_or_404(request, code, period)
    row = sheet_row(assessment, sub_code)
    field = request.POST.get("field")
    if row is None or field not in SCORE_FIELDS:
        raise Http404
    status, error = 200, None
    try:
        score = score_update(
            score=row.score,
            user=request.user,
            expected={field: request.POST.get("was", "")},
            **{field: request.POST.get(field, "")},
        )
    except ScoreConflict as exc:
        # The page learns the current value, so typing again replaces it knowingly.
        status, error, was = 409, str(exc), _shown(field, exc.current)
    except ScoreError as exc:
        status, error, was = 400, str(exc), None
    else:
        was = _shown(field, getattr(score, field))
    return render(
        request,
        "scoring/assessments/_score_saved.html",
        {
            "assessment": assessment,
            "sheet": assessment_sheet(assessment),
            "sub_code": sub_code,
            "field": field,
            "error": error,
            "was": was,
            "saved_at": timezone.localtime(),
        },
        status=status,
    )


def _evidence_list(request, assessment, sub_code, *, error=None, status=200):
    if not request.htmx:
        if error:
            messages.error(request, error)
        url = reverse("self-assessment", args=[assessment.unit.code, assessment.period.code])
        return redirect(f"{url}#row-{sub_code}")
    return render(
        request,
        "scoring/assessments/_evidence.html",
        {
            "assessment": assessment,
            "row": sheet_row(assessment, sub_code),
            "error": error,
            "evidence_accept": EVIDENCE_ACCEPT,
            **rules.permissions(request.user, assessment),
        },
        status=status,
    )


@login_required
@require_POST
def evidence_upload(request, code, period, sub_code):
    assessment = assessment_or_404(request, code, period)
    row = sheet_row(assessment, sub_code)
    if row is None:
        raise Http404
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ScoreError(_("Choose a file to attach."), "file")
        evidence_add(score=row.score, upload=upload, user=request.user)
    except ScoreError as exc:
        return _evidence_list(request, assessment, sub_code, error=str(exc), status=400)
    return _evidence_list(request, assessment, sub_code)


@login_required
@require_POST
def evidence_remove(request, code, period, pk):
    assessment = assessment_or_404(request, code, period)
    evidence = (
        Evidence.objects.filter(pk=pk, score__assessment=assessment)
        .select_related("score__sub_criterion", "score__assessment__unit")
        .first()
    )
    if evidence is None:
        raise Http404
    sub_code = evidence.score.sub_criterion.code
    try:
        evidence_delete(evidence=evidence, user=request.user)
    except ScoreError as exc:
        return _evidence_list(request, assessment, sub_code, error=str(exc), status=400)
    return _evidence_list(request, assessment, sub_code)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, code, period):
    """GET: what will be handed over (the total, items still without points, explanation or
    evidence), with the button that submits. POST: submit."""
    assessment = assessment_or_404(request, code, period)
    if request.method == "GET":
        return sheet_page(request, code, period, "scoring/assessments/submit_confirm.html")
    try:
        problems = assessment_submit(assessment=assessment, user=request.user)
    except ScoreError as exc:
        problems = [Problem(None, None, str(exc))]
    if problems:
        return sheet_page(
            request,
            code,
            period,
            "scoring/assessments/self_assessment.html",
            problems=problems,
            status=400,
        )
    messages.success(
        request,
        _("The self-assessment of %(unit)s for %(period)s was submitted for appraisal.")
        % {"unit": assessment.unit.name, "period": assessment.period.code},
    )
    return redirect("self-assessment", code=code, period=period)
