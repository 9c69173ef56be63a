import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from communes import selectors
from communes.selectors import unit_by_code
from core.api.errors import ErrorsSerializer, errors_response
from core.api.filters import WholeNumberFilter
from core.api.parsers import CleanJSONParser
from core.api.viewsets import ScopedViewSetMixin
from core.problems import Problem
from scoring.assessments.rules import APPRAISER_ROLES
from scoring.frameworks.services import FrameworkError, framework_load
from scoring.models import Band, Framework, Period, SubCriterion


class BandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Band
        fields = ["label", "label_en", "min_percent"]


class SubCriterionSerializer(serializers.ModelSerializer):
    steps = serializers.SerializerMethodField()
    has_items = serializers.BooleanField(
        help_text="made of items: its points are theirs, capped at its maximum; it has no "
        "method of its own"
    )
    items = serializers.SerializerMethodField(
        help_text="the items it is made of, the same shape (down to four levels below the area)"
    )

    class Meta:
        model = SubCriterion
        fields = [
            "code",
            "name",
            "name_en",
            "max_points",
            "method",
            "metric",
            "target_percent",
            "steps",
            "options",
            "per_count",
            "when_nothing",
            "has_items",
            "items",
        ]

    def get_steps(self, sub) -> list[list[float]]:
        return [[float(s.threshold_percent), float(s.points)] for s in sub.steps.all()]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_items(self, sub) -> list[dict]:
        children = self.context.get("children", {}).get(sub.pk, [])
        return [SubCriterionSerializer(c, context=self.context).data for c in children]


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    max_points = serializers.DecimalField(max_digits=7, decimal_places=2)
    sub_criteria = serializers.SerializerMethodField()

    @extend_schema_field(SubCriterionSerializer(many=True))
    def get_sub_criteria(self, area) -> list[dict]:
        """The area's sub-criteria, each with its nested items (one prefetched list)."""
        subs = list(area.sub_criteria.all())
        children: dict = {}
        for sub in subs:
            if sub.parent_id is not None:
                children.setdefault(sub.parent_id, []).append(sub)
        context = {"children": children}
        return [
            SubCriterionSerializer(sub, context=context).data
            for sub in subs
            if sub.parent_id is None
        ]


class FrameworkSerializer(serializers.ModelSerializer):
    issuer_code = serializers.CharField(source="issuer.code")
    issuer_name = serializers.CharField(source="issuer.name")

    class Meta:
        model = Framework
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "year",
            "level",
            "issuer_code",
            "issuer_name",
            "max_points",
        ]


class FrameworkDetailSerializer(FrameworkSerializer):
    bands = BandSerializer(many=True)
    areas = AreaSerializer(many=True)

    class Meta(FrameworkSerializer.Meta):
        fields = [*FrameworkSerializer.Meta.fields, "note", "bands", "areas"]


class FrameworkUploadSerializer(serializers.Serializer):
    issuer = serializers.CharField(help_text="Code of the issuing district or province")
    year = serializers.IntegerField(min_value=1990, max_value=2200)
    document = serializers.JSONField(
        help_text="The framework in the interchange format (a JSON object)", allow_null=True
    )


class FrameworkFilter(django_filters.FilterSet):
    issuer = django_filters.CharFilter(field_name="issuer__code")
    year = WholeNumberFilter()
    code = django_filters.CharFilter()

    class Meta:
        model = Framework
        fields = ["issuer", "year", "code"]


@extend_schema_view(
    list=extend_schema(summary="Frameworks you may read", tags=["frameworks"]),
    retrieve=extend_schema(
        summary="A framework as a tree", tags=["frameworks"], responses=FrameworkDetailSerializer
    ),
)
class FrameworkViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    parser_classes = [CleanJSONParser]  # the document is JSON
    queryset = Framework.objects.select_related("issuer")
    filterset_class = FrameworkFilter
    ordering_fields = ["year", "code"]
    ordering = ["-year", "code"]

    def get_serializer_class(self):
        return FrameworkDetailSerializer if self.action == "retrieve" else FrameworkSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("bands", "areas__sub_criteria__steps")
        return queryset

    @extend_schema(
        summary="Upload a framework (appraisers of the issuer)",
        request=FrameworkUploadSerializer,
        responses={201: FrameworkDetailSerializer, 400: ErrorsSerializer},
        tags=["frameworks"],
    )
    def create(self, request):
        upload = FrameworkUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        issuer = unit_by_code(upload.validated_data["issuer"])
        if issuer is None or not selectors.can_see(request.user, issuer):
            raise Http404
        if not selectors.can_change(request.user, issuer, APPRAISER_ROLES):
            raise PermissionDenied(_("Only appraisers of the issuing unit may upload frameworks."))
        document = upload.validated_data["document"]
        try:
            framework, _replaced = framework_load(
                document=document,
                issuer_code=issuer.code,
                year=upload.validated_data["year"],
            )
        except FrameworkError as exc:
            return errors_response([Problem(None, "document", p) for p in exc.problems])
        framework = (
            self.get_queryset()
            .model.objects.prefetch_related("bands", "areas__sub_criteria__steps")
            .select_related("issuer")
            .get(pk=framework.pk)
        )
        return Response(FrameworkDetailSerializer(framework).data, status=status.HTTP_201_CREATED)


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Period
        fields = ["code", "kind", "year", "number", "start", "end"]


class PeriodFilter(django_filters.FilterSet):
    year = WholeNumberFilter()

    class Meta:
        model = Period
        fields = ["year", "kind"]


@extend_schema_view(
    list=extend_schema(summary="Assessment periods", tags=["periods"]),
    retrieve=extend_schema(summary="One period", tags=["periods"]),
)
class PeriodViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PeriodSerializer
    queryset = Period.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"\d{4}(-[HQ]\d)?"
    filterset_class = PeriodFilter
    ordering = ["year", "start"]
