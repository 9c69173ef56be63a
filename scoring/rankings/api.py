import json

import django_filters
from django.http import Http404, HttpResponse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from communes.models import Merge
from communes.selectors import on_date, visible_unit_on
from core.api.errors import ErrorsSerializer, errors_response
from core.api.views import ComputedView
from core.api.viewsets import ScopedViewSetMixin
from core.cache import cached, digest
from core.problems import Problem
from scoring.frameworks.selectors import group_framework
from scoring.models import Period, RankingRun
from scoring.periods import PeriodCodeError, parse_period_code
from scoring.rankings.choices import TTL, readable_framework_ids, stamp_and_who
from scoring.rankings.selectors import unit_history
from scoring.rankings.serializers import RankingRowSerializer
from scoring.rankings.served import ranking_api_json


class RankingView(ComputedView):
    serializer_class = RankingRowSerializer

    @extend_schema(
        summary="The ranking of a group, best first",
        description="The stored results under the framework issued by unit `group` for "
        "`period`, restricted to the units you may see. The header X-Rankings-As-Of gives the "
        "end of the latest successful recompute.",
        parameters=[
            OpenApiParameter("period", str, required=True, description="2023, 2023-H1, 2023-Q1"),
            OpenApiParameter("group", str, required=True, description="Issuing unit code"),
            OpenApiParameter("framework", str, description="Framework code, when ambiguous"),
            OpenApiParameter(
                "ranking_group",
                str,
                description="Only the units of this ranking group (by its code), when the "
                "framework ranks its units in groups by kind",
            ),
        ],
        responses={200: RankingRowSerializer(many=True), 400: ErrorsSerializer},
        tags=["rankings"],
    )
    def get(self, request):
        period_code = request.query_params.get("period", "")
        group = request.query_params.get("group", "")
        problems = []
        try:
            parse_period_code(period_code)
        except PeriodCodeError as exc:
            problems.append(Problem(None, "period", str(exc)))
        if not group:
            problems.append(Problem(None, "group", _("Give the code of the issuing unit.")))
        if problems:
            return errors_response(problems)
        stamp, who = stamp_and_who(request.user)
        period, framework = _asked_group(
            period_code.upper(), group, request.query_params.get("framework"), stamp
        )
        readable = readable_framework_ids(request.user, stamp, who)
        if framework is None or framework.pk not in readable:
            raise Http404
        ranking_group = None
        group_code = request.query_params.get("ranking_group")
        if group_code is not None:
            ranking_group = framework.ranking_groups.filter(code=group_code).first()
            if ranking_group is None:
                return errors_response(
                    [
                        Problem(
                            None,
                            "ranking_group",
                            _("%(framework)s has no ranking group %(code)s.")
                            % {"framework": framework.code, "code": group_code},
                        )
                    ]
                )
        # The whole group, as on the dashboard: a ranking is public to whoever reads its framework.
        body, as_of = ranking_api_json(framework, period, ranking_group)
        if isinstance(request.accepted_renderer, JSONRenderer):
            response = HttpResponse(body, content_type=request.accepted_renderer.media_type)
        else:  # the browsable API
            response = Response(json.loads(body))
        if as_of is not None:
            response["X-Rankings-As-Of"] = localtime(as_of).isoformat()
        return response


def _asked_group(period_code: str, issuer_code: str, framework_code: str | None, stamp: str):
    """(period, framework) the query names, or (None, None) when it names none. What was found
    is kept per state of the frameworks and units (choices_stamp), as every request asks again;
    what was not is asked again next time (None is never kept)."""

    def find():
        period = Period.objects.filter(code=period_code).first()
        if period is None:
            return None
        framework, _error = group_framework(
            issuer_code=issuer_code, period=period, framework_code=framework_code
        )
        return (period, framework) if framework is not None else None

    key = f"api:group:{digest(period_code, issuer_code, framework_code)}:{stamp}"
    return cached(key, find, TTL) or (None, None)


class RankingRunSerializer(serializers.ModelSerializer):
    framework = serializers.CharField(source="framework.code")
    group = serializers.CharField(source="framework.issuer.code")
    period = serializers.CharField(source="period.code")

    class Meta:
        model = RankingRun
        fields = [
            "id",
            "framework",
            "group",
            "period",
            "status",
            "trigger",
            "started_at",
            "finished_at",
            "results_count",
            "error",
        ]


class RankingRunFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period__code")
    group = django_filters.CharFilter(field_name="framework__issuer__code")

    class Meta:
        model = RankingRun
        fields = ["period", "group", "status"]


@extend_schema(tags=["rankings"])
class RankingRunViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Recomputes of the groups whose frameworks you may read, newest first."""

    queryset = RankingRun.objects.select_related("framework__issuer", "period")
    serializer_class = RankingRunSerializer
    filterset_class = RankingRunFilter
    ordering = ["-started_at"]


class UnitHistoryRowSerializer(serializers.Serializer):
    period = serializers.CharField()
    unit_code = serializers.CharField()
    unit_name = serializers.CharField()
    merge = serializers.ChoiceField(
        choices=Merge.choices,
        allow_null=True,
        help_text="For a predecessor's result: how it went into the unit; null for its own",
    )
    index_percent = serializers.DecimalField(max_digits=8, decimal_places=3)
    band = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    group_size = serializers.IntegerField()


class UnitHistoryView(ComputedView):
    serializer_class = UnitHistoryRowSerializer

    @extend_schema(
        summary="A unit's results over the years, with its predecessors' before it existed",
        parameters=[
            OpenApiParameter("on", OpenApiTypes.DATE, description="The day (default: today)")
        ],
        responses={200: UnitHistoryRowSerializer(many=True), 400: ErrorsSerializer},
        tags=["units"],
    )
    def get(self, request, code):
        try:
            on = on_date(request.query_params.get("on"))
        except ValueError:
            return errors_response([Problem(None, "on", _("Give the day as YYYY-MM-DD."))])
        unit = visible_unit_on(request.user, code, on)
        if unit is None:
            raise Http404
        return Response(UnitHistoryRowSerializer(unit_history(unit), many=True).data)
