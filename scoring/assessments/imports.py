"""Self and appraised points from files and bulk records, all or nothing."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.selectors import unit_versions_by_code
from core.db import analyze_after_load, history_copy, rows_update
from core.files import UnreadableFile, read_table
from core.problems import Problem
from scoring.assessments import rules
from scoring.assessments.rounds import ensure_score_rows, frameworks_for_units
from scoring.assessments.rules import is_published
from scoring.models import (
    Assessment,
    Framework,
    Period,
    Score,
    SubCriterion,
)
from scoring.periods import PeriodCodeError, period_get_or_create
from scoring.points import not_scored_reason, parse_count_for, parse_points_for
from scoring.rankings.services import groups_mark_dirty

REQUIRED_SCORE_COLUMNS = ("unit_code", "period", "sub_code")
# What an import writes, and what the history of a score keeps.
WRITTEN_FIELDS = [
    "self_points",
    "appraised_points",
    "explanation",
    "appraisal_reason",
    "count",
    "updated_by",
    "updated_at",
]
HISTORY_FIELDS = [
    "id",
    "assessment_id",
    "sub_criterion_id",
    "self_points",
    "appraised_points",
    "explanation",
    "appraisal_reason",
    "return_note",
    "return_answer",
    "count",
    "updated_by_id",
    "updated_at",
]
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


class _Resolver:
    """Caches of the lookups an import makes, so a file costs a few queries per group."""

    def __init__(self, framework_code: str | None):
        self.framework_code = framework_code
        self.periods: dict[str, Period] = {}
        self.frameworks: dict[tuple[int, int], Framework | str] = {}
        self.subs: dict[int, dict[str, SubCriterion]] = {}
        self.published: dict[tuple[int, int], bool] = {}
        self.assessments: dict[tuple[int, int, int], Assessment] = {}

    def period(self, code: str) -> Period:
        if code not in self.periods:
            self.periods[code] = period_get_or_create(code)
        return self.periods[code]

    def load_frameworks(self, units, years) -> None:
        self.ranking = frameworks_for_units(units, years)

    def _ranking(self, unit, year: int) -> list[Framework]:
        found = self.ranking.get((unit.pk, year), [])
        if self.framework_code:
            found = [f for f in found if f.code == self.framework_code]
        return found

    def framework(self, unit, period) -> Framework | str:
        key = (unit.pk, period.pk)
        if key not in self.frameworks:
            found = self._ranking(unit, period.year)
            if len(found) == 1:
                self.frameworks[key] = found[0]
            elif not found:
                self.frameworks[key] = _("no framework ranks %(unit)s in %(year)d") % {
                    "unit": unit.code,
                    "year": period.year,
                }
            else:
                self.frameworks[key] = _(
                    "several frameworks rank %(unit)s in %(year)d (%(codes)s); use --framework"
                ) % {
                    "unit": unit.code,
                    "year": period.year,
                    "codes": ", ".join(f.code for f in found),
                }
        return self.frameworks[key]

    def sub(self, framework: Framework, code: str) -> SubCriterion | None:
        if framework.pk not in self.subs:
            self.subs[framework.pk] = {s.code: s for s in framework.sub_criteria.all()}
        return self.subs[framework.pk].get(code)

    def load_assessments(self, unit_ids) -> None:
        """The stored assessments of these units, in one query."""
        self.assessments = {
            (a.unit_id, a.framework_id, a.period_id): a
            for a in Assessment.objects.filter(unit_id__in=set(unit_ids)).only(
                "id", "unit_id", "framework_id", "period_id", "status"
            )
        }

    def assessment(self, unit, framework, period) -> Assessment:
        """The stored assessment, or the open one the import will create."""
        key = (unit.pk, framework.pk, period.pk)
        if key not in self.assessments:
            self.assessments[key] = Assessment(
                unit_id=unit.pk, framework_id=framework.pk, period_id=period.pk
            )
        return self.assessments[key]

    def is_published(self, framework, period) -> bool:
        key = (framework.pk, period.pk)
        if key not in self.published:
            self.published[key] = is_published(*key)
        return self.published[key]


def _years(codes) -> set[int]:
    """The years the file's period codes name (a bad code is reported row by row later)."""
    years = set()
    for code in set(codes):
        head = code.strip()[:4]
        if head.isdigit():
            years.add(int(head))
    return years


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
    records = [
        (number, {h: cells[i] if i < len(cells) else None for i, h in enumerate(headers)})
        for number, cells in table.rows
        if not all(c is None or not str(c).strip() for c in cells)
    ]
    return scores_save(records=records, user=user, framework_code=framework_code)


