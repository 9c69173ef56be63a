from django.urls import path

from dossiers import export_views, views

urlpatterns = [
    path("dossiers/export/", export_views.export_upload, name="dossier-export"),
    path("dossiers/<str:code>/", views.statistics, name="dossier-statistics"),
    path("dossiers/<str:code>/template.xlsx", views.template_download, name="dossier-template"),
    path("dossiers/<str:code>/upload/", views.upload, name="dossier-upload"),
    path(
        "dossiers/<str:code>/upload/<str:token>/confirm/",
        views.upload_confirm,
        name="dossier-upload-confirm",
    ),
    path("dossiers/<str:code>/imports/<uuid:job_id>/", views.import_job, name="dossier-import-job"),
    path(
        "dossiers/<str:code>/imports/<uuid:job_id>/confirm/",
        views.import_job_confirm_view,
        name="dossier-import-job-confirm",
    ),
    path("dossiers/<str:code>/<str:month>/", views.month_edit, name="dossier-month"),
]
