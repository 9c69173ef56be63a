"""/assessments/… (the commune's self-assessment, views.py) and /appraisal/… (the appraiser's
overview and sheet, appraisal_views.py)."""

from django.urls import path

from scoring.assessments import appraisal_views, history_views, views

ASSESSMENT = "assessments/<str:code>/<str:period>/"
APPRAISAL = "appraisal/<str:code>/<str:period>/"

urlpatterns = [
    path("assessments/", views.my_assessments, name="my-assessments"),
    path(ASSESSMENT, views.self_assessment, name="self-assessment"),
    path(ASSESSMENT + "submit/", views.submit, name="self-assessment-submit"),
    path(
        ASSESSMENT + "history/",
        history_views.self_assessment_history,
        name="self-assessment-history",
    ),
    path(ASSESSMENT + "scores/<str:sub_code>/", views.score_save, name="score-save"),
    path(
        ASSESSMENT + "scores/<str:sub_code>/evidence/",
        views.evidence_upload,
        name="evidence-upload",
    ),
    path(
        ASSESSMENT + "evidence/<int:pk>/remove/",
        views.evidence_remove,
        name="evidence-remove",
    ),
    path("appraisal/", appraisal_views.overview, name="appraisal-overview"),
    path(APPRAISAL, appraisal_views.appraisal_sheet, name="appraisal-sheet"),
    path(APPRAISAL + "history/", history_views.appraisal_history, name="appraisal-history"),
    path(APPRAISAL + "return/", appraisal_views.appraisal_return, name="appraisal-return"),
    path(APPRAISAL + "finish/", appraisal_views.appraisal_finish, name="appraisal-finish"),
]
