from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communes.models import AdministrativeUnit, Level

POINTS = {"max_digits": 7, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 2}


class Method(models.TextChoices):
    MANUAL = "manual", _("Manual")
    SURVEY = "survey", _("Survey")
    RATIO_TARGET = "ratio_target", _("Ratio to target")
    STEPS = "steps", _("Steps")


DERIVED_METHODS = (Method.RATIO_TARGET, Method.STEPS)


class Framework(models.Model):
    """A scoring rubric issued by one unit for one year, used to rank its descendants."""

    issuer = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="frameworks",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    level = models.CharField(_("assessed level"), max_length=10, choices=Level.choices)
    max_points = models.DecimalField(_("maximum points"), **POINTS, default=Decimal(0))
    document = models.JSONField(_("source document"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["-year", "issuer__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "code"], name="framework_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.year} · {self.issuer.name}"


def localized(obj, field: str = "name") -> str:
    """A framework's own text in the active language: its English version (name_en, label_en)
    on English pages when the framework gives one, else the Vietnamese original."""
    if obj is None:
        return ""
    english = getattr(obj, f"{field}_en", "")
    if english and (get_language() or "").startswith("en"):
        return english
    return getattr(obj, field)


class Band(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="bands"
    )
    label = models.CharField(_("label"), max_length=60)
    label_en = models.CharField(_("English label"), max_length=60, blank=True)
    min_percent = models.DecimalField(_("minimum percent"), **PERCENT)

    class Meta:
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        ordering = ["framework", "-min_percent"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "label"], name="band_unique_label"),
            models.UniqueConstraint(fields=["framework", "min_percent"], name="band_unique_min"),
        ]

    def __str__(self):
        return f"{self.label} (≥ {self.min_percent})"


class Area(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="areas"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    max_points = models.DecimalField(_("maximum points"), **POINTS, default=Decimal(0))

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="area_unique")]

    def __str__(self):
        return f"{self.code}. {self.name}"


class SubCriterion(models.Model):
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="sub_criteria",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="sub_criteria"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    max_points = models.DecimalField(_("maximum points"), **POINTS)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    metric = models.CharField(_("metric"), max_length=40, blank=True)
    target_percent = models.DecimalField(_("target percent"), **PERCENT, null=True, blank=True)

    class Meta:
        verbose_name = _("sub-criterion")
        verbose_name_plural = _("sub-criteria")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="subcriterion_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_derived(self) -> bool:
        return self.method in DERIVED_METHODS


