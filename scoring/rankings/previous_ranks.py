"""Each result's rank in the previous period of the same kind its issuer assessed (else the
previous year), for the movement the dashboards show; refreshed for later unpublished groups
when an earlier one changes.

Set-wise like the engine: three reads to learn which periods compare with which, whatever the
number of groups, then one UPDATE over all of them.
"""

from collections.abc import Iterable

from django.db import connection

from scoring.models import Assessment, Framework, Period, Result
from scoring.periods import previous_period_codes

T = {"result": Result._meta.db_table, "framework": Framework._meta.db_table}
NO_PERIOD = -1  # a period id no row has: the subquery finds nothing and the rank is cleared

PREVIOUS_RANK = f"""
    WITH compared(f, p, previous, issuer, level) AS (VALUES {{values}})
    UPDATE {T["result"]} SET previous_rank = (
        SELECT MIN(pr.rank) FROM {T["result"]} pr
        JOIN {T["framework"]} pf ON pf.id = pr.framework_id
        WHERE pr.unit_id = {T["result"]}.unit_id AND pr.period_id = compared.previous
          AND pf.issuer_id = compared.issuer AND pf.level = compared.level)
    FROM compared
    WHERE {T["result"]}.framework_id = compared.f AND {T["result"]}.period_id = compared.p
"""


def _assessed_periods(issuers: set[int], codes: set[str]) -> dict[tuple[int, str, str], Period]:
    """(issuer, level, period code) → period, for the periods those issuers assessed."""
    rows = (
        Assessment.objects.filter(framework__issuer_id__in=issuers, period__code__in=codes)
        .values_list("framework__issuer_id", "framework__level", "period_id")
        .distinct()
    )
    rows = list(rows)
    periods = Period.objects.in_bulk({period_id for _i, _l, period_id in rows})
    return {(issuer, level, periods[pid].code): periods[pid] for issuer, level, pid in rows}


def refresh_previous_ranks(groups: Iterable[tuple[int, int]]) -> None:
    """Previous ranks of the groups, and of later provisional groups compared with them."""
    groups = set(groups)
    frameworks = Framework.objects.in_bulk({f for f, _p in groups})
    own = {(f, p) for f, p in groups if f in frameworks}
    if not own:
        return
    issuers = {fw.issuer_id for fw in frameworks.values()}
    years = set()
    for period in Period.objects.filter(pk__in={p for _f, p in own}):
        years |= {period.year, period.year + 1}
    # Later groups of the same issuers that may compare their ranks with these.
    later = set(
        Result.objects.filter(
            framework__issuer_id__in=issuers, period__year__in=years, provisional=True
        )
        .values_list("framework_id", "period_id")
        .distinct()
    )
    frameworks.update(Framework.objects.in_bulk({f for f, _p in later} - set(frameworks)))
    periods = Period.objects.in_bulk({p for _f, p in own | later})
    codes = {code for period in periods.values() for code in previous_period_codes(period)}
    assessed = _assessed_periods({fw.issuer_id for fw in frameworks.values()}, codes)

    def previous_of(framework_id: int, period_id: int) -> Period | None:
        framework = frameworks[framework_id]
        for code in previous_period_codes(periods[period_id]):
            found = assessed.get((framework.issuer_id, framework.level, code))
            if found:
                return found
        return None

    recomputed = {(frameworks[f].issuer_id, frameworks[f].level, p) for f, p in own}
    rows = []
    for f, p in sorted(own | later):
        framework, previous = frameworks[f], previous_of(f, p)
        key = (framework.issuer_id, framework.level, previous.pk if previous else None)
        if (f, p) not in own and key not in recomputed:
            continue  # a later group that does not compare with any of these
        previous_id = previous.pk if previous else NO_PERIOD
        rows.append((f, p, previous_id, framework.issuer_id, framework.level))
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(PREVIOUS_RANK.format(values=values), [v for row in rows for v in row])
