"""A recompute and the writers of scores lock score rows in one order (primary key), so they
wait for each other and never deadlock, whatever order the rows lie in on disk."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from scoring.models import Score
from scoring.rankings import engine

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def test_a_writer_locking_in_key_order_never_deadlocks_with_a_recompute(postgres, make_group):
    framework, period = make_group()
    scores = Score.objects.filter(
        assessment=Score.objects.filter(assessment__framework=framework).first().assessment
    )
    # A score row written again after an item was cleared (1.1 here) has a higher key than its
    # neighbours yet comes first by sub-criterion; and a row saved again (1.2) lies last on
    # disk. Either way a statement that locks rows in the order it reads them meets 1.1 first.
    scores.filter(sub_criterion__code="1.1").delete()
    engine.insert_missing_scores([(framework.pk, period.pk)])
    scores.filter(sub_criterion__code="1.2").update(explanation="Đã giải trình")
    lowest = scores.get(sub_criterion__code="1.2").pk
    highest = scores.get(sub_criterion__code="1.1").pk
    assert lowest < highest

    writer_has_lowest, recompute_started = threading.Event(), threading.Event()
    outcome, recompute_pid = {}, {}

    def writer():
        try:
            with transaction.atomic():
                list(Score.objects.select_for_update().filter(pk=lowest))
                writer_has_lowest.set()
                recompute_started.wait(10)
                deadline = time.monotonic() + 10
                while not _waiting_on_a_lock(recompute_pid["pid"]):
                    assert time.monotonic() < deadline, "the recompute never waited"
                    time.sleep(0.02)
                # The writer goes on in key order, to the highest row.
                list(Score.objects.select_for_update().filter(pk=highest))
                Score.objects.filter(pk=highest).update(explanation="Bổ sung")
            outcome["writer"] = "committed"
        except Exception as exc:  # the test reads what the writer met
            outcome["writer"] = exc
        finally:
            connections.close_all()

    def recompute():
        try:
            writer_has_lowest.wait(10)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                recompute_pid["pid"] = cursor.fetchone()[0]
            recompute_started.set()
            with transaction.atomic():
                engine.recompute_group(framework, period)
            outcome["recompute"] = "committed"
        except Exception as exc:
            outcome["recompute"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer), threading.Thread(target=recompute)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcome == {"writer": "committed", "recompute": "committed"}
    assert Score.objects.get(pk=highest).explanation == "Bổ sung"
