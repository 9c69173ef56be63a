"""A scores import's checked rows, staged in a temporary table and written in a few statements.

A year of every commune is 311,000 rows: held in Python as rows read back, compared and
written in batches, they took minutes and gigabytes (#16). Staged as they are checked
(core.staging), they cost a few megabytes; one UPDATE writes the rows whose values change and
copies them to their history.
"""

from django.db import connection
from django.utils import timezone

from core.db import analyze_after_load, write_recorded
from core.staging import StagedRows
from scoring.models import Assessment, Score
from scoring.rankings.services import groups_mark_dirty

TABLE = "import_score_rows"
# The assessment's id where it exists when the row is checked; the others are filled in once
# the import has opened the assessments it needs.
KEY = ("unit_id", "framework_id", "period_id", "sub_criterion_id", "assessment_id")
# The columns an import writes: an empty cell (None here) leaves the stored value as it is.
VALUES = ("self_points", "appraised_points", "explanation", "appraisal_reason", "count")
TYPES = ("numeric", "numeric", "text", "text", "integer")


SCORE = Score._meta.db_table
# The rows the file names that have no score row yet (an assessment this import opened, an
# item added to the framework since the round opened): blank, as a round opens them. Only
# these: the recompute the import asks for adds any other row its groups miss.
MISSING_ROWS_INSERT = f"""
    INSERT INTO {SCORE} (assessment_id, sub_criterion_id, explanation, appraisal_reason,
                         return_note, return_answer, points, excluded, updated_at)
    SELECT t.assessment_id, t.sub_criterion_id, '', '', '', '', 0, %s, %s FROM {TABLE} t
    WHERE NOT EXISTS (SELECT 1 FROM {SCORE} s
                      WHERE s.assessment_id = t.assessment_id
                        AND s.sub_criterion_id = t.sub_criterion_id)
    ON CONFLICT (assessment_id, sub_criterion_id) DO NOTHING
"""


def _column(name: str) -> str:
    return connection.ops.quote_name(Score._meta.get_field(name).column)


class ScoreStaging:
    """Rows added one by one as they pass the checks, written together by `write()`.

    Create it inside the import's transaction: a rollback takes the table with it, and
    `write()` drops it once the rows are written."""

    def __init__(self):
        self.rows = StagedRows(
            TABLE, [(name, "integer") for name in KEY] + list(zip(VALUES, TYPES, strict=True))
        )
        self.triples: set[tuple[int, int, int]] = set()

    @property
    def staged(self) -> int:
        return self.rows.staged

    def add(self, assessment, sub_id: int, values: dict) -> None:
        """Stage a checked row of `assessment` (saved or not yet)."""
        unit_id, framework_id, period_id = (
            assessment.unit_id,
            assessment.framework_id,
            assessment.period_id,
        )
        get = values.get
        self.rows.add(
            (unit_id, framework_id, period_id, sub_id, assessment.id)
            + (get("self_points"), get("appraised_points"), get("explanation"))
            + (get("appraisal_reason"), get("count"))  # in the order of VALUES
        )
        self.triples.add((unit_id, framework_id, period_id))

    def write(self, user) -> int:
        """Write the staged rows; answers how many scores changed."""
        self.rows.flush()
        groups = {(f, p) for _u, f, p in self.triples}
        postgresql = connection.vendor == "postgresql"
        if _assessments_ensure(self.triples):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {TABLE} SET assessment_id = (SELECT a.id FROM "
                    f"{Assessment._meta.db_table} a WHERE a.unit_id = {TABLE}.unit_id "
                    f"AND a.framework_id = {TABLE}.framework_id "
                    f"AND a.period_id = {TABLE}.period_id) WHERE assessment_id IS NULL"
                )
        self.rows.ready()
        history_user = user if user is not None and user.is_authenticated else None
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        stamp = [history_user.pk if history_user else None, now]
        with connection.cursor() as cursor:
            if postgresql:
                # Index reads priced as cached, as in the recompute (engine.py): a tenth of a
                # year otherwise hashed the whole score table twice (1.6 s, then 0.8 s).
                cursor.execute("SET LOCAL random_page_cost = 1.1")
            cursor.execute(MISSING_ROWS_INSERT, [False, now])
        before, update = _changed_rows_update(postgresql)
        changed = write_recorded(
            Score,
            update,
            stamp,
            returned="s.*",
            before=before,
            history_type="~",
            user=history_user,
            reason="import",
        )
        self.rows.drop()
        analyze_after_load({Score: changed})
        groups_mark_dirty(groups, trigger="scores")
        return changed


def _changed_rows_update(postgresql: bool) -> tuple[str, str]:
    """The common tables and the UPDATE of the score rows whose staged values differ from the
    stored ones (core.db.write_recorded runs it and records the rows it writes). Rows the
    file repeats unchanged are neither written nor locked."""
    score = SCORE
    match = "s.assessment_id = t.assessment_id AND s.sub_criterion_id = t.sub_criterion_id"
    distinct = "IS DISTINCT FROM" if postgresql else "IS NOT"
    changes = " OR ".join(
        f"(t.{n} IS NOT NULL AND t.{n} {distinct} s.{_column(n)})" for n in VALUES
    )
    stamp = f"{_column('updated_by')} = %s, {_column('updated_at')} = %s"
    if not postgresql:
        # SQLite has no row locks (it serialises writers).
        assigned = ", ".join(f"{_column(n)} = COALESCE(t.{n}, s.{_column(n)})" for n in VALUES)
        return "", (
            f"UPDATE {score} AS s SET {assigned}, {stamp} FROM {TABLE} t "
            f"WHERE {match} AND ({changes})"
        )
    # The rows to change, locked in key order like every writer of scores and the recompute
    # (docs/ranking-engine.md), before the UPDATE writes them: a row another writer changes
    # meanwhile is checked again against its new values once its lock is free.
    staged = ", ".join(f"t.{n}" for n in VALUES)
    assigned = ", ".join(f"{_column(n)} = COALESCE(c.{n}, s.{_column(n)})" for n in VALUES)
    return (
        f"changing AS (SELECT s.id, {staged} FROM {score} s JOIN {TABLE} t ON {match} "
        f"WHERE {changes} ORDER BY s.id FOR UPDATE OF s)",
        f"UPDATE {score} AS s SET {assigned}, {stamp} FROM changing c WHERE s.id = c.id",
    )


def _assessments_ensure(triples) -> int:
    """Open an assessment for each (unit, framework, period) triple that has none; answers how
    many were missing."""
    found = set(
        Assessment.objects.filter(
            unit_id__in={t[0] for t in triples},
            framework_id__in={t[1] for t in triples},
            period_id__in={t[2] for t in triples},
        ).values_list("unit_id", "framework_id", "period_id")
    )
    missing = [
        Assessment(unit_id=u, framework_id=f, period_id=p)
        for u, f, p in triples
        if (u, f, p) not in found
    ]
    Assessment.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
