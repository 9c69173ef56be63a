"""Two statistics files for the same commune-month at the same moment, on PostgreSQL: both are
accepted, one creates the month and the other replaces it; neither meets the unique constraint."""

import threading

import pytest
from django.db import connections

from dossiers.models import DossierReport
from dossiers.services import dossier_reports_save
from tests.helpers import dossier_row

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_imports_of_the_same_new_month_at_once_both_succeed(postgres, communes):
    commune = communes[0]
    for attempt in range(5):
        month = f"2024-{attempt + 1:02d}"
        barrier = threading.Barrier(2)
        results = {}

        def save(received, month=month, barrier=barrier, results=results):
            try:
                barrier.wait()
                results[received] = dossier_reports_save(
                    records=[
                        (2, dossier_row(commune.code, month, received=received, resolved_early=1))
                    ]
                )
            except Exception as exc:  # the test reads what each side met
                results[received] = exc
            finally:
                connections.close_all()

        threads = [threading.Thread(target=save, args=(n,)) for n in (10, 20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert all(getattr(r, "ok", False) for r in results.values()), results
        assert sorted((r.created, r.updated) for r in results.values()) == [(0, 1), (1, 0)]
        stored = DossierReport.objects.get(
            commune=commune, month__year=2024, month__month=attempt + 1
        )
        assert stored.received in (10, 20)
        assert stored.history.count() == 2
