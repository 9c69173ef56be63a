import django_filters
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from communes.models import ancestry_q
from core.api.errors import ErrorSerializer, ErrorsSerializer, errors_response
from core.api.parsers import CleanJSONParser
from core.api.viewsets import ScopedViewSetMixin
from core.files import UnreadableFile, table_precheck, upload_size_problem
from core.problems import Problem
from dossiers.jobs import import_job_start, runs_in_background
from dossiers.metrics import COUNTER_FIELDS
from dossiers.models import DossierReport, ImportJob
from dossiers.services import (
    MAX_ROWS,
    dossier_file_import,
    dossier_reports_save,
)
from dossiers.validation import MAX_COUNT, parse_month


class DossierReportSerializer(serializers.ModelSerializer):
    commune_code = serializers.CharField(source="commune.code")
    month = serializers.SerializerMethodField(help_text="YYYY-MM")
    updated_by = serializers.CharField(source="updated_by.username", allow_null=True, default=None)

    class Meta:
        model = DossierReport
        fields = ["commune_code", "month", *COUNTER_FIELDS, "updated_at", "updated_by"]

    def get_month(self, report) -> str:
        return f"{report.month:%Y-%m}"


MONTH_PATTERN = r"^([0-9]{4}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{4})$"


class DossierRowSerializer(serializers.Serializer):
    """One month of one commune, as in the CSV; optional counters default to 0."""

    commune_code = serializers.RegexField(
        r"^[0-9]{1,5}$", help_text="5 digits (leading zeros may be left out)"
    )
    month = serializers.RegexField(MONTH_PATTERN, help_text="YYYY-MM")
    received = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    carried_over = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    resolved_early = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    resolved_on_time = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    resolved_late = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    pending_on_time = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    pending_overdue = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    online_full = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    online_partial = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    postal = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    digitized = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)
    apologies = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False)


class ImportCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    notices = serializers.ListField(child=serializers.CharField())


class ImportJobSerializer(serializers.ModelSerializer):
    """A file read in the background: how far it is and, once finished, what came of it."""

    status_url = serializers.SerializerMethodField()
    created = serializers.SerializerMethodField()
    updated = serializers.SerializerMethodField()
    unchanged = serializers.SerializerMethodField()
    notices = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "stage",
            "percent",
            "file_name",
            "dry_run",
            "created_at",
            "finished_at",
            "status_url",
            "created",
            "updated",
            "unchanged",
            "notices",
            "errors",
        ]

    def get_status_url(self, job) -> str:
        return f"/api/v1/dossier-reports/import/{job.pk}/"

    def _count(self, job, name) -> int | None:
        return job.result.get(name) if job.finished else None

    def get_created(self, job) -> int | None:
        return self._count(job, "created")

    def get_updated(self, job) -> int | None:
        return self._count(job, "updated")

    def get_unchanged(self, job) -> int | None:
        return self._count(job, "unchanged")

    def get_notices(self, job) -> list[str]:
        return job.result.get("notices", [])

    @extend_schema_field(ErrorSerializer(many=True))
    def get_errors(self, job):
        """The problems of a refused file, in the API's error shape."""
        return [{k: p[k] for k in ("row", "column", "message")} for p in job.problems]


class ImportFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, first sheet")


class _MonthFilter(django_filters.CharFilter):
    def filter(self, queryset, value):
        if not value:
            return queryset
        month, error = parse_month(value)
        if error:
            raise serializers.ValidationError({self.field_name: error})
        return queryset.filter(**{f"month__{self.lookup_expr}": month})


class DossierReportFilter(django_filters.FilterSet):
    commune = django_filters.CharFilter(field_name="commune__code", help_text="Commune code")
    parent = django_filters.CharFilter(
        method="filter_parent", help_text="District or province code"
    )
    month = _MonthFilter(field_name="month", lookup_expr="exact", help_text="YYYY-MM")
    month_from = _MonthFilter(field_name="month", lookup_expr="gte", help_text="YYYY-MM")
    month_to = _MonthFilter(field_name="month", lookup_expr="lte", help_text="YYYY-MM")

    class Meta:
        model = DossierReport
        fields = ["commune", "parent", "month", "month_from", "month_to"]

    def filter_parent(self, queryset, name, value):
        return queryset.filter(ancestry_q([value], prefix="commune__", field="code"))


def _type_problems(rows: list[dict]) -> list[Problem]:
    problems = []
    for number, row in enumerate(rows, start=1):
        for name, value in row.items():
            if name in COUNTER_FIELDS and value is not None:
                if isinstance(value, bool) or not isinstance(value, int):
                    problems.append(
                        Problem(
                            number, name, _("a count is a whole number, written without quotes")
                        )
                    )
            elif name in ("commune_code", "month") and not isinstance(value, str):
                problems.append(Problem(number, name, _("write it as text, in quotes")))
    return problems


