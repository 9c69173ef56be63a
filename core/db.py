"""Planner statistics after the portal's own bulk loads (PostgreSQL).

PostgreSQL plans from statistics that autovacuum gathers some time after a load, or never where
it is off. A load that grows or rewrites a good part of a table analyses it once committed, so
the next recompute or page meets statistics that describe what is there.
"""

from django.db import connection, transaction
from django.db.models import Model

# A load analyses a table when it wrote at least this many rows and a tenth of what the
# statistics last counted (or the table was never analysed).
MIN_ROWS = 1000
SHARE = 0.1


def analyze_after_load(rows: dict[type[Model], int]) -> None:
    """After the current transaction commits, ANALYZE the tables whose rows a load changed."""
    if connection.vendor != "postgresql":
        return
    tables = {model._meta.db_table: count for model, count in rows.items() if count >= MIN_ROWS}
    if tables:
        transaction.on_commit(lambda: tables_analyze(tables))


def tables_analyze(tables: dict[str, int]) -> list[str]:
    """ANALYZE each table whose changed rows are a fair share of it; returns those analysed."""
    analysed = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'",
            [list(tables)],
        )
        known = dict(cursor.fetchall())
        for table, count in sorted(tables.items()):
            estimate = known.get(table, -1)
            if estimate < 0 or count >= SHARE * estimate:
                cursor.execute(f'ANALYZE "{table}"')
                analysed.append(table)
    return analysed
