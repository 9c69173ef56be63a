"""Set-wise writes of the portal's bulk loads, and planner statistics after them (PostgreSQL).

PostgreSQL plans from statistics that autovacuum gathers some time after a load, or never where
it is off. A load that grows or rewrites a good part of a table analyses it once committed, so
the next recompute or page meets statistics that describe what is there.
"""

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

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


def history_insert(
    model: type[Model], source: str, *, history_type: str, user=None, reason: str = ""
) -> tuple[str, list]:
    """The INSERT … SELECT of history records (django-simple-history) of the rows `source`
    names as they stand (a table, or a data-modifying statement's rows, with the model's
    columns), and its parameters. `history_type` is simple-history's "+" (created) or "~"
    (changed)."""
    history = model.history.model
    tracked = {field.name for field in model._meta.concrete_fields}
    names = ", ".join(
        connection.ops.quote_name(field.column)
        for field in history._meta.concrete_fields
        if field.name in tracked
    )
    longest = history._meta.get_field("history_change_reason").max_length
    return (
        f"INSERT INTO {connection.ops.quote_name(history._meta.db_table)} ({names}, "
        "history_date, history_type, history_user_id, history_change_reason) "
        f"SELECT {names}, %s, %s, %s, %s FROM {source}",
        [timezone.now(), history_type, user.pk if user else None, reason[:longest]],
    )


def history_copy(
    model: type[Model], ids, *, history_type: str, user=None, reason: str = "", batch=2000
) -> None:
    """History records of rows as they now stand, copied in SQL: what `bulk_history_create`
    does through a model instance per row, which took longer than the rest of a national
    import together."""
    statement, stamp = history_insert(
        model,
        connection.ops.quote_name(model._meta.db_table),
        history_type=history_type,
        user=user,
        reason=reason,
    )
    ids = list(ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            cursor.execute(
                f"{statement} WHERE id IN ({', '.join(['%s'] * len(chunk))})", stamp + chunk
            )


def write_recorded(
    model: type[Model],
    statement: str,
    params: list,
    *,
    history_type: str,
    user=None,
    reason: str = "",
    returned: str = "*",
    before: str = "",
) -> int:
    """Run `statement` (an INSERT or UPDATE of `model`'s table, without RETURNING) and copy the
    rows it wrote to their history; answers how many it wrote.

    On PostgreSQL one statement does both: the history is inserted from the rows the write
    returns (`returned`, the table's columns; `before`, common tables the write reads). SQLite
    has no INSERT or UPDATE inside WITH: it answers the written rows' ids and their history is
    copied by id."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            history, stamp = history_insert(
                model, "written", history_type=history_type, user=user, reason=reason
            )
            ctes = f"{before}, " if before else ""
            cursor.execute(
                f"WITH {ctes}written AS ({statement} RETURNING {returned}) {history}",
                params + stamp,
            )
            return cursor.rowcount
        cursor.execute(f"{statement} RETURNING id", params)
        ids = [row[0] for row in cursor.fetchall()]
    history_copy(model, ids, history_type=history_type, user=user, reason=reason)
    return len(ids)
