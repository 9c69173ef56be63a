"""Reads of frameworks: which a user may see, which a group uses."""

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
