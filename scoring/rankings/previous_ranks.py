"""Each result's rank in the previous period of the same kind its issuer assessed (else the
previous year), for the movement the dashboards show; refreshed for later unpublished groups
when an earlier one changes."""

from django.db import connection

from scoring.models import Framework, Period, Result
from scoring.periods import previous_period_codes

T = {"result": Result._meta.db_table, "framework": Framework._meta.db_table}

PREVIOUS_RANK = f"""
    UPDATE {T["result"]} SET previous_rank = (
        SELECT MIN(pr.rank) FROM {T["result"]} pr
        JOIN {T["framework"]} pf ON pf.id = pr.framework_id
        WHERE pr.unit_id = {T["result"]}.unit_id AND pr.period_id = %(previous)s
          AND pf.issuer_id = %(issuer)s AND pf.level = %(level)s)
    WHERE framework_id = %(f)s AND period_id = %(p)s
"""


def previous_period_for(framework: Framework, period: Period) -> Period | None:
    """The period this group's ranks are compared with: the previous period of the same kind
    the issuer assessed, else the previous year."""
    for code in previous_period_codes(period):
        found = Period.objects.filter(
            code=code,
            assessments__framework__issuer_id=framework.issuer_id,
            assessments__framework__level=framework.level,
        ).first()
        if found:
            return found
    return None


def refresh_previous_ranks(framework: Framework, period: Period) -> None:
    previous = previous_period_for(framework, period)
    if previous is None:
        Result.objects.filter(framework=framework, period=period).update(previous_rank=None)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            PREVIOUS_RANK,
            {
                "f": framework.pk,
                "p": period.pk,
                "previous": previous.pk,
                "issuer": framework.issuer_id,
                "level": framework.level,
            },
        )


def later_groups(framework: Framework, period: Period):
    """Unpublished groups of the same issuer that compare their ranks with this group."""
    candidates = (
        Result.objects.filter(
            framework__issuer_id=framework.issuer_id,
            framework__level=framework.level,
            period__year__in=[period.year, period.year + 1],
            provisional=True,
        )
        .exclude(period=period)
        .values_list("framework_id", "period_id")
        .distinct()
    )
    for framework_id, period_id in candidates:
        later_period = Period.objects.get(pk=period_id)
        previous = previous_period_for(framework, later_period)
        if previous is not None and previous.pk == period.pk:
            yield Framework.objects.get(pk=framework_id), later_period
