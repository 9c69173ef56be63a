"""/api/v1/dossier-reports/…"""

from dossiers.api import DossierReportViewSet

routes = [("dossier-reports", DossierReportViewSet, "dossier-report")]
urlpatterns = []
