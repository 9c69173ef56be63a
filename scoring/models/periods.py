"""Periods an assessment covers: a year, a half or a quarter."""

from django.db import models
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _


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

    @property
    def label(self) -> str:
        """The period as people say it: "6 tháng đầu năm 2023", "Quý 3/2023", "Năm 2023"."""
        values = {"year": self.year, "number": self.number}
        if self.kind == PeriodKind.HALF:
            if self.number == 1:
                return gettext("First half of %(year)d") % values
            return gettext("Second half of %(year)d") % values
        if self.kind == PeriodKind.QUARTER:
            return gettext("Q%(number)d/%(year)d") % values
        return pgettext("period", "Year %(year)d") % values
