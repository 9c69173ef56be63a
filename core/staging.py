"""Checked rows of a bulk load, staged in a temporary table so that a few statements write them.

Rows read back as model instances, compared in Python and written in batches took most of a
national import (#16); staged (COPY on PostgreSQL) they are compared and written set-wise, in
SQL, by the load that staged them.
"""

import csv
import io

from django.db import connection

# Rows held in Python between two loads of the table.
FLUSH_EVERY = 5000


class StagedRows:
    """A temporary table of `columns` ((name, SQL type) pairs) that rows are added to.

    Create it inside the load's transaction: a rollback takes the table with it; `drop()` once
    the rows are written. Texts must be None or not empty: COPY reads an empty field as NULL.
    """

    def __init__(self, table: str, columns: list[tuple[str, str]]):
        self.table = table
        self.names = [name for name, _kind in columns]
        self.buffer: list[tuple] = []
        self.staged = 0  # rows added, loaded or not
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} "
                f"({', '.join(f'{name} {kind}' for name, kind in columns)})"
            )

    def add(self, row: tuple) -> None:
        """A row's values in the order of the columns."""
        self.buffer.append(row)
        self.staged += 1
        if len(self.buffer) >= FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Load the rows added since the last flush."""
        if not self.buffer:
            return
        names = ", ".join(self.names)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                text = io.StringIO()
                csv.writer(text, lineterminator="\n").writerows(self.buffer)
                text.seek(0)
                cursor.cursor.copy_expert(f"COPY {self.table} ({names}) FROM STDIN WITH CSV", text)
            else:
                marks = ", ".join(["%s"] * len(self.names))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({names}) VALUES ({marks})", self.buffer
                )
        self.buffer = []

    def ready(self) -> None:
        """Every row loaded; on PostgreSQL the table analysed, so plans joining it with
        national tables weigh its real size (a temporary table has no statistics until then)."""
        self.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {self.table}")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {self.table}")
