"""/api/v1/rounds/: open a round with its deadlines, change them, extend a unit's deadline."""

import django_filters
from django.db.models import Count, F, Q
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from communes import selectors
from communes.selectors import unit_by_code
from core.api.errors import ErrorsSerializer, errors_response
from core.api.parsers import CleanJSONParser
from core.api.viewsets import ScopedViewSetMixin
from scoring.models import Extension, Round
from scoring.rounds.services import (
    RoundError,
    extension_grant,
    extension_revoke,
    round_deadlines_set,
    round_open,
    round_target,
)


class ExtensionSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")

    class Meta:
        model = Extension
        fields = ["unit_code", "unit_name", "until", "reason", "granted_at"]


class RoundSerializer(serializers.ModelSerializer):
    issuer = serializers.CharField(source="framework.issuer.code")
    framework = serializers.CharField(source="framework.code")
    period = serializers.CharField(source="period.code")
    assessments = serializers.IntegerField(
        source="assessment_count", read_only=True, help_text="units assessed in the round"
    )
    extensions = ExtensionSerializer(many=True, read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "issuer",
            "framework",
            "period",
            "self_assessment_due",
            "appraisal_due",
            "opened_at",
            "assessments",
            "extensions",
        ]


class GroupSerializer(serializers.Serializer):
    """Which group a round or a publication is about: the issuer, the period, the framework."""

    issuer = serializers.CharField(help_text="Code of the issuing province or district")
    period = serializers.CharField(help_text="2026, 2026-H1, 2026-Q1")
    framework = serializers.CharField(
        required=False, help_text="The framework's code, when the issuer has several that year"
    )


class RoundOpenSerializer(GroupSerializer):
    self_assessment_due = serializers.DateField(
        required=False, allow_null=True, help_text="The communes' last day (Vietnam time)"
    )
    appraisal_due = serializers.DateField(required=False, allow_null=True)
    units = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Only these units (codes); by default every unit the framework ranks",
    )


class DeadlinesSerializer(serializers.Serializer):
    self_assessment_due = serializers.DateField(allow_null=True)
    appraisal_due = serializers.DateField(allow_null=True)


class ExtensionGrantSerializer(serializers.Serializer):
    unit_code = serializers.CharField()
    until = serializers.DateField(help_text="The unit's new last day (inclusive), ISO date")
    reason = serializers.CharField(required=False, allow_blank=True)


class GroupFilter(django_filters.FilterSet):
    """?issuer=CODE&period=P over anything with a framework and a period."""

    issuer = django_filters.CharFilter(field_name="framework__issuer__code")
    period = django_filters.CharFilter(field_name="period__code")


class RoundFilter(GroupFilter):
    class Meta:
        model = Round
        fields = ["issuer", "period"]


@extend_schema_view(
    list=extend_schema(summary="Rounds of the frameworks you may read", tags=["rounds"]),
    retrieve=extend_schema(summary="One round with its extensions", tags=["rounds"]),
)
class RoundViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RoundSerializer
    parser_classes = [CleanJSONParser]
    queryset = Round.objects.select_related("framework__issuer", "period").prefetch_related(
        "extensions__unit"
    )
    filterset_class = RoundFilter
    ordering = ["-period__end", "framework__code"]

    def get_queryset(self):
        # The units of the round's own period (a framework may serve several periods).
        return (
            super()
            .get_queryset()
            .annotate(
                assessment_count=Count(
                    "framework__assessments",
                    filter=Q(framework__assessments__period=F("period")),
                    distinct=True,
                )
            )
        )

    def _answer(self, round_, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=round_.pk)).data, code)

    @extend_schema(
        summary="Open a round (appraisers of the issuer); opening again adds missing units",
        request=RoundOpenSerializer,
        responses={201: RoundSerializer, 200: RoundSerializer, 400: ErrorsSerializer},
        tags=["rounds"],
    )
    def create(self, request):
        data = RoundOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        issuer = unit_by_code(values["issuer"])
        if issuer is None or not selectors.can_see(request.user, issuer):
            raise Http404
        existed = Round.objects.filter(
            framework__issuer__code=values["issuer"], period__code=values["period"]
        ).exists()
        try:
            framework, period = round_target(
                issuer_code=values["issuer"],
                period_code=values["period"],
                framework_code=values.get("framework"),
            )
            round_, _added = round_open(
                framework=framework,
                period=period,
                user=request.user,
                self_assessment_due=values.get("self_assessment_due"),
                appraisal_due=values.get("appraisal_due"),
                unit_codes=values.get("units"),
            )
        except RoundError as exc:
            return errors_response(exc.problems)
        return self._answer(round_, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a round's deadlines",
        request=DeadlinesSerializer,
        responses={200: RoundSerializer, 400: ErrorsSerializer},
        tags=["rounds"],
    )
    def partial_update(self, request, pk=None):
        round_ = self.get_object()
        data = DeadlinesSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            "self_assessment_due": round_.self_assessment_due,
            "appraisal_due": round_.appraisal_due,
        } | data.validated_data
        try:
            round_deadlines_set(round_=round_, user=request.user, **values)
        except RoundError as exc:
            return errors_response(exc.problems)
        return self._answer(round_)

    @extend_schema(
        summary="Extend one unit's self-assessment deadline",
        request=ExtensionGrantSerializer,
        responses={201: ExtensionSerializer, 400: ErrorsSerializer},
        tags=["rounds"],
    )
    @action(detail=True, methods=["post"])
    def extensions(self, request, pk=None):
        round_ = self.get_object()
        data = ExtensionGrantSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            extension = extension_grant(round_=round_, user=request.user, **data.validated_data)
        except RoundError as exc:
            return errors_response(exc.problems)
        return Response(ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw a unit's extension",
        request=None,
        responses={204: None, 400: ErrorsSerializer},
        tags=["rounds"],
    )
    @action(detail=True, methods=["delete"], url_path=r"extensions/(?P<unit_code>[0-9]{2,5})")
    def extension(self, request, pk=None, unit_code=None):
        round_ = self.get_object()
        extension = round_.extensions.filter(unit__code=unit_code).first()
        if extension is None:
            raise Http404
        try:
            extension_revoke(extension=extension, user=request.user)
        except RoundError as exc:
            return errors_response(exc.problems)
        return Response(status=status.HTTP_204_NO_CONTENT)
