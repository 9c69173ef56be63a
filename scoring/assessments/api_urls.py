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
from scoring.rankings.what_if_api import WhatIfView

routes = [
    ("assessments", AssessmentViewSet, "assessment"),
    ("evidence", EvidenceViewSet, "evidence"),
]
# One assessment is named by its unit and period; each of its resources hangs below it.
ASSESSMENT = "assessments/<str:unit_code>/<str:period>/"
urlpatterns = [
    path(ASSESSMENT + suffix, view.as_view(), name=name)
    for suffix, view, name in (
        ("adjustments/", AdjustmentsView, "assessment-adjustments"),
        ("history/", AssessmentHistoryView, "assessment-history"),
        ("scorecard.pdf", ScorecardView, "assessment-scorecard"),
        ("status/", AssessmentStatusView, "assessment-status"),
        ("scores/", ScoresView, "assessment-scores"),
        ("scores/<str:sub_code>/evidence/", ScoreEvidenceView, "score-evidence"),
        ("what-if/", WhatIfView, "assessment-what-if"),
    )
]
