"""Frameworks in the browser: the list, one framework as a tree, downloads and the upload."""

import datetime
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communes.models import AdministrativeUnit, Level
from core.files import upload_size_problem
from scoring.assessments.rules import APPRAISER_ROLES
from scoring.assessments.sheets import steps_text
from scoring.frameworks.services import FrameworkError, framework_load
from scoring.frameworks.workbook import framework_document, framework_workbook
from scoring.frameworks.workbook_read import WorkbookProblems, document_from_workbook
from scoring.models import Band, Framework

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FrameworkUploadForm(forms.Form):
    issuer = forms.ChoiceField(label=gettext_lazy("Issued by"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1990, max_value=2200)
    file = forms.FileField(
        label=gettext_lazy("Framework file (JSON or Excel)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.xlsx"}),
    )

    def __init__(self, *args, issuers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [(u.code, f"{u.name} ({u.code})") for u in issuers]
        self.fields["year"].initial = datetime.date.today().year


def _issuers(user):
    """Provinces and districts whose appraisers include the user: they may issue frameworks."""
    latest = {}
    for unit in (
        AdministrativeUnit.objects.changeable_by(user, APPRAISER_ROLES)
        .exclude(level=Level.COMMUNE)
        .order_by("level", "name", "valid_from")
    ):
        latest[unit.code] = unit  # a code reused after the reform is listed once
    return list(latest.values())


def _read_document(upload) -> dict:
    """The uploaded file as a framework document; FrameworkError with what is wrong."""
    problem = upload_size_problem(upload.size)
    if problem:
        raise FrameworkError([problem.message])
    name = (upload.name or "").lower()
    content = upload.read()
    if name.endswith(".json"):
        try:
            return json.loads(content.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise FrameworkError([_("The JSON file is not UTF-8 text.")]) from exc
        except json.JSONDecodeError as exc:
            raise FrameworkError(
                [
                    _("The JSON is not valid at line %(line)d, column %(column)d: %(error)s.")
                    % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
                ]
            ) from exc
    if name.endswith(".xlsx"):
        try:
            return document_from_workbook(content)
        except WorkbookProblems as exc:
            raise FrameworkError(exc.problems) from exc
    raise FrameworkError([_("Upload a .json or .xlsx file.")])


@login_required
def framework_list(request):
    issuers = _issuers(request.user)
    form = FrameworkUploadForm(issuers=issuers)
    problems, status = [], 200
    if request.method == "POST":
        if not issuers:
            raise Http404
        form = FrameworkUploadForm(request.POST, request.FILES, issuers=issuers)
        if form.is_valid():
            try:
                document = _read_document(form.cleaned_data["file"])
                framework, replaced = framework_load(
                    document=document,
                    issuer_code=form.cleaned_data["issuer"],
                    year=form.cleaned_data["year"],
                )
            except FrameworkError as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    (
                        _("Framework %(code)s %(year)d was replaced.")
                        if replaced
                        else _("Framework %(code)s %(year)d was loaded.")
                    )
                    % {"code": framework.code, "year": framework.year},
                )
                return redirect("framework-detail", pk=framework.pk)
        status = 400
    frameworks = (
        Framework.objects.visible_to(request.user)
        .select_related("issuer")
        .order_by("-year", "issuer__name", "code")
    )
    return render(
        request,
        "scoring/frameworks/list.html",
        {"frameworks": frameworks, "form": form if issuers else None, "problems": problems},
        status=status,
    )


def _framework(request, pk):
    framework = (
        Framework.objects.visible_to(request.user).select_related("issuer").filter(pk=pk).first()
    )
    if framework is None:
        raise Http404
    return framework


@login_required
def framework_detail(request, pk):
    framework = _framework(request, pk)
    areas = list(framework.areas.prefetch_related("sub_criteria__steps").order_by("position"))
    for area in areas:
        area.rows = [(sub, steps_text(sub)) for sub in area.sub_criteria.all()]
    return render(
        request,
        "scoring/frameworks/detail.html",
        {
            "framework": framework,
            "areas": areas,
            "bands": framework.bands.filter(ranking_group__isnull=True).order_by("-min_percent"),
            "ranking_groups": framework.ranking_groups.prefetch_related(
                "kinds", Prefetch("bands", queryset=Band.objects.order_by("-min_percent"))
            ),
            "used_by": framework.assessments.count(),
            "adjustments": framework.sub_criteria.filter(area__isnull=True).order_by("position"),
        },
    )


@login_required
def framework_download(request, pk, kind):
    if kind not in ("json", "xlsx"):
        raise Http404
    framework = _framework(request, pk)
    document = framework_document(framework)
    name = f"khung-{framework.code}-{framework.issuer.code}-{framework.year}"
    if kind == "json":
        response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    response = HttpResponse(framework_workbook(document), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
