"""Opening a round with its deadlines, changing them, and extending a unit's deadline.

The page, the API (`/api/v1/rounds/`) and `open_round` all come here; who may do it is
`rules.round_refusal`, the deadline itself is enforced by `rules.deadline_refusal`.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit
from communes.selectors import unit_by_code
from core.problems import Problem
from scoring.assessments import rules
from scoring.assessments.rounds import group_open, units_ranked
from scoring.frameworks.selectors import group_framework
from scoring.models import Assessment, Extension, Framework, Period, Round
from scoring.periods import PeriodCodeError, period_get_or_create
from scoring.rounds import notifications


class RoundError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _refuse(refusal) -> None:
    if refusal:
        raise RoundError([Problem(None, refusal.field, refusal.message)])


def round_target(
    *, issuer_code: str, period_code: str, framework_code: str | None = None
) -> tuple[Framework, Period]:
    """The framework and period a round is for: the issuer's framework of the period's year (its
    code is needed only when the issuer has several)."""
    try:
        period = period_get_or_create(str(period_code or ""))
    except PeriodCodeError as exc:
        raise RoundError([Problem(None, "period", str(exc))]) from exc
    framework, error = group_framework(
        issuer_code=str(issuer_code or "").strip(),
        period=period,
        framework_code=framework_code,
    )
    if error:
        column = "framework" if unit_by_code(str(issuer_code or "").strip()) else "issuer"
        raise RoundError([Problem(None, column, error)])
    return framework, period


def _date_problems(self_due, appraisal_due) -> list[Problem]:
    if self_due and appraisal_due and appraisal_due < self_due:
        return [
            Problem(
                None,
                "appraisal_due",
                _(
                    "The appraisal cannot be due (%(appraisal)s) before the self-assessment "
                    "(%(self)s)."
                )
                % {
                    "appraisal": rules.shown_date(appraisal_due),
                    "self": rules.shown_date(self_due),
                },
            )
        ]
    return []


def round_open(
    *,
    framework: Framework,
    period: Period,
    user=None,
    self_assessment_due: datetime.date | None = None,
    appraisal_due: datetime.date | None = None,
    unit_codes: list[str] | None = None,
) -> tuple[Round, int]:
    """Open the round: an assessment for every unit the framework ranks, or for the listed
    ones. Opening again adds the missing units and changes nothing else (the deadlines are
    changed with round_deadlines_set). Answers (the round, how many assessments were added)."""
    _refuse(rules.round_refusal(user, framework, period))
    problems = _date_problems(self_assessment_due, appraisal_due)
    unit_ids = None
    if unit_codes is not None:
        ranked = dict(
            units_ranked(framework, period)
            .filter(code__in=[str(c).strip() for c in unit_codes])
            .values_list("code", "pk")
        )
        for row, code in enumerate(unit_codes, start=1):
            if str(code).strip() not in ranked:
                problems.append(
                    Problem(
                        row,
                        "units",
                        _("framework %(framework)s does not rank a unit %(code)s in %(period)s")
                        % {"framework": framework.code, "code": code, "period": period.code},
                    )
                )
        unit_ids = set(ranked.values())
        if not unit_codes:
            problems.append(Problem(None, "units", _("Choose at least one unit.")))
    if problems:
        raise RoundError(problems)
    with transaction.atomic():
        round_, created = Round.objects.get_or_create(
            framework=framework,
            period=period,
            defaults={
                "self_assessment_due": self_assessment_due,
                "appraisal_due": appraisal_due,
                "opened_by": user if user is not None and user.is_authenticated else None,
            },
        )
        added = group_open(framework=framework, period=period, unit_ids=unit_ids)
        notifications.round_opened(round_)
    return round_, added


def round_deadlines_set(
    *, round_: Round, user, self_assessment_due=None, appraisal_due=None
) -> Round:
    _refuse(rules.round_refusal(user, round_.framework, round_.period))
    problems = _date_problems(self_assessment_due, appraisal_due)
    if problems:
        raise RoundError(problems)
    round_.self_assessment_due = self_assessment_due
    round_.appraisal_due = appraisal_due
    round_.save(update_fields=["self_assessment_due", "appraisal_due"])
    return round_


def extension_grant(
    *, round_: Round, unit_code: str, until: datetime.date, user, reason: str = ""
) -> Extension:
    """Let one unit change its self-assessment until `until` (inclusive), past the deadline.
    Granting again changes the date."""
    _refuse(rules.round_refusal(user, round_.framework, round_.period))
    unit = (
        AdministrativeUnit.objects.filter(
            code=str(unit_code or "").strip(),
            pk__in=Assessment.objects.filter(
                framework=round_.framework, period=round_.period
            ).values("unit_id"),
        )
        .order_by("-valid_from")
        .first()
    )
    if unit is None:
        raise RoundError(
            [
                Problem(
                    None,
                    "unit_code",
                    _("No unit %(code)s is assessed in this round.") % {"code": unit_code},
                )
            ]
        )
    due = round_.self_assessment_due
    if due is None:
        raise RoundError(
            [Problem(None, "until", _("The round has no self-assessment deadline to extend."))]
        )
    if until <= due:
        raise RoundError(
            [
                Problem(
                    None,
                    "until",
                    _("An extension ends after the deadline (%(date)s).")
                    % {"date": rules.shown_date(due)},
                )
            ]
        )
    extension, _created = Extension.objects.update_or_create(
        round=round_,
        unit=unit,
        defaults={
            "until": until,
            "reason": str(reason or "").strip(),
            "granted_by": user if user is not None and user.is_authenticated else None,
        },
    )
    return extension


def extension_revoke(*, extension: Extension, user) -> None:
    _refuse(rules.round_refusal(user, extension.round.framework, extension.round.period))
    extension.delete()
