from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from communes.models import AdministrativeUnit, Level
from dossiers.exports import EXPORT_FIELDS, REQUIRED_EXPORT_FIELDS, header_key
from dossiers.models import DossierReport, ExportMapping, UnitNameAlias
from dossiers.resources import DossierReportResource


@admin.register(DossierReport)
class DossierReportAdmin(ExportMixin, SimpleHistoryAdmin):
    """Read and export; writes go through the import service so every rule applies."""

    resource_classes = [DossierReportResource]
    list_display = (
        "commune",
        "month",
        "received",
        "resolved_early",
        "resolved_on_time",
        "resolved_late",
        "online_full",
        "online_partial",
        "updated_by",
        "updated_at",
    )
    list_filter = (
        "month",
        ("commune__parent__parent", admin.RelatedOnlyFieldListFilter),
        ("commune__parent", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("commune__code", "commune__name")
    date_hierarchy = "month"
    list_select_related = ("commune", "updated_by")
    readonly_fields = ("created_at", "updated_at", "updated_by")

    def get_queryset(self, request):
        visible = AdministrativeUnit.objects.visible_to(request.user)
        return super().get_queryset(request).filter(commune__in=visible)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _ExportMappingForm(forms.ModelForm):
    """One field per figure: the header that holds it, as the export prints it (the fields are
    declared on the class below: the admin checks its fieldsets against declared fields)."""

    class Meta:
        model = ExportMapping
        fields = ("name", "scope", "in_period_includes_online", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in (self.instance.columns or {}).items():
            self.initial.setdefault(f"column_{name}", text)
        self.fields["scope"].queryset = AdministrativeUnit.objects.filter(level=Level.PROVINCE)

    def clean(self):
        cleaned = super().clean()
        seen = {}
        for name in EXPORT_FIELDS:
            text = (cleaned.get(f"column_{name}") or "").strip()
            if not text:
                continue
            if header_key(text) in seen:
                self.add_error(
                    f"column_{name}",
                    _("“%(header)s” already holds %(other)s")
                    % {"header": text, "other": EXPORT_FIELDS[seen[header_key(text)]]},
                )
            seen[header_key(text)] = name
        return cleaned

    def save(self, commit=True):
        self.instance.columns = {
            name: self.cleaned_data[f"column_{name}"].strip()
            for name in EXPORT_FIELDS
            if (self.cleaned_data.get(f"column_{name}") or "").strip()
        }
        return super().save(commit)


ExportMappingForm = type(
    "ExportMappingForm",
    (_ExportMappingForm,),
    {
        f"column_{name}": forms.CharField(
            label=label, required=name in REQUIRED_EXPORT_FIELDS, max_length=200
        )
        for name, label in EXPORT_FIELDS.items()
    },
)


class UnitNameAliasInline(admin.TabularInline):
    model = UnitNameAlias
    extra = 0
    fields = ("text", "unit", "confirmed_by", "confirmed_at")
    readonly_fields = ("confirmed_by", "confirmed_at")
    raw_id_fields = ("unit",)


@admin.register(ExportMapping)
class ExportMappingAdmin(SimpleHistoryAdmin):
    """The source systems whose exports are imported, chosen once; the names confirmed for each
    are listed (and can be removed) below."""

    form = ExportMappingForm
    list_display = ("name", "scope", "in_period_includes_online", "updated_at")
    inlines = [UnitNameAliasInline]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ("name", "scope", "in_period_includes_online", "note")}),
            (
                _("Columns"),
                {
                    "fields": [f"column_{name}" for name in EXPORT_FIELDS],
                    "description": _(
                        "The header of each figure as the export prints it; a column under a "
                        "heading is written “Heading / Column”, for example “Đã xử lý / Quá hạn”."
                    ),
                },
            ),
        ]
