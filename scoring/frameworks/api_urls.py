"""/api/v1/frameworks/… and /api/v1/periods/…"""

from scoring.frameworks.api import FrameworkViewSet, PeriodViewSet

routes = [
    ("frameworks", FrameworkViewSet, "framework"),
    ("periods", PeriodViewSet, "period"),
]
urlpatterns = []
