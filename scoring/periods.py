"""Period codes (2023, 2023-H1, 2023-Q4), their months and the period a ranking compares with."""

import calendar
import datetime
import re

from django.utils.translation import gettext as _

from scoring.models import Period, PeriodKind

_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[HQ])(?P<number>\d))?$")
_MONTHS_PER = {PeriodKind.YEAR: 12, PeriodKind.HALF: 6, PeriodKind.QUARTER: 3}


class PeriodCodeError(ValueError):
    pass


def parse_period_code(code: str) -> tuple[str, int, int]:
    """(kind, year, number) for a period code; number is 0 for a year."""
    match = _CODE.match((code or "").strip().upper())
    if not match:
        raise PeriodCodeError(
            _("'%(code)s' is not a period: use 2023, 2023-H1 or 2023-Q1.") % {"code": code}
        )
    year = int(match["year"])
    if not match["kind"]:
        return PeriodKind.YEAR, year, 0
    kind = PeriodKind.HALF if match["kind"] == "H" else PeriodKind.QUARTER
    number = int(match["number"])
    if not 1 <= number <= (2 if kind == PeriodKind.HALF else 4):
        raise PeriodCodeError(_("'%(code)s' is not a period.") % {"code": code})
    return kind, year, number


def period_bounds(kind: str, year: int, number: int) -> tuple[datetime.date, datetime.date]:
    if kind == PeriodKind.YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    size = _MONTHS_PER[kind]
    first_month = (number - 1) * size + 1
    last_month = first_month + size - 1
    return (
        datetime.date(year, first_month, 1),
        datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


def _code(kind: str, year: int, number: int) -> str:
    if kind == PeriodKind.YEAR:
        return str(year)
    return f"{year}-{'H' if kind == PeriodKind.HALF else 'Q'}{number}"


def period_get_or_create(code: str) -> Period:
    kind, year, number = parse_period_code(code)
    start, end = period_bounds(kind, year, number)
    period, _created = Period.objects.get_or_create(
        code=_code(kind, year, number),
        defaults={"kind": kind, "year": year, "number": number, "start": start, "end": end},
    )
    return period


def previous_period_codes(period: Period) -> list[str]:
    """Codes to compare with, most preferred first: the previous period of the same kind, then
    the previous year (a half year with no previous half is compared with last year's index)."""
    if period.kind == PeriodKind.YEAR:
        return [str(period.year - 1)]
    per_year = 2 if period.kind == PeriodKind.HALF else 4
    if period.number > 1:
        same_kind = _code(period.kind, period.year, period.number - 1)
    else:
        same_kind = _code(period.kind, period.year - 1, per_year)
    return [same_kind, str(period.year - 1)]
