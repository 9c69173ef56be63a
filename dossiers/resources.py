"""django-import-export resource: the export of monthly statistics in the import's columns."""

from import_export import fields, resources, widgets

from dossiers.columns import ALL_COLUMNS
from dossiers.models import DossierReport


class MonthWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return f"{value:%Y-%m}" if value else ""


class DossierReportResource(resources.ModelResource):
    commune_code = fields.Field(attribute="commune__code", column_name="commune_code")
    month = fields.Field(attribute="month", column_name="month", widget=MonthWidget())

    class Meta:
        model = DossierReport
        fields = ALL_COLUMNS
        export_order = ALL_COLUMNS

    def get_export_queryset(self, request=None, **kwargs):
        return super().get_export_queryset(request, **kwargs).select_related("commune")
