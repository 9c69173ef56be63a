import django_filters
from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from communes import selectors
from communes.models import AdministrativeUnit, Level
from core.api.viewsets import ScopedViewSetMixin


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", allow_null=True, read_only=True)

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "level", "parent_code", "valid_from", "valid_to"]


class UnitFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    parent = django_filters.CharFilter(field_name="parent__code", help_text="Parent unit code")
    valid_on = django_filters.DateFilter(method="filter_valid_on", help_text="YYYY-MM-DD")
    q = django_filters.CharFilter(method="filter_q", help_text="Part of the name or the code")

    class Meta:
        model = AdministrativeUnit
        fields = ["level", "parent", "valid_on", "q"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


@extend_schema_view(
    list=extend_schema(summary="Units you may see", tags=["units"]),
    retrieve=extend_schema(
        summary="One unit by its official code (its latest version)", tags=["units"]
    ),
)
class UnitViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = AdministrativeUnit.objects.select_related("parent")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    lookup_field = "code"
    lookup_value_regex = r"\d{2,5}"
    ordering_fields = ["code", "name", "valid_from"]
    ordering = ["code", "valid_from"]

    def get_object(self):
        unit = selectors.visible_unit(self.request.user, self.kwargs["code"])
        if unit is None:
            raise Http404
        return unit
