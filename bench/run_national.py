"""#16's table at national scale: builds the national data set, then measures each row against
a reference taken in the same run. Part of `make bench`; alone: `python bench/run_national.py`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection  # noqa: E402

from bench.common import BROKER_URL, database_fresh, results, results_write  # noqa: E402


def _signed_in_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def main() -> int:
    from bench import national, national_engine, national_http, national_imports, national_worker

    if connection.vendor != "postgresql":
        print("The national table (#16) is measured on PostgreSQL, with a real worker:")
        print("    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench make bench")
        return 0
    database_fresh()
    print(f"national data set on {connection.vendor}", flush=True)
    data = national.build()
    year = data["periods"][2024]
    national_engine.engine_rows(year)
    if national_worker.broker_ready():
        client = _signed_in_client()
        with national_worker.real_worker():
            national_worker.score_to_ranking(year, client)
            national_worker.month_for_every_commune(year, client)
    else:
        print(f"no broker at {BROKER_URL}: the rows with a real worker are not measured")
    national_http.serving_rows(year)
    national_imports.import_rows()
    results_write("national.json")
    return 0 if all(r.get("ok") is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
