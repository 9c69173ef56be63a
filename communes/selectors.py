import datetime
from typing import NamedTuple

from django.utils import timezone

from communes.models import WRITER_ROLES, AdministrativeUnit, Level

LEVEL_BY_CODE_LENGTH = {2: Level.PROVINCE, 3: Level.DISTRICT, 5: Level.COMMUNE}


def level_of_code(code: str) -> str | None:
    """Official codes tell their level by length: 2 digits province, 3 district, 5 commune."""
    if not code.isdigit():
        return None
    return LEVEL_BY_CODE_LENGTH.get(len(code))


def unit_by_code(code: str, *, on: datetime.date | None = None, queryset=None):
    """The unit with this code valid on `on`, or, without a date, the current or latest version.

    Returns None when no version matches.
    """
    code = (code or "").strip()
    level = level_of_code(code)
    if level is None:
        return None
    qs = (queryset if queryset is not None else AdministrativeUnit.objects).filter(
        level=level, code=code
    )
    if on is not None:
        return qs.valid_on(on).first()
    today = timezone.localdate()
    return qs.valid_on(today).first() or qs.order_by("-valid_from").first()


class UnitVersion(NamedTuple):
    """A commune's version as bulk checks need it: which row, and when it was valid. (A model
    instance per version cost an import of 10,035 rows a third of a second.)"""

    pk: int
    code: str
    valid_from: datetime.date
    valid_to: datetime.date | None

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def communes_by_code(codes) -> dict[str, list[UnitVersion]]:
    """Every version of the communes with these codes, for date-aware lookups in bulk."""
    versions: dict[str, list[UnitVersion]] = {}
    qs = AdministrativeUnit.objects.filter(level=Level.COMMUNE, code__in=set(codes))
    for row in qs.values_list("id", "code", "valid_from", "valid_to"):
        versions.setdefault(row[1], []).append(UnitVersion(*row))
    return versions


def unit_versions_by_code(codes) -> dict[str, list[AdministrativeUnit]]:
    """Every version of the units (any level) with these codes."""
    versions: dict[str, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(code__in=set(codes)):
        versions.setdefault(unit.code, []).append(unit)
    return versions


ROLE_ORDER = ("admin", "leader", "appraiser", "commune_officer")


def memberships_of(user):
    """The user's memberships, the widest role first, with their units."""
    from communes.models import Membership

    if user is None or not user.is_authenticated:
        return []
    memberships = list(Membership.objects.filter(user=user).select_related("unit"))
    return sorted(memberships, key=lambda m: (ROLE_ORDER.index(m.role), m.unit.code))


def request_memberships(request) -> list:
    """memberships_of the request's user, read once per request: the page's header and its
    view both ask."""
    if not hasattr(request, "_memberships"):
        request._memberships = memberships_of(getattr(request, "user", None))
    return request._memberships


def visible_unit(user, code: str, *, level: str | None = None) -> AdministrativeUnit | None:
    """The latest version of the unit with this code, if the user may see it (else None, which
    callers answer with 404 so codes cannot be probed)."""
    units = AdministrativeUnit.objects.visible_to(user).filter(code=code)
    if level is not None:
        units = units.filter(level=level)
    return units.select_related("parent").order_by("-valid_from").first()


def visible_unit_on(user, code: str, on: datetime.date | None = None):
    """The unit a code names on a day (without one: today's, or the latest version of a unit
    that no longer exists), if the user may see it. Codes are reused after mergers, so pages and
    the API that take ?on= ask here."""
    scope = AdministrativeUnit.objects.visible_to(user).select_related("parent")
    return unit_by_code(code, on=on, queryset=scope)


def on_date(value: str | None) -> datetime.date | None:
    """The ?on= of a page or the API: None when absent; ValueError when not YYYY-MM-DD."""
    return None if value is None else datetime.date.fromisoformat(value)


def can_see(user, unit: AdministrativeUnit) -> bool:
    return AdministrativeUnit.objects.visible_to(user).filter(pk=unit.pk).exists()


def can_change(user, unit: AdministrativeUnit, roles=WRITER_ROLES) -> bool:
    return AdministrativeUnit.objects.changeable_by(user, roles).filter(pk=unit.pk).exists()
