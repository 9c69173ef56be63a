import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communes.models import AdministrativeUnit, Level
from dossiers.metrics import COUNTER_FIELDS, COUNTER_LABELS, bound_violations


def _counter(name):
    return models.PositiveIntegerField(COUNTER_LABELS[name], default=0)


class DossierReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Statistics of the communes the user may see."""
        return self.filter(commune__in=AdministrativeUnit.objects.visible_to(user))


class DossierReport(models.Model):
    """One commune's one-stop-shop statistics for one month; replaced, never duplicated."""

    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="dossier_reports",
        limit_choices_to={"level": Level.COMMUNE},
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    received = _counter("received")
    carried_over = _counter("carried_over")
    resolved_early = _counter("resolved_early")
    resolved_on_time = _counter("resolved_on_time")
    resolved_late = _counter("resolved_late")
    pending_on_time = _counter("pending_on_time")
    pending_overdue = _counter("pending_overdue")
    online_full = _counter("online_full")
    online_partial = _counter("online_partial")
    postal = _counter("postal")
    digitized = _counter("digitized")
    apologies = _counter("apologies")
    received_in_person = _counter("received_in_person")
    received_online = _counter("received_online")
    awaiting_supplement = _counter("awaiting_supplement")
    returned = _counter("returned")
    suspended = _counter("suspended")
    other_outcome = _counter("other_outcome")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    objects = DossierReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly dossier report")
        verbose_name_plural = _("monthly dossier reports")
        ordering = ["commune__code", "month"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "month"], name="dossier_one_row_per_month"),
        ]

    def __str__(self):
        return f"{self.commune.code} {self.month:%Y-%m}"

    def counters(self) -> dict:
        return {name: getattr(self, name) for name in COUNTER_FIELDS}

    def clean(self):
        errors = {}
        for columns, message in bound_violations(self.counters()):
            errors.setdefault(columns.split(",")[0], []).append(message)
        if errors:
            raise ValidationError(errors)


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A background import is its uploader's own: nobody else learns of it."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(created_by=user)


class ImportJob(models.Model):
    """A statistics file read and checked (or imported) by a worker, not by the web process:
    a large file would otherwise hold a web worker for as long as it takes."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Refused")

    class Stage(models.TextChoices):
        READING = "reading", _("Reading the file")
        CHECKING = "checking", _("Checking every row")
        WRITING = "writing", _("Saving")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The commune whose page the file was uploaded from (none for the API).
    commune = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    path = models.CharField(max_length=255)
    dry_run = models.BooleanField(_("check only"), default=False)
    language = models.CharField(max_length=8, blank=True)  # of the messages, as the uploader's
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # Counts, notices and problems ({row, column, column_label, message}) once finished.
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background import")
        verbose_name_plural = _("background imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def problems(self) -> list:
        return self.result.get("problems", [])


class ExportMapping(models.Model):
    """How one source system's statistics export reads (#17): which printed column holds which
    figure, chosen once by an administrator. Headers are matched without regard to case or
    spacing; a column under a group heading is named "Group / Column" ("Đã xử lý / Quá hạn")."""

    name = models.CharField(_("source system"), max_length=120, unique=True)
    # Where the units of the export are looked for by name (a province): none, everywhere the
    # uploader may write.
    scope = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("units of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # {field: header as printed}: "unit", "total" (checked, not stored) and counter names.
    columns = models.JSONField(_("columns"), default=dict)
    # The trap of some exports: "trong kỳ" counts only dossiers received at the desk, and those
    # received online are in their own column (received = trong kỳ + qua mạng).
    in_period_includes_online = models.BooleanField(
        _("“trong kỳ” includes dossiers received online"), default=True
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("export mapping")
        verbose_name_plural = _("export mappings")
        ordering = ["name"]

    def __str__(self):
        return self.name


class UnitNameAlias(models.Model):
    """A unit name as a source system writes it ("Xa An My"), matched to a unit once and
    confirmed by a person; later imports through the same mapping take it without asking."""

    mapping = models.ForeignKey(
        ExportMapping,
        verbose_name=_("export mapping"),
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    text = models.CharField(_("name as exported"), max_length=200)
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit name as exported")
        verbose_name_plural = _("unit names as exported")
        ordering = ["mapping", "text"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "text"], name="alias_one_per_text"),
        ]

    def __str__(self):
        return f"{self.text} → {self.unit}"
