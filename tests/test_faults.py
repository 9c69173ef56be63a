"""Faults on PostgreSQL with a Redis server and Celery workers that these tests start, stop and
kill themselves: saves never depend on the broker, a killed worker never leaves a half-written
ranking, and a task delivered twice changes nothing."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection, connections
from rest_framework.authtoken.models import Token

from scoring.assessments.scores import score_update
from scoring.models import AreaResult, DirtyGroup, RankingRun, Result, Score
from scoring.rankings.services import ABANDONED
from scoring.tasks import recompute_group
from tests.factories import MembershipFactory
from tests.helpers import group_lock_sessions, recompute, save_scores
from tests.processes import (
    CeleryWorker,
    RedisServer,
    publishing_to,
    require_real_services,
    wait_for,
)

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]
HTMX = {"HTTP_HX_REQUEST": "true"}
# A worker needs a few seconds to start and to reconnect after an outage; the ranking follows.
CONVERGE_SECONDS = 60
REDELIVERED = "redelivered-recompute"


@pytest.fixture(scope="module")
def broker(django_db_setup, django_db_blocker, tmp_path_factory):
    """This module's own Redis, which the tests stop and restart; the process publishes to it."""
    with django_db_blocker.unblock():
        require_real_services(broker=False)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    with publishing_to(server.url):
        yield server
    server.stop()


@pytest.fixture
def workers(broker, tmp_path):
    """Start workers on the module's Redis; whatever is still running is stopped afterwards."""
    started = []

    def start(**options):
        worker = CeleryWorker(broker.url, tmp_path, **options).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    if not broker.answers():  # a failed test may leave it stopped; the next one needs it
        broker.start()


@pytest.fixture
def group(make_group, communes):
    """Four communes; the first is last with 1 of 6 points on 1.1, the others have 3."""
    framework, period = make_group()
    save_scores(period, {c.code: {"1.1": "3"} for c in communes})
    save_scores(period, {communes[0].code: {"1.1": "1"}})
    results = recompute(framework, period)
    assert results[communes[0].code].rank == 4
    return framework, period


def _ranking(framework, period) -> dict:
    """Everything the dashboards read about a group, to compare before and after a fault."""
    results = Result.objects.filter(framework=framework, period=period)
    areas = AreaResult.objects.filter(result__framework=framework, result__period=period)
    return {
        "results": sorted(
            results.values_list(
                "unit__code", "total_points", "index_percent", "rank", "band_id", "provisional"
            )
        ),
        "areas": sorted(areas.values_list("result__unit__code", "area_id", "points", "percent")),
    }


def _own(framework, period, commune):
    return Result.objects.get(framework=framework, period=period, unit=commune)


def _settled(framework, period, commune, total):
    def check():
        return not DirtyGroup.objects.filter(framework=framework, period=period).exists() and _own(
            framework, period, commune
        ).total_points == Decimal(total)

    return check


