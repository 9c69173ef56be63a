"""Writes of assessments, scores, bonus and penalty points, and publication."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from communes.models import AdministrativeUnit
from communes.selectors import unit_versions_by_code
from dossiers.parsing import UnreadableFile, read_table
from dossiers.services import Problem

from .. import engine
from ..assessments import rules
from ..assessments.rules import APPRAISER_ROLES, OFFICER_ROLES, is_published  # noqa: F401
from ..models import (
    Adjustment,
    AdjustmentKind,
    Assessment,
    DirtyGroup,
    Framework,
    Period,
    Publication,
    RankingRun,
    Result,
    RunStatus,
    Score,
    SubCriterion,
)
from ..periods import PeriodCodeError, period_get_or_create
from ..points import format_points, parse_points
from .rankings import group_locked, groups_mark_dirty

REQUIRED_SCORE_COLUMNS = ("unit_code", "period", "sub_code")


class ScoreError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def frameworks_for_unit(unit: AdministrativeUnit, year: int):
    """Frameworks that rank `unit` in `year`: issued by one of its ancestors for its level."""
    ancestors = [a for a in (unit.parent_id, unit.parent.parent_id if unit.parent else None) if a]
    return Framework.objects.filter(year=year, level=unit.level, issuer_id__in=ancestors)


def _ensure_score_rows(assessments) -> None:
    """A blank score for every sub-criterion of each assessment's group, so that every later
    write is an update (one set-wise statement per group)."""
    for framework_id, period_id in {(a.framework_id, a.period_id) for a in assessments}:
        engine.insert_missing_scores(framework_id, period_id)


def group_open(*, framework: Framework, period: Period) -> int:
    """Open an assessment for every unit the framework ranks that existed in the period."""
    units = (
        AdministrativeUnit.objects.subtree_of([framework.issuer_id])
        .filter(level=framework.level)
        .valid_during(period.start, period.end)
    )
    existing = set(
        Assessment.objects.filter(framework=framework, period=period).values_list(
            "unit_id", flat=True
        )
    )
    new = [
        Assessment(unit_id=u, framework=framework, period=period)
        for u in units.values_list("pk", flat=True)
        if u not in existing
    ]
    with transaction.atomic():
        Assessment.objects.bulk_create(new)
        _ensure_score_rows(Assessment.objects.filter(framework=framework, period=period))
        if new:
            groups_mark_dirty([(framework.pk, period.pk)], trigger="open")
    return len(new)


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

    def framework(self, unit, period) -> Framework | str:
        key = (unit.pk, period.pk)
        if key not in self.frameworks:
            candidates = frameworks_for_unit(unit, period.year)
            if self.framework_code:
                candidates = candidates.filter(code=self.framework_code)
            found = list(candidates)
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


def scores_import(
    *, file_name: str, content: bytes, user=None, framework_code: str | None = None
) -> ScoreImportResult:
    """Import self and appraised points from a CSV or XLSX file, all or nothing."""
    try:
        table = read_table(file_name, content)
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
            unit = next(
                (
                    u
                    for u in units.get(code, [])
                    if u.valid_from <= period.end
                    and (u.valid_to is None or u.valid_to >= period.start)
                ),
                None,
            )
            if unit is None:
                result.problems.append(
                    Problem(
                        number,
                        "unit_code",
                        _("no unit %(code)s existed in %(period)s")
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
                points, error = parse_points(record.get(column), sub.max_points)
                if error:
                    problems.append(Problem(number, column, error))
                elif points is not None:
                    values[column] = points
            for column in ("explanation", "appraisal_reason"):
                text = str(record.get(column) or "").strip()
                if text:
                    values[column] = text
            target = resolver.assessment(unit, framework, period)
            for columns, rule in (
                (("self_points", "explanation"), rules.self_assessment_refusal),
                (("appraised_points", "appraisal_reason"), rules.appraisal_refusal),
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


def _write_scores(planned: dict, user, result: ScoreImportResult) -> None:
    triples = {(u.pk, f.pk, p.pk) for u, f, p, _s, _v in planned.values()}
    assessments = {
        (a.unit_id, a.framework_id, a.period_id): a
        for a in Assessment.objects.filter(
            unit_id__in={t[0] for t in triples},
            framework_id__in={t[1] for t in triples},
            period_id__in={t[2] for t in triples},
        )
    }
    missing = [
        Assessment(unit_id=u, framework_id=f, period_id=p)
        for u, f, p in triples
        if (u, f, p) not in assessments
    ]
    for assessment in Assessment.objects.bulk_create(missing):
        assessments[(assessment.unit_id, assessment.framework_id, assessment.period_id)] = (
            assessment
        )
    if any(a.pk is None for a in assessments.values()):  # backends that return no ids
        assessments = {
            (a.unit_id, a.framework_id, a.period_id): a
            for a in Assessment.objects.filter(
                unit_id__in={t[0] for t in triples},
                framework_id__in={t[1] for t in triples},
                period_id__in={t[2] for t in triples},
            )
        }
    _ensure_score_rows(assessments.values())
    existing = {
        (s.assessment_id, s.sub_criterion_id): s
        for s in Score.objects.select_for_update().filter(assessment__in=list(assessments.values()))
    }
    to_update = []
    for (unit_id, framework_id, period_id, sub_id), (*_ignored, values) in planned.items():
        score = existing[(assessments[(unit_id, framework_id, period_id)].pk, sub_id)]
        if all(getattr(score, k) == v for k, v in values.items()):
            result.unchanged += 1
            continue
        for k, v in values.items():
            setattr(score, k, v)
        score.updated_by = user
        score.updated_at = timezone.now()
        to_update.append(score)
    history_user = user if user is not None and user.is_authenticated else None
    if to_update:
        bulk_update_with_history(
            to_update,
            Score,
            [
                "self_points",
                "appraised_points",
                "explanation",
                "appraisal_reason",
                "updated_by",
                "updated_at",
            ],
            batch_size=2000,
            default_user=history_user,
            default_change_reason="import",
        )
    result.updated = len(to_update)
    groups_mark_dirty({(f, p) for _u, f, p in triples}, trigger="scores")


SCORE_FIELDS = ("self_points", "explanation", "appraised_points", "appraisal_reason")


def _refuse(refusal, field: str) -> None:
    if refusal:
        raise ScoreError(refusal.message, refusal.field and field)


def _apply_change(score: Score, user, changes: dict) -> None:
    """Check and set the changed fields on `score` (not saved); ScoreError names the field."""
    assessment = score.assessment
    officer_change = "self_points" in changes or "explanation" in changes
    appraiser_change = "appraised_points" in changes or "appraisal_reason" in changes
    published = rules.is_published(assessment.framework_id, assessment.period_id)
    _refuse(rules.results_final(0, 0, published=published), "")
    actor = rules.Actor(user)
    if officer_change:
        _refuse(
            rules.self_assessment_refusal(actor, assessment, published=published), "self_points"
        )
    if appraiser_change:
        _refuse(rules.appraisal_refusal(actor, assessment, published=published), "appraised_points")
    for name in ("self_points", "appraised_points"):
        if name in changes:
            points, error = parse_points(changes[name], score.sub_criterion.max_points)
            if error:
                raise ScoreError(error, name)
            setattr(score, name, points)
    for name in ("explanation", "appraisal_reason"):
        if name in changes:
            setattr(score, name, str(changes[name] or "").strip())
    score.updated_by = user


class ScoreConflict(ScoreError):
    """Someone else changed the field since the user last saw it: nothing was written."""

    def __init__(self, field: str, current, changed_by, changed_at):
        self.current = current
        shown = (
            "—"
            if current in (None, "")
            else format_points(current)
            if isinstance(current, Decimal)
            else current
        )
        super().__init__(
            _(
                "%(who)s changed this to %(value)s at %(when)s, after you opened the page; "
                "your value was not saved. Check it, then type again to replace it."
            )
            % {
                "who": (changed_by.get_full_name() or changed_by.username)
                if changed_by
                else _("Someone"),
                "value": shown,
                "when": formats.date_format(timezone.localtime(changed_at), "H:i"),
            },
            field,
        )


def _same(field: str, current, expected) -> bool:
    if field in ("self_points", "appraised_points"):
        seen, error = parse_points(expected, Decimal("100000"))
        return error is None and seen == current
    return str(current or "").strip() == str(expected or "").strip()


def score_update(*, score: Score, user, expected: dict | None = None, **changes) -> Score:
    """Change one score as `user`: officers their self points and explanation while the
    assessment is open or returned, appraisers the appraised points and reason.

    `expected` holds the values the user last saw; when the stored value differs, someone else
    saved in between and ScoreConflict is raised instead of overwriting their change.
    """
    unknown = set(changes) - set(SCORE_FIELDS)
    if unknown:
        raise TypeError(f"unknown score fields: {sorted(unknown)}")
    with transaction.atomic():
        # Lock the row, then read what is stored now: a concurrent save is either already
        # committed (and compared below) or waits for this one.
        Score.objects.select_for_update().filter(pk=score.pk).values_list("pk").get()
        score.refresh_from_db(fields=[*SCORE_FIELDS, "updated_by", "updated_at"])
        for name, seen in (expected or {}).items():
            current = getattr(score, name)
            if not _same(name, current, seen):
                raise ScoreConflict(name, current, score.updated_by, score.updated_at)
        before = {name: getattr(score, name) for name in changes}
        _apply_change(score, user, changes)
        if all(getattr(score, name) == value for name, value in before.items()):
            return score  # typed back to what was there: no history entry, no recompute
        score.save()
        groups_mark_dirty(
            [(score.assessment.framework_id, score.assessment.period_id)], trigger="score"
        )
    return score


def scores_update(*, assessment: Assessment, items: list[dict], user) -> list[Problem]:
    """Change several scores of one assessment, all or nothing.

    `items` are {"sub_code", and any of SCORE_FIELDS}; the row of a problem is the item's place
    in the list, from 1. Returns the problems; nothing is written when there is any.
    """
    scores = {
        s.sub_criterion.code: s
        for s in assessment.scores.select_related("sub_criterion", "assessment__unit")
    }
    problems, changed = [], []
    seen = set()
    for row, item in enumerate(items, start=1):
        code = str(item.get("sub_code") or "").strip()
        score = scores.get(code)
        if score is None:
            problems.append(
                Problem(
                    row,
                    "sub_code",
                    _("framework %(framework)s has no sub-criterion %(code)s")
                    % {"framework": assessment.framework.code, "code": code},
                )
            )
            continue
        if code in seen:
            problems.append(Problem(row, "sub_code", _("%(code)s appears twice") % {"code": code}))
            continue
        seen.add(code)
        try:
            _apply_change(score, user, {k: item[k] for k in SCORE_FIELDS if k in item})
        except ScoreError as exc:
            problems.append(Problem(row, exc.field, str(exc)))
            continue
        changed.append(score)
    if problems:
        return problems
    with transaction.atomic():
        for score in changed:
            score.save()
        if changed:
            groups_mark_dirty([(assessment.framework_id, assessment.period_id)], trigger="score")
    return []


def adjustment_add(
    *, assessment: Assessment, kind: str, points, reason: str, user=None
) -> Adjustment:
    if kind not in AdjustmentKind.values:
        raise ScoreError(_("Unknown kind '%(kind)s'.") % {"kind": kind}, "kind")
    refusal = rules.adjustment_refusal(user, assessment)
    if refusal:
        raise ScoreError(refusal.message)
    value, error = parse_points(points, Decimal("100"))
    if error or not value:
        raise ScoreError(error or _("Points must be above 0."), "points")
    if not str(reason or "").strip():
        raise ScoreError(_("Give the reason for the bonus or penalty."), "reason")
    with transaction.atomic():
        adjustment = Adjustment.objects.create(
            assessment=assessment, kind=kind, points=value, reason=reason.strip(), created_by=user
        )
        groups_mark_dirty([(assessment.framework_id, assessment.period_id)], trigger="adjustment")
    return adjustment


def group_publish(
    *,
    framework: Framework,
    period: Period,
    decision_number: str,
    decision_date: datetime.date,
    user=None,
) -> Publication:
    """Freeze the group's results as final under a decision, computing them one last time."""
    if not str(decision_number or "").strip():
        raise ScoreError(_("Give the number of the decision."), "decision_number")
    # The group's lock: a recompute under way finishes first, none starts until this commits,
    # and of two publications at once the second finds the first.
    with group_locked(framework.pk, period.pk), transaction.atomic():
        if is_published(framework.pk, period.pk):
            raise ScoreError(_("These results are already published."))
        started = timezone.now()
        count = engine.recompute_group(framework, period)
        # The final computation is a run like any other: it dates the published ranking.
        RankingRun.objects.create(
            framework=framework,
            period=period,
            status=RunStatus.SUCCEEDED,
            trigger="publish",
            started_at=started,
            finished_at=timezone.now(),
            results_count=count,
        )
        Result.objects.filter(framework=framework, period=period).update(provisional=False)
        DirtyGroup.objects.filter(framework=framework, period=period).delete()
        return Publication.objects.create(
            framework=framework,
            period=period,
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            published_by=user,
        )
