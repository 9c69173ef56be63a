from decimal import Decimal

import django_filters
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from communes import selectors
from core.api.errors import ErrorsSerializer, errors_response
from core.api.parsers import CleanJSONParser
from core.api.views import ComputedView
from core.api.viewsets import ScopedViewSetMixin
from core.problems import Problem
from scoring.assessments.evidence import evidence_add, evidence_delete
from scoring.assessments.rules import APPRAISER_ROLES, OFFICER_ROLES
from scoring.assessments.scores import ScoreError, ScoresConflict, scores_etag, scores_update
from scoring.assessments.selectors import visible_assessment
from scoring.frameworks.document import MAX_POINTS
from scoring.models import DERIVED_METHODS, Assessment, Evidence, Score

FRAMEWORK_PARAM = OpenApiParameter(
    "framework", str, description="Framework code, when the unit has several in the period"
)


class AssessmentSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    period = serializers.CharField(source="period.code")
    framework = serializers.CharField(source="framework.code")
    issuer_code = serializers.CharField(source="framework.issuer.code")

    class Meta:
        model = Assessment
        fields = [
            "unit_code",
            "unit_name",
            "period",
            "framework",
            "issuer_code",
            "status",
            "submitted_at",
            "updated_at",
        ]


class AssessmentFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period__code")
    unit = django_filters.CharFilter(field_name="unit__code")
    framework = django_filters.CharFilter(field_name="framework__code")
    issuer = django_filters.CharFilter(field_name="framework__issuer__code")

    class Meta:
        model = Assessment
        fields = ["period", "unit", "framework", "issuer", "status"]


@extend_schema_view(
    list=extend_schema(summary="Assessments of units you may see", tags=["assessments"])
)
class AssessmentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Assessment.objects.select_related("unit", "period", "framework__issuer")
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    ordering = ["period__year", "period__start", "unit__code"]


class EvidenceSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "download"]

    def get_download(self, evidence) -> str:
        return f"/api/v1/evidence/{evidence.pk}/"


class ScoreSerializer(serializers.ModelSerializer):
    sub_code = serializers.CharField(source="sub_criterion.code")
    area_code = serializers.CharField(
        source="sub_criterion.area.code",
        allow_null=True,
        help_text="null for a bonus or penalty item the framework declares",
    )
    kind = serializers.CharField(
        source="sub_criterion.kind", help_text="criterion, bonus or penalty"
    )
    parent_code = serializers.CharField(
        source="sub_criterion.parent.code",
        allow_null=True,
        default=None,
        help_text="the item this one is part of (nested items); null for a sub-criterion "
        "directly in its area. Only items that are scored are listed: an item made of items "
        "has the points of its items, capped at its maximum.",
    )
    name = serializers.CharField(source="sub_criterion.name")
    method = serializers.CharField(source="sub_criterion.method")
    max_points = serializers.DecimalField(
        source="sub_criterion.max_points", max_digits=7, decimal_places=2
    )
    metric = serializers.CharField(source="sub_criterion.metric")
    not_applicable = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True)

    class Meta:
        model = Score
        fields = [
            "sub_code",
            "area_code",
            "parent_code",
            "kind",
            "name",
            "method",
            "max_points",
            "self_points",
            "appraised_points",
            "explanation",
            "appraisal_reason",
            "return_note",
            "return_answer",
            "metric",
            "count",
            "metric_value",
            "derived_points",
            "points",
            "not_applicable",
            "evidence",
        ]

    def get_not_applicable(self, score) -> bool:
        """A derived sub-criterion whose rule gives no points (nothing to count, no count
        entered): it needs points from a person."""
        return score.sub_criterion.method in DERIVED_METHODS and score.derived_points is None


# Points lie in 0 … the item's maximum, which no framework sets above MAX_POINTS.
POINTS_RANGE = {"min_value": Decimal(0), "max_value": MAX_POINTS}


class ScoreChangeSerializer(serializers.Serializer):
    sub_code = serializers.CharField()
    self_points = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True, **POINTS_RANGE
    )
    explanation = serializers.CharField(required=False, allow_blank=True)
    appraised_points = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, allow_null=True, **POINTS_RANGE
    )
    appraisal_reason = serializers.CharField(required=False, allow_blank=True)
    return_answer = serializers.CharField(required=False, allow_blank=True)
    count = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=1_000_000,
        help_text="For a deduction counted by hand: the cases the appraiser counted",
    )
    was = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="The value you last read of the field this item changes, or an object "
        "{field: value} when it changes several; a stored value that differs answers 409.",
    )


class ConflictSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    current = serializers.JSONField(required=False, allow_null=True)


class ConflictsSerializer(serializers.Serializer):
    errors = ConflictSerializer(many=True)


def assessment_in_scope(user, unit_code: str, period_code: str, framework_code=None):
    """The assessment of the unit in the period, or 404 when it is not within the user's scope."""
    assessment = visible_assessment(user, unit_code, period_code, framework_code)
    if assessment is None:
        raise Http404
    return assessment


