"""/api/v1/publications/: publish a group's results under a decision, record its signer and
signed PDF, download the decision's annex (PDF, XLSX); an administrator may reopen."""

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from communes import selectors
from communes.selectors import unit_by_code
from core.api.errors import ErrorsSerializer, errors_response
from core.api.parsers import CleanJSONParser
from core.pdf import FontMissing
from core.problems import Problem
from scoring.models import Framework, Publication
from scoring.rankings.annex import annex_workbook
from scoring.rankings.annex_pdf import annex_pdf
from scoring.rankings.publication import (
    PublicationRefused,
    decision_sign,
    publication_reopen,
    results_publish,
)
from scoring.rounds.api import GroupFilter, GroupSerializer
from scoring.rounds.services import RoundError, round_target

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PublicationSerializer(serializers.ModelSerializer):
    issuer = serializers.CharField(source="framework.issuer.code")
    framework = serializers.CharField(source="framework.code")
    period = serializers.CharField(source="period.code")
    signed_file = serializers.SerializerMethodField(
        help_text="Where the signed decision (PDF) downloads; null until attached"
    )

    class Meta:
        model = Publication
        fields = [
            "id",
            "issuer",
            "framework",
            "period",
            "decision_number",
            "decision_date",
            "signer",
            "signed_file",
            "published_at",
        ]

    def get_signed_file(self, publication) -> str | None:
        if not publication.signed_file:
            return None
        return f"/api/v1/publications/{publication.pk}/decision.pdf"


class PublishSerializer(GroupSerializer):
    decision_number = serializers.CharField(max_length=60)
    decision_date = serializers.DateField()
    signer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    signed_file = serializers.FileField(required=False, help_text="The signed decision (PDF)")


class DecisionSerializer(serializers.Serializer):
    signer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    signed_file = serializers.FileField(required=False, help_text="The signed decision (PDF)")

    def validate(self, attrs):
        # A body that names neither (empty, or not a form or object at all) changes nothing:
        # the client meant something else, and saying so beats a silent 200.
        if not attrs:
            raise serializers.ValidationError(_("Give the signer or the signed file."))
        return attrs


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the results are reopened (kept for good)")


class PublicationFilter(GroupFilter):
    class Meta:
        model = Publication
        fields = ["issuer", "period"]


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@extend_schema_view(
    list=extend_schema(summary="Published decisions you may read", tags=["rounds"]),
    retrieve=extend_schema(summary="One published decision", tags=["rounds"]),
)
class PublicationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PublicationSerializer
    parser_classes = [CleanJSONParser, MultiPartParser, FormParser]
    filterset_class = PublicationFilter
    ordering = ["-published_at"]

    def get_queryset(self):
        return Publication.objects.filter(
            framework__in=Framework.objects.visible_to(self.request.user)
        ).select_related("framework__issuer", "period")

    @extend_schema(
        summary="Publish a group's results under a decision (appraisers of the issuer)",
        request=PublishSerializer,
        responses={201: PublicationSerializer, 400: ErrorsSerializer},
        tags=["rounds"],
    )
    def create(self, request):
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        issuer = unit_by_code(values["issuer"])
        if issuer is None or not selectors.can_see(request.user, issuer):
            raise Http404
        try:
            framework, period = round_target(
                issuer_code=values["issuer"],
                period_code=values["period"],
                framework_code=values.get("framework"),
            )
            publication = results_publish(
                framework=framework,
                period=period,
                decision_number=values["decision_number"],
                decision_date=values["decision_date"],
                signer=values.get("signer", ""),
                signed_file=values.get("signed_file"),
                user=request.user,
            )
        except (RoundError, PublicationRefused) as exc:
            return errors_response(exc.problems)
        return Response(PublicationSerializer(publication).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the decision's signer and attach the signed PDF",
        request=DecisionSerializer,
        responses={200: PublicationSerializer, 400: ErrorsSerializer},
        tags=["rounds"],
    )
    def partial_update(self, request, pk=None):
        publication = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            decision_sign(
                publication=publication,
                signer=data.validated_data.get("signer", ""),
                signed_file=data.validated_data.get("signed_file"),
                user=request.user,
            )
        except PublicationRefused as exc:
            return errors_response(exc.problems)
        return Response(PublicationSerializer(publication).data)

    @extend_schema(
        summary="Reopen published results (administrators), with the reason",
        request=ReopenSerializer,
        responses={204: None, 400: ErrorsSerializer},
        tags=["rounds"],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        publication = self.get_object()
        data = ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            publication_reopen(
                publication=publication, reason=data.validated_data["reason"], user=request.user
            )
        except PublicationRefused as exc:
            return errors_response(exc.problems)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _name(self, publication, extension):
        return f"phu-luc-{publication.framework.code}-{publication.period.code}.{extension}"

    @extend_schema(
        summary="The decision's annex as an Excel workbook (the ranking in rank order)",
        responses={(200, XLSX): OpenApiTypes.BINARY},
        tags=["rounds"],
    )
    def annex_xlsx(self, request, pk=None):
        publication = self.get_object()
        return _download(annex_workbook(publication), XLSX, self._name(publication, "xlsx"))

    @extend_schema(
        summary="The decision's annex as a printable PDF (A4 landscape)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 503: ErrorsSerializer},
        tags=["rounds"],
    )
    def annex_pdf(self, request, pk=None):
        publication = self.get_object()
        try:
            content = annex_pdf(publication)
        except FontMissing as exc:
            return errors_response([Problem(None, None, str(exc))], status=503)
        return _download(content, "application/pdf", self._name(publication, "pdf"))

    @extend_schema(
        summary="The signed decision (the PDF attached when it was recorded)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        tags=["rounds"],
    )
    def decision_pdf(self, request, pk=None):
        publication = self.get_object()
        if not publication.signed_file:
            raise Http404
        name = f"quyet-dinh-{publication.framework.code}-{publication.period.code}.pdf"
        return FileResponse(
            publication.signed_file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type="application/pdf",
        )
