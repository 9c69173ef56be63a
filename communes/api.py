import django_filters
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from communes import selectors
from communes.models import AdministrativeUnit, Kind, Level, Merge
from core.api.viewsets import ScopedViewSetMixin


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", allow_null=True, read_only=True)

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "level", "kind", "parent_code", "valid_from", "valid_to"]


class LinkedUnitSerializer(serializers.Serializer):
    """A predecessor or successor: which unit, when it stood, and how it merged."""

    code = serializers.CharField()
    name = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    merge = serializers.ChoiceField(choices=Merge.choices)


def _linked(links, side: str) -> list[dict]:
    return [
        {
            "code": getattr(link, side).code,
            "name": getattr(link, side).name,
            "valid_from": getattr(link, side).valid_from,
            "valid_to": getattr(link, side).valid_to,
            "merge": link.merge,
        }
        for link in sorted(links, key=lambda link: getattr(link, side).code)
    ]


class UnitDetailSerializer(UnitSerializer):
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "predecessors", "successors"]

    @extend_schema_field(LinkedUnitSerializer(many=True))
    def get_predecessors(self, unit):
        return _linked(unit.predecessor_links.select_related("predecessor"), "predecessor")

    @extend_schema_field(LinkedUnitSerializer(many=True))
    def get_successors(self, unit):
        return _linked(unit.successor_links.select_related("successor"), "successor")


class UnitFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Level.choices)
    kind = django_filters.ChoiceFilter(
        choices=Kind.choices, help_text="xa, phuong, thi_tran or dac_khu (commune-level units)"
    )
    parent = django_filters.CharFilter(field_name="parent__code", help_text="Parent unit code")
    valid_on = django_filters.DateFilter(method="filter_valid_on", help_text="YYYY-MM-DD")
    q = django_filters.CharFilter(method="filter_q", help_text="Part of the name or the code")

    class Meta:
        model = AdministrativeUnit
        fields = ["level", "kind", "parent", "valid_on", "q"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


@extend_schema_view(
    list=extend_schema(summary="Units you may see", tags=["units"]),
    retrieve=extend_schema(
        summary="One unit by its official code, as it stood on a date",
        description="Codes are reused after mergers: `?on=YYYY-MM-DD` names the version valid "
        "that day (404 when none was). Without it, the version valid today, or the latest one "
        "for a unit that no longer exists. With its predecessors and successors.",
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description="The day (default: today)")
        ],
        tags=["units"],
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

    def get_serializer_class(self):
        return UnitDetailSerializer if self.action == "retrieve" else UnitSerializer

    def get_object(self):
        try:
            on = selectors.on_date(self.request.query_params.get("on"))
        except ValueError:
            raise ValidationError({"on": _("Give the day as YYYY-MM-DD.")}) from None
        unit = selectors.visible_unit_on(self.request.user, self.kwargs["code"], on)
        if unit is None:
            raise Http404
        return unit
