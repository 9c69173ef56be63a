"""/api/v1/assessments/… (with scores and their evidence) and /api/v1/evidence/…"""

from django.urls import path

from scoring.assessments.adjustments_api import AdjustmentsView
from scoring.assessments.api import (
    AssessmentViewSet,
    EvidenceViewSet,
    ScoreEvidenceView,
    ScoresView,
)
from scoring.assessments.history_api import AssessmentHistoryView, ScorecardView
from scoring.assessments.status_api import AssessmentStatusView

routes = [
    ("assessments", AssessmentViewSet, "assessment"),
    ("evidence", EvidenceViewSet, "evidence"),
]
urlpatterns = [
    path(
        "assessments/<str:unit_code>/<str:period>/adjustments/",
        AdjustmentsView.as_view(),
        name="assessment-adjustments",
    ),
    path(
        "assessments/<str:unit_code>/<str:period>/history/",
        AssessmentHistoryView.as_view(),
        name="assessment-history",
    ),
    path(
        "assessments/<str:unit_code>/<str:period>/scorecard.pdf",
        ScorecardView.as_view(),
        name="assessment-scorecard",
    ),
    path(
        "assessments/<str:unit_code>/<str:period>/status/",
        AssessmentStatusView.as_view(),
        name="assessment-status",
    ),
    path(
        "assessments/<str:unit_code>/<str:period>/scores/",
        ScoresView.as_view(),
        name="assessment-scores",
    ),
    path(
        "assessments/<str:unit_code>/<str:period>/scores/<str:sub_code>/evidence/",
        ScoreEvidenceView.as_view(),
        name="score-evidence",
    ),
]
