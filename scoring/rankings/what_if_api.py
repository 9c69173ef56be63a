"""POST /api/v1/assessments/UNIT/PERIOD/what-if/: the standing the group would give the unit
with other points, computed by the engine and rolled back (scoring.rankings.what_if)."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.api.errors import ErrorsSerializer, errors_response
from core.api.views import ComputedView
from scoring.assessments.api import FRAMEWORK_PARAM, assessment_in_scope
from scoring.rankings.what_if import WhatIfRefused, what_if


class WhatIfRequestSerializer(serializers.Serializer):
    points = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text='{item code: points}, e.g. {"1.1": "5", "4.2": "2,5"}: the points the index '
        "would use for those items (as if appraised); nothing is saved",
    )
    figures = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        required=False,
        default=dict,
        help_text='{"YYYY-MM": {counter: count}}, e.g. {"2026-03": {"resolved_late": 0}}: monthly '
        "figures of the period in place of the stored ones (the counters not named stay as "
        "stored); the items derived from them follow; nothing is saved",
    )


class StandingSerializer(serializers.Serializer):
    index_percent = serializers.DecimalField(max_digits=8, decimal_places=3, coerce_to_string=False)
    band = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    group_size = serializers.IntegerField()
    earned = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)
    max_points = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)


class WhatIfSerializer(serializers.Serializer):
    now = StandingSerializer()
    then = StandingSerializer()


class WhatIfView(ComputedView):
    serializer_class = WhatIfRequestSerializer

    @extend_schema(
        summary="The index, band and rank the unit would have with other points",
        parameters=[FRAMEWORK_PARAM],
        request=WhatIfRequestSerializer,
        responses={200: WhatIfSerializer, 400: ErrorsSerializer},
        tags=["assessments"],
    )
    def post(self, request, unit_code, period):
        assessment = assessment_in_scope(
            request.user, unit_code, period, request.query_params.get("framework")
        )
        body = WhatIfRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            answer = what_if(
                assessment, body.validated_data["points"], body.validated_data["figures"]
            )
        except WhatIfRefused as refused:
            return errors_response(refused.problems)
        return Response(WhatIfSerializer(asdict(answer)).data)
