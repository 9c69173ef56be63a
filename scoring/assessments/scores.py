"""Writes of assessments, scores, bonus and penalty points, and publication."""

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
from scoring.points import format_points, parse_points
from scoring.rankings.services import groups_mark_dirty


class ScoreError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# The commune writes the first three (return_answer: its answer to an item the appraisers
# returned), the appraisers the last two.
OFFICER_FIELDS = ("self_points", "explanation", "return_answer")
APPRAISER_FIELDS = ("appraised_points", "appraisal_reason")
SCORE_FIELDS = (*OFFICER_FIELDS, *APPRAISER_FIELDS)


def _refuse(refusal, field: str | None = None) -> None:
    """Raise the rule's refusal; a refusal about the user's role names the field they typed in."""
    if refusal:
        raise ScoreError(refusal.message, field if refusal.field else None)


def _apply_change(score: Score, user, changes: dict) -> None:
    """Check and set the changed fields on `score` (not saved); ScoreError names the field."""
    assessment = score.assessment
    officer_change = any(name in changes for name in OFFICER_FIELDS)
    appraiser_change = any(name in changes for name in APPRAISER_FIELDS)
    published = rules.is_published(assessment.framework_id, assessment.period_id)
    _refuse(rules.results_final(assessment.framework_id, assessment.period_id, published=published))
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
    for name in ("explanation", "return_answer", "appraisal_reason"):
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
