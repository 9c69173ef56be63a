"""Writes of scores: one path for the pages, the API and the imports.

Every write locks the score rows it changes, reads what is stored now, compares it with what the
writer last saw (when the writer says), and saves only the fields it changes. So an officer's
explanation and an appraiser's points saved at the same moment both stay, and a value changed
by someone else since the writer read it is never overwritten silently (ScoreConflict → 409).
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.problems import Problem
from scoring.assessments import rules
from scoring.models import (
    Assessment,
    Score,
)
from scoring.points import (
    format_points,
    not_scored_reason,
    parse_count_for,
    parse_points,
    parse_points_for,
)
from scoring.rankings.services import groups_mark_dirty


class ScoreError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# The commune writes the first three (return_answer: its answer to an item the appraisers
# returned), the appraisers the last two.
OFFICER_FIELDS = ("self_points", "explanation", "return_answer")
APPRAISER_FIELDS = ("appraised_points", "appraisal_reason", "count")
SCORE_FIELDS = (*OFFICER_FIELDS, *APPRAISER_FIELDS)
POINT_FIELDS = ("self_points", "appraised_points")
# What a reader of the scores sees and may base a change on: the ETag covers these.
READ_FIELDS = (*SCORE_FIELDS, "return_note")


def _refuse(refusal, field: str | None = None) -> None:
    """Raise the rule's refusal; a refusal about the user's role names the field they typed in."""
    if refusal:
        raise ScoreError(refusal.message, field if refusal.field else None)


def _apply_change(score: Score, user, changes: dict, *, published: bool | None = None) -> list:
    """Check and set the changed fields on `score` (not saved); ScoreError names the field.

    Returns the names of the fields whose stored value changes.
    """
    assessment = score.assessment
    officer_change = any(name in changes for name in OFFICER_FIELDS)
    appraiser_change = any(name in changes for name in APPRAISER_FIELDS)
    if published is None:
        published = rules.is_published(assessment.framework_id, assessment.period_id)
    _refuse(rules.results_final(assessment.framework_id, assessment.period_id, published=published))
    actor = rules.Actor(user)
    if officer_change:
        _refuse(
            rules.self_assessment_refusal(actor, assessment, published=published), "self_points"
        )
    if appraiser_change:
        _refuse(rules.appraisal_refusal(actor, assessment, published=published), "appraised_points")
    reason = not_scored_reason(score.sub_criterion)
    if reason:
        raise ScoreError(reason, "sub_code")
    new = {}
    for name in POINT_FIELDS:
        if name in changes:
            points, error = parse_points_for(score.sub_criterion, changes[name])
            if error:
                raise ScoreError(error, name)
            new[name] = points
    if "count" in changes:
        count, error = parse_count_for(score.sub_criterion, changes["count"])
        if error:
            raise ScoreError(error, "count")
        new["count"] = count
    for name in ("explanation", "return_answer", "appraisal_reason"):
        if name in changes:
            new[name] = str(changes[name] or "").strip()
    changed = [name for name, value in new.items() if getattr(score, name) != value]
    for name in changed:
        setattr(score, name, new[name])
    return changed


def shown_value(field: str, value) -> str:
    """A stored value as the pages show it (points in the active language's style)."""
    if value in (None, ""):
        return "—"
    if isinstance(value, Decimal) and field in POINT_FIELDS:
        return format_points(value)
    return str(value)


class ScoreConflict(ScoreError):
    """Someone else changed the field since the user last saw it: nothing was written."""

    def __init__(self, field: str, current, changed_by, changed_at):
        self.current = current
        super().__init__(
            _(
                "%(who)s changed this to %(value)s at %(when)s, after you opened the page; "
                "your value was not saved. Check it, then type again to replace it."
            )
            % {
                "who": (changed_by.get_full_name() or changed_by.username)
                if changed_by
                else _("Someone"),
                "value": shown_value(field, current),
                "when": formats.date_format(timezone.localtime(changed_at), "H:i"),
            },
            field,
        )


def _same(field: str, current, expected) -> bool:
    if field == "count":
        return (
            str(current if current is not None else "")
            == str(expected if expected is not None else "").strip()
        )
    if field in POINT_FIELDS:
        seen, error = parse_points(expected, Decimal("100000"))
        return error is None and seen == current
    return str(current or "").strip() == str(expected or "").strip()


def _check_seen(score: Score, expected: dict) -> None:
    """Raise ScoreConflict when a stored value differs from what the writer last saw."""
    for name, seen in expected.items():
        current = getattr(score, name)
        if not _same(name, current, seen):
            raise ScoreConflict(name, current, score.updated_by, score.updated_at)


def _locked(queryset):
    """The score rows, locked until the transaction ends, as stored now.

    Rows are locked in primary-key order so two writers of several rows never deadlock; under
    READ COMMITTED the locked rows are read again after a concurrent writer commits.
    """
    return list(
        queryset.select_for_update(of=("self",))
        .select_related("sub_criterion", "assessment", "updated_by")
        .order_by("pk")
    )


def _save(score: Score, user, fields: list) -> None:
    """Write only the changed fields: columns another writer (or the engine) owns stay as
    they are in the database."""
    score.updated_by = user if user is not None and user.is_authenticated else None
    score.save(update_fields=[*fields, "updated_by", "updated_at"])


def scores_etag(scores) -> str:
    """A strong ETag of what a reader sees of these scores (any change of a value changes it)."""
    digest = hashlib.sha256()
    # Items made of items hold nothing a person wrote (and the API lists only the others).
    scored = (s for s in scores if not s.sub_criterion.has_items)
    for score in sorted(scored, key=lambda s: s.pk):
        digest.update(repr((score.pk, *(getattr(score, f) for f in READ_FIELDS))).encode())
    return f'"{digest.hexdigest()[:32]}"'


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
        (locked,) = _locked(Score.objects.filter(pk=score.pk))
        # Final results say so before any talk of someone else's newer value.
        assessment = locked.assessment
        _refuse(rules.results_final(assessment.framework_id, assessment.period_id))
        _check_seen(locked, expected or {})
        changed = _apply_change(locked, user, changes)
        if changed:  # typed back to what was there: no history entry, no recompute
            _save(locked, user, changed)
            groups_mark_dirty(
                [(locked.assessment.framework_id, locked.assessment.period_id)], trigger="score"
            )
    # The caller's object shows what is stored now.
    for name in (*SCORE_FIELDS, "updated_by_id", "updated_at"):
        setattr(score, name, getattr(locked, name))
    return score


class ScoresConflict(Exception):
    """Values changed since the writer read them; `problems` carry each current value."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


def _seen_of(item: dict, fields: list) -> tuple[dict, str | None]:
    """The values the writer last read: `was` is one value when the item changes one field,
    or {field: value}. Answers (expected, problem message)."""
    if "was" not in item:
        return {}, None
    was = item["was"]
    if isinstance(was, dict):
        unknown = [k for k in was if k not in SCORE_FIELDS]
        if unknown:
            return {}, _("'was' names a field that is not a score field: %(name)s") % {
                "name": unknown[0]
            }
        return dict(was), None
    if len(fields) != 1:
        return {}, _(
            "this item changes several fields: give 'was' as an object, one value per field"
        )
    return {fields[0]: was}, None


def scores_update(
    *, assessment: Assessment, items: list[dict], user, if_match: str | None = None
) -> list[Problem]:
    """Change several scores of one assessment, all or nothing.

    `items` are {"sub_code", any of SCORE_FIELDS, and optionally "was"}; the row of a problem is
    the item's place in the list, from 1. Returns the problems; nothing is written when there is
    any. Raises ScoresConflict when `was` or `if_match` (an ETag of the scores) no longer
    describes what is stored.
    """
    published = rules.is_published(assessment.framework_id, assessment.period_id)
    final = rules.results_final(assessment.framework_id, assessment.period_id, published=published)
    if final:
        return [Problem(None, final.field, final.message)]
    with transaction.atomic():
        locked = _locked(assessment.scores.all())
        if if_match and if_match.strip() != "*" and if_match.strip() != scores_etag(locked):
            transaction.set_rollback(True)
            raise ScoresConflict(
                [
                    Problem(
                        None,
                        None,
                        _(
                            "The scores changed after you read them (If-Match no longer "
                            "matches); read them again and repeat your change."
                        ),
                    )
                ]
            )
        by_code = {s.sub_criterion.code: s for s in locked}
        problems, conflicts, changed = [], [], []
        seen = set()
        for row, item in enumerate(items, start=1):
            code = str(item.get("sub_code") or "").strip()
            score = by_code.get(code)
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
                problems.append(
                    Problem(row, "sub_code", _("%(code)s appears twice") % {"code": code})
                )
                continue
            seen.add(code)
            changes = {k: item[k] for k in SCORE_FIELDS if k in item}
            expected, error = _seen_of(item, list(changes))
            if error:
                problems.append(Problem(row, "was", error))
                continue
            try:
                _check_seen(score, expected)
            except ScoreConflict as exc:
                conflicts.append(ConflictProblem(row, exc.field, str(exc), current=exc.current))
                continue
            try:
                fields = _apply_change(score, user, changes, published=published)
            except ScoreError as exc:
                problems.append(Problem(row, exc.field, str(exc)))
                continue
            if fields:
                changed.append((score, fields))
        if problems or conflicts:
            transaction.set_rollback(True)
            if problems:
                return problems
            raise ScoresConflict(conflicts)
        for score, fields in changed:
            _save(score, user, fields)
        if changed:
            groups_mark_dirty([(assessment.framework_id, assessment.period_id)], trigger="score")
    return []


@dataclass
class ConflictProblem(Problem):
    """A Problem that also carries the value stored now."""

    current: object = None

    def as_dict(self):
        return {**super().as_dict(), "current": self.current}
