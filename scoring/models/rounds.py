"""A round: the assessments of one framework for one period, opened by the issuer's appraisers
with the deadlines they set, and the extensions they grant a unit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communes.models import AdministrativeUnit
from scoring.models.frameworks import Framework
from scoring.models.periods import Period


class RoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The rounds of the frameworks the user may read."""
        return self.filter(framework__in=Framework.objects.visible_to(user))


class Round(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="rounds"
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="rounds"
    )
    # The last day (Vietnam time) on which communes may change their self-assessment, and on
    # which the appraisers should have finished; none: no deadline.
    self_assessment_due = models.DateField(_("self-assessment due"), null=True, blank=True)
    appraisal_due = models.DateField(_("appraisal due"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-period__end", "framework__code"]
        constraints = [models.UniqueConstraint(fields=["framework", "period"], name="round_unique")]

    def __str__(self):
        return f"{self.framework.code} {self.period.code}"


class Extension(models.Model):
    """A unit may change its self-assessment until `until` (inclusive), past the deadline."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="extensions"
    )
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    until = models.DateField(_("until"))
    reason = models.TextField(_("reason"), blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="extension_unique")]

    def __str__(self):
        return f"{self.round} · {self.unit.code} → {self.until:%d/%m/%Y}"
