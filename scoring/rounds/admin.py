"""The admin of rounds and publications: read only, since rounds run from their page and the API
where the rules are checked; an administrator may reopen published results, saying why."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin
from scoring.models import Extension, Publication, Reopening, Round
from scoring.rankings.publication import PublicationRefused, publication_reopen


class ExtensionInline(admin.TabularInline):
    model = Extension
    extra = 0
    fields = ("unit", "until", "reason", "granted_by", "granted_at")
    readonly_fields = ("unit", "granted_by", "granted_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """Rounds are run from their page (/rounds/) and the API, where the rules are checked."""

    list_display = ("framework", "period", "self_assessment_due", "appraisal_due", "opened_at")
    list_filter = ("period",)
    search_fields = ("framework__code", "framework__issuer__name")
    inlines = [ExtensionInline]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are the results reopened?"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=_("Kept for good and shown in every assessment's history of the group."),
    )


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = (
        "framework",
        "period",
        "decision_number",
        "decision_date",
        "signer",
        "published_at",
        "reopen_link",
    )
    list_filter = ("period",)
    search_fields = ("decision_number", "framework__code", "framework__issuer__name")

    @admin.display(description=_("reopen"))
    def reopen_link(self, publication):
        url = reverse("admin:scoring_publication_reopen", args=[publication.pk])
        return format_html('<a href="{}">{}</a>', url, _("Reopen…"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/reopen/",
                self.admin_site.admin_view(self.reopen_view),
                name="scoring_publication_reopen",
            ),
            *super().get_urls(),
        ]

    def reopen_view(self, request, pk):
        if not request.user.is_superuser:
            raise PermissionDenied
        publication = get_object_or_404(
            Publication.objects.select_related("framework__issuer", "period"), pk=pk
        )
        form = ReopenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                publication_reopen(
                    publication=publication,
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except PublicationRefused as exc:
                for problem in exc.problems:
                    form.add_error("reason", problem.message)
            else:
                messages.success(
                    request,
                    _("Decision %(number)s withdrawn: the results of %(group)s may change again.")
                    % {"number": publication.decision_number, "group": publication.framework},
                )
                return redirect("admin:scoring_reopening_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reopen published results"),
            "publication": publication,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/scoring/publication_reopen.html", context)


@admin.register(Reopening)
class ReopeningAdmin(ReadOnlyAdmin):
    list_display = (
        "framework",
        "period",
        "decision_number",
        "decision_date",
        "reopened_by",
        "reopened_at",
        "reason",
    )
    list_filter = ("period",)