class Step(models.Model):
    """For `steps`: the first step (highest threshold first) the rate reaches gives the points."""

    sub_criterion = models.ForeignKey(
        SubCriterion,
        verbose_name=_("sub-criterion"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    threshold_percent = models.DecimalField(_("threshold percent"), **PERCENT)
    points = models.DecimalField(_("points"), **POINTS)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["sub_criterion", "-threshold_percent"]

    def __str__(self):
        return f"≥ {self.threshold_percent} % → {self.points}"


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    HALF = "half", _("Half year")
    QUARTER = "quarter", _("Quarter")


class Period(models.Model):
    code = models.CharField(_("code"), max_length=7, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"), default=0)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["year", "start", "-end"]

    def __str__(self):
        return self.code


class AssessmentStatus(models.TextChoices):
    OPEN = "open", _("Open for self-assessment")
    SUBMITTED = "submitted", _("Submitted for appraisal")
    RETURNED = "returned", _("Returned for explanation")
    APPRAISED = "appraised", _("Appraised")


# A commune changes its self-assessment while it is open, and again when it is returned.
SELF_ASSESSING = (AssessmentStatus.OPEN, AssessmentStatus.RETURNED)


class Assessment(models.Model):
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="assessments"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.OPEN
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    appraised_at = models.DateTimeField(_("appraised at"), null=True, blank=True)
    # What the appraiser asks the commune to explain when returning the self-assessment.
    return_note = models.TextField(_("note on return"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["period", "framework", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "framework", "period"], name="assessment_unique"
            )
        ]
        indexes = [models.Index(fields=["framework", "period"])]

    def __str__(self):
        return f"{self.unit} · {self.period}"

    # Where the assessment stands, as booleans for pages (who may act is in assessments/rules).
    @property
    def is_self_assessing(self) -> bool:
        return self.status in SELF_ASSESSING

    @property
    def was_submitted(self) -> bool:
        return self.status != AssessmentStatus.OPEN

    @property
    def awaits_appraisal(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED

    @property
    def is_returned(self) -> bool:
        return self.status == AssessmentStatus.RETURNED


class Score(models.Model):
    """Self and appraised points of one sub-criterion; the engine fills the computed columns."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="scores"
    )
    sub_criterion = models.ForeignKey(
        SubCriterion,
        verbose_name=_("sub-criterion"),
        on_delete=models.PROTECT,
        related_name="scores",
    )
    self_points = models.DecimalField(_("self points"), **POINTS, null=True, blank=True)
    appraised_points = models.DecimalField(_("appraised points"), **POINTS, null=True, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    appraisal_reason = models.TextField(_("appraisal reason"), blank=True)
    # Computed by the ranking engine; never edited by hand.
    metric_value = models.DecimalField(_("metric value"), **PERCENT, null=True, blank=True)
    derived_points = models.DecimalField(_("derived points"), **POINTS, null=True, blank=True)
    points = models.DecimalField(_("points used"), **POINTS, default=Decimal(0))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(
        excluded_fields=["metric_value", "derived_points", "points", "updated_at"]
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["assessment", "sub_criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "sub_criterion"], name="score_unique")
        ]

    def __str__(self):
        return f"{self.assessment} · {self.sub_criterion.code}"


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", _("Bonus")
    PENALTY = "penalty", _("Penalty")


class Adjustment(models.Model):
    """Bonus or penalty points outside the framework's maximum."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="adjustments",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind.choices)
    points = models.DecimalField(
        _("points"), **POINTS, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bonus or penalty")
        verbose_name_plural = _("bonuses and penalties")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="adjustment_points_positive")
        ]

    def __str__(self):
        sign = "+" if self.kind == AdjustmentKind.BONUS else "−"
        return f"{sign}{self.points} · {self.assessment}"


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
    total_points = models.DecimalField(_("total points"), **POINTS, default=Decimal(0))
    bonus_points = models.DecimalField(_("bonus"), **POINTS, default=Decimal(0))
    penalty_points = models.DecimalField(_("penalty"), **POINTS, default=Decimal(0))
    max_points = models.DecimalField(_("maximum points"), **POINTS, default=Decimal(0))
    index_percent = models.DecimalField(_("index (%)"), **PERCENT, default=Decimal(0))
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
    percent = models.DecimalField(_("percent"), **PERCENT, default=Decimal(0))

    class Meta:
        verbose_name = _("area result")
        verbose_name_plural = _("area results")
        ordering = ["result", "area__position"]
        constraints = [models.UniqueConstraint(fields=["result", "area"], name="arearesult_unique")]

    def __str__(self):
        return f"{self.area.code}: {self.percent} %"


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

    class Meta:
        verbose_name = _("ranking run")
        verbose_name_plural = _("ranking runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["framework", "period", "-started_at"])]

    def __str__(self):
        return f"{self.framework} {self.period} {self.status} {self.started_at:%Y-%m-%d %H:%M:%S}"


def _evidence_path(instance, filename):
    # Stored under a random name: the original name is kept in the row, never trusted as a path.
    import uuid

    return f"evidence/{instance.score.assessment.period.code}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A document proving a self-assessed score (tài liệu kiểm chứng)."""

    score = models.ForeignKey(
        Score, verbose_name=_("score"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        ordering = ["score", "uploaded_at"]

    def __str__(self):
        return self.original_name
