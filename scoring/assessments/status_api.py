"""POST /api/v1/assessments/UNIT/PERIOD/status/: move an assessment along its path as the
pages do (submit, return for explanation, mark as appraised), under the same rules."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api.errors import ErrorsSerializer, errors_response
from core.api.parsers import CleanJSONParser
from core.api.views import ComputedView
from core.problems import Problem
from scoring.assessments.api import FRAMEWORK_PARAM, assessment_in_scope
from scoring.assessments.scores import ScoreError
from scoring.assessments.workflow import (
    assessment_appraisal_finish,
    assessment_return,
    assessment_submit,
)
from scoring.models import AssessmentStatus

MOVES = (AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED, AssessmentStatus.APPRAISED)


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[m.value for m in MOVES])
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="For a return: what the commune must explain"
    )
    items = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="For a return: {sub-criterion code: what to explain about it}",
    )


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    appraised_at = serializers.DateTimeField(allow_null=True)


class AssessmentStatusView(ComputedView):
    serializer_class = StatusChangeSerializer
    parser_classes = [CleanJSONParser]

    @extend_schema(
        summary="Submit, return for explanation, or mark as appraised",
        parameters=[FRAMEWORK_PARAM],
        request=StatusChangeSerializer,
        responses={200: StatusSerializer, 400: ErrorsSerializer},
        tags=["assessments"],
    )
    def post(self, request, unit_code, period):
        assessment = assessment_in_scope(
            request.user, unit_code, period, request.query_params.get("framework")
        )
        change = StatusChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        move = change.validated_data["status"]
        problems = []
        try:
            if move == AssessmentStatus.SUBMITTED:
                problems = assessment_submit(assessment=assessment, user=request.user)
            elif move == AssessmentStatus.RETURNED:
                assessment_return(
                    assessment=assessment,
                    user=request.user,
                    note=change.validated_data.get("note", ""),
                    item_notes=change.validated_data.get("items"),
                )
            else:
                assessment_appraisal_finish(assessment=assessment, user=request.user)
        except ScoreError as exc:
            problems = [Problem(None, exc.field or "status", str(exc))]
        if problems:
            return errors_response(problems)
        assessment.refresh_from_db()
        if assessment.status != move:  # every move above either happens or raises
            return errors_response([Problem(None, "status", _("The status did not change."))])
        return Response(
            StatusSerializer(
                {
                    "status": assessment.status,
                    "submitted_at": assessment.submitted_at,
                    "appraised_at": assessment.appraised_at,
                }
            ).data
        )
