"""/notices/…"""

from django.urls import path

from notices import views

urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_open, name="notice-open"),
    path("notices/read/", views.notices_read, name="notices-read"),
    path("notices/preference/", views.notice_preference, name="notice-preference"),
]
