"""#16's import rows: `import_dossiers` of a month for every commune against a plain COPY of the
same CSV, and `import_scores` against a SQL load of the same rows, each command in its own
process (time and peak memory). The recomputes they enqueue wait in the broker: only the
import is timed.

A year of scores for every commune (250,875 manual and survey rows) took minutes and gigabytes
before #16; staged and written set-wise it takes about 20 s, so the bench imports the whole
year (BENCH_SCORES_IMPORT=tenth imports every tenth row, for a quicker run).
"""

import csv
import os
import subprocess
import sys
import time

from django.db import connection

from bench.common import BROKER_URL, ROOT, compare

OUT = ROOT / "var" / "bench"


def _command(*args) -> tuple[float, float]:
    """Seconds and peak memory (MB) of a manage.py command in its own process."""
    env = dict(os.environ, DJANGO_DEBUG="true", CELERY_BROKER_URL=BROKER_URL)
    db = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    # The command reports its own peak (the children's figure is the largest child's so far).
    report = (
        "import resource, sys; from django.core.management import execute_from_command_line; "
        "sys.argv = ['manage.py'] + sys.argv[1:]; "
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cchc_portal.settings'); "
        "execute_from_command_line(sys.argv); "
        "print('peak-kb', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", report, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    peak = int(done.stdout.rsplit("peak-kb ", 1)[1].split()[0]) / 1024
    return seconds, peak


def _copy_seconds(path, columns: list[str], types: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_copy ({types})")
        started = time.perf_counter()
        with open(path, encoding="utf-8") as source:
            cursor.cursor.copy_expert(
                f"COPY bench_copy ({', '.join(columns)}) FROM STDIN WITH CSV HEADER", source
            )
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def dossiers_row() -> None:
    from communes.models import AdministrativeUnit, Level
    from dossiers.metrics import COUNTER_FIELDS

    codes = AdministrativeUnit.objects.filter(level=Level.COMMUNE, valid_to__isnull=False)
    path = OUT / "import-2024-11.csv"
    columns = ["commune_code", "month", *COUNTER_FIELDS]
    shift = int(time.time()) % 20  # other figures than any earlier run
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for i, code in enumerate(codes.values_list("code", flat=True).order_by("code")):
            late = i % 4
            writer.writerow(
                [code, "2024-11", 140 + shift, 0, 120, 10, late, 4, 0, 30 + i % 40, 10, i % 9]
                + [130, late]
                # The channel and the other outcomes of one-stop exports (#17): none here.
                + [0] * (len(COUNTER_FIELDS) - 12)
            )
    with open(path, encoding="utf-8") as written:
        rows = sum(1 for _ in written) - 1
    seconds, peak = _command("import_dossiers", str(path))
    types = "commune_code text, month text, " + ", ".join(f"{c} integer" for c in COUNTER_FIELDS)
    reference = _copy_seconds(path, columns, types)
    compare(
        f"import_dossiers, {rows:,} rows (CSV)",
        seconds,
        reference,
        lambda v, r: v <= 0.5,
        detail=f"goal ≤ 0.5 s with every rule checked; reference COPY; peak {peak:.0f} MB",
    )


def scores_row() -> None:
    from scoring.models import Score

    every = os.environ.get("BENCH_SCORES_IMPORT") != "tenth"
    scores = (
        Score.objects.filter(
            assessment__period__code="2023", sub_criterion__method__in=["manual", "survey"]
        )
        .order_by("pk")
        .values_list("assessment__unit__code", "sub_criterion__code", "sub_criterion__max_points")
    )
    path = OUT / "import-scores-2023.csv"
    columns = ["unit_code", "period", "sub_code", "self_points", "appraised_points", "explanation"]
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for i, (unit, sub, maximum) in enumerate(scores.iterator(chunk_size=20000)):
            if not every and i % 10:
                continue
            writer.writerow([unit, "2023", sub, maximum, "", "Tự chấm"])
            rows += 1
    seconds, peak = _command("import_scores", str(path))
    types = ", ".join(f"{c} text" for c in columns)
    reference = _copy_seconds(path, columns, types)
    share = "a year for every commune" if every else "a tenth of a year for every commune"
    compare(
        f"import_scores, {rows:,} rows ({share})",
        seconds,
        reference,
        # The goal is the year's; a tenth is a figure to compare runs by, with no goal of its own.
        (lambda v, r: v <= 30 and peak < 500) if every else None,
        detail=f"goal ≤ 30 s and < 500 MB for a year; reference COPY; peak {peak:.0f} MB",
    )


def import_rows() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    dossiers_row()
    scores_row()
