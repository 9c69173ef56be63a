"""Reads of frameworks: which a user may see, which a group uses."""

from django.db.models import Q
from django.utils.translation import gettext as _

from communes.selectors import unit_by_code
from scoring.models import (
    Framework,
    Period,
)


def group_framework(*, issuer_code: str, period: Period, framework_code: str | None = None):
    """The framework issued by unit `issuer_code` for the period's year (and code, if given).

    Returns (framework, error message); exactly one of them is None.
    """
    issuer = unit_by_code(issuer_code, on=period.start) or unit_by_code(issuer_code)
    if issuer is None:
        return None, _("No unit has the code %(code)s.") % {"code": issuer_code}
    frameworks = Framework.objects.filter(issuer=issuer, year=period.year)
    if framework_code:
        frameworks = frameworks.filter(code=framework_code)
    found = list(frameworks.order_by("code"))
    if not found:
        return None, _("%(unit)s issued no framework for %(year)d.") % {
            "unit": issuer,
            "year": period.year,
        }
    if len(found) > 1:
        return None, _("%(unit)s issued several frameworks for %(year)d (%(codes)s); name one.") % {
            "unit": issuer,
            "year": period.year,
            "codes": ", ".join(f.code for f in found),
        }
    return found[0], None


def frameworks_visible_to(user):
    """Frameworks the user may read: issued by a unit they see, or by an ancestor of one of
    their units (an officer reads the framework their district assesses them with)."""
    from communes import scoping
    from communes.models import Membership

    if user is None or not user.is_authenticated:
        return Framework.objects.none()
    if user.is_superuser:
        return Framework.objects.all()
    ancestors = set()
    for parent, grandparent in Membership.objects.filter(user=user).values_list(
        "unit__parent_id", "unit__parent__parent_id"
    ):
        ancestors.update(a for a in (parent, grandparent) if a)
    return Framework.objects.filter(
        Q(issuer__in=scoping.visible_units(user)) | Q(issuer_id__in=ancestors)
    ).distinct()
