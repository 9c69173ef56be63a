"""Checks of monthly statistics rows: one function per cell kind, the bound rules from metrics."""

import datetime
import re
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_COUNT = 10_000_000  # far above any commune's monthly dossiers; catches pasted totals and typos

# ASCII digits only: Python's \d also matches fullwidth (１２) and Arabic-Indic (١٢) digits,
# which no one-stop software writes and a person cannot tell from the real thing.
_MONTH_PATTERNS = (
    re.compile(r"^(?P<year>[0-9]{4})[-/.](?P<month>[0-9]{1,2})$"),
    re.compile(r"^(?P<month>[0-9]{1,2})[-/.](?P<year>[0-9]{4})$"),
)


def parse_month(value) -> tuple[datetime.date | None, str | None]:
    """(first day of the month, None) or (None, message)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        # Excel turns "2023-07" typed in a cell into a date; the month is what was meant.
        return value.replace(day=1), None
    text = str(value).strip() if value is not None else ""
    if not text:
        return None, _("the month is empty")
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month = int(match["year"]), int(match["month"])
            if 1 <= month <= 12 and 1900 <= year < 2200:
                return datetime.date(year, month, 1), None
    return None, _("'%(value)s' is not a month in YYYY-MM form (for example 2023-07)") % {
        "value": text[:40]
    }


_WHOLE = re.compile(r"[+-]?[0-9]+(\.0+)?")
_FRACTION = re.compile(r"[+-]?[0-9]*[.,][0-9]+")


def parse_count(value) -> tuple[int | None, str | None]:
    """(whole number, None), (None, None) for an empty cell, or (None, message)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    number = None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)  # the usual cell of a CSV file, without the patterns below
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        if value != int(value):
            return None, _("%(value)s is not a whole number") % {"value": value}
        number = int(value)
    elif isinstance(value, datetime.date | datetime.time):
        return None, _("a date was found where a number of dossiers was expected")
    else:
        text = str(value).strip()
        if _WHOLE.fullmatch(text):
            number = int(Decimal(text))
        elif _FRACTION.fullmatch(text):
            return None, _("'%(value)s' is not a whole number") % {"value": text[:40]}
        elif text.startswith("="):
            return None, _("a formula was found where a number was expected")
        else:
            return None, _("'%(value)s' is not a number") % {"value": text[:40]}
    if number is None:
        return None, _("'%(value)s' is not a number") % {"value": str(value)[:40]}
    if number < 0:
        return None, _("%(value)d is negative; counts must be 0 or more") % {"value": number}
    if number > MAX_COUNT:
        return None, _("%(value)d is larger than %(max)d, which no commune reaches in a month") % {
            "value": number,
            "max": MAX_COUNT,
        }
    return number, None
