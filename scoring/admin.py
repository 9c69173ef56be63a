from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin
from scoring.frameworks.document import sub_criterion_document, sub_criterion_problems
from scoring.frameworks.services import framework_changed, framework_frozen
from scoring.models import (
    Adjustment,
    Area,
    AreaResult,
    Assessment,
    Band,
    DirtyGroup,
    Evidence,
    Framework,
    Period,
    RankingGroup,
    RankingRun,
    Result,
    Score,
    Step,
    SubCriterion,
)

# The admin edits a framework one sub-criterion at a time; every edit is checked by the same
# rules as a JSON or Excel upload (framework_document), so it cannot award 9 points of 5.


# The fields a sub-criterion's rules read (framework_document.sub_criterion_document).
SUB_FIELDS = (
    "code",
    "name",
    "name_en",
    "max_points",
    "method",
    "metric",
    "target_percent",
    "options",
)


class SubCriterionForm(forms.ModelForm):
    """Checks a sub-criterion with its stored steps (the step editor checks its own)."""

    steps_edited_alongside = False

    class Meta:
        model = SubCriterion
        fields = ("framework", "area", "position", *SUB_FIELDS)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        sub = SubCriterion(**{k: v for k, v in data.items() if k in SUB_FIELDS})
        if self.instance.pk and self.instance.has_items:
            # An item made of items: its maximum, within what its items can earn together.
            sub.has_items = True
            items_max = sum((i.max_points for i in self.instance.items.all()), Decimal(0))
            problems = sub_criterion_problems(sub_criterion_document(sub), items_max)
            if problems:
                raise forms.ValidationError(problems)
            return data
        if self.steps_edited_alongside:
            # The step editor on the same page checks the steps as they will be saved; here a
            # neutral step (0 % → 0 points) stands in for them.
            steps = [(0, 0)]
        elif self.instance.pk:
            steps = [(s.threshold_percent, s.points) for s in self.instance.steps.all()]
        else:
            steps = []
        problems = sub_criterion_problems(sub_criterion_document(sub, steps))
        if problems:
            raise forms.ValidationError(problems)
        return data


class SubCriterionWithStepsForm(SubCriterionForm):
    steps_edited_alongside = True


