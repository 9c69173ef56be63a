"""Frameworks: the rubric a unit issues for a year, its bands, areas, sub-criteria and steps."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from communes.models import AdministrativeUnit, Kind, Level, Membership, ancestor_lookups
from scoring.models.fields import PERCENT, POINTS


class Method(models.TextChoices):
    MANUAL = "manual", _("Manual")
    SURVEY = "survey", _("Survey")
    RATIO_TARGET = "ratio_target", _("Ratio to target")
    STEPS = "steps", _("Steps")
    CHOICE = "choice", _("Choice among fixed options")
    DEDUCTION = "deduction", _("Deduction per count")


class ItemKind(models.TextChoices):
    """A sub-criterion of an area, or a bonus or penalty item the framework declares (outside
    the areas: claimed by the commune, decided by the appraiser, capped by the framework)."""

    CRITERION = "criterion", _("Sub-criterion")
    BONUS = "bonus", _("Bonus")
    PENALTY = "penalty", _("Penalty")


class WhenNothing(models.TextChoices):
    """What a derived or deduction item earns when there is nothing to count in the period."""

    MANUAL = "manual", _("Points entered by a person")
    FULL = "full", _("Full points")
    EXCLUDE = "exclude", _("Left out of the maximum")


class Denominator(models.TextChoices):
    FIXED = "fixed", _("The framework's maximum")
    APPLICABLE = "applicable", _("The maximum of what applies to the unit")


# Points the engine computes from the statistics (or from an entered count, for a deduction).
DERIVED_METHODS = (Method.RATIO_TARGET, Method.STEPS, Method.DEDUCTION)
# Items nest down to four levels below an area: a sub-criterion (depth 0) and three below it.
MAX_DEPTH = 3


class FrameworkQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Frameworks the user may read: issued by a unit they see, by an ancestor of one of
        their units (an officer reads the framework their district assesses them with), or
        used to assess a unit they see."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        ancestors = {
            ancestor
            for row in Membership.objects.filter(user=user).values_list(*ancestor_lookups("unit__"))
            for ancestor in row
            if ancestor
        }
        from scoring.models.assessments import Assessment

        visible = AdministrativeUnit.objects.visible_ids(user)
        # The old district frameworks that ranked the communes a new unit took in (July 2025)
        # are that unit's history: readable through the assessments of the units one sees.
        history = Assessment.objects.filter(unit_id__in=visible).values("framework_id")
        return self.filter(
            Q(issuer_id__in=visible + sorted(ancestors)) | Q(pk__in=history)
        ).distinct()


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
    # Decimals of every index and area percent, rounded half up; ranks tie at this precision.
    precision = models.PositiveSmallIntegerField(
        _("decimals of percents"), choices=[(2, "2"), (3, "3")], default=2
    )
    denominator = models.CharField(
        _("index denominator"), max_length=12, choices=Denominator.choices, default="fixed"
    )
    # The most bonus (penalty) points a unit's declared items add (take off); None: none declared.
    bonus_max = models.DecimalField(_("bonus cap"), **POINTS, null=True, blank=True)
    penalty_max = models.DecimalField(_("penalty cap"), **POINTS, null=True, blank=True)
    document = models.JSONField(_("source document"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = FrameworkQuerySet.as_manager()

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


class RankingGroup(models.Model):
    """Units of some kinds ranked apart (a province ranks its phường apart from its xã)."""

    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="ranking_groups",
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("ranking group")
        verbose_name_plural = _("ranking groups")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="rankinggroup_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class RankingGroupKind(models.Model):
    """A unit kind a ranking group takes; a kind belongs to one group of a framework at most
    (the constraint), so the engine finds a unit's group with one join."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        RankingGroup,
        verbose_name=_("ranking group"),
        on_delete=models.CASCADE,
        related_name="kinds",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("kind in a ranking group")
        verbose_name_plural = _("kinds in ranking groups")
        constraints = [
            models.UniqueConstraint(fields=["framework", "kind"], name="rankinggroupkind_unique")
        ]

    def __str__(self):
        return f"{self.group.code}: {self.kind}"


class Band(models.Model):
    """A band of the framework, or of one of its ranking groups (which then uses its own)."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="bands"
    )
    ranking_group = models.ForeignKey(
        RankingGroup,
        verbose_name=_("ranking group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bands",
    )
    label = models.CharField(_("label"), max_length=60)
    label_en = models.CharField(_("English label"), max_length=60, blank=True)
    min_percent = models.DecimalField(_("minimum percent"), **PERCENT)

    class Meta:
        verbose_name = _("band")
        verbose_name_plural = _("bands")
        ordering = ["framework", "-min_percent"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "label"],
                condition=Q(ranking_group__isnull=True),
                name="band_unique_label",
            ),
            models.UniqueConstraint(
                fields=["framework", "min_percent"],
                condition=Q(ranking_group__isnull=True),
                name="band_unique_min",
            ),
            models.UniqueConstraint(
                fields=["ranking_group", "label"],
                condition=Q(ranking_group__isnull=False),
                name="band_unique_group_label",
            ),
            models.UniqueConstraint(
                fields=["ranking_group", "min_percent"],
                condition=Q(ranking_group__isnull=False),
                name="band_unique_group_min",
            ),
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
    # An optional area (a survey the province may not run) leaves an assessment's maximum when
    # no points were entered for any of its items.
    optional = models.BooleanField(_("optional"), default=False)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="area_unique")]

    def __str__(self):
        return f"{self.code}. {self.name}"


class SubCriterionQuerySet(models.QuerySet):
    def scored(self):
        """The items a person or a rule scores: every item but those made of items."""
        return self.filter(has_items=False)


class SubCriterion(models.Model):
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="sub_criteria",
    )
    # None for a bonus or penalty item (kind), which belongs to no area.
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.CASCADE,
        related_name="sub_criteria",
        null=True,
        blank=True,
    )
    kind = models.CharField(
        _("kind of item"), max_length=10, choices=ItemKind.choices, default="criterion"
    )
    # Nested items (formats.md `items`): an item with items is scored by them, its points their
    # sum capped at its maximum; only leaves hold a person's or a rule's points. `depth` is 0
    # for a sub-criterion directly in its area, down to MAX_DEPTH.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.CASCADE,
        related_name="items",
        null=True,
        blank=True,
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    has_items = models.BooleanField(_("has items"), default=False)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=500)
    name_en = models.CharField(_("English name"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    max_points = models.DecimalField(_("maximum points"), **POINTS)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    metric = models.CharField(_("metric"), max_length=40, blank=True)
    target_percent = models.DecimalField(_("target percent"), **PERCENT, null=True, blank=True)
    # For `choice`: [[label, points], …], the only points a person may enter.
    options = models.JSONField(_("options"), default=list, blank=True)
    # For `deduction`: points lost per counted case (a late dossier, an unlawful document).
    per_count = models.DecimalField(_("points per count"), **POINTS, null=True, blank=True)
    when_nothing = models.CharField(
        _("when there is nothing to count"),
        max_length=10,
        choices=WhenNothing.choices,
        default="manual",
    )

    objects = SubCriterionQuerySet.as_manager()

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
        return self.method in DERIVED_METHODS and not self.has_items

    @property
    def option_points(self) -> list[Decimal]:
        return [Decimal(str(points)) for _label, points in self.options or []]


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
