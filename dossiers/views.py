"""Pages for monthly statistics: the year's table, a month's form, upload with preview."""

import datetime
import uuid
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communes import selectors
from communes.models import Level
from core.files import UnreadableFile, table_precheck, upload_size_problem
from dossiers.forms import MonthForm, UploadForm
from dossiers.jobs import IMPORTS_DIR, import_job_confirm, import_job_start, runs_in_background
from dossiers.metrics import COUNTER_FIELDS, COUNTER_GROUPS
from dossiers.models import DossierReport, ImportJob
from dossiers.rules import statistics_refusal
from dossiers.selectors import year_table
from dossiers.services import dossier_file_import, dossier_reports_save
from dossiers.spreadsheet import monthly_template
from dossiers.validation import parse_month

PENDING = "pending_dossier_uploads"


def _commune(request, code):
    commune = selectors.visible_unit(request.user, code, level=Level.COMMUNE)
    if commune is None:
        raise Http404
    return commune


def _writable(request, commune):
    refusal = statistics_refusal(request.user, commune)
    if refusal:
        raise PermissionDenied(refusal.message)


# Statistics are kept from the one-stop shops' first years to next year's planning.
FIRST_YEAR = 2000


def _year(request):
    """The year asked for, or this year when it is not one the statistics could be about."""
    this_year = datetime.date.today().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if FIRST_YEAR <= year <= this_year + 1 else this_year


@login_required
def statistics(request, code):
    commune = _commune(request, code)
    return _statistics_page(request, commune, _year(request), UploadForm())


def _statistics_page(request, commune, year, upload_form, problems=(), status=200):
    return render(
        request,
        "dossiers/statistics.html",
        {
            "commune": commune,
            "year": year,
            "months": year_table(commune, year),
            "years": range(datetime.date.today().year, datetime.date.today().year - 6, -1),
            "can_write": statistics_refusal(request.user, commune) is None,
            "upload_form": upload_form,
            "problems": problems,
            "counters": COUNTER_FIELDS,
        },
        status=status,
    )


@login_required
def month_edit(request, code, month):
    commune = _commune(request, code)
    _writable(request, commune)
    first_day, error = parse_month(month)
    if error:
        raise Http404
    existing = DossierReport.objects.filter(commune=commune, month=first_day).first()
    if request.method == "POST":
        form = MonthForm(request.POST)
        if form.is_valid():
            record = {"commune_code": commune.code, "month": month, **form.cleaned_data}
            result = dossier_reports_save(records=[(1, record)], user=request.user, reason="form")
            if result.ok:
                messages.success(request, _("%(month)s saved.") % {"month": f"{first_day:%m/%Y}"})
                return redirect(f"{request.path.rsplit('/', 2)[0]}/?year={first_day.year}")
            for problem in result.problems:
                field = (problem.column or "").split(",")[0]
                form.add_error(field if field in form.fields else None, str(problem.message))
        status = 400
    else:
        form = MonthForm(initial=existing.counters() if existing else {})
        status = 200
    return render(
        request,
        "dossiers/month_form.html",
        {
            "commune": commune,
            "month": first_day,
            "form": form,
            "groups": [(label, [form[name] for name in names]) for label, names in COUNTER_GROUPS],
            "existing": existing,
            "history": existing.history.select_related("history_user")[:10] if existing else [],
        },
        status=status,
    )


