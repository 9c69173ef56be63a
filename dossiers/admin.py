from django.contrib import admin
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from communes.models import AdministrativeUnit
from dossiers.models import DossierReport
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
