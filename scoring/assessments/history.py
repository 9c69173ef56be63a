"""An assessment's timeline: every change, oldest first, as {at, user, what, sub_code, old, new}.

It reads the records django-simple-history keeps for scores, the assessment, evidence, bonus and
penalty, the round's deadlines and the unit's extension, and the group's publication and any
reopening; one query per source, whatever the size of the framework.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from scoring.models import (
    Adjustment,
    Assessment,
    Evidence,
    Extension,
    Publication,
    Reopening,
    Round,
    Score,
    SubCriterion,
)

# Per source: the fields a person changes, and how the timeline names them.
SCORE_FIELDS = {
    "self_points": _("self points"),
    "explanation": _("explanation"),
    "appraised_points": _("appraised points"),
    "appraisal_reason": _("appraisal reason"),
    "count": _("count"),
    "return_note": _("asked on return"),
    "return_answer": _("answer to the return"),
}
ASSESSMENT_FIELDS = {"status": _("status"), "return_note": _("note on return")}
ROUND_FIELDS = {
    "self_assessment_due": _("self-assessment due"),
    "appraisal_due": _("appraisal due"),
}
OTHER_LABELS = {
    "evidence": _("evidence"),
    "bonus": _("bonus"),
    "penalty": _("penalty"),
    "extension": _("extension"),
    "publication": _("publication"),
    "reopening": _("reopening"),
}


@dataclass
class Change:
    at: datetime
    user: str | None
    what: str
    sub_code: str | None
    old: Any
    new: Any
    note: str = ""

    @property
    def label(self):
        return {**SCORE_FIELDS, **ASSESSMENT_FIELDS, **ROUND_FIELDS, **OTHER_LABELS}.get(
            self.what, self.what
        )

    def as_dict(self) -> dict:
        return {
            "at": self.at,
            "user": self.user,
            "what": self.what,
            "sub_code": self.sub_code,
            "old": self.old,
            "new": self.new,
            "note": self.note,
        }


def _blank(value) -> bool:
    return value is None or value == ""


def _field_changes(records, fields, *, key, sub_codes=None, names=None, what_of=None):
    """Compare each record with the one before it for the same row; the first record of a row
    gives its first values (old null), leaving out fields still empty."""
    changes, previous = [], {}
    for record in records:
        row = getattr(record, key)
        before = previous.get(row)
        for field in fields:
            new = getattr(record, field)
            old = getattr(before, field) if before is not None else None
            if before is None and _blank(new):
                continue
            if before is not None and old == new:
                continue
            changes.append(
                Change(
                    record.history_date,
                    names.get(record.history_user_id) if names else None,
                    what_of(field) if what_of else field,
                    sub_codes.get(record.sub_criterion_id) if sub_codes else None,
                    None if _blank(old) else old,
                    None if _blank(new) else new,
                    getattr(record, "history_change_reason", None) or "",
                )
            )
        previous[row] = record
    return changes


def _rows_added_removed(records, *, key, what, describe, names, sub_codes=None):
    """A row added (old null) or removed (new null): evidence, bonus and penalty, extensions."""
    changes = []
    for record in records:
        value = describe(record)
        if record.history_type == "~":
            # An extension changed its date: the previous record of the row has the old one.
            continue
        what_name = what(record) if callable(what) else what
        changes.append(
            Change(
                record.history_date,
                names.get(record.history_user_id),
                what_name,
                sub_codes.get(getattr(record, key)) if sub_codes else None,
                value if record.history_type == "-" else None,
                value if record.history_type == "+" else None,
            )
        )
    return changes


def assessment_history(assessment: Assessment) -> list[Change]:
    framework_id, period_id = assessment.framework_id, assessment.period_id
    score_records = list(
        Score.history.filter(assessment_id=assessment.pk).order_by("history_date", "history_id")
    )
    score_subs = dict(
        Score.objects.filter(assessment=assessment).values_list("pk", "sub_criterion_id")
    )
    codes = dict(SubCriterion.objects.filter(framework_id=framework_id).values_list("pk", "code"))
    evidence_records = list(
        Evidence.history.filter(score_id__in=list(score_subs)).order_by(
            "history_date", "history_id"
        )
    )
    assessment_records = list(
        Assessment.history.filter(id=assessment.pk).order_by("history_date", "history_id")
    )
    adjustment_records = list(
        Adjustment.history.filter(assessment_id=assessment.pk).order_by(
            "history_date", "history_id"
        )
    )
    round_ids = list(
        Round.objects.filter(framework_id=framework_id, period_id=period_id).values_list(
            "pk", flat=True
        )
    )
    round_records = list(
        Round.history.filter(id__in=round_ids).order_by("history_date", "history_id")
    )
    extension_records = list(
        Extension.history.filter(round_id__in=round_ids, unit_id=assessment.unit_id).order_by(
            "history_date", "history_id"
        )
    )
    publications = list(Publication.objects.filter(framework_id=framework_id, period_id=period_id))
    reopenings = list(Reopening.objects.filter(framework_id=framework_id, period_id=period_id))

    user_ids = {
        r.history_user_id
        for r in [
            *score_records,
            *evidence_records,
            *assessment_records,
            *adjustment_records,
            *round_records,
            *extension_records,
        ]
    }
    user_ids |= {p.published_by_id for p in [*publications, *reopenings]}
    user_ids |= {r.reopened_by_id for r in reopenings}
    names = dict(
        get_user_model().objects.filter(pk__in=user_ids - {None}).values_list("pk", "username")
    )
    sub_of_score = {pk: codes.get(sub) for pk, sub in score_subs.items()}

    changes = _field_changes(score_records, SCORE_FIELDS, key="id", sub_codes=codes, names=names)
    changes += _field_changes(assessment_records, ASSESSMENT_FIELDS, key="id", names=names)
    changes += _field_changes(round_records, ROUND_FIELDS, key="id", names=names)
    changes += _field_changes(
        [r for r in extension_records if r.history_type != "-"],
        {"until": ""},
        key="id",
        names=names,
        what_of=lambda field: "extension",
    )
    changes += _rows_added_removed(
        [r for r in extension_records if r.history_type == "-"],
        key="unit_id",
        what="extension",
        describe=lambda r: r.until,
        names=names,
    )
    changes += _rows_added_removed(
        evidence_records,
        key="score_id",
        what="evidence",
        describe=lambda r: r.original_name,
        names=names,
        sub_codes=sub_of_score,
    )
    changes += _rows_added_removed(
        adjustment_records,
        key="assessment_id",
        what=lambda r: r.kind,
        describe=lambda r: f"{r.points} — {r.reason}",
        names=names,
    )
    # A reopened publication is gone; its reopening keeps what it was.
    for publication in [*publications, *reopenings]:
        changes.append(
            Change(
                publication.published_at,
                names.get(publication.published_by_id),
                "publication",
                None,
                None,
                f"{publication.decision_number} ({publication.decision_date:%d/%m/%Y})",
            )
        )
    for reopening in reopenings:
        changes.append(
            Change(
                reopening.reopened_at,
                names.get(reopening.reopened_by_id),
                "reopening",
                None,
                f"{reopening.decision_number} ({reopening.decision_date:%d/%m/%Y})",
                None,
                reopening.reason,
            )
        )
    changes.sort(key=lambda c: c.at)
    return changes
