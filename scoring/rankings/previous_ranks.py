"""Each result's rank in the previous period of the same kind its issuer assessed (else the
previous year), for the movement the dashboards show; refreshed for later unpublished groups
when an earlier one changes.

Set-wise like the engine: two reads to learn which periods compare with which, whatever the
number of groups, then one UPDATE over all of them. Written out: run after every recompute,
the five ORM queries they were took longer to build than to run (a third of a one-group
recompute, #16).
"""

from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from scoring.models import Assessment, Framework, Period, Result
from scoring.periods import previous_period_codes

T = {
    "result": Result._meta.db_table,
    "framework": Framework._meta.db_table,
    "period": Period._meta.db_table,
    "assessment": Assessment._meta.db_table,
}
NO_PERIOD = -1  # a period id no row has: the subquery finds nothing and the rank is cleared

# The groups recomputed (0), and the provisional groups of their issuers in the same or the
# next year, which may compare their ranks with them (1); each with its framework's issuer and
# level and its period's kind, year and number. Groups whose framework is gone are left out.
GROUPS = f"""
    WITH own(f, p) AS (VALUES {{values}}),
    own_kinds AS (SELECT own.f, own.p, fw.issuer_id, fw.level, pe.year
                  FROM own JOIN {T["framework"]} fw ON fw.id = own.f
                  JOIN {T["period"]} pe ON pe.id = own.p)
    SELECT 0, k.f, k.p, k.issuer_id, k.level, pe.kind, pe.year, pe.number
    FROM own_kinds k JOIN {T["period"]} pe ON pe.id = k.p
    UNION
    SELECT 1, r.framework_id, r.period_id, fw.issuer_id, fw.level, pe.kind, pe.year, pe.number
    FROM {T["result"]} r JOIN {T["framework"]} fw ON fw.id = r.framework_id
    JOIN {T["period"]} pe ON pe.id = r.period_id
    WHERE r.provisional AND fw.issuer_id IN (SELECT issuer_id FROM own_kinds)
      AND (pe.year IN (SELECT year FROM own_kinds) OR pe.year - 1 IN (SELECT year FROM own_kinds))
"""

# The periods with these codes that these issuers assessed, by framework level.
ASSESSED = f"""
    SELECT DISTINCT fw.issuer_id, fw.level, pe.code, a.period_id
    FROM {T["assessment"]} a JOIN {T["framework"]} fw ON fw.id = a.framework_id
    JOIN {T["period"]} pe ON pe.id = a.period_id
    WHERE fw.issuer_id IN ({{issuers}}) AND pe.code IN ({{codes}})
"""

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


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def refresh_previous_ranks(groups: Iterable[tuple[int, int]]) -> None:
    """Previous ranks of the groups, and of later provisional groups compared with them."""
    groups = sorted({(int(f), int(p)) for f, p in groups})
    if not groups:
        return
    kinds: dict[int, tuple[int, str]] = {}  # framework → (issuer, level)
    periods: dict[int, Period] = {}  # unsaved: what previous_period_codes reads
    own, later = set(), set()
    with connection.cursor() as cursor:
        values = ", ".join(f"({f}, {p})" for f, p in groups)  # ids, written inline
        cursor.execute(GROUPS.format(values=values))
        for which, f, p, issuer, level, kind, year, number in cursor.fetchall():
            (later if which else own).add((f, p))
            kinds[f] = (issuer, level)
            periods[p] = Period(kind=kind, year=year, number=number)
        if not own:
            return
        issuers = sorted({kinds[f][0] for f, _p in own})
        codes = sorted({c for period in periods.values() for c in previous_period_codes(period)})
        cursor.execute(
            ASSESSED.format(issuers=_placeholders(len(issuers)), codes=_placeholders(len(codes))),
            issuers + codes,
        )
        assessed = {(issuer, level, code): pk for issuer, level, code, pk in cursor.fetchall()}

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
        distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
        cursor.execute(
            PREVIOUS_RANK.format(values=values, distinct=distinct),
            [v for row in rows for v in row] + [timezone.now()],
        )
