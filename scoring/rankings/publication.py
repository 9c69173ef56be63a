"""Publishing a group's results under a decision: computed one last time, then final."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.assessments.rules import is_published
from scoring.assessments.scores import ScoreError
from scoring.models import (
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
