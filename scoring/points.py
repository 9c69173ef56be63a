"""The one rule for a points value typed by a person or read from a file."""

import re
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _

from scoring.models.frameworks import Method

_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def format_points(value, places: int = 2) -> str:
    """A number in the active language's style with at most `places` decimals and no
    trailing zeros: 4 · 1,5 · 2,73 · 20 (never 2E+1)."""
    value = Decimal(value).quantize(Decimal(1).scaleb(-places)).normalize()
    shown = max(0, -value.as_tuple().exponent)
    return formats.number_format(value, decimal_pos=shown, use_l10n=True)


def parse_points(value, max_points: Decimal) -> tuple[Decimal | None, str | None]:
    """(points, None), (None, None) for "not entered", or (None, message).

    Points have at most two decimals and lie in 0…max_points; "3,75" is read as 3.75.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, bool):
        return None, _("'%(value)s' is not a number") % {"value": value}
    text = str(value).strip().replace(",", ".") if isinstance(value, str) else str(value)
    if isinstance(value, str) and not _PLAIN_NUMBER.fullmatch(text):
        # Decimal() would also read fullwidth or Arabic-Indic digits and "1e2": none is how a
        # person types points.
        return None, _("'%(value)s' is not a number") % {"value": str(value)[:40]}
    try:
        points = Decimal(text)
    except InvalidOperation:
        return None, _("'%(value)s' is not a number") % {"value": str(value)[:40]}
    if not points.is_finite():
        return None, _("'%(value)s' is not a number") % {"value": str(value)[:40]}
    # The range first: a number such as 1e308 has too many digits to be rounded at all.
    if points < 0 or points > max_points:
        return None, _("%(value)s is outside 0…%(max)s") % {
            "value": str(value)[:40],
            "max": format_points(max_points),
        }
    if points != points.quantize(Decimal("0.01")):
        return None, _("%(value)s has more than two decimals") % {"value": value}
    return points.quantize(Decimal("0.01")), None


def not_scored_reason(sub) -> str | None:
    """Why nothing can be written on this item, or None: an item made of items is scored by its
    items (the page, the API and imports all ask here)."""
    if not getattr(sub, "has_items", False):
        return None
    return _("%(code)s is made of items; its points are theirs: score its items instead") % {
        "code": sub.code
    }


def parse_points_for(sub, value) -> tuple[Decimal | None, str | None]:
    """parse_points for one sub-criterion: within its maximum and, for a `choice`, one of its
    options' points (the page, the API and imports all ask here)."""
    points, error = parse_points(value, sub.max_points)
    if points is None or error or not sub.options:
        return points, error
    if points not in sub.option_points:
        return None, _("%(value)s is not one of the options (%(options)s)") % {
            "value": format_points(points),
            "options": "; ".join(f"{label}: {format_points(p)}" for label, p in sub.options),
        }
    return points, None


MAX_COUNT = 1_000_000
_WHOLE_NUMBER = re.compile(r"[0-9]+")


def parse_count_for(sub, value) -> tuple[int | None, str | None]:
    """The count an appraiser enters for a deduction counted by hand (no dossier counter):
    a whole number from 0; (None, None) for "not entered"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if sub.method != Method.DEDUCTION or sub.metric:
        return None, _(
            "a count is entered only for a deduction counted by hand; %(code)s is not one"
        ) % {"code": sub.code}
    text = str(value).strip()
    if isinstance(value, bool) or not _WHOLE_NUMBER.fullmatch(text) or int(text) > MAX_COUNT:
        return None, _("'%(value)s' is not a whole number of cases") % {"value": text[:40]}
    return int(text), None
