"""Opening a group's assessments for a period: one per unit the framework ranks."""

from django.db import transaction

from communes.models import AdministrativeUnit, ancestor_lookups
from core.db import analyze_after_load
from scoring.models import (
    Assessment,
    Framework,
    Period,
    RankingGroup,
    RankingGroupKind,
    Score,
)
from scoring.rankings import engine
from scoring.rankings.services import groups_mark_dirty


def frameworks_for_units(units, years) -> dict[tuple[int, int], list[Framework]]:
    """(unit id, year) → the frameworks that rank the unit that year: issued by one of its
    ancestors for its level and, when the framework ranks in groups by kind, with a group for
    the unit's kind. Four queries whatever the number of units (a file of a year of scores
    names every commune)."""
    units, years = list(units), set(years)
    ancestors = {
        row[0]: [a for a in row[1:] if a]
        for row in AdministrativeUnit.objects.filter(pk__in=[u.pk for u in units]).values_list(
            "pk", *ancestor_lookups()
        )
    }
    issuers = {a for found in ancestors.values() for a in found}
    by_issuer: dict[int, list[Framework]] = {}
    for framework in Framework.objects.filter(year__in=years, issuer_id__in=issuers):
        by_issuer.setdefault(framework.issuer_id, []).append(framework)
    ids = [f.pk for found in by_issuer.values() for f in found]
    grouped = set(
        RankingGroup.objects.filter(framework_id__in=ids).values_list("framework_id", flat=True)
    )
    kinds: dict[int, set[str]] = {}
    for framework_id, kind in RankingGroupKind.objects.filter(framework_id__in=ids).values_list(
        "framework_id", "kind"
    ):
        kinds.setdefault(framework_id, set()).add(kind)
    return {
        (unit.pk, year): [
            framework
            for issuer in ancestors.get(unit.pk, [])
            for framework in by_issuer.get(issuer, [])
            if framework.year == year
            and framework.level == unit.level
            and (framework.pk not in grouped or unit.kind in kinds.get(framework.pk, ()))
        ]
        for unit in units
        for year in years
    }


def kinds_ranked(framework: Framework) -> list[str] | None:
    """The unit kinds the framework's ranking groups take; None when it ranks every kind."""
    kinds = list(
        RankingGroupKind.objects.filter(framework=framework).values_list("kind", flat=True)
    )
    return kinds or None


def ensure_score_rows(assessments) -> None:
    """A blank score for every sub-criterion of each assessment's group, so that every later
    write is an update (one set-wise statement for all the groups)."""
    engine.insert_missing_scores({(a.framework_id, a.period_id) for a in assessments})


def units_ranked(framework: Framework, period: Period):
    """The units the framework ranks on the period's last day (the units a reform closed during
    the period were assessed under their own frameworks)."""
    units = (
        AdministrativeUnit.objects.subtree_of([framework.issuer_id])
        .filter(level=framework.level)
        .valid_on(period.end)
    )
    kinds = kinds_ranked(framework)
    if kinds is not None:
        units = units.filter(kind__in=kinds)
    return units


def group_open(*, framework: Framework, period: Period, unit_ids=None) -> int:
    """Open an assessment for every unit the framework ranks (or those of `unit_ids` among
    them); answers how many were added. Opening again adds what is missing, nothing else."""
    units = units_ranked(framework, period)
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    existing = set(
        Assessment.objects.filter(framework=framework, period=period).values_list(
            "unit_id", flat=True
        )
    )
    new = [
        Assessment(unit_id=u, framework=framework, period=period)
        for u in units.values_list("pk", flat=True)
        if u not in existing
    ]
    with transaction.atomic():
        Assessment.objects.bulk_create(new, ignore_conflicts=True)
        ensure_score_rows(Assessment.objects.filter(framework=framework, period=period))
        if new:
            groups_mark_dirty([(framework.pk, period.pk)], trigger="open")
            items = framework.sub_criteria.count()
            analyze_after_load({Assessment: len(new), Score: len(new) * items})
    return len(new)
