"""Importing a one-stop software export through its mapping (#17): the file read as it comes,
its units matched, "trong kỳ" made into received, and then every rule of the monthly statistics
applied by the one writer of them (`dossier_reports_save`): all or nothing, each problem named
by the export's row and column."""

import calendar
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit, Level, ancestor_lookups
from core.files import UnreadableFile, read_table
from core.problems import Problem
from dossiers.exports import (
    HEADER_SEARCH_ROWS,
    Layout,
    export_count,
    find_layout,
    missing_problems,
    problem_columns,
    title_month,
)
from dossiers.metrics import COUNTER_FIELDS
from dossiers.models import ExportMapping, UnitNameAlias
from dossiers.rules import statistics_writable_units
from dossiers.services import ImportResult, dossier_reports_save
from dossiers.unit_names import Match, exact_key, match_unit, names_a_commune
from dossiers.validation import parse_count


@dataclass
class Proposal:
    """A unit name matched only without diacritics or spelling: the import waits for a person."""

    row: int
    text: str
    unit_code: str
    unit_name: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "text": self.text,
            "unit_code": self.unit_code,
            "unit_name": self.unit_name,
        }


def _candidates(mapping: ExportMapping, user, month: datetime.date) -> dict:
    """The communes a name may stand for: valid that month, under the mapping's province, and
    the uploader's to write (a name outside them is never matched, so never revealed)."""
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    units = AdministrativeUnit.objects.valid_on(last_day).filter(level=Level.COMMUNE)
    if mapping.scope_id:
        units = units.filter(_under_code(mapping.scope.code))
    if user is not None:
        units = units.filter(pk__in=statistics_writable_units(user).values("pk"))
    return {u.pk: u for u in units.only("id", "code", "name")}


def _under_code(code: str) -> Q:
    condition = Q(pk__in=[])
    for lookup in ancestor_lookups(field="code"):
        condition |= Q(**{lookup: code})
    return condition


def _unit_problem(match: Match, row: int, column: str, confirmed: set) -> tuple[str, object]:
    """(official code, problem or None) for a matched cell."""
    if match.how in ("code", "name", "alias"):
        return match.code, None
    if match.how == "proposed":
        unit = match.candidates[0]
        if exact_key(match.text) in confirmed:
            return unit.code, None
        return "", Problem(
            row,
            column,
            _(
                "“%(text)s” is written differently from any unit; it looks like %(name)s "
                "(%(code)s): confirm the match"
            )
            % {"text": match.text, "name": unit.name, "code": unit.code},
        )
    if match.how == "ambiguous":
        names = ", ".join(f"{u.name} ({u.code})" for u in match.candidates)
        return "", Problem(
            row,
            column,
            _("“%(text)s” may be any of %(names)s: write the unit's code in the export")
            % {"text": match.text, "names": names},
        )
    return "", Problem(
        row,
        column,
        _("no commune whose statistics you may enter is named “%(text)s”") % {"text": match.text},
    )


def _is_skipped(unit_cell) -> bool:
    """Not a unit's row: blank, a row of column numbers ("(2)"), or a total ("Tổng cộng")."""
    key = exact_key(unit_cell)
    return not key or key.startswith(("tổng", "cộng"))


def _received(values: dict, layout: Layout, mapping, row: int, problems: list) -> None:
    """Received from "trong kỳ" (and "qua mạng" where it leaves them out), checked against the
    printed total when there is one."""
    total, total_error = parse_count(values.pop("total", None))
    (in_period, error), (online, online_error), (carried, carried_error) = (
        parse_count(values.get(name)) for name in ("received", "received_online", "carried_over")
    )
    if error or online_error:
        return  # the statistics' own check names the bad cell
    carried_n = carried or 0
    values["received"] = (in_period or 0) + (
        0 if mapping.in_period_includes_online else online or 0
    )
    if total_error or total is None or carried_error:
        return
    if total != carried_n + values["received"]:
        problems.append(
            Problem(
                row,
                "total",
                _(
                    "the total %(total)d is not carried over %(carried)d + received %(received)d "
                    "= %(sum)d: is the mapping right about whether “trong kỳ” includes the "
                    "dossiers received online?"
                )
                % {
                    "total": total,
                    "carried": carried_n,
                    "received": values["received"],
                    "sum": carried_n + values["received"],
                },
                label=layout.labels.get("total"),
            )
        )


