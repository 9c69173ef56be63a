"""Two appraisers saving the same score at the same moment, on PostgreSQL: one wins, the other
is told the value that won; nothing is overwritten silently."""

import threading
import time

import pytest
from django.db import connections
from django.test import Client

from scoring.assessments.scores import ScoreError
from scoring.models import AreaResult, Publication, RankingRun, Result, Score
from scoring.rankings import services as rankings
from scoring.rankings.publication import group_publish
from tests.factories import MembershipFactory
from tests.helpers import group_lock_sessions, recompute, save_scores

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_saves_of_one_score_give_one_winner_and_one_conflict(
    postgres, make_group, communes, district
):
    framework, period = make_group()
    target = communes[0]
    appraisers = [MembershipFactory(unit=district, role="appraiser").user for _ in range(2)]
    url = f"/assessments/{target.code}/{period.code}/scores/1.1/"
    for round_number in range(5):
        was = Score.objects.get(assessment__unit=target, sub_criterion__code="1.1")
        seen = "" if was.appraised_points is None else f"{was.appraised_points.normalize()}"
        barrier = threading.Barrier(2)
        answers = {}

        def save(index, value, seen=seen, barrier=barrier, answers=answers):
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            client.cookies["django_language"] = "en"
            client.force_login(appraisers[index])
            barrier.wait()
            try:
                response = client.post(
                    url,
                    {"field": "appraised_points", "appraised_points": value, "was": seen},
                    HTTP_HX_REQUEST="true",
                )
                answers[value] = (response.status_code, response.content.decode())
            finally:
                connections.close_all()

        values = [f"{round_number + 1}.25", f"{round_number + 1}.5"]
        threads = [threading.Thread(target=save, args=(i, v)) for i, v in enumerate(values)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        statuses = sorted(status for status, _html in answers.values())
        assert statuses == [200, 409], answers
        winner = next(v for v, (status, _h) in answers.items() if status == 200)
        loser_html = next(h for status, h in answers.values() if status == 409)
        stored = Score.objects.get(assessment__unit=target, sub_criterion__code="1.1")
        assert f"{stored.appraised_points.normalize()}" == winner.rstrip("0").rstrip(".")
        assert f"changed this to {winner.rstrip('0').rstrip('.')}" in loser_html
        # One history entry per accepted save: the refused one left no trace.
        assert stored.history.count() == round_number + 1


def _in_thread(work, answers, key):
    def run():
        try:
            answers[key] = work()
        except Exception as exc:  # the test reads what each side met
            answers[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_publications_at_once_give_one_decision_and_a_clear_refusal(
    postgres, make_group, communes
):
    framework, period = make_group()
    save_scores(period, {c.code: {"1.1": "3"} for c in communes})
    barrier = threading.Barrier(2)
    answers = {}

    def publish(number):
        barrier.wait()
        return group_publish(
            framework=framework, period=period, decision_number=number, decision_date=period.end
        )

    threads = [_in_thread(lambda n=n: publish(n), answers, n) for n in ("1/QĐ", "2/QĐ")]
    for thread in threads:
        thread.join(timeout=30)
    refused = [a for a in answers.values() if isinstance(a, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ScoreError), answers
    assert "đã được công bố" in str(refused[0])  # "already published", in the default language
    assert Publication.objects.filter(framework=framework, period=period).count() == 1


def test_publishing_waits_for_a_recompute_under_way_and_leaves_a_final_ranking(
    postgres, make_group, communes, broker_down
):
    """The recompute holds the group's lock; publishing waits for it rather than interleaving,
    so a run that started before the publication can never commit provisional results after it."""
    framework, period = make_group()
    save_scores(period, {c.code: {"1.1": "3"} for c in communes})
    recompute(framework, period)
    answers = {}
    # A separate session holds the area results, so the recompute stops half way.
    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {AreaResult._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    try:
        save_scores(period, {communes[0].code: {"1.1": "6"}})  # dirty; its task is refused
        running = _in_thread(
            lambda: rankings.dirty_group_recompute(framework.pk, period.pk), answers, "run"
        )
        assert _wait(lambda: RankingRun.objects.filter(status="running").exists())
        publishing = _in_thread(
            lambda: group_publish(
                framework=framework, period=period, decision_number="9/QĐ", decision_date=period.end
            ),
            answers,
            "publish",
        )
        assert _wait(lambda: group_lock_sessions(framework, period, granted=False) == 1)
    finally:
        blocker.rollback()
        blocker.close()
    running.join(timeout=30)
    publishing.join(timeout=30)
    assert answers["run"] == 1 and isinstance(answers["publish"], Publication), answers
    results = Result.objects.filter(framework=framework, period=period)
    assert not results.filter(provisional=True).exists()
    assert results.get(unit=communes[0]).total_points == 6


def _wait(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