class ScoresView(ComputedView):
    serializer_class = ScoreSerializer
    parser_classes = [CleanJSONParser]  # a JSON list; a form cannot say it

    def _scores(self, assessment):
        return (
            assessment.scores.filter(sub_criterion__has_items=False)
            .select_related("sub_criterion__area", "sub_criterion__parent")
            .prefetch_related("evidence")
            .order_by("sub_criterion__position")
        )

    @extend_schema(
        summary="Every sub-criterion of an assessment with its points",
        parameters=[FRAMEWORK_PARAM],
        responses=ScoreSerializer(many=True),
        tags=["assessments"],
    )
    def get(self, request, unit_code, period):
        assessment = assessment_in_scope(
            request.user, unit_code, period, request.query_params.get("framework")
        )
        scores = list(self._scores(assessment))
        return Response(
            ScoreSerializer(scores, many=True).data, headers={"ETag": scores_etag(scores)}
        )

    @extend_schema(
        summary="Change scores (all or nothing)",
        description="Officers of the unit change self points and explanations while the "
        "assessment is open; appraisers of the group change appraised points and reasons. "
        "Only the fields sent change. To be told instead of overwriting someone else's "
        "newer value, send `was` with each item (the value you last read) or the GET's ETag "
        "as `If-Match`: a stored value that differs answers 409 with the current value and "
        "writes nothing.",
        parameters=[
            FRAMEWORK_PARAM,
            OpenApiParameter(
                "If-Match",
                str,
                location=OpenApiParameter.HEADER,
                required=False,
                description="The ETag of the GET you base the change on.",
            ),
        ],
        request=ScoreChangeSerializer(many=True),
        responses={
            200: ScoreSerializer(many=True),
            400: ErrorsSerializer,
            409: ConflictsSerializer,
        },
        tags=["assessments"],
    )
    def put(self, request, unit_code, period):
        assessment = assessment_in_scope(
            request.user, unit_code, period, request.query_params.get("framework")
        )
        if not selectors.can_change(
            request.user, assessment.unit, (*OFFICER_ROLES, *APPRAISER_ROLES)
        ):
            raise PermissionDenied(_("Your role may read these scores but not change them."))
        changes = ScoreChangeSerializer(data=request.data, many=True)
        if not isinstance(request.data, list):
            return errors_response([Problem(None, None, _("The body must be a JSON list."))])
        changes.is_valid(raise_exception=True)
        items = [
            {key: request.data[i][key] for key in change if key in request.data[i]}
            for i, change in enumerate(changes.validated_data)
        ]
        try:
            problems = scores_update(
                assessment=assessment,
                items=items,
                user=request.user,
                if_match=request.headers.get("If-Match"),
            )
        except ScoresConflict as conflict:
            return errors_response(conflict.problems, status=status.HTTP_409_CONFLICT)
        if problems:
            return errors_response(problems)
        scores = list(self._scores(assessment))
        return Response(
            ScoreSerializer(scores, many=True).data, headers={"ETag": scores_etag(scores)}
        )


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ScoreEvidenceView(ComputedView):
    serializer_class = EvidenceSerializer
    parser_classes = [MultiPartParser]

    def _score(self, request, unit_code, period, sub_code):
        assessment = assessment_in_scope(
            request.user, unit_code, period, request.query_params.get("framework")
        )
        score = (
            assessment.scores.filter(sub_criterion__code=sub_code)
            .select_related("assessment__unit", "assessment__period")
            .first()
        )
        if score is None:
            raise Http404
        return score

    @extend_schema(
        summary="Evidence files of a score",
        parameters=[FRAMEWORK_PARAM],
        responses=EvidenceSerializer(many=True),
        tags=["evidence"],
    )
    def get(self, request, unit_code, period, sub_code):
        score = self._score(request, unit_code, period, sub_code)
        return Response(EvidenceSerializer(score.evidence.all(), many=True).data)

    @extend_schema(
        summary="Attach an evidence file (officers, while open)",
        parameters=[FRAMEWORK_PARAM],
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer, 400: ErrorsSerializer},
        tags=["evidence"],
    )
    def post(self, request, unit_code, period, sub_code):
        score = self._score(request, unit_code, period, sub_code)
        upload = request.FILES.get("file")
        if upload is None:
            return errors_response([Problem(None, "file", _("Send the file in the field 'file'."))])
        try:
            evidence = evidence_add(score=score, upload=upload, user=request.user)
        except ScoreError as exc:
            return errors_response([Problem(None, exc.field, str(exc))])
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Download an evidence file",
        tags=["evidence"],
        responses={(200, "application/octet-stream"): bytes},
    ),
    destroy=extend_schema(
        summary="Remove an evidence file (officers, while open)", tags=["evidence"]
    ),
)
class EvidenceViewSet(
    ScopedViewSetMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Evidence.objects.select_related("score__assessment__unit")
    serializer_class = EvidenceSerializer

    def retrieve(self, request, pk=None):
        evidence = self.get_object()
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.original_name,
            content_type=evidence.content_type,
        )

    def destroy(self, request, pk=None):
        try:
            evidence_delete(evidence=self.get_object(), user=request.user)
        except ScoreError as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