class StepFormSet(forms.BaseInlineFormSet):
    """The steps as they will be saved, checked together with their sub-criterion."""

    def clean(self):
        super().clean()
        if any(self.errors) or not self.instance.method:
            return
        steps = [
            (form.cleaned_data["threshold_percent"], form.cleaned_data["points"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = sub_criterion_problems(sub_criterion_document(self.instance, steps))
        if problems:
            raise forms.ValidationError(problems)


def _framework_of(obj):
    """The framework an admin object belongs to (itself, an area, a sub-criterion, a step)."""
    if obj is None or isinstance(obj, Framework):
        return obj
    if isinstance(obj, Step):
        return obj.sub_criterion.framework
    return getattr(obj, "framework", None)


class FrozenWhenPublished:
    """Admins and inlines of a framework's parts: read only once its results are published."""

    def has_change_permission(self, request, obj=None):
        return not framework_frozen(_framework_of(obj)) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not framework_frozen(_framework_of(obj)) and super().has_delete_permission(
            request, obj
        )

    def has_add_permission(self, request, *args):
        obj = args[0] if args else None
        return not framework_frozen(_framework_of(obj)) and super().has_add_permission(
            request, *args
        )


class BandInline(FrozenWhenPublished, admin.TabularInline):
    """The framework's own bands; a ranking group's bands are shown on the group."""

    model = Band
    extra = 0
    exclude = ("ranking_group",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(ranking_group__isnull=True)


class RankingGroupInline(admin.TabularInline):
    """Ranking groups by kind are part of the framework document (JSON or Excel): they decide
    who is ranked with whom, so they change only by loading the framework again."""

    model = RankingGroup
    extra = 0
    fields = ("position", "code", "name", "name_en", "kinds_listed")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("unit kinds"))
    def kinds_listed(self, group):
        return ", ".join(k.get_kind_display() for k in group.kinds.all())


class GroupBandInline(admin.TabularInline):
    model = Band
    fk_name = "ranking_group"
    extra = 0
    fields = ("label", "label_en", "min_percent")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RankingGroup)
class RankingGroupAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "framework")
    list_filter = ("framework__year",)
    search_fields = ("code", "name", "framework__code")
    inlines = [GroupBandInline]

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff


class AreaInline(FrozenWhenPublished, admin.TabularInline):
    model = Area
    extra = 0
    readonly_fields = ("max_points",)
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ("code", "year", "issuer", "level", "max_points", "updated_at")
    list_filter = ("year", "level")
    search_fields = ("code", "name", "issuer__name", "issuer__code")
    readonly_fields = ("max_points", "document", "created_at", "updated_at")
    autocomplete_fields = ("issuer",)
    inlines = [BandInline, RankingGroupInline, AreaInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        framework_changed(form.instance)


class SubCriterionInline(FrozenWhenPublished, admin.TabularInline):
    model = SubCriterion
    form = SubCriterionForm
    extra = 0
    fields = (
        "position",
        "code",
        "name",
        "max_points",
        "method",
        "metric",
        "target_percent",
        "parent",
    )
    # The tree is the framework document's (JSON or workbook); the admin corrects its items.
    readonly_fields = ("parent",)
    show_change_link = True


@admin.register(Area)
class AreaAdmin(FrozenWhenPublished, admin.ModelAdmin):
    list_display = ("code", "name", "framework", "max_points")
    list_filter = ("framework__year",)
    search_fields = ("code", "name", "framework__code")
    readonly_fields = ("max_points",)
    inlines = [SubCriterionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        framework_changed(form.instance.framework)


class StepInline(FrozenWhenPublished, admin.TabularInline):
    model = Step
    formset = StepFormSet
    extra = 0


@admin.register(SubCriterion)
class SubCriterionAdmin(FrozenWhenPublished, admin.ModelAdmin):
    form = SubCriterionWithStepsForm
    list_display = ("code", "name", "framework", "max_points", "method", "metric")
    list_filter = ("method", "metric", "framework__year")
    search_fields = ("code", "name", "framework__code")
    readonly_fields = ("parent", "depth", "has_items")
    inlines = [StepInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        framework_changed(form.instance.framework)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "year", "start", "end")
    list_filter = ("kind", "year")
    search_fields = ("code",)


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    fields = (
        "sub_criterion",
        "self_points",
        "appraised_points",
        "metric_value",
        "derived_points",
        "points",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("unit", "framework", "period", "status", "updated_at")
    list_filter = ("status", "period", "framework__year")
    search_fields = ("unit__code", "unit__name", "framework__code")
    list_select_related = ("unit", "framework__issuer", "period")
    readonly_fields = ("unit", "framework", "period", "created_at", "updated_at", "submitted_at")
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = (
        "assessment",
        "sub_criterion",
        "self_points",
        "appraised_points",
        "metric_value",
        "derived_points",
        "points",
    )
    list_filter = ("assessment__period", "sub_criterion__method")
    search_fields = ("assessment__unit__code", "assessment__unit__name", "sub_criterion__code")
    list_select_related = ("assessment__unit", "assessment__period", "sub_criterion")


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "kind", "points", "reason", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("assessment__unit__code", "reason")


class AreaResultInline(admin.TabularInline):
    model = AreaResult
    extra = 0
    readonly_fields = ("area", "points", "max_points", "percent")
    can_delete = False


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = (
        "unit",
        "period",
        "framework",
        "index_percent",
        "band_label",
        "rank",
        "previous_rank",
        "provisional",
        "computed_at",
    )
    list_filter = (
        "period",
        "provisional",
        "band_label",
        ("framework__issuer", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("unit__code", "unit__name")
    list_select_related = ("unit", "period", "framework__issuer")
    inlines = [AreaResultInline]


@admin.register(RankingRun)
class RankingRunAdmin(ReadOnlyAdmin):
    list_display = (
        "framework",
        "period",
        "status",
        "trigger",
        "started_at",
        "finished_at",
        "results_count",
    )
    list_filter = ("status", "trigger")
    search_fields = ("framework__code", "error")


@admin.register(DirtyGroup)
class DirtyGroupAdmin(ReadOnlyAdmin):
    list_display = ("framework", "period", "version", "marked_at")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "score", "content_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type", "score__assessment__period")
    search_fields = (
        "original_name",
        "score__assessment__unit__code",
        "score__assessment__unit__name",
    )
    list_select_related = ("score__assessment__unit", "score__sub_criterion", "uploaded_by")


# Rounds, extensions, publications and reopenings (registered on import).
from scoring.rounds import admin as _rounds_admin  # noqa: E402, F401
