"""What every bench module shares: Django set up on the bench database, and the result table."""

import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
# The bench's own recomputes are timed explicitly; the real worker (started by the rows that
# measure it) gets the broker instead.
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")
os.environ["CELERY_BROKER_URL"] = ""

import django  # noqa: E402

django.setup()

results: list[dict] = []


def seconds(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def timed(name, target=None):
    """Run fn once, record and print its time (and whether it met the target)."""

    def wrap(fn):
        started = time.perf_counter()
        value = fn()
        taken = time.perf_counter() - started
        results.append(
            {"name": name, "seconds": round(taken, 3), "target": target, "detail": value}
        )
        mark = "" if target is None else (" ok" if taken < target else " SLOW")
        print(f"{name:58} {taken:8.3f} s{mark}  {value or ''}", flush=True)
        return value

    return wrap


def record(name, taken, target):
    results.append({"name": name, "seconds": round(taken, 3), "target": target})
    mark = " ok" if taken < target else " SLOW"
    print(f"{name:58} {taken:8.3f} s{mark}", flush=True)


def compare(name, value, reference, goal, unit="s", detail=""):
    """A row of #16's table: the measure, the reference measured in the same run, the ratio,
    and whether the goal holds (goal(value, reference) -> bool; None: no goal, a figure)."""
    ratio = value / reference if reference else None
    ok = None if goal is None else goal(value, reference)
    results.append(
        {
            "name": name,
            "value": round(value, 4),
            "unit": unit,
            "reference": None if reference is None else round(reference, 4),
            "ratio": None if ratio is None else round(ratio, 2),
            "ok": ok,
            "detail": detail,
        }
    )
    ref = "" if reference is None else f" ref {reference:9.3f}"
    ref += "" if ratio is None else f" ×{ratio:6.2f}"
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"{name:58} {value:9.3f} {unit}{ref} {verdict}  {detail}", flush=True)


def results_write(name: str) -> None:
    """The run's rows as JSON in var/bench/NAME (what docs/performance.md records)."""
    from django.db import connection

    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "when": datetime.datetime.now().isoformat(),
                "results": results,
            },
            indent=2,
            default=str,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )


def database_fresh() -> None:
    """An empty, migrated bench database: the SQLite file removed, or PostgreSQL flushed."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        db = Path(connection.settings_dict["NAME"])
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    else:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
