from django.contrib import admin

from communes.models import AdministrativeUnit, Membership, UnitLineage


class PredecessorInline(admin.TabularInline):
    """The units this one took in (loaded by load_lineage; read here, never typed)."""

    model = UnitLineage
    fk_name = "successor"
    fields = ("predecessor", "merge")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind", "valid_from", "valid_to")
    readonly_fields = ("kind",)
    inlines = [PredecessorInline]
    search_fields = ("code", "name", "parent__name", "parent__code")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "created_at")
    list_filter = ("role", "unit__level")
    search_fields = ("user__username", "unit__code", "unit__name")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit")
    readonly_fields = ("created_at",)
