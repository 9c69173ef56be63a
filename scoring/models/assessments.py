"""Assessments of a unit for a period: scores, evidence, bonus and penalty points."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communes.models import AdministrativeUnit
from scoring.models.fields import PERCENT, POINTS
from scoring.models.frameworks import Framework, SubCriterion
from scoring.models.periods import Period


class AssessmentStatus(models.TextChoices):
    OPEN = "open", _("Open for self-assessment")
    SUBMITTED = "submitted", _("Submitted for appraisal")
    RETURNED = "returned", _("Returned for explanation")
    APPRAISED = "appraised", _("Appraised")


# A commune changes its self-assessment while it is open, and again when it is returned.
SELF_ASSESSING = (AssessmentStatus.OPEN, AssessmentStatus.RETURNED)


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Assessments of the units the user may see."""
        return self.filter(unit__in=AdministrativeUnit.objects.visible_to(user))


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
    # Status changes and return notes, for the assessment's timeline (history.py).
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    objects = AssessmentQuerySet.as_manager()

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
    # When the appraisers return the self-assessment: what they ask about this item, and the
    # commune's answer. Both are cleared by the next return.
    return_note = models.TextField(_("asked on return"), blank=True)
    return_answer = models.TextField(_("answer to the return"), blank=True)
    # Computed by the ranking engine; never edited by hand.
    metric_value = models.DecimalField(_("metric value"), **PERCENT, null=True, blank=True)
    derived_points = models.DecimalField(_("derived points"), **POINTS, null=True, blank=True)
    points = models.DecimalField(_("points used"), **POINTS, default=Decimal(0))
    # For a deduction counted by hand: the cases the appraiser counted.
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    # Set by the engine: the item left this assessment's maximum (when_nothing = exclude).
    excluded = models.BooleanField(_("left out of the maximum"), default=False)
    # Set by the engine: the part of the item's maximum that applies to this assessment (0 when
    # left out; for an item with items, their applicable maxima summed, capped at its maximum).
    applicable_max = models.DecimalField(_("applicable maximum"), **POINTS, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(
        excluded_fields=[
            "metric_value",
            "derived_points",
            "points",
            "excluded",
            "applicable_max",
            "updated_at",
        ],
        # The history is read by assessment and by score; an index per item and per editor
        # served no query and cost a fifth of writing a national import's history.
        no_db_index=["sub_criterion", "updated_by"],
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
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("bonus or penalty")
        verbose_name_plural = _("bonuses and penalties")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="adjustment_points_positive")
        ]

    def __str__(self):
        sign = "+" if self.kind == AdjustmentKind.BONUS else "−"
        return f"{sign}{self.points} · {self.assessment}"


def _evidence_path(instance, filename):
    # Stored under a random name: the original name is kept in the row, never trusted as a path.
    import uuid

    return f"evidence/{instance.score.assessment.period.code}/{uuid.uuid4().hex}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Evidence of the units the user may see (the file is read only through this)."""
        return self.filter(score__assessment__unit__in=AdministrativeUnit.objects.visible_to(user))


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
    # Kept so the timeline shows a removed file too.
    history = HistoricalRecords(excluded_fields=["file"])

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        ordering = ["score", "uploaded_at"]

    def __str__(self):
        return self.original_name
