"""A bulk load analyses what it changed (#16): the next recompute meets planner statistics that
describe the tables, not the empty ones PostgreSQL saw before the load."""

import pytest
from django.db import connection

from core.db import MIN_ROWS, analyze_after_load, tables_analyze
from dossiers.models import DossierReport
from scoring.models import AreaResult, Result, Score
from tests.processes import require_real_services

pytestmark = pytest.mark.django_db


def _reltuples(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def _forget(table: str, reltuples: float = -1) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = %s WHERE relname = %s", [reltuples, table])


def test_a_large_load_analyses_its_tables_once_committed(django_capture_on_commit_callbacks):
    require_real_services(broker=False)
    score = Score._meta.db_table
    _forget(score)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        analyze_after_load({Score: MIN_ROWS - 1})
    assert callbacks == []  # a small change leaves the statistics to autovacuum
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        analyze_after_load({Score: MIN_ROWS, DossierReport: 10})
    assert len(callbacks) == 1
    assert _reltuples(score) == Score.objects.count()  # counted, where it was "never analysed"


def test_a_load_small_against_what_the_table_holds_is_left_to_autovacuum():
    require_real_services(broker=False)
    score, dossiers = Score._meta.db_table, DossierReport._meta.db_table
    _forget(score, 1_000_000)
    _forget(dossiers)
    assert tables_analyze({score: 50_000, dossiers: MIN_ROWS}) == [dossiers]
    assert _reltuples(score) == 1_000_000  # 5 % of it changed: not worth a pass


def test_the_tables_each_recompute_rewrites_leave_room_in_their_pages():
    """Fill factor 80: a recomputed row's new version fits in its page, so PostgreSQL need not
    touch the table's indexes (heap-only update); at 100 a national recompute wrote 25-60 %
    slower (docs/performance.md)."""
    require_real_services(broker=False)
    tables = [model._meta.db_table for model in (Score, Result, AreaResult)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [tables])
        options = dict(cursor.fetchall())
    assert options == {table: ["fillfactor=80"] for table in tables}
