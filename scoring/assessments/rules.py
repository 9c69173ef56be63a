"""Who may do what to an assessment, and when: the only place these rules live.

Every writer asks here (services, pages, the API, the admin, imports, commands). Each rule
answers a Refusal saying why not, or None when the action is allowed; `may_*` helpers turn the
answers into the booleans templates receive.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit, Role
from core.problems import Refusal
from scoring.models import SELF_ASSESSING, AssessmentStatus, Extension, Publication, Round

OFFICER_ROLES = (Role.COMMUNE_OFFICER, Role.ADMIN)
APPRAISER_ROLES = (Role.APPRAISER, Role.ADMIN)


class Actor:
    """A user and the units their roles reach, looked up once per role set, so an import of many
    rows asks the database once. `None` is the system (commands run by an administrator)."""

    def __init__(self, user):
        self.user = user
        self._units: dict[tuple[str, ...], set[int]] = {}
        self._rounds: dict[tuple[int, int], tuple] = {}
        self._rounds_of: set[int] = set()  # frameworks whose rounds are all in _rounds

    @classmethod
    def of(cls, user_or_actor) -> "Actor":
        return user_or_actor if isinstance(user_or_actor, Actor) else cls(user_or_actor)

    def deadline(self, assessment) -> "Deadline":
        """The round's self-assessment deadline for this assessment's unit, looked up once per
        round (its extensions with it)."""
        key = (assessment.framework_id, assessment.period_id)
        if key not in self._rounds and key[0] in self._rounds_of:
            self._rounds[key] = (None, {})
        if key not in self._rounds:
            found = (
                Round.objects.filter(framework_id=key[0], period_id=key[1])
                .values_list("pk", "self_assessment_due")
                .first()
            )
            extensions = (
                dict(Extension.objects.filter(round_id=found[0]).values_list("unit_id", "until"))
                if found
                else {}
            )
            self._rounds[key] = (found[1] if found else None, extensions)
        due, extensions = self._rounds[key]
        return Deadline(due, extensions.get(assessment.unit_id))

    def rounds_load(self, framework_ids) -> None:
        """The rounds of these frameworks, every period, with their extensions: two queries
        where deadline() would ask two per group (an import of a year names hundreds)."""
        ids = set(framework_ids) - self._rounds_of
        if not ids:
            return
        rounds = {
            pk: (framework_id, period_id, due)
            for pk, framework_id, period_id, due in Round.objects.filter(
                framework_id__in=ids
            ).values_list("pk", "framework_id", "period_id", "self_assessment_due")
        }
        extensions: dict[int, dict] = {}
        for round_id, unit_id, until in Extension.objects.filter(round_id__in=rounds).values_list(
            "round_id", "unit_id", "until"
        ):
            extensions.setdefault(round_id, {})[unit_id] = until
        for pk, (framework_id, period_id, due) in rounds.items():
            self._rounds[(framework_id, period_id)] = (due, extensions.get(pk, {}))
        self._rounds_of |= ids

    def holds(self, roles, unit_id: int) -> bool:
        if self.user is None:
            return True
        key = tuple(roles)
        if key not in self._units:
            self._units[key] = set(
                AdministrativeUnit.objects.changeable_by(self.user, roles).values_list(
                    "pk", flat=True
                )
            )
        return unit_id in self._units[key]


@dataclass(frozen=True)
class Deadline:
    """The last day a commune may change its self-assessment, and its extension if any."""

    due: datetime.date | None
    extended_until: datetime.date | None = None

    @property
    def last_day(self) -> datetime.date | None:
        if self.due is None:
            return None
        return max(self.due, self.extended_until or self.due)

    @property
    def passed(self) -> bool:
        """Past the end of the last day, Vietnam time (the portal's time zone)."""
        return self.last_day is not None and timezone.localdate() > self.last_day


def shown_date(day: datetime.date) -> str:
    """A date as people write it in messages, whatever the language: 15/01/2025."""
    return day.strftime("%d/%m/%Y")


def deadline_refusal(actor, assessment):
    """After the round's self-assessment deadline an open self-assessment is closed, unless the
    appraisers extended it for the unit. A returned one was reopened by the appraisers
    themselves: it stays open until the commune sends it back."""
    if assessment.status != AssessmentStatus.OPEN:
        return None
    deadline = Actor.of(actor).deadline(assessment)
    if not deadline.passed:
        return None
    if deadline.extended_until:
        return Refusal(
            _(
                "The extension of the self-assessment deadline ended on %(date)s; ask the "
                "appraisers for another."
            )
            % {"date": shown_date(deadline.extended_until)},
            "self_points",
        )
    return Refusal(
        _(
            "The self-assessment deadline was %(date)s; the self-assessment can no longer "
            "change unless the appraisers grant an extension."
        )
        % {"date": shown_date(deadline.due)},
        "self_points",
    )


def is_published(framework_id: int, period_id: int) -> bool:
    return bool(published_groups([(framework_id, period_id)]))


def published_groups(groups) -> set[tuple[int, int]]:
    """Which of these (framework, period) groups are published, in one query."""
    wanted = Q(pk__in=[])
    for framework_id, period_id in groups:
        wanted |= Q(framework_id=framework_id, period_id=period_id)
    return set(Publication.objects.filter(wanted).values_list("framework_id", "period_id"))


def results_final(framework_id: int, period_id: int, *, published: bool | None = None):
    """Results are final once published: nothing of the group may change any more."""
    if published is None:
        published = is_published(framework_id, period_id)
    if published:
        return Refusal(_("The results are published and can no longer change."))
    return None


def self_assessment_refusal(actor, assessment, *, published: bool | None = None):
    """Self points, explanations and evidence: the unit's commune officers, while the
    self-assessment is open or returned, and never after publication."""
    actor = Actor.of(actor)
    final = results_final(assessment.framework_id, assessment.period_id, published=published)
    if final:
        return final
    if not actor.holds(OFFICER_ROLES, assessment.unit_id):
        return Refusal(_("You may not self-assess this unit."), "self_points")
    if assessment.status not in SELF_ASSESSING:
        return Refusal(_("The self-assessment was submitted and is closed."), "self_points")
    return deadline_refusal(actor, assessment)


def appraisal_refusal(actor, assessment, *, published: bool | None = None):
    """Appraised points and reasons: appraisers of the unit, until publication."""
    actor = Actor.of(actor)
    final = results_final(assessment.framework_id, assessment.period_id, published=published)
    if final:
        return final
    if not actor.holds(APPRAISER_ROLES, assessment.unit_id):
        return Refusal(_("You may not appraise this unit."), "appraised_points")
    return None


def round_refusal(actor, framework, period):
    """Opening a round, its deadlines and extensions: the appraisers of the framework's issuer,
    until the round's results are published."""
    actor = Actor.of(actor)
    final = results_final(framework.pk, period.pk)
    if final:
        return final
    if not actor.holds(APPRAISER_ROLES, framework.issuer_id):
        return Refusal(
            _("Only the appraisers of %(issuer)s run its rounds.")
            % {"issuer": framework.issuer.name}
        )
    return None


def publication_refusal(actor, framework, period):
    """Publishing a group's results under a decision: the appraisers of the issuer, once."""
    actor = Actor.of(actor)
    if is_published(framework.pk, period.pk):
        return Refusal(_("These results are already published."))
    if not actor.holds(APPRAISER_ROLES, framework.issuer_id):
        return Refusal(
            _("Only the appraisers of %(issuer)s publish its results.")
            % {"issuer": framework.issuer.name}
        )
    return None


def decision_refusal(actor, publication):
    """The decision's signer and signed PDF: the issuer's appraisers, at any time."""
    actor = Actor.of(actor)
    issuer = publication.framework.issuer
    if not actor.holds(APPRAISER_ROLES, issuer.pk):
        return Refusal(
            _("Only the appraisers of %(issuer)s record its decisions.") % {"issuer": issuer.name}
        )
    return None


def reopen_refusal(user):
    """Only an administrator may take published results back to work."""
    if user is None or not getattr(user, "is_superuser", False):
        return Refusal(_("Only an administrator may reopen published results."))
    return None


def submit_refusal(actor, assessment):
    """Handing the self-assessment to the appraisers is a self-assessment write."""
    return self_assessment_refusal(actor, assessment)


def return_refusal(actor, assessment, *, published: bool | None = None):
    """Only a submitted self-assessment goes back to the commune, by its appraisers."""
    refusal = appraisal_refusal(actor, assessment, published=published)
    if refusal:
        return refusal
    if assessment.status != AssessmentStatus.SUBMITTED:
        return Refusal(_("Only a submitted self-assessment can be returned."))
    return None


def finish_refusal(actor, assessment, *, published: bool | None = None):
    refusal = appraisal_refusal(actor, assessment, published=published)
    if refusal:
        return refusal
    if assessment.status != AssessmentStatus.SUBMITTED:
        return Refusal(_("Only a submitted self-assessment can be marked as appraised."))
    return None


def adjustment_refusal(actor, assessment):
    """Bonus and penalty points are the appraisers' decision, until publication."""
    return appraisal_refusal(actor, assessment)


def permissions(user, assessment) -> dict:
    """The booleans an assessment's pages show and hide things by."""
    actor = Actor(user)
    published = is_published(assessment.framework_id, assessment.period_id)
    return {
        "published": published,
        "can_self_assess": self_assessment_refusal(actor, assessment, published=published) is None,
        "can_appraise": appraisal_refusal(actor, assessment, published=published) is None,
        "can_finish": finish_refusal(actor, assessment, published=published) is None,
        "can_return": return_refusal(actor, assessment, published=published) is None,
        "is_appraiser": actor.holds(APPRAISER_ROLES, assessment.unit_id),
        "deadline": actor.deadline(assessment),
    }
