"""Publishing a group's results under a decision: computed one last time, then final."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.problems import Problem
from scoring.assessments.rules import is_published, publication_refusal
from scoring.assessments.scores import ScoreError
from scoring.models import (
    Assessment,
    AssessmentStatus,
    DirtyGroup,
    Framework,
    Period,
    Publication,
    RankingRun,
    Result,
    RunStatus,
)
from scoring.rankings import engine
from scoring.rankings.services import group_locked


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


class PublicationRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def results_publish(
    *,
    framework: Framework,
    period: Period,
    decision_number: str,
    decision_date: datetime.date,
    user=None,
) -> Publication:
    """What the API, the command and the pages call: the issuer's appraisers publish a group
    whose every unit is appraised; refused with the units not ready, one problem each."""
    refusal = publication_refusal(user, framework, period)
    if refusal:
        raise PublicationRefused([Problem(None, refusal.field, refusal.message)])
    not_ready = (
        Assessment.objects.filter(framework=framework, period=period)
        .exclude(status=AssessmentStatus.APPRAISED)
        .select_related("unit")
        .order_by("unit__code")
    )
    problems = [
        Problem(
            None,
            "unit_code",
            _("%(unit)s (%(code)s) is not appraised yet (%(status)s).")
            % {"unit": a.unit.name, "code": a.unit.code, "status": a.get_status_display()},
        )
        for a in not_ready
    ]
    if not Assessment.objects.filter(framework=framework, period=period).exists():
        problems.append(Problem(None, None, _("No unit is assessed in this group.")))
    if problems:
        raise PublicationRefused(problems)
    try:
        return group_publish(
            framework=framework,
            period=period,
            decision_number=decision_number,
            decision_date=decision_date,
            user=user if user is not None and user.is_authenticated else None,
        )
    except ScoreError as exc:
        raise PublicationRefused([Problem(None, exc.field, str(exc))]) from exc
