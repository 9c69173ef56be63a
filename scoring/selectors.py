"""Reads of the scoring app that are more than a one-line query."""

import datetime
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.selectors import unit_by_code

from .models import (
    AreaResult,
    Assessment,
    DirtyGroup,
    Framework,
    Period,
    Publication,
    RankingRun,
    Result,
    RunStatus,
)


def groups_using_statistics(commune_ids, months) -> set[tuple[int, int]]:
    """Unpublished ranking groups whose results read these communes' statistics for these months."""
    if not commune_ids or not months:
        return set()
    covering = reduce(or_, (Q(period__start__lte=m, period__end__gte=m) for m in set(months)))
    published = Publication.objects.filter(
        framework_id=OuterRef("framework_id"), period_id=OuterRef("period_id")
    )
    rows = (
        Assessment.objects.filter(covering, unit_id__in=list(commune_ids))
        .exclude(Exists(published))
        .values_list("framework_id", "period_id")
        .distinct()
    )
    return set(rows)


def group_framework(*, issuer_code: str, period: Period, framework_code: str | None = None):
    """The framework issued by unit `issuer_code` for the period's year (and code, if given).

    Returns (framework, error message); exactly one of them is None.
    """
    issuer = unit_by_code(issuer_code, on=period.start) or unit_by_code(issuer_code)
    if issuer is None:
        return None, _("No unit has the code %(code)s.") % {"code": issuer_code}
    frameworks = Framework.objects.filter(issuer=issuer, year=period.year)
    if framework_code:
        frameworks = frameworks.filter(code=framework_code)
    found = list(frameworks.order_by("code"))
    if not found:
        return None, _("%(unit)s issued no framework for %(year)d.") % {
            "unit": issuer,
            "year": period.year,
        }
    if len(found) > 1:
        return None, _("%(unit)s issued several frameworks for %(year)d (%(codes)s); name one.") % {
            "unit": issuer,
            "year": period.year,
            "codes": ", ".join(f.code for f in found),
        }
    return found[0], None


def ranking_rows(framework: Framework, period: Period):
    """Stored results of a group, best first, with units and area results: two queries."""
    return (
        Result.objects.filter(framework=framework, period=period)
        .select_related("unit", "band")
        .prefetch_related(
            Prefetch(
                "area_results",
                queryset=AreaResult.objects.select_related("area").order_by("area__position"),
            )
        )
        .order_by("rank", "unit__code")
    )


def latest_run(framework: Framework, period: Period) -> RankingRun | None:
    return (
        RankingRun.objects.filter(framework=framework, period=period, status=RunStatus.SUCCEEDED)
        .order_by("-finished_at")
        .first()
    )


# A change is normally in the ranking within a second; one older than this is worth a notice.
PENDING_NOTICE_AFTER = datetime.timedelta(seconds=10)


def changes_pending_since(framework: Framework, period: Period) -> datetime.datetime | None:
    """When the oldest change not yet in the group's ranking was saved, if it is overdue."""
    since = (
        DirtyGroup.objects.filter(framework=framework, period=period)
        .values_list("dirty_since", flat=True)
        .first()
    )
    if since is None or timezone.now() - since < PENDING_NOTICE_AFTER:
        return None
    return since


def overdue_ranking_groups() -> int:
    """How many groups hold changes not ranked within PENDING_NOTICE_AFTER (for monitoring:
    above zero for long means no worker or broker is doing the work)."""
    cutoff = timezone.now() - PENDING_NOTICE_AFTER
    return DirtyGroup.objects.filter(dirty_since__lt=cutoff).count()


def rankings_as_of(framework: Framework, period: Period) -> datetime.datetime | None:
    run = latest_run(framework, period)
    return run.finished_at if run else None


def frameworks_visible_to(user):
    """Frameworks the user may read: issued by a unit they see, or by an ancestor of one of
    their units (an officer reads the framework their district assesses them with)."""
    from communes import scoping
    from communes.models import Membership

    if user is None or not user.is_authenticated:
        return Framework.objects.none()
    if user.is_superuser:
        return Framework.objects.all()
    ancestors = set()
    for parent, grandparent in Membership.objects.filter(user=user).values_list(
        "unit__parent_id", "unit__parent__parent_id"
    ):
        ancestors.update(a for a in (parent, grandparent) if a)
    return Framework.objects.filter(
        Q(issuer__in=scoping.visible_units(user)) | Q(issuer_id__in=ancestors)
    ).distinct()


def assessments_visible_to(user):
    from communes import scoping

    return Assessment.objects.filter(unit__in=scoping.visible_units(user))


def visible_assessment(user, unit_code: str, period_code: str, framework_code=None):
    """The assessment of the unit in the period if the user may see it; None otherwise, and
    when the unit has several frameworks in the period and none is named."""
    assessments = assessments_visible_to(user).filter(
        unit__code=unit_code, period__code=str(period_code).upper()
    )
    if framework_code:
        assessments = assessments.filter(framework__code=framework_code)
    found = list(assessments.select_related("unit", "framework__issuer", "period")[:2])
    return found[0] if len(found) == 1 else None
