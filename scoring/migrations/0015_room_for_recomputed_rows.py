"""Room in each page for the rows every recompute rewrites (scores, results, area results).

PostgreSQL can then write a row's new version in the same page without touching its indexes
(a heap-only update), as none of the columns the engine writes is indexed. A national
recompute writing 60,210 score rows took 2.0-2.7 s at the default of 100 % and 1.6 s at 80 %
(docs/performance.md). Pages written from now on keep the room; existing ones get it when the
table is rewritten. SQLite has no such setting.
"""

from django.db import migrations

MODELS = ("Score", "Result", "AreaResult")


def _fillfactor(percent):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in MODELS:
            table = schema_editor.quote_name(apps.get_model("scoring", name)._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(percent)})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("scoring", "0014_decisions_reopenings_and_history")]

    operations = [migrations.RunPython(_fillfactor(80), _fillfactor(100))]
