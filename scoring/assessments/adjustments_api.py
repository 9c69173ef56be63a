"""GET|POST /api/v1/assessments/UNIT/PERIOD/adjustments/: bonus and penalty.

The framework's declared items (T1, G1…) are scores outside the areas: an officer's post is the
commune's claim (self points and its reason), an appraiser's the appraised points and reason,
under the same rules as every other score (deadline, submission, publication). Frameworks that
declare none take bonus and penalty as the appraisers' decision: code "bonus" or "penalty".
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from communes import selectors
from core.api.errors import ErrorsSerializer, errors_response
from core.api.parsers import CleanJSONParser
from core.api.views import ComputedView
from core.problems import Problem
from scoring.assessments.adjustments import adjustment_add
from scoring.assessments.api import FRAMEWORK_PARAM, assessment_in_scope
from scoring.assessments.rules import APPRAISER_ROLES, OFFICER_ROLES
from scoring.assessments.scores import ScoreError, ScoresConflict, scores_update
from scoring.models import AdjustmentKind, ItemKind


class AdjustmentItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The declared item's code, or bonus / penalty")
    kind = serializers.CharField(help_text="bonus or penalty")
    name = serializers.CharField(allow_blank=True)
    max_points = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    claimed_points = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    claim_reason = serializers.CharField(allow_blank=True)
    points = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="the appraisers' decision"
    )
    reason = serializers.CharField(allow_blank=True)


class AdjustmentPostSerializer(serializers.Serializer):
    code = serializers.CharField()
    points = serializers.CharField(help_text="0 to the item's maximum; 0 withdraws a claim")
    reason = serializers.CharField(allow_blank=True, required=False, default="")


def adjustment_items(assessment) -> list[dict]:
    declared = (
        assessment.scores.exclude(sub_criterion__kind=ItemKind.CRITERION)
        .select_related("sub_criterion")
        .order_by("sub_criterion__kind", "sub_criterion__position")
    )
    items = [
        {
            "code": s.sub_criterion.code,
            "kind": s.sub_criterion.kind,
            "name": s.sub_criterion.name,
            "max_points": s.sub_criterion.max_points,
            "claimed_points": s.self_points,
            "claim_reason": s.explanation,
            "points": s.appraised_points,
            "reason": s.appraisal_reason,
        }
        for s in declared
    ]
    items += [
        {
            "code": a.kind,
            "kind": a.kind,
            "name": a.get_kind_display(),
            "max_points": None,
            "claimed_points": None,
            "claim_reason": "",
            "points": a.points,
            "reason": a.reason,
        }
        for a in assessment.adjustments.order_by("created_at")
    ]
    return items


class AdjustmentsView(ComputedView):
    serializer_class = AdjustmentItemSerializer
    parser_classes = [CleanJSONParser]

    def _assessment(self, request, unit_code, period):
        return assessment_in_scope(
            request.user, unit_code, period, request.query_params.get("framework")
        )

    @extend_schema(
        summary="Bonus and penalty: the commune's claims and the appraisers' decisions",
        parameters=[FRAMEWORK_PARAM],
        responses=AdjustmentItemSerializer(many=True),
        tags=["assessments"],
    )
    def get(self, request, unit_code, period):
        assessment = self._assessment(request, unit_code, period)
        return Response(AdjustmentItemSerializer(adjustment_items(assessment), many=True).data)

    @extend_schema(
        summary="Claim (officer) or decide (appraiser) a bonus or penalty item",
        parameters=[FRAMEWORK_PARAM],
        request=AdjustmentPostSerializer,
        responses={200: AdjustmentItemSerializer(many=True), 400: ErrorsSerializer},
        tags=["assessments"],
    )
    def post(self, request, unit_code, period):
        assessment = self._assessment(request, unit_code, period)
        unit = assessment.unit
        appraises = selectors.can_change(request.user, unit, APPRAISER_ROLES)
        if not appraises and not selectors.can_change(request.user, unit, OFFICER_ROLES):
            raise PermissionDenied(_("Your role may read these points but not change them."))
        data = AdjustmentPostSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        code, points, reason = (data.validated_data[k] for k in ("code", "points", "reason"))
        if code in AdjustmentKind.values:
            try:
                adjustment_add(
                    assessment=assessment,
                    kind=code,
                    points=points,
                    reason=reason,
                    user=request.user,
                )
            except ScoreError as exc:
                return errors_response([Problem(None, exc.field, str(exc))])
            return self._answer(assessment, status.HTTP_201_CREATED)
        declared = assessment.scores.exclude(sub_criterion__kind=ItemKind.CRITERION)
        if not declared.filter(sub_criterion__code=code).exists():
            message = _("%(code)s is not a bonus or penalty item of framework %(framework)s.") % {
                "code": code,
                "framework": assessment.framework.code,
            }
            return errors_response([Problem(None, "code", message)])
        item = (
            {"sub_code": code, "appraised_points": points, "appraisal_reason": reason}
            if appraises
            else {"sub_code": code, "self_points": points, "explanation": reason}
        )
        try:
            problems = scores_update(assessment=assessment, items=[item], user=request.user)
        except ScoresConflict as conflict:
            return errors_response(conflict.problems, status=status.HTTP_409_CONFLICT)
        if problems:
            # The score's field names, said as this API names them.
            names = {
                "self_points": "points",
                "appraised_points": "points",
                "explanation": "reason",
                "appraisal_reason": "reason",
                "sub_code": "code",
            }
            return errors_response(
                [Problem(None, names.get(p.column, p.column), p.message) for p in problems]
            )
        return self._answer(assessment)

    def _answer(self, assessment, code=status.HTTP_200_OK):
        return Response(
            AdjustmentItemSerializer(adjustment_items(assessment), many=True).data, status=code
        )
