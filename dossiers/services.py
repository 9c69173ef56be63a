"""Every write of monthly dossier statistics: files, the API and forms all come through here."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit, Level
from communes.selectors import communes_by_code, level_of_code
from core.files import DEFAULT_MAX_ROWS, PROGRESS_EVERY, Table, UnreadableFile, read_table
from core.problems import Problem
from dossiers.columns import (
    INFORMATIVE_COLUMNS,
    REQUIRED_COLUMNS,
    VIETNAMESE_HEADERS,
    canonical_column,
)
from dossiers.metrics import COUNTER_FIELDS, bound_violations
from dossiers.models import DossierReport
from dossiers.report_writes import reports_write
from dossiers.rules import statistics_writable_units
from dossiers.signals import statistics_changed
from dossiers.validation import parse_count, parse_month

MAX_ROWS = DEFAULT_MAX_ROWS  # a month for every commune of the largest list is 10,035


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    dry_run: bool = False
    rows: list = field(default_factory=list)  # the validated rows, for previews
    to_confirm: list = field(default_factory=list)  # unit names awaiting a person (exports)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    number: int
    commune_id: int
    commune_code: str
    month: datetime.date
    values: dict


def _code_text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # an Excel number cell
    return str(raw if raw is not None else "").strip()


def _not_yours(code: str) -> str:
    return _("%(code)s is not a commune whose statistics you may enter") % {"code": code}


def _validate(
    records: list[tuple[int, dict]], user, progress=None
) -> tuple[list[_Row], list[Problem]]:
    """Check every row; return the good rows and every problem found (never stops at the first)."""
    problems: list[Problem] = []
    parsed = []
    this_month = timezone.localdate().replace(day=1)
    for index, (number, record) in enumerate(records):
        if progress and index % PROGRESS_EVERY == 0:
            progress("checking", index, len(records))
        row_ok = True
        code = _code_text(record.get("commune_code"))
        if not code:
            problems.append(Problem(number, "commune_code", _("the commune code is empty")))
            row_ok = False
        month, error = parse_month(record.get("month"))
        if error:
            problems.append(Problem(number, "month", error))
            row_ok = False
        elif month > this_month:
            problems.append(
                Problem(
                    number, "month", _("%(month)s is in the future") % {"month": f"{month:%Y-%m}"}
                )
            )
            row_ok = False
        values = {}
        for name in COUNTER_FIELDS:
            number_value, error = parse_count(record.get(name))
            if error:
                problems.append(Problem(number, name, error))
                row_ok = False
            elif number_value is None and name in REQUIRED_COLUMNS:
                problems.append(Problem(number, name, _("a value is required")))
                row_ok = False
            else:
                values[name] = number_value or 0
        if row_ok:
            for columns, message in bound_violations(values):
                problems.append(Problem(number, columns, message))
                row_ok = False
        parsed.append((number, code, month, values, row_ok))

    codes = {code for _n, code, _m, _v, _ok in parsed if code}
    # Spreadsheets drop the leading zeros of "00004": look the padded code up too.
    versions = communes_by_code(codes | {c.zfill(5) for c in codes if c.isdigit()})
    allowed = None
    if user is not None:
        allowed = set(statistics_writable_units(user).values_list("pk", flat=True))
    rows: list[_Row] = []
    seen: dict[tuple[str, datetime.date], int] = {}
    for number, code, month, values, row_ok in parsed:
        if not code:
            continue
        if code not in versions and code.isdigit() and code.zfill(5) in versions:
            code = code.zfill(5)
        if allowed is not None and not any(u.pk in allowed for u in versions.get(code, ())):
            # The same answer whether the code exists or not: a body cannot probe for units
            # outside the writer's scope (as the API's 404 does for URLs).
            problems.append(Problem(number, "commune_code", _not_yours(code)))
            continue
        if code not in versions:
            level = level_of_code(code)
            if level and level != Level.COMMUNE:
                message = _("%(code)s is a %(level)s code, not a commune code") % {
                    "code": code,
                    "level": Level(level).label.lower(),
                }
            else:
                message = _("no commune has the code %(code)s") % {"code": code}
            problems.append(Problem(number, "commune_code", message))
            continue
        if month is None:
            continue
        # A code names a unit on a date: the month's last day (formats.md).
        last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        commune = next((u for u in versions[code] if u.is_valid_on(last_day)), None)
        if commune is None:
            problems.append(
                Problem(
                    number,
                    "commune_code",
                    _("commune %(code)s did not exist in %(month)s")
                    % {"code": code, "month": f"{month:%Y-%m}"},
                )
            )
            continue
        if allowed is not None and commune.pk not in allowed:
            problems.append(Problem(number, "commune_code", _not_yours(code)))
            continue
        first = seen.setdefault((code, month), number)
        if first != number:
            problems.append(
                Problem(
                    number,
                    "month",
                    _("commune %(code)s, %(month)s is already in row %(first)d")
                    % {"code": code, "month": f"{month:%Y-%m}", "first": first},
                )
            )
            continue
        if row_ok:
            rows.append(_Row(number, commune.pk, code, month, values))
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return rows, problems


def dossier_reports_save(
    *,
    records: list[tuple[int, dict]],
    user=None,
    dry_run: bool = False,
    reason: str = "",
    progress=None,
) -> ImportResult:
    """Validate all records and, if every one is good, create or replace them in one transaction.

    `records` are (row number, {column: raw value}). Nothing is written when any row is refused
    or when `dry_run` is set. A replaced month keeps its old values in the history.
    """
    result = ImportResult(dry_run=dry_run)
    if len(records) > MAX_ROWS:
        result.problems.append(
            Problem(
                None,
                None,
                _("The file has %(count)d rows; at most %(max)d can be imported at once.")
                % {"count": len(records), "max": MAX_ROWS},
            )
        )
        return result
    rows, result.problems = _validate(records, user, progress)
    if result.problems:
        return result
    if not rows:
        result.problems.append(Problem(None, None, _("There are no rows to import.")))
        return result
    result.rows = rows
    if progress:
        progress("writing", 0, len(rows))
    with transaction.atomic():
        # Writers of the same communes take turns: two files with a month not yet stored would
        # otherwise both create it, and the second would fail on the unique constraint. (NO KEY:
        # rows that merely refer to the unit are not held up.)
        list(
            AdministrativeUnit.objects.select_for_update(no_key=True)
            .filter(pk__in={row.commune_id for row in rows})
            .order_by("pk")
            .values_list("pk")
        )
        written = reports_write(rows, user=user, reason=reason, dry_run=dry_run)
        result.created, result.updated = written.created, written.updated
        result.unchanged = written.unchanged
        if written.changed and not dry_run:
            statistics_changed.send(
                sender=DossierReport,
                commune_ids={row.commune_id for row in written.changed},
                months={row.month for row in written.changed},
            )
    return result


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table_records(table: Table) -> tuple[list[tuple[int, dict]], list[Problem], list[str]]:
    problems, notices = [], []
    columns: list[str | None] = []
    for position, header in enumerate(table.headers, start=1):
        name = canonical_column(header)
        if name is None and str(header or "").strip():
            notices.append(
                _("Column %(position)d “%(header)s” is not a known column and was ignored.")
                % {"position": position, "header": str(header)[:60]}
            )
        if name is not None and name in columns:
            problems.append(Problem(1, name, _("the column appears twice in the header")))
        columns.append(None if name in INFORMATIVE_COLUMNS else name)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    for column in missing:
        problems.append(Problem(1, column, _("the required column is missing")))
    if problems:
        return [], problems, notices
    counters = [i for i, name in enumerate(columns) if name in COUNTER_FIELDS]
    records, unfilled = [], 0
    for number, cells in table.rows:
        if all(_blank(cells[i]) for i in counters if i < len(cells)):
            # No figure at all: a blank line, or a month of the template not filled in yet.
            unfilled += not all(_blank(c) for c in cells)
            continue
        record = {
            name: cells[i] if i < len(cells) else None for i, name in enumerate(columns) if name
        }
        records.append((number, record))
    if unfilled:
        notices.append(
            _("%(count)d rows without any figures (months not filled in) were skipped.")
            % {"count": unfilled}
        )
    return records, problems, notices


def _label_columns(problems: list[Problem], headers) -> None:
    """Name each problem's column as the file names it (its header), so a person finds it."""
    shown = {}
    for header in headers:
        name = canonical_column(header)
        if name and str(header or "").strip():
            shown.setdefault(name, str(header).strip())
    for problem in problems:
        if problem.column:
            problem.label = ", ".join(
                shown.get(name, VIETNAMESE_HEADERS.get(name, name))
                for name in problem.column.split(",")
            )


def dossier_file_import(
    *, file_name: str, content: bytes, user=None, dry_run: bool = False, progress=None
) -> ImportResult:
    """Import a CSV or XLSX file of monthly statistics, all or nothing.

    `progress(stage, done, total)`, when given, hears now and then how far the work is
    ("reading", "checking", "writing"; `total` None while unknown).
    """
    try:
        table = read_table(
            file_name,
            content,
            progress=progress and (lambda rows: progress("reading", rows, None)),
        )
    except UnreadableFile as exc:
        return ImportResult(dry_run=dry_run, problems=[Problem(None, None, str(exc))])
    if not table.headers:
        return ImportResult(
            dry_run=dry_run, problems=[Problem(None, None, _("The file is empty."))]
        )
    records, problems, notices = _table_records(table)
    if problems:
        _label_columns(problems, table.headers)
        return ImportResult(dry_run=dry_run, problems=problems, notices=notices)
    result = dossier_reports_save(
        records=records,
        user=user,
        dry_run=dry_run,
        reason=f"import {file_name}"[:100],
        progress=progress,
    )
    _label_columns(result.problems, table.headers)
    result.notices = notices + result.notices
    return result
