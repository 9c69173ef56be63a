from django.contrib import admin

from core.admin import ReadOnlyAdmin
from notices.models import Notice, NoticePreference


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "recipient__email")


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email", "language")
    list_filter = ("email", "language")
    search_fields = ("user__username",)