def test_a_save_while_redis_is_down_succeeds_says_so_and_is_ranked_when_a_worker_starts(
    client, broker, workers, group, communes, district
):
    framework, period = group
    own = communes[0]
    before = _ranking(framework, period)
    broker.stop()

    # An appraiser types 6 of 6 into the sheet: saved in place, told the ranking will follow.
    client.force_login(MembershipFactory(unit=district, role="appraiser").user)
    response = client.post(
        f"/assessments/{own.code}/{period.code}/scores/1.1/",
        {"field": "appraised_points", "appraised_points": "6", "was": ""},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Đã lưu" in response.content.decode()  # pages speak Vietnamese unless asked otherwise
    event = json.loads(response.headers["HX-Trigger"])["ranking-deferred"]
    assert "sẽ tự động được cập nhật" in event["message"]
    assert Score.objects.get(assessment__unit=own, sub_criterion__code="1.1").appraised_points == 6

    # Nothing is computed while the broker is away; the old ranking stays whole meanwhile.
    assert DirtyGroup.objects.filter(framework=framework, period=period).exists()
    assert _ranking(framework, period) == before

    broker.start()
    worker = workers()  # its start-up sweep finds the dirty mark
    assert wait_for(_settled(framework, period, own, "6.00"), CONVERGE_SECONDS), (
        f"the ranking did not follow once a worker started:\n{worker.log_tail()}"
    )
    assert _own(framework, period, own).rank == 1  # 6 beats everyone's 3
    run = RankingRun.objects.filter(framework=framework, period=period).latest("started_at")
    assert (run.status, run.trigger) == ("succeeded", "sweep")


def test_an_api_save_during_an_outage_is_ranked_by_the_periodic_sweep(
    client, broker, workers, group, communes, appraiser
):
    framework, period = group
    own = communes[0]
    worker = workers(beat=True, sweep_seconds=1)  # runs through the outage and reconnects
    broker.stop()

    token = Token.objects.create(user=appraiser)
    response = client.put(
        f"/api/v1/assessments/{own.code}/{period.code}/scores/",
        [{"sub_code": "1.1", "appraised_points": "5"}],
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200, response.content
    assert response.headers["X-Ranking-Status"] == "deferred"
    assert DirtyGroup.objects.filter(framework=framework, period=period).exists()

    broker.start()  # nothing is queued any more: only the sweep can bring the ranking up to date
    assert wait_for(_settled(framework, period, own, "5.00"), CONVERGE_SECONDS), (
        f"the periodic sweep did not recompute after the broker came back:\n{worker.log_tail()}"
    )
    assert _own(framework, period, own).rank == 1


def test_a_worker_killed_mid_recompute_leaves_the_previous_ranking_whole(
    broker, workers, group, communes, appraiser
):
    framework, period = group
    own = communes[0]
    before = _ranking(framework, period)
    worker = workers()

    # Hold the area results so the worker's recompute stops half way, inside its transaction:
    # the units' totals and ranks are written by then, their area percents not yet.
    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    table = AreaResult._meta.db_table
    with blocker.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    try:
        score = Score.objects.get(assessment__unit=own, sub_criterion__code="1.1")
        score_update(score=score, user=appraiser, appraised_points="6")
        assert wait_for(lambda: _waiting_on(table) > 0, 30), "the recompute never started"
        run = RankingRun.objects.get(framework=framework, period=period, status="running")
        worker.kill()
    finally:
        blocker.rollback()
        blocker.close()
    # The dead worker's session ends once it notices its client is gone: nothing it wrote stays.
    assert wait_for(lambda: not group_lock_sessions(framework, period, granted=True), 30)
    assert _ranking(framework, period) == before
    assert DirtyGroup.objects.filter(framework=framework, period=period).exists()

    worker = workers()
    assert wait_for(_settled(framework, period, own, "6.00"), CONVERGE_SECONDS), worker.log_tail()
    assert _own(framework, period, own).rank == 1
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", ABANDONED)
    assert not RankingRun.objects.filter(framework=framework, status="running").exists()


def test_a_task_delivered_twice_gives_the_same_ranking(broker, workers, group, communes, appraiser):
    framework, period = group
    own = communes[0]
    worker = workers()
    score = Score.objects.get(assessment__unit=own, sub_criterion__code="1.1")
    score_update(score=score, user=appraiser, appraised_points="6")
    # The same message twice more while the group is dirty, as after a lost acknowledgement.
    duplicate = recompute_group.s(framework.pk, period.pk, "change")
    duplicate.apply_async(task_id=REDELIVERED)
    duplicate.apply_async(task_id=REDELIVERED)
    assert wait_for(lambda: len(_finished(worker)) == 2, CONVERGE_SECONDS), worker.log_tail()
    assert wait_for(_settled(framework, period, own, "6.00"), CONVERGE_SECONDS), worker.log_tail()
    assert _own(framework, period, own).rank == 1
    once = _ranking(framework, period)
    runs = RankingRun.objects.filter(framework=framework, period=period).count()

    duplicate.apply_async(task_id=REDELIVERED)  # once the work is done: nothing left to do
    assert wait_for(lambda: len(_finished(worker)) == 3, CONVERGE_SECONDS), worker.log_tail()
    assert _finished(worker)[-1] == "0"  # recompute runs made by that delivery
    assert _ranking(framework, period) == once
    assert RankingRun.objects.filter(framework=framework, period=period).count() == runs
    # And it is the ranking a single computation gives.
    assert once == _ranking_recomputed(framework, period)


def _finished(worker) -> list[str]:
    """What each delivery of the REDELIVERED task returned, from the worker's log."""
    pattern = re.compile(rf"recompute_group\[{REDELIVERED}\] succeeded in [0-9.]+s: (\d+)")
    return pattern.findall(worker.log.read_text())


def _ranking_recomputed(framework, period):
    recompute(framework, period)
    return _ranking(framework, period)


def _waiting_on(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table]
        )
        return cursor.fetchone()[0]
