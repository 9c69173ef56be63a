"""The one place that decides which units a user may see and which they may change.

Every view, endpoint, import and command that acts for a user goes through these functions, so a
commune officer can never reach another commune by changing an id in a URL.
"""

from collections.abc import Iterable

from communes.models import AdministrativeUnit, Membership, Role

# Roles that may change data of the units in their subtree (what they may change is decided by
# the service: officers write statistics and self points, appraisers appraised points).
WRITER_ROLES = (Role.COMMUNE_OFFICER, Role.APPRAISER, Role.ADMIN)


def _member_unit_ids(user, roles: Iterable[str] | None = None) -> list[int]:
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return list(memberships.values_list("unit_id", flat=True))


def visible_units(user):
    """Units the user may read: the subtree of every unit they hold any role on."""
    if user is None or not user.is_authenticated or not user.is_active:
        return AdministrativeUnit.objects.none()
    if user.is_superuser:
        return AdministrativeUnit.objects.all()
    return AdministrativeUnit.objects.subtree_of(_member_unit_ids(user))


def units_for_roles(user, roles: Iterable[str]):
    """Units in the subtree of the user's memberships with one of `roles`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return AdministrativeUnit.objects.none()
    if user.is_superuser:
        return AdministrativeUnit.objects.all()
    return AdministrativeUnit.objects.subtree_of(_member_unit_ids(user, roles))


def changeable_units(user):
    """Units whose data the user may change in some way."""
    return units_for_roles(user, WRITER_ROLES)


def visible_unit(user, code: str, *, level: str | None = None) -> AdministrativeUnit | None:
    """The latest version of the unit with this code, if the user may see it (else None, which
    callers answer with 404 so codes cannot be probed)."""
    units = visible_units(user).filter(code=code)
    if level is not None:
        units = units.filter(level=level)
    return units.select_related("parent").order_by("-valid_from").first()


def can_see(user, unit: AdministrativeUnit) -> bool:
    return visible_units(user).filter(pk=unit.pk).exists()


def can_change(user, unit: AdministrativeUnit, roles: Iterable[str] = WRITER_ROLES) -> bool:
    return units_for_roles(user, roles).filter(pk=unit.pk).exists()