def export_records(rows, layout: Layout, mapping, month, units, aliases, confirmed):
    """(records for dossier_reports_save, problems, proposals) of the export's unit rows."""
    records, problems, proposals, skipped = [], [], [], []
    unit_at = layout.columns["unit"]
    unit_label = layout.labels["unit"]
    for number, cells in rows[layout.data_from :]:
        unit_cell = cells[unit_at] if unit_at < len(cells) else None
        if _is_skipped(unit_cell):
            continue
        match = match_unit(unit_cell, units, aliases)
        if match.how == "none" and not names_a_commune(unit_cell):
            # A department or a district the software also serves: not a commune's row.
            skipped.append(f"{number} “{match.text}”")
            continue
        code, problem = _unit_problem(match, number, "commune_code", confirmed)
        if problem:
            problem.label = unit_label
            problems.append(problem)
            if match.how == "proposed":
                unit = match.candidates[0]
                proposals.append(Proposal(number, match.text, unit.code, unit.name))
            continue
        values = {
            name: export_count(cells[at] if at < len(cells) else None)
            for name, at in layout.columns.items()
            if name in COUNTER_FIELDS
        }
        # A blank printed total is no total (nothing to check received against), not zero.
        total_at = layout.columns.get("total")
        if total_at is not None and total_at < len(cells) and str(cells[total_at] or "").strip():
            values["total"] = export_count(cells[total_at])
        _received(values, layout, mapping, number, problems)
        records.append((number, {"commune_code": code, "month": f"{month:%Y-%m}", **values}))
    return records, problems, proposals, skipped


def export_import(
    *,
    file_name: str,
    content: bytes,
    mapping: ExportMapping,
    user=None,
    month: datetime.date | None = None,
    confirmed=(),
    dry_run: bool = False,
) -> ImportResult:
    """Import one month of an export; `confirmed`: the unit names (as exported) whose proposed
    match a person accepted; they are remembered for the mapping once the import is written."""
    result = ImportResult(dry_run=dry_run)
    try:
        table = read_table(file_name, content)
    except UnreadableFile as exc:
        result.problems = [Problem(None, None, str(exc))]
        return result
    rows = [(1, list(table.headers)), *table.rows] if table.headers else []
    layout = find_layout(rows, mapping)
    if layout is None:
        result.problems = [
            Problem(
                None,
                None,
                _(
                    "No row of the first %(count)d names the unit column “%(header)s” of the "
                    "mapping “%(mapping)s”: is this the right mapping?"
                )
                % {
                    "count": HEADER_SEARCH_ROWS,
                    "header": mapping.columns.get("unit", ""),
                    "mapping": mapping.name,
                },
            )
        ]
        return result
    result.problems = missing_problems(layout, mapping)
    stated, why = title_month(rows, layout.header_rows[0])
    if why:
        result.problems.append(Problem(None, None, why))
    elif month and stated and stated != month:
        result.problems.append(
            Problem(
                None,
                None,
                _("the title says %(stated)s but %(month)s was chosen")
                % {"stated": f"{stated:%m/%Y}", "month": f"{month:%m/%Y}"},
            )
        )
    month = month or stated
    if month is None and not why:
        result.problems.append(
            Problem(None, None, _("The title does not state the month: choose it."))
        )
    if result.problems:
        return result
    units = _candidates(mapping, user, month)
    aliases = dict(UnitNameAlias.objects.filter(mapping=mapping).values_list("text", "unit_id"))
    confirmed = {exact_key(text) for text in confirmed}
    records, problems, proposals, skipped = export_records(
        rows, layout, mapping, month, units, aliases, confirmed
    )
    if problems and not records:
        saved = ImportResult(dry_run=dry_run)
    else:
        with transaction.atomic():
            # With problems of its own the export is only checked, so every problem of the
            # file is listed at once.
            saved = dossier_reports_save(
                records=records,
                user=user,
                dry_run=dry_run or bool(problems),
                reason=f"import {mapping.name}: {file_name}"[:100],
            )
            if not saved.problems and not problems and not dry_run:
                _remember(mapping, rows, layout, units, confirmed, user)
    labels = problem_columns(layout, mapping.in_period_includes_online)
    for problem in saved.problems:
        if problem.column and not problem.label:
            problem.label = ", ".join(labels.get(name, name) for name in problem.column.split(","))
    saved.problems = sorted(problems + saved.problems, key=lambda p: (p.row or 0, p.column or ""))
    saved.to_confirm = proposals
    if skipped:
        saved.notices.append(
            _("Rows that name no commune were left out: %(rows)s.") % {"rows": "; ".join(skipped)}
        )
    saved.dry_run = dry_run
    return saved


def _remember(mapping, rows, layout, units, confirmed, user) -> None:
    """The confirmed names, for the next import through this mapping."""
    unit_at = layout.columns["unit"]
    by_key = {}
    for _number, cells in rows[layout.data_from :]:
        text = cells[unit_at] if unit_at < len(cells) else None
        key = exact_key(text)
        if key in confirmed:
            match = match_unit(text, units, {})
            if match.how == "proposed":
                by_key[key] = match.candidates[0]
    for key, unit in by_key.items():
        UnitNameAlias.objects.update_or_create(
            mapping=mapping, text=key, defaults={"unit": unit, "confirmed_by": user}
        )
