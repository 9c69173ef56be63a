"""Self and appraised points from files and bulk records, all or nothing."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from core.files import UnreadableFile, read_table
from core.problems import Problem
from scoring.assessments import rules
from scoring.assessments.import_lookups import ScoreImportLookups
from scoring.assessments.import_staging import ScoreStaging
from scoring.periods import PeriodCodeError
from scoring.points import not_scored_reason, parse_count_for, parse_points_for

REQUIRED_SCORE_COLUMNS = ("unit_code", "period", "sub_code")
# A year of every sub-criterion for every commune of the three-tier list is about 311,000 rows.
MAX_SCORE_ROWS = 400_000


@dataclass
class ScoreImportResult:
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Records:
    """A table's non-empty rows as (row number, {column: cell}) records, built as they are
    read (a dict per row of a year's file is hundreds of megabytes); iterable more than once."""

    def __init__(self, headers: list[str], rows):
        self.headers, self.rows = headers, rows

    def __iter__(self):
        headers = self.headers
        for number, cells in self.rows:
            if _blank(cells):
                continue
            # Cells beyond the header are dropped; a short row's missing cells read as None.
            yield number, dict(zip(headers, cells, strict=False))

    def distinct(self, column: str) -> set[str]:
        """The values of one column, without building the rows' records."""
        at = self.headers.index(column)
        return {
            str(cells[at] or "") if at < len(cells) else ""
            for _number, cells in self.rows
            if not _blank(cells)
        }


def _blank(cells) -> bool:
    first = cells[0] if cells else None
    if first.__class__ is str and first.strip():  # the usual row, decided at once
        return False
    return all(c is None or not str(c).strip() for c in cells)


def _distinct(records, column: str) -> set[str]:
    if isinstance(records, _Records):
        return records.distinct(column)
    return {str(record.get(column) or "") for _number, record in records}


def scores_import(
    *, file_name: str, content: bytes, user=None, framework_code: str | None = None
) -> ScoreImportResult:
    """Import self and appraised points from a CSV or XLSX file, all or nothing."""
    try:
        table = read_table(file_name, content, max_rows=MAX_SCORE_ROWS)
    except UnreadableFile as exc:
        return ScoreImportResult(problems=[Problem(None, None, str(exc))])
    headers = [str(h or "").strip().lower() for h in table.headers]
    missing = [c for c in REQUIRED_SCORE_COLUMNS if c not in headers]
    if missing:
        return ScoreImportResult(
            problems=[Problem(1, c, _("the required column is missing")) for c in missing]
        )
    return scores_save(
        records=_Records(headers, table.rows), user=user, framework_code=framework_code
    )


def scores_save(*, records, user=None, framework_code: str | None = None) -> ScoreImportResult:
    """Create or change scores from (row number, {column: value}) records, all or nothing.

    Columns are those of the scores CSV; empty cells leave a stored value as it is. `records`
    is read twice: first for the units and periods it names, then row by row.
    """
    result = ScoreImportResult()
    actor = rules.Actor(user)
    lookups = ScoreImportLookups(framework_code)
    lookups.load(
        {code.strip() for code in _distinct(records, "unit_code")},
        _distinct(records, "period"),
        actor,
    )
    with transaction.atomic():
        staging = ScoreStaging()
        seen: dict[tuple, int] = {}
        for number, record in records:
            problems = _row_checked(number, record, lookups, actor, seen, staging)
            result.problems += problems
        if result.problems:
            transaction.set_rollback(True)  # periods created on the way go too
            return result
        result.updated = staging.write(user)
        result.unchanged = staging.staged - result.updated
    return result


def _row_checked(number, record, lookups, actor, seen, staging) -> list[Problem]:
    """The row's problems; a row without any is staged."""
    try:
        period = lookups.period(str(record.get("period") or ""))
    except PeriodCodeError as exc:
        return [Problem(number, "period", str(exc))]
    # A code names a unit on a date: the period's last day.
    code = str(record.get("unit_code") or "").strip()
    unit = lookups.unit(code, period.end)
    if unit is None:
        return [
            Problem(
                number,
                "unit_code",
                _("no unit %(code)s existed at the end of %(period)s")
                % {"code": code, "period": period.code},
            )
        ]
    framework = lookups.framework(unit, period)
    if isinstance(framework, str):
        return [Problem(number, "unit_code", framework)]
    sub_code = str(record.get("sub_code") or "").strip()
    sub = lookups.sub(framework, sub_code)
    if sub is None:
        return [
            Problem(
                number,
                "sub_code",
                _("framework %(framework)s has no sub-criterion %(code)s")
                % {"framework": framework.code, "code": sub_code},
            )
        ]
    reason = not_scored_reason(sub)
    if reason:
        return [Problem(number, "sub_code", reason)]
    if lookups.is_published(framework, period):
        return [
            Problem(
                number,
                "period",
                _("the results of %(period)s are published and can no longer change")
                % {"period": period.code},
            )
        ]
    problems = []
    values = {}
    for column in ("self_points", "appraised_points"):
        points, error = parse_points_for(sub, record.get(column))
        if error:
            problems.append(Problem(number, column, error))
        elif points is not None:
            values[column] = points
    count, error = parse_count_for(sub, record.get("count"))
    if error:
        problems.append(Problem(number, "count", error))
    elif count is not None:
        values["count"] = count
    for column in ("explanation", "appraisal_reason"):
        text = str(record.get(column) or "").strip()
        if text:
            values[column] = text
    target = lookups.assessment(unit, framework, period)
    for columns, rule in (
        (("self_points", "explanation"), rules.self_assessment_refusal),
        (("appraised_points", "appraisal_reason", "count"), rules.appraisal_refusal),
    ):
        changed = [c for c in columns if c in values]
        refusal = changed and lookups.refusal(rule, actor, target)
        if refusal:
            problems.append(Problem(number, changed[0], refusal.message))
    key = (unit.id, framework.id, period.id, sub.id)
    first = seen.setdefault(key, number)
    if first != number:
        problems.append(
            Problem(
                number, "sub_code", _("the same score is already in row %(row)d") % {"row": first}
            )
        )
    if not problems:
        staging.add(target, sub.id, values)
    return problems
