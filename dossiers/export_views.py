"""/dossiers/export/: a month of a one-stop software export, uploaded as it comes (#17).

Upload → check (the file kept in the shared storage under a token) → confirm the unit names
written differently from the unit list, if any → check again → save. Nothing is written before
the last step, and the last step checks everything once more."""

import uuid
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communes.models import AdministrativeUnit
from core.files import upload_size_problem
from dossiers.export_import import export_import
from dossiers.jobs import IMPORTS_DIR
from dossiers.models import DossierReport, ExportMapping
from dossiers.rules import statistics_writable_units
from dossiers.validation import parse_month

PENDING = "pending_export_uploads"


class ExportForm(forms.Form):
    mapping = forms.ModelChoiceField(
        label=gettext_lazy("Source system"),
        queryset=ExportMapping.objects.all(),
        empty_label=None,
        help_text=gettext_lazy("How its export reads: chosen once by an administrator."),
    )
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
        help_text=gettext_lazy("Only when the export's title does not state it."),
    )
    file = forms.FileField(
        label=gettext_lazy("The export (Excel or CSV)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_month(self):
        text = self.cleaned_data["month"].strip()
        if not text:
            return None
        month, error = parse_month(text)
        if error:
            raise forms.ValidationError(error)
        return month


def _pending(request, token):
    return request.session.get(PENDING, {}).get(token) if token else None


def _keep(request, name: str, content: bytes) -> str:
    """The file in the shared media storage (not one server's memory) until saved."""
    token = uuid.uuid4().hex
    suffix = PurePath(name).suffix.lower()
    path = default_storage.save(f"{IMPORTS_DIR}/{token}{suffix}", ContentFile(content))
    request.session.setdefault(PENDING, {})[token] = {"path": path, "name": name}
    request.session.modified = True
    return token


@login_required
def export_upload(request):
    if not statistics_writable_units(request.user).exists():
        raise Http404  # nobody else learns of the page
    form = ExportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "mappings": ExportMapping.objects.all()}
    if request.method != "POST" or not form.is_valid():
        return render(request, "dossiers/export_import.html", context, status=_status(request))
    token = request.POST.get("token", "")
    pending = _pending(request, token)
    upload = form.cleaned_data["file"]
    if upload is not None:
        if too_large := upload_size_problem(upload.size):
            form.add_error("file", str(too_large.message))
            return render(request, "dossiers/export_import.html", context, status=400)
        token = _keep(request, upload.name, upload.read())
        pending = _pending(request, token)
    elif pending is None:
        form.add_error("file", _("Choose the export to upload."))
        return render(request, "dossiers/export_import.html", context, status=400)
    with default_storage.open(pending["path"], "rb") as handle:
        content = handle.read()
    save = "save" in request.POST
    result = export_import(
        file_name=pending["name"],
        content=content,
        mapping=form.cleaned_data["mapping"],
        user=request.user,
        month=form.cleaned_data["month"],
        confirmed=request.POST.getlist("confirm"),
        dry_run=not save,
    )
    if save and result.ok:
        default_storage.delete(pending["path"])
        request.session[PENDING].pop(token, None)
        request.session.modified = True
        messages.success(
            request,
            _(
                "%(created)d months added, %(updated)d replaced and %(unchanged)d unchanged. "
                "The rankings follow within a moment."
            )
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
        return redirect("dossier-export")
    asked = {p.row for p in result.to_confirm}
    context.update(
        result=result,
        # A name awaiting confirmation is asked below, not listed as a fault of the file.
        problems=[
            p for p in result.problems if not (p.column == "commune_code" and p.row in asked)
        ],
        token=token,
        file_name=pending["name"],
        confirmed=request.POST.getlist("confirm"),
        rows=_preview_rows(result) if result.ok else [],
    )
    return render(request, "dossiers/export_import.html", context, status=200 if result.ok else 400)


def _status(request) -> int:
    return 400 if request.method == "POST" else 200


def _preview_rows(result) -> list[dict]:
    replaced = set(
        DossierReport.objects.filter(
            commune_id__in={r.commune_id for r in result.rows},
            month__in={r.month for r in result.rows},
        ).values_list("commune_id", "month")
    )
    names = dict(
        AdministrativeUnit.objects.filter(pk__in={r.commune_id for r in result.rows}).values_list(
            "pk", "name"
        )
    )
    return [
        {
            "row": r,
            "name": names.get(r.commune_id, ""),
            "replace": (r.commune_id, r.month) in replaced,
        }
        for r in result.rows
    ]