def _result_body(result):
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "dry_run": result.dry_run,
        "notices": [str(n) for n in result.notices],
    }


@extend_schema_view(
    list=extend_schema(
        summary="Monthly statistics of the communes you may see", tags=["dossier reports"]
    ),
)
class DossierReportViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    queryset = DossierReport.objects.select_related("commune", "updated_by")
    parser_classes = [CleanJSONParser]  # rows as JSON; files go to import/ as multipart
    serializer_class = DossierReportSerializer
    filterset_class = DossierReportFilter
    ordering_fields = ["month", "commune__code", "updated_at"]
    ordering = ["commune__code", "month"]

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Create or replace months (all or nothing)",
        description="A list of rows in the CSV's fields. An existing commune and month is "
        "replaced and its history kept. Any bad row: 400 naming every problem by its place in "
        "the list (from 1) and column; nothing is written.",
        request=DossierRowSerializer(many=True, min_length=1),
        responses={200: ImportCountsSerializer, 400: ErrorsSerializer},
        tags=["dossier reports"],
    )
    def create(self, request):
        rows = request.data
        if not isinstance(rows, list):
            return errors_response(
                [Problem(None, None, _("The body must be a JSON list of rows."))]
            )
        if len(rows) > MAX_ROWS:
            return errors_response(
                [
                    Problem(
                        None,
                        None,
                        _("At most %(max)d rows can be sent at once.") % {"max": MAX_ROWS},
                    )
                ]
            )
        problems = [
            Problem(i, None, _("Each row must be a JSON object."))
            for i, row in enumerate(rows, start=1)
            if not isinstance(row, dict)
        ]
        if problems:
            return errors_response(problems)
        # The JSON types the schema states (counts as numbers, codes as text); the rules of
        # every value follow in the service, with their own messages.
        problems = _type_problems(rows)
        if problems:
            return errors_response(problems)
        result = dossier_reports_save(
            records=list(enumerate(rows, start=1)), user=request.user, reason="api"
        )
        if not result.ok:
            return errors_response(result.problems)
        return Response(_result_body(result), status=status.HTTP_200_OK)

    @extend_schema(
        summary="Import a CSV or XLSX file (all or nothing)",
        description="Rows are numbered as in the spreadsheet (header = row 1). With "
        "?dry_run=1 the file is only validated. A file larger than IMPORT_BACKGROUND_BYTES "
        "(256 KB by default) is read by a worker: the answer is 202 with the job and its "
        "`status_url` (also in `Location`), which tells the progress and, once finished, the "
        "counts or the problems.",
        request={"multipart/form-data": ImportFileSerializer},
        parameters=[OpenApiParameter("dry_run", bool, description="Validate only")],
        responses={200: ImportCountsSerializer, 202: ImportJobSerializer, 400: ErrorsSerializer},
        tags=["dossier reports"],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser],
    )
    def import_file(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return errors_response([Problem(None, "file", _("Send the file in the field 'file'."))])

        too_large = upload_size_problem(upload.size)
        if too_large:
            return errors_response([too_large])
        dry_run = str(request.query_params.get("dry_run", "")).lower() in ("1", "true", "yes")
        content = upload.read()
        if runs_in_background(len(content)):
            try:
                table_precheck(upload.name, content)  # refused at once what costs no reading
            except UnreadableFile as exc:
                return errors_response([Problem(None, "file", str(exc))])
            job = import_job_start(
                user=request.user, file_name=upload.name, content=content, dry_run=dry_run
            )
            job.refresh_from_db()  # finished already when no broker is configured
            body = ImportJobSerializer(job).data
            return Response(
                body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]}
            )
        result = dossier_file_import(
            file_name=upload.name, content=content, user=request.user, dry_run=dry_run
        )
        if not result.ok:
            return errors_response(result.problems)
        return Response(_result_body(result))

    @extend_schema(
        summary="A file being read in the background: progress, then counts or problems",
        responses={200: ImportJobSerializer},
        tags=["dossier reports"],
    )
    @action(detail=False, methods=["get"], url_path=r"import/(?P<job_id>[0-9a-fA-F-]{32,36})")
    def import_status(self, request, job_id=None):
        try:
            job = ImportJob.objects.visible_to(request.user).get(pk=job_id)
        except (ImportJob.DoesNotExist, ValidationError):
            raise Http404 from None
        return Response(ImportJobSerializer(job).data)
