from django.urls import path

from . import appraisal_views, assessment_views, framework_views, views

ASSESSMENT = "assessments/<str:code>/<str:period>/"
APPRAISAL = "appraisal/<str:code>/<str:period>/"

urlpatterns = [
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/export.xlsx", views.rankings_export, name="rankings-export"),
    path("charts/", views.charts, name="charts"),
    path("units/<str:code>/", views.unit_page, name="unit-profile"),
    # Self-assessment (commune officers)
    path("assessments/", assessment_views.my_assessments, name="my-assessments"),
    path(ASSESSMENT, assessment_views.self_assessment, name="self-assessment"),
    path(ASSESSMENT + "submit/", assessment_views.submit, name="self-assessment-submit"),
    path(
        ASSESSMENT + "scores/<str:sub_code>/",
        assessment_views.score_save,
        name="score-save",
    ),
    path(
        ASSESSMENT + "scores/<str:sub_code>/evidence/",
        assessment_views.evidence_upload,
        name="evidence-upload",
    ),
    path(
        ASSESSMENT + "evidence/<int:pk>/remove/",
        assessment_views.evidence_remove,
        name="evidence-remove",
    ),
    # Appraisal
    path("appraisal/", appraisal_views.overview, name="appraisal-overview"),
    path(APPRAISAL, assessment_views.appraisal_sheet, name="appraisal-sheet"),
    path(APPRAISAL + "return/", assessment_views.appraisal_return, name="appraisal-return"),
    path(APPRAISAL + "finish/", assessment_views.appraisal_finish, name="appraisal-finish"),
    # Frameworks
    path("frameworks/", framework_views.framework_list, name="frameworks"),
    path("frameworks/<int:pk>/", framework_views.framework_detail, name="framework-detail"),
    path(
        "frameworks/<int:pk>/download.<str:kind>",
        framework_views.framework_download,
        name="framework-download",
    ),
]
