"""Who hears of what in a round: the commune's officers of their unit's round, deadline,
return and appraisal; officers and leaders of the group, and the issuer's leaders, of the
publication. Each event is sent to a person once (its key)."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from communes.models import Role
from notices.models import NoticeKind
from notices.services import notify, unit_members
from scoring.models import SELF_ASSESSING, Assessment, Extension, Publication, Round

REMIND_DAYS = 3


def _sheet_url(unit_code, period_code):
    return reverse("self-assessment", args=[unit_code, period_code])


def round_opened(round_: Round) -> int:
    assessments = list(
        Assessment.objects.filter(framework=round_.framework, period=round_.period).values_list(
            "unit_id", "unit__code", "unit__name"
        )
    )
    officers = unit_members([a[0] for a in assessments], [Role.COMMUNE_OFFICER])
    due = round_.self_assessment_due
    return notify(
        [
            (
                user_id,
                NoticeKind.ROUND_OPENED,
                {
                    "unit": name,
                    "period": round_.period.label,
                    "framework": round_.framework.code,
                    "due": due.isoformat() if due else "",
                },
                _sheet_url(code, round_.period.code),
                f"round:{round_.pk}:{unit_id}",
            )
            for unit_id, code, name in assessments
            for user_id in officers.get(unit_id, ())
        ]
    )


def _assessment_notice(assessment: Assessment, kind: str, extra: dict, key: str) -> int:
    officers = unit_members([assessment.unit_id], [Role.COMMUNE_OFFICER])
    params = {"unit": assessment.unit.name, "period": assessment.period.label, **extra}
    url = _sheet_url(assessment.unit.code, assessment.period.code)
    return notify(
        [(user_id, kind, params, url, key) for user_id in officers.get(assessment.unit_id, ())]
    )


def assessment_returned(assessment: Assessment, items: int) -> int:
    # Each return is its own event: the commune may be asked again.
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    return _assessment_notice(
        assessment, NoticeKind.RETURNED, {"items": items}, f"returned:{assessment.pk}:{stamp}"
    )


def assessment_appraised(assessment: Assessment) -> int:
    return _assessment_notice(
        assessment, NoticeKind.APPRAISED, {}, f"appraised:{assessment.pk}:{assessment.appraised_at}"
    )


def results_published(publication: Publication) -> int:
    framework, period = publication.framework, publication.period
    unit_ids = list(
        Assessment.objects.filter(framework=framework, period=period).values_list(
            "unit_id", flat=True
        )
    )
    members = unit_members(unit_ids, [Role.COMMUNE_OFFICER, Role.LEADER])
    issuer = unit_members([framework.issuer_id], [Role.LEADER, Role.APPRAISER])
    users = set().union(*members.values(), *issuer.values()) if members or issuer else set()
    params = {
        "period": period.label,
        "framework": framework.code,
        "number": publication.decision_number,
        "date": publication.decision_date.isoformat(),
    }
    url = f"{reverse('rankings')}?group={framework.issuer.code}&period={period.code}"
    return notify(
        [
            (user_id, NoticeKind.PUBLISHED, params, url, f"published:{publication.pk}")
            for user_id in sorted(users)
        ]
    )


def deadline_reminders(today: datetime.date | None = None) -> int:
    """Remind the officers of every unit whose self-assessment is due in REMIND_DAYS days (its
    round's deadline, or its own extension) and is not submitted yet."""
    today = today or timezone.localdate()
    due = today + datetime.timedelta(days=REMIND_DAYS)
    extended = {
        (e.round_id, e.unit_id): e.until
        for e in Extension.objects.filter(round__self_assessment_due__isnull=False).only(
            "round_id", "unit_id", "until"
        )
    }
    rounds = (
        Round.objects.filter(Q(self_assessment_due=due) | Q(extensions__until=due))
        .distinct()
        .select_related("framework", "period")
    )
    candidates = []
    for round_ in rounds:
        for assessment in Assessment.objects.filter(
            framework=round_.framework, period=round_.period, status__in=SELF_ASSESSING
        ).select_related("unit"):
            own = extended.get((round_.pk, assessment.unit_id), round_.self_assessment_due)
            if own == due:
                candidates.append((round_, assessment, own))
    officers = unit_members([a.unit_id for _r, a, _d in candidates], [Role.COMMUNE_OFFICER])
    return notify(
        [
            (
                user_id,
                NoticeKind.DEADLINE_SOON,
                {"unit": a.unit.name, "period": r.period.label, "due": own.isoformat()},
                _sheet_url(a.unit.code, r.period.code),
                f"deadline:{r.pk}:{a.unit_id}:{own.isoformat()}",
            )
            for r, a, own in candidates
            for user_id in officers.get(a.unit_id, ())
        ]
    )