@login_required
@require_POST
def upload(request, code):
    commune = _commune(request, code)
    _writable(request, commune)
    form = UploadForm(request.POST, request.FILES)
    year = _year(request)
    if not form.is_valid():
        return _statistics_page(request, commune, year, form, status=400)
    upload_file = form.cleaned_data["file"]
    too_large = upload_size_problem(upload_file.size)
    if too_large:
        form.add_error("file", str(too_large.message))
        return _statistics_page(request, commune, year, form, status=400)
    content = upload_file.read()
    if runs_in_background(len(content)):
        try:
            table_precheck(upload_file.name, content)  # refused at once what costs no reading
        except UnreadableFile as exc:
            form.add_error("file", str(exc))
            return _statistics_page(request, commune, year, form, status=400)
        job = import_job_start(
            user=request.user,
            file_name=upload_file.name,
            content=content,
            dry_run=True,
            commune=commune,
        )
        return redirect("dossier-import-job", commune.code, job.pk)
    preview = dossier_file_import(
        file_name=upload_file.name, content=content, user=request.user, dry_run=True
    )
    if not preview.ok:
        return _statistics_page(request, commune, year, form, problems=preview.problems, status=400)
    # Kept in the shared media storage, not in one server's memory, until confirmed.
    token = uuid.uuid4().hex
    suffix = PurePath(upload_file.name).suffix.lower()
    stored = default_storage.save(f"{IMPORTS_DIR}/{token}{suffix}", ContentFile(content))
    request.session.setdefault(PENDING, {})[token] = {
        "path": stored,
        "name": upload_file.name,
        "commune": commune.code,
        # After confirming, the page shows the year the file was about.
        "year": max(r.month for r in preview.rows).year,
    }
    request.session.modified = True
    replaced = set(
        DossierReport.objects.filter(
            commune_id__in={r.commune_id for r in preview.rows},
            month__in={r.month for r in preview.rows},
        ).values_list("commune_id", "month")
    )
    rows = [{"row": r, "replace": (r.commune_id, r.month) in replaced} for r in preview.rows]
    return render(
        request,
        "dossiers/preview.html",
        {
            "commune": commune,
            "preview": preview,
            "rows": rows,
            "token": token,
            "file_name": upload_file.name,
            "counters": COUNTER_FIELDS,
        },
    )


@login_required
@require_POST
def upload_confirm(request, code, token):
    commune = _commune(request, code)
    _writable(request, commune)
    pending = request.session.get(PENDING, {}).pop(token, None)
    request.session.modified = True
    if pending is None or pending["commune"] != commune.code:
        raise Http404
    with default_storage.open(pending["path"], "rb") as handle:
        content = handle.read()
    default_storage.delete(pending["path"])
    result = dossier_file_import(file_name=pending["name"], content=content, user=request.user)
    if not result.ok:  # the data changed since the preview
        return _statistics_page(
            request, commune, _year(request), UploadForm(), problems=result.problems, status=400
        )
    messages.success(
        request,
        _("%(created)d months added and %(updated)d replaced. The ranking follows within a moment.")
        % {"created": result.created, "updated": result.updated},
    )
    year = pending.get("year") or _year(request)
    return redirect(f"{reverse('dossier-statistics', args=[commune.code])}?year={year}")


def _job(request, commune, job_id) -> ImportJob:
    job = ImportJob.objects.visible_to(request.user).filter(pk=job_id, commune=commune).first()
    if job is None:
        raise Http404
    return job


@login_required
def import_job(request, code, job_id):
    """A large file being read by a worker: a progress bar the page refreshes, then the
    outcome (problems, or what confirming would save, or what was saved)."""
    commune = _commune(request, code)
    job = _job(request, commune, job_id)
    template = "dossiers/_import_job.html" if request.htmx else "dossiers/import_job.html"
    return render(request, template, {"commune": commune, "job": job})


@login_required
@require_POST
def import_job_confirm_view(request, code, job_id):
    commune = _commune(request, code)
    _writable(request, commune)
    follow = import_job_confirm(job=_job(request, commune, job_id), user=request.user)
    if follow is None:
        messages.error(request, _("This file can no longer be saved; upload it again."))
        return redirect("dossier-statistics", commune.code)
    return redirect("dossier-import-job", commune.code, follow.pk)


@login_required
def template_download(request, code):
    commune = _commune(request, code)
    year = _year(request)
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    reports = DossierReport.objects.filter(commune=commune, month__year=year)
    response = HttpResponse(
        monthly_template(commune, months, reports),
        content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
    response["Content-Disposition"] = (
        f'attachment; filename="mau-so-lieu-{commune.code}-{year}.xlsx"'
    )
    return response