def scores_save(
    *, records: list[tuple[int, dict]], user=None, framework_code: str | None = None
) -> ScoreImportResult:
    """Create or change scores from (row number, {column: value}) records, all or nothing.

    Columns are those of the scores CSV; empty cells leave a stored value as it is.
    """
    result = ScoreImportResult()
    resolver = _Resolver(framework_code)
    actor = rules.Actor(user)
    units = unit_versions_by_code(str(r.get("unit_code") or "").strip() for _n, r in records)
    resolver.load_assessments(u.pk for versions in units.values() for u in versions)
    resolver.load_frameworks(
        (u for versions in units.values() for u in versions),
        _years(str(r.get("period") or "") for _n, r in records),
    )
    with transaction.atomic():
        planned: dict[tuple, tuple] = {}
        seen: dict[tuple, int] = {}
        for number, record in records:
            problems = []
            code = str(record.get("unit_code") or "").strip()
            try:
                period = resolver.period(str(record.get("period") or ""))
            except PeriodCodeError as exc:
                result.problems.append(Problem(number, "period", str(exc)))
                continue
            # A code names a unit on a date: the period's last day (11311 was Phường Minh
            # Khai until June 2025 and is Phường Hồng Bàng since; its 2025 scores are the
            # new ward's).
            unit = next((u for u in units.get(code, []) if u.is_valid_on(period.end)), None)
            if unit is None:
                result.problems.append(
                    Problem(
                        number,
                        "unit_code",
                        _("no unit %(code)s existed at the end of %(period)s")
                        % {"code": code, "period": period.code},
                    )
                )
                continue
            framework = resolver.framework(unit, period)
            if isinstance(framework, str):
                result.problems.append(Problem(number, "unit_code", framework))
                continue
            sub_code = str(record.get("sub_code") or "").strip()
            sub = resolver.sub(framework, sub_code)
            if sub is None:
                result.problems.append(
                    Problem(
                        number,
                        "sub_code",
                        _("framework %(framework)s has no sub-criterion %(code)s")
                        % {"framework": framework.code, "code": sub_code},
                    )
                )
                continue
            reason = not_scored_reason(sub)
            if reason:
                result.problems.append(Problem(number, "sub_code", reason))
                continue
            if resolver.is_published(framework, period):
                result.problems.append(
                    Problem(
                        number,
                        "period",
                        _("the results of %(period)s are published and can no longer change")
                        % {"period": period.code},
                    )
                )
                continue
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
            target = resolver.assessment(unit, framework, period)
            for columns, rule in (
                (("self_points", "explanation"), rules.self_assessment_refusal),
                (("appraised_points", "appraisal_reason", "count"), rules.appraisal_refusal),
            ):
                changed = [c for c in columns if c in values]
                refusal = changed and rule(actor, target, published=False)
                if refusal:
                    problems.append(Problem(number, changed[0], refusal.message))
            key = (unit.pk, framework.pk, period.pk, sub.pk)
            first = seen.setdefault(key, number)
            if first != number:
                problems.append(
                    Problem(
                        number,
                        "sub_code",
                        _("the same score is already in row %(row)d") % {"row": first},
                    )
                )
            result.problems += problems
            if not problems:
                planned[key] = (unit, framework, period, sub, values)
        if result.problems:
            transaction.set_rollback(True)  # periods created on the way go too
            return result
        _write_scores(planned, user, result)
    return result


def _assessments_of(triples) -> dict:
    """{(unit, framework, period): assessment} of these triples, in one query."""
    return {
        (a.unit_id, a.framework_id, a.period_id): a
        for a in Assessment.objects.filter(
            unit_id__in={t[0] for t in triples},
            framework_id__in={t[1] for t in triples},
            period_id__in={t[2] for t in triples},
        )
    }


def _write_scores(planned: dict, user, result: ScoreImportResult) -> None:
    triples = {(u.pk, f.pk, p.pk) for u, f, p, _s, _v in planned.values()}
    assessments = _assessments_of(triples)
    missing = [
        Assessment(unit_id=u, framework_id=f, period_id=p)
        for u, f, p in triples
        if (u, f, p) not in assessments
    ]
    for assessment in Assessment.objects.bulk_create(missing, ignore_conflicts=True):
        assessments[(assessment.unit_id, assessment.framework_id, assessment.period_id)] = (
            assessment
        )
    if any(a.pk is None for a in assessments.values()):  # backends that return no ids
        assessments = _assessments_of(triples)
    ensure_score_rows(assessments.values())
    # The rows the file names, locked in key order like every writer of scores, read as plain
    # values: a year of every commune is 311,000 rows, far too many model instances to hold.
    wanted = {(assessments[(u, f, p)].pk, sub) for u, f, p, sub in planned}
    existing = {}
    for row in (
        Score.objects.select_for_update()
        .filter(
            assessment__in=list(assessments.values()),
            sub_criterion_id__in={sub for _a, sub in wanted},
        )
        .order_by("pk")
        .values(*HISTORY_FIELDS)
        .iterator(chunk_size=5000)
    ):
        key = (row["assessment_id"], row["sub_criterion_id"])
        if key in wanted:
            existing[key] = row
    now = timezone.now()
    to_update = []
    for (unit_id, framework_id, period_id, sub_id), (*_ignored, values) in planned.items():
        row = existing[(assessments[(unit_id, framework_id, period_id)].pk, sub_id)]
        if all(row[k] == v for k, v in values.items()):
            result.unchanged += 1
            continue
        row.update(values, updated_by_id=user.pk if user else None, updated_at=now)
        to_update.append(row)
    history_user = user if user is not None and user.is_authenticated else None
    rows_update(Score, to_update, WRITTEN_FIELDS)
    history_copy(
        Score,
        [row["id"] for row in to_update],
        history_type="~",
        user=history_user,
        reason="import",
    )
    result.updated = len(to_update)
    analyze_after_load({Score: len(to_update)})
    groups_mark_dirty({(f, p) for _u, f, p in triples}, trigger="scores")
