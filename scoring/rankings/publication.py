"""Publishing a group's results under a decision: computed one last time, then final."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.problems import Problem
from scoring.assessments.rules import (
    decision_refusal,
    is_published,
    publication_refusal,
    reopen_refusal,
)
from scoring.assessments.scores import ScoreError
from scoring.models import (
    Assessment,
    AssessmentStatus,
    DirtyGroup,
    Framework,
    Period,
    Publication,
    RankingRun,
    Reopening,
    Result,
    RunStatus,
)
from scoring.rankings import engine
from scoring.rankings.services import groups_locked, groups_mark_dirty
from scoring.rounds import notifications


def group_publish(
    *,
    framework: Framework,
    period: Period,
    decision_number: str,
    decision_date: datetime.date,
    signer: str = "",
    signed_file=None,
    user=None,
) -> Publication:
    """Freeze the group's results as final under a decision, computing them one last time."""
    if not str(decision_number or "").strip():
        raise ScoreError(_("Give the number of the decision."), "decision_number")
    # The group's lock: a recompute under way finishes first, none starts until this commits,
    # and of two publications at once the second finds the first.
    with groups_locked({(framework.pk, period.pk)}), transaction.atomic():
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
        # Stamped: the stamp keys the rankings kept for readers (scoring.rankings.kept).
        Result.objects.filter(framework=framework, period=period).update(
            provisional=False, computed_at=timezone.now()
        )
        DirtyGroup.objects.filter(framework=framework, period=period).delete()
        publication = Publication(
            framework=framework,
            period=period,
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            signer=(signer or "").strip(),
            published_by=user,
        )
        if signed_file is not None:
            _check_signed_file(signed_file)
            publication.signed_file.save(signed_file.name, signed_file, save=False)
        publication.save()
        notifications.results_published(publication)
        return publication


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
    signer: str = "",
    signed_file=None,
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
            signer=signer,
            signed_file=signed_file,
            user=user if user is not None and user.is_authenticated else None,
        )
    except ScoreError as exc:
        raise PublicationRefused([Problem(None, exc.field, str(exc))]) from exc


def _check_signed_file(upload) -> None:
    """The signed decision is a PDF within the evidence size limit, checked by its content."""
    from django.conf import settings

    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ScoreError(_("The signed decision must be a PDF file."), "signed_file")
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ScoreError(
            _("The signed decision is %(size).1f MB; the limit is %(max).0f MB.")
            % {"size": upload.size / 1e6, "max": settings.EVIDENCE_MAX_BYTES / 1e6},
            "signed_file",
        )


def decision_sign(*, publication: Publication, signer: str, signed_file=None, user=None):
    """Record who signed the decision and attach its signed PDF (often scanned after the
    results were published); the issuer's appraisers, the results themselves unchanged."""
    refusal = decision_refusal(user, publication)
    if refusal:
        raise PublicationRefused([Problem(None, refusal.field, refusal.message)])
    try:
        if signed_file is not None:
            _check_signed_file(signed_file)
    except ScoreError as exc:
        raise PublicationRefused([Problem(None, exc.field, str(exc))]) from exc
    with transaction.atomic():
        publication.signer = (signer or "").strip() or publication.signer
        if signed_file is not None:
            if publication.signed_file:
                publication.signed_file.delete(save=False)
            publication.signed_file.save(signed_file.name, signed_file, save=False)
        publication.save()
    return publication


def publication_reopen(*, publication: Publication, reason: str, user) -> Reopening:
    """An administrator withdraws a publication, with a written reason kept for good: the
    group's results are provisional again and may change until it is published anew."""
    refusal = reopen_refusal(user)
    if refusal:
        raise PublicationRefused([Problem(None, refusal.field, refusal.message)])
    reason = str(reason or "").strip()
    if len(reason) < 10:
        message = _("Write why the results are reopened (10 characters or more).")
        raise PublicationRefused([Problem(None, "reason", message)])
    framework, period = publication.framework, publication.period
    with groups_locked({(framework.pk, period.pk)}), transaction.atomic():
        reopening = Reopening.objects.create(
            framework=framework,
            period=period,
            decision_number=publication.decision_number,
            decision_date=publication.decision_date,
            signer=publication.signer,
            published_at=publication.published_at,
            published_by=publication.published_by,
            reason=reason,
            reopened_by=user,
        )
        publication.delete()
        Result.objects.filter(framework=framework, period=period).update(
            provisional=True, computed_at=timezone.now()
        )
        groups_mark_dirty([(framework.pk, period.pk)], trigger="reopen")
    return reopening
