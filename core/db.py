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


def rows_update(model: type[Model], rows: list[dict], fields: list[str], batch: int = 500) -> None:
    """Write `fields` of existing rows (each a dict with "id" and those fields' values): one
    UPDATE … FROM (VALUES …) per batch. Django's bulk_update builds a CASE per field and row in
    Python, which took over a minute for a month of every commune or a year of scores."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name) for name in fields]
    postgresql = connection.vendor == "postgresql"

    def value(position: int, field) -> str:
        # PostgreSQL types a VALUES column by its values, and one of NULLs as text.
        cast = f"::{field.db_type(connection)}" if postgresql else ""
        return f"v.c{position}{cast}"

    assignments = ", ".join(
        f"{connection.ops.quote_name(field.column)} = {value(i + 1, field)}"
        for i, field in enumerate(columns)
    )
    names = ", ".join(f"c{i}" for i in range(len(columns) + 1))
    row_sql = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params = [
                field.get_db_prep_save(
                    row[field.name] if field.name in row else row[field.attname], connection
                )
                for row in chunk
                for field in [model._meta.pk, *columns]
            ]
            cursor.execute(
                f"WITH v({names}) AS (VALUES {', '.join([row_sql] * len(chunk))}) "
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.id = v.c0",
                params,
            )
