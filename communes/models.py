import datetime
import unicodedata

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class Kind(models.TextChoices):
    """What a commune-level unit is, as its official name says."""

    XA = "xa", _("commune (xã)")
    PHUONG = "phuong", _("ward (phường)")
    THI_TRAN = "thi_tran", _("township (thị trấn)")
    DAC_KHU = "dac_khu", _("special zone (đặc khu)")


# Official names begin with the kind ("Xã An Mỹ", "Phường Ba Đình", "Đặc khu Phú Quốc"); one
# list writes "xã Bắc Sơn", so the comparison ignores case.
_KIND_PREFIXES = (
    ("thị trấn ", Kind.THI_TRAN),
    ("phường ", Kind.PHUONG),
    ("đặc khu ", Kind.DAC_KHU),
    ("xã ", Kind.XA),
)


def kind_of(name: str, level: str) -> str:
    """The kind of a commune-level unit from its official name; "" for other levels or a name
    that does not say."""
    if level != Level.COMMUNE:
        return ""
    text = unicodedata.normalize("NFC", name or "").strip().lower()
    return next((kind for prefix, kind in _KIND_PREFIXES if text.startswith(prefix)), "")


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    APPRAISER = "appraiser", _("Appraiser")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


# Units nest at most this deep: province > district > commune before July 2025, province >
# commune since. Every "ancestors of" and "subtree of" question is built from this one number.
MAX_DEPTH = 3


def ancestor_lookups(prefix: str = "", field: str = "id") -> list[str]:
    """Lookups reaching each ancestor of a unit, nearest first: with prefix "unit__",
    ["unit__parent_id", "unit__parent__parent_id"]; with field "code", their codes."""
    lookups = []
    for depth in range(1, MAX_DEPTH):
        path = "__".join(["parent"] * depth)
        lookups.append(f"{prefix}{path}_id" if field == "id" else f"{prefix}{path}__{field}")
    return lookups


def ancestry_q(value, prefix: str = "", field: str = "id") -> Q:
    """Rows whose unit (at `prefix`) has an ancestor with `field` in `value` (a list)."""
    query = Q()
    for lookup in ancestor_lookups(prefix, field):
        query |= Q(**{f"{lookup}__in": value})
    return query


# Roles that may change data of the units in their subtree (what they may change is decided by
# the rules of each kind of data: dossiers/rules.py, scoring/assessments/rules.py).
WRITER_ROLES = (Role.COMMUNE_OFFICER, Role.APPRAISER, Role.ADMIN)


# The units a user holds a role on, their subtree down to the communes, and the old units
# those took in (July 2025): what visible_to means, as one statement.
VISIBLE_IDS = """
    WITH RECURSIVE reached(id, depth) AS (
        SELECT m.unit_id, 0 FROM {membership} m WHERE m.user_id = %s
        UNION
        SELECT u.id, reached.depth + 1 FROM {unit} u JOIN reached ON u.parent_id = reached.id
        WHERE reached.depth < %s
    )
    SELECT id FROM reached
    UNION
    SELECT l.predecessor_id FROM {lineage} l WHERE l.successor_id IN (SELECT id FROM reached)
"""


class UnitQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def valid_during(self, start: datetime.date, end: datetime.date):
        """Units valid on at least one day of [start, end]."""
        return self.filter(
            Q(valid_from__lte=end), Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )

    def subtree_of(self, unit_ids):
        """The units themselves and every descendant.

        Level by level on the unit's own parent column (`parent_id IN (…children of…)`), not
        through joins to its parents: each condition can use an index, where an OR across a
        join read the whole unit table, twice on a page that checks visibility twice."""
        ids = list(unit_ids)
        query, level = Q(pk__in=ids), ids
        for _depth in range(1, MAX_DEPTH):
            query |= Q(parent_id__in=level)
            level = self.model.objects.filter(parent_id__in=level).values("pk")
        return self.filter(query)

    # Scoping: the one place that decides which units a user may see and change. Every view,
    # endpoint, import and command that acts for a user starts from these, so a commune officer
    # can never reach another commune by changing an id in a URL.

    def visible_to(self, user):
        """Units the user may read: the subtree of every unit they hold any role on, and the old
        units those took in (July 2025), whose results are their history. Reading only: the
        old units are no one's to change (changeable_by)."""
        if user is None or not user.is_authenticated or user.is_superuser:
            return self._reached_by(user, roles=None)
        return self.filter(pk__in=self.visible_ids(user))

    def visible_ids(self, user) -> list[int]:
        """The ids of visible_to(user), read in one query. Callers that filter large tables by
        them (the frameworks one reads, the assessments of one's units) get plans on the ids'
        indexes: as subqueries OR'd together, PostgreSQL read those tables whole."""
        if user is None or not user.is_authenticated or not user.is_active:
            return []
        if user.is_superuser:
            return list(self.model.objects.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            tables = {
                "unit": self.model._meta.db_table,
                "membership": Membership._meta.db_table,
                "lineage": UnitLineage._meta.db_table,
            }
            cursor.execute(VISIBLE_IDS.format(**tables), [user.pk, MAX_DEPTH - 1])
            return sorted(row[0] for row in cursor.fetchall())

    def changeable_by(self, user, roles=WRITER_ROLES):
        """Units in the subtree of the user's memberships with one of `roles`."""
        return self._reached_by(user, roles=roles)

    def _reached_by(self, user, roles):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        memberships = Membership.objects.filter(user=user)
        if roles is not None:
            memberships = memberships.filter(role__in=list(roles))
        return self.subtree_of(memberships.values_list("unit_id", flat=True))


class AdministrativeUnit(models.Model):
    """A province, district or commune-level unit as it stood during [valid_from, valid_to].

    Official codes are reused after mergers (commune 00004 was Phường Trúc Bạch in the three-tier
    list and is Phường Ba Đình in the two-tier one), so a code names a unit only together with a
    date. Old rows are never deleted: results of earlier years keep pointing at them.
    """

    code = models.CharField(_("code"), max_length=5, db_index=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    # For commune-level units: xã, phường, thị trấn or đặc khu (kind_of its name).
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"], name="unit_unique_code_per_version"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_interval",
            ),
        ]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.kind = kind_of(self.name, self.level)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "kind"}
        super().save(*args, **kwargs)

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def ancestor_ids(self) -> list[int]:
        """Ids of the units above this one, nearest first (one query)."""
        row = AdministrativeUnit.objects.filter(pk=self.pk).values_list(*ancestor_lookups()).get()
        return [ancestor for ancestor in row if ancestor]


class Membership(models.Model):
    """Gives a user a role on a unit; the role reaches the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class Merge(models.TextChoices):
    FULL = "full", _("whole")
    PARTIAL = "partial", _("part")


class UnitLineage(models.Model):
    """One predecessor of a unit: the old unit went into the new one wholly (`full`) or in
    part (`partial`), as in the July 2025 mergers. Results of the old unit stay its own; the new
    unit's page shows them as its history."""

    successor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("successor"),
        on_delete=models.CASCADE,
        related_name="predecessor_links",
    )
    predecessor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("predecessor"),
        on_delete=models.CASCADE,
        related_name="successor_links",
    )
    merge = models.CharField(_("merge"), max_length=10, choices=Merge.choices)

    class Meta:
        verbose_name = _("unit lineage")
        verbose_name_plural = _("unit lineage")
        constraints = [
            models.UniqueConstraint(fields=["successor", "predecessor"], name="lineage_unique")
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.merge})"
