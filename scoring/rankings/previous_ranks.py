"""Each result's rank in the previous period of the same kind its issuer assessed (else the
previous year), for the movement the dashboards show; refreshed for later unpublished groups
when an earlier one changes.

Set-wise like the engine: five reads to learn which periods compare with which, whatever the
number of groups, then one UPDATE over all of them.
"""

from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from scoring.models import Assessment, Framework, Period, Result
from scoring.periods import previous_period_codes

T = {"result": Result._meta.db_table, "framework": Framework._meta.db_table}
NO_PERIOD = -1  # a period id no row has: the subquery finds nothing and the rank is cleared

# Only rows whose previous rank changes are written, stamped (the stamp keys kept rankings).
PREVIOUS_RANK = f"""
    WITH compared(f, p, previous, issuer, level) AS (VALUES {{values}})
    UPDATE {T["result"]} SET previous_rank = found.rank, computed_at = %s
    FROM (SELECT r.id, (
              SELECT MIN(pr.rank) FROM {T["result"]} pr
              JOIN {T["framework"]} pf ON pf.id = pr.framework_id
              WHERE pr.unit_id = r.unit_id AND pr.period_id = compared.previous
                AND pf.issuer_id = compared.issuer AND pf.level = compared.level) AS rank
          FROM {T["result"]} r
          JOIN compared ON r.framework_id = compared.f AND r.period_id = compared.p) found
    WHERE {T["result"]}.id = found.id AND {T["result"]}.previous_rank {{distinct}} found.rank
"""


def _assessed_periods(issuers: set[int], codes: set[str]) -> dict[tuple[int, str, str], int]:
    """(issuer, level, period code) → period id, for the periods those issuers assessed."""
    rows = (
        Assessment.objects.filter(framework__issuer_id__in=issuers, period__code__in=codes)
        .values_list("framework__issuer_id", "framework__level", "period__code", "period_id")
        .order_by()  # without it DISTINCT also takes the models' ordering, a row per unit
        .distinct()
    )
    return {(issuer, level, code): period_id for issuer, level, code, period_id in rows}


def refresh_previous_ranks(groups: Iterable[tuple[int, int]]) -> None:
    """Previous ranks of the groups, and of later provisional groups compared with them."""
    groups = set(groups)
    kinds = {  # framework → (issuer, level)
        pk: (issuer, level)
        for pk, issuer, level in Framework.objects.filter(
            pk__in={f for f, _p in groups}
        ).values_list("pk", "issuer_id", "level")
    }
    own = {(f, p) for f, p in groups if f in kinds}
    if not own:
        return
    issuers = {issuer for issuer, _level in kinds.values()}
    own_years = Period.objects.filter(pk__in={p for _f, p in own}).values_list("year", flat=True)
    years = {year for own_year in own_years for year in (own_year, own_year + 1)}
    # Later groups of the same issuers that may compare their ranks with these.
    later = set()
    for f, p, issuer, level in (
        Result.objects.filter(
            framework__issuer_id__in=issuers, period__year__in=years, provisional=True
        )
        .values_list("framework_id", "period_id", "framework__issuer_id", "framework__level")
        .order_by()  # as above
        .distinct()
    ):
        later.add((f, p))
        kinds[f] = (issuer, level)
    periods = Period.objects.in_bulk({p for _f, p in own | later})
    codes = {code for period in periods.values() for code in previous_period_codes(period)}
    assessed = _assessed_periods(issuers, codes)

    def previous_of(framework_id: int, period_id: int) -> int | None:
        issuer, level = kinds[framework_id]
        for code in previous_period_codes(periods[period_id]):
            if (issuer, level, code) in assessed:
                return assessed[issuer, level, code]
        return None

    recomputed = {(*kinds[f], p) for f, p in own}
    rows = []
    for f, p in sorted(own | later):
        previous = previous_of(f, p)
        if (f, p) not in own and (*kinds[f], previous) not in recomputed:
            continue  # a later group that does not compare with any of these
        rows.append((f, p, NO_PERIOD if previous is None else previous, *kinds[f]))
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        cursor.execute(
            PREVIOUS_RANK.format(values=values, distinct=distinct),
            [v for row in rows for v in row] + [timezone.now()],
        )
