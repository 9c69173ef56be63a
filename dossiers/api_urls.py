"""/api/v1/dossier-reports/… and /api/v1/export-mappings/"""

from django.urls import path

from dossiers.api import DossierReportViewSet
from dossiers.export_api import ExportImportView, ExportMappingViewSet

routes = [
    ("dossier-reports", DossierReportViewSet, "dossier-report"),
    ("export-mappings", ExportMappingViewSet, "export-mapping"),
]
urlpatterns = [
    path(
        "dossier-reports/import-export/",
        ExportImportView.as_view(),
        name="dossier-report-import-export",
    ),
]
