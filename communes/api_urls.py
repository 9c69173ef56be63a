"""/api/v1/units/…"""

from communes.api import UnitViewSet

routes = [("units", UnitViewSet, "unit")]
urlpatterns = []
