"""Rankings: publications, stored results, dirty groups and the record of each run."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communes.models import AdministrativeUnit
from scoring.models.assessments import Assessment
from scoring.models.fields import INDEX, POINTS
from scoring.models.frameworks import Area, Band, Framework, RankingGroup
from scoring.models.periods import Period


def _decision_path(instance, filename):
    # A random name: the uploaded name is never trusted as a path.
    import uuid

    return f"decisions/{instance.period.code}/{uuid.uuid4().hex}.pdf"


class Publication(models.Model):
    """The decision publishing a group's results; from then on they are final and frozen."""

    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="publications",
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="publications"
    )
    decision_number = models.CharField(_("decision number"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    # Who signed the decision, as it reads under the signature ("Chủ tịch … Nguyễn Văn A").
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_file = models.FileField(
        _("signed decision (PDF)"), upload_to=_decision_path, max_length=200, blank=True
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(fields=["framework", "period"], name="publication_unique")
        ]

    def __str__(self):
        return f"{self.decision_number} ({self.decision_date:%d/%m/%Y})"


class Reopening(models.Model):
    """An administrator took a published group back to work: the decision it withdrew, who,
    when and why. The publication itself is deleted, so the results can change again."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+"
    )
    decision_number = models.CharField(_("decision number"), max_length=60)
    decision_date = models.DateField(_("decision date"))
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reopening")
        verbose_name_plural = _("reopenings")
        ordering = ["-reopened_at"]

    def __str__(self):
        return f"{self.decision_number} · {self.reopened_at:%d/%m/%Y}"


class Result(models.Model):
    """The stored outcome of one assessment, written only by the ranking engine."""

    assessment = models.OneToOneField(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="result"
    )
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="results"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="results"
    )
    ranking_group = models.ForeignKey(
        RankingGroup,
        verbose_name=_("ranking group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    total_points = models.DecimalField(_("total points"), **POINTS, default=Decimal(0))
    bonus_points = models.DecimalField(_("bonus"), **POINTS, default=Decimal(0))
    penalty_points = models.DecimalField(_("penalty"), **POINTS, default=Decimal(0))
    max_points = models.DecimalField(_("maximum points"), **POINTS, default=Decimal(0))
    index_percent = models.DecimalField(_("index (%)"), **INDEX, default=Decimal(0))
    band = models.ForeignKey(
        Band, verbose_name=_("band"), null=True, blank=True, on_delete=models.SET_NULL
    )
    band_label = models.CharField(_("band"), max_length=60, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    previous_rank = models.PositiveIntegerField(_("previous rank"), null=True, blank=True)
    provisional = models.BooleanField(_("provisional"), default=True)
    appraised_count = models.PositiveIntegerField(_("appraised sub-criteria"), default=0)
    criteria_count = models.PositiveIntegerField(_("sub-criteria"), default=0)
    not_applicable_count = models.PositiveIntegerField(_("not applicable"), default=0)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["framework", "period", "rank", "unit__code"]
        indexes = [models.Index(fields=["framework", "period", "rank"])]

    def __str__(self):
        return f"{self.assessment}: {self.index_percent} %"


class AreaResult(models.Model):
    result = models.ForeignKey(
        Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="area_results"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="+"
    )
    points = models.DecimalField(_("points"), **POINTS, default=Decimal(0))
    max_points = models.DecimalField(_("maximum points"), **POINTS, default=Decimal(0))
    # None when nothing of the area applies to the unit (an optional area in which nothing was
    # entered, or every item left out): not assessed, which is not 0 %.
    percent = models.DecimalField(_("percent"), **INDEX, null=True, blank=True)

    class Meta:
        verbose_name = _("area result")
        verbose_name_plural = _("area results")
        ordering = ["result", "area__position"]
        constraints = [models.UniqueConstraint(fields=["result", "area"], name="arearesult_unique")]

    def __str__(self):
        return f"{self.area.code}: {'—' if self.percent is None else self.percent} %"


class DirtyGroup(models.Model):
    """A ranking group whose stored results are older than its data.

    Written in the same transaction as the data, so a change is never lost even when the broker
    is down; removed by the recompute that saw its latest `version`.
    """

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveBigIntegerField(default=1)
    marked_at = models.DateTimeField()  # the latest change
    dirty_since = models.DateTimeField(default=timezone.now)  # the first change not yet computed

    class Meta:
        verbose_name = _("ranking group to recompute")
        verbose_name_plural = _("ranking groups to recompute")
        constraints = [
            models.UniqueConstraint(fields=["framework", "period"], name="dirtygroup_unique")
        ]

    def __str__(self):
        return f"{self.framework_id}/{self.period_id} v{self.version}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RankingRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(framework__in=Framework.objects.visible_to(user))


class RankingRun(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="runs"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices)
    trigger = models.CharField(_("trigger"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    results_count = models.PositiveIntegerField(_("results"), default=0)
    error = models.TextField(_("error"), blank=True)

    objects = RankingRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("ranking run")
        verbose_name_plural = _("ranking runs")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["framework", "period", "-started_at"]),
            # The few runs still running, looked for by every recompute (abandoned ones).
            models.Index(
                fields=["status"],
                condition=models.Q(status=RunStatus.RUNNING),
                name="rankingrun_running",
            ),
        ]

    def __str__(self):
        return f"{self.framework} {self.period} {self.status} {self.started_at:%Y-%m-%d %H:%M:%S}"
