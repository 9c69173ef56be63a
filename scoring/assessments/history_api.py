"""GET /api/v1/assessments/UNIT/PERIOD/history/ (every change, oldest first) and
…/scorecard.pdf (the unit's scorecard to print)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api.errors import ErrorsSerializer, errors_response
from core.api.views import ComputedView
from core.pdf import FontMissing
from core.problems import Problem
from scoring.assessments.api import FRAMEWORK_PARAM, assessment_in_scope
from scoring.assessments.history import assessment_history
from scoring.assessments.scorecard import scorecard_pdf


class ChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True, help_text="username; null: the system")
    what = serializers.CharField(
        help_text="self_points, explanation, appraised_points, appraisal_reason, count, "
        "return_note, return_answer, status, evidence, bonus, penalty, self_assessment_due, "
        "appraisal_due, extension, publication, reopening"
    )
    sub_code = serializers.CharField(allow_null=True)
    old = serializers.JSONField(allow_null=True, help_text="null for a first value")
    new = serializers.JSONField(allow_null=True, help_text="null when removed")
    note = serializers.CharField(help_text="why: a reopening's reason, 'import' for a file")


class AssessmentHistoryView(ComputedView):
    serializer_class = ChangeSerializer

    @extend_schema(
        summary="Every change to the assessment, oldest first",
        parameters=[FRAMEWORK_PARAM],
        responses={200: ChangeSerializer(many=True)},
        tags=["assessments"],
    )
    def get(self, request, unit_code, period):
        assessment = assessment_in_scope(
            request.user, unit_code, period, request.query_params.get("framework")
        )
        return Response([change.as_dict() for change in assessment_history(assessment)])


class ScorecardView(ComputedView):
    @extend_schema(
        summary="The unit's scorecard as a printable PDF",
        parameters=[FRAMEWORK_PARAM],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 503: ErrorsSerializer},
        tags=["assessments"],
    )
    def get(self, request, unit_code, period):
        assessment = assessment_in_scope(
            request.user, unit_code, period, request.query_params.get("framework")
        )
        try:
            content = scorecard_pdf(assessment)
        except FontMissing as exc:
            return errors_response([Problem(None, None, str(exc))], status=503)
        response = HttpResponse(content, content_type="application/pdf")
        name = f"phieu-diem-{assessment.unit.code}-{assessment.period.code}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
