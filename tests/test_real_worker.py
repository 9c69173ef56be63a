"""End to end on PostgreSQL and Redis with a real Celery worker started by the test."""

import time
from decimal import Decimal

import pytest
from django.conf import settings

from cchc_portal.celery import app as celery_app
from dossiers.services import dossier_file_import
from scoring.assessments.scores import score_update
from scoring.models import DirtyGroup, RankingRun, Result, Score
from tests.factories import DERIVED_DOC
from tests.helpers import recompute, save_scores
from tests.processes import CeleryWorker, require_real_services, wait_for

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        require_real_services()
        celery_app.control.purge()
        process = CeleryWorker(settings.CELERY_BROKER_URL, tmp_path_factory.mktemp("worker"))
        process.start()
    yield process
    process.stop()


def test_an_imported_dossier_file_changes_the_ranking_within_two_seconds(
    worker, make_group, communes
):
    framework, period = make_group(DERIVED_DOC)
    a, b = communes[0], communes[1]
    save_scores(period, {a.code: {"3.1": "1"}, b.code: {"3.1": "2"}})
    recompute(framework, period)
    assert Result.objects.get(unit=a, period=period).rank > 1
    content = (
        "commune_code,month,received,resolved_early,resolved_on_time,resolved_late,online_full\n"
        f"{a.code},2024-05,200,198,2,0,150\n"
    ).encode()
    started = time.monotonic()
    result = dossier_file_import(file_name="may.csv", content=content)
    assert result.ok and result.created == 1

    def a_is_first():
        return Result.objects.get(unit=a, period=period).rank == 1

    assert wait_for(a_is_first, 2.0), "the ranking did not change within 2 s"
    elapsed = time.monotonic() - started
    # The task of the import or the sweep at worker start, whichever came first, did the work.
    run = RankingRun.objects.filter(framework=framework).latest("finished_at")
    assert run.status == "succeeded"
    print(f"ranking changed {elapsed:.2f} s after the import")


def test_a_burst_on_the_real_queue_coalesces_and_ends_on_the_last_value(
    worker, make_group, communes, appraiser
):
    framework, period = make_group()
    save_scores(period, {c.code: {"1.1": "1"} for c in communes})
    recompute(framework, period)
    runs_before = RankingRun.objects.filter(framework=framework).count()
    score = Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1")
    values = [f"{v / 4:.2f}" for v in range(4, 25)]  # 21 edits, 1.00 … 6.00
    for value in values:
        score_update(score=score, user=appraiser, appraised_points=value)

    def settled():
        result = Result.objects.get(unit=communes[0], period=period)
        return not DirtyGroup.objects.filter(framework=framework).exists() and (
            result.total_points == Decimal("6.00")
        )

    assert wait_for(settled, 10), "the last change was not computed"
    runs = RankingRun.objects.filter(framework=framework).count() - runs_before
    print(f"{runs} recompute runs for {len(values)} changes")
    assert 1 <= runs <= 4, f"{runs} runs for {len(values)} changes"
    assert Result.objects.get(unit=communes[0], period=period).rank == 1


def test_a_large_file_is_read_by_the_worker_while_the_portal_keeps_answering(
    worker, district, settings, client
):
    """The API answers 202 at once; the worker reads the file (progress on the status URL);
    meanwhile the web process answers other requests without waiting for it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dossiers.models import DossierReport
    from tests.dossiers.big_files import month_rows, workbook
    from tests.factories import CommuneFactory, MembershipFactory

    settings.IMPORT_BACKGROUND_BYTES = 64 * 1024
    communes = [CommuneFactory(parent=district) for _ in range(150)]
    client.force_login(MembershipFactory(unit=district, role="admin").user)
    months = [f"{year}-{month:02d}" for year in range(2019, 2025) for month in range(1, 13)]
    content = workbook(month_rows([c.code for c in communes], months))  # 10,800 rows
    assert len(content) > settings.IMPORT_BACKGROUND_BYTES
    started = time.monotonic()
    response = client.post(
        "/api/v1/dossier-reports/import/", {"file": SimpleUploadedFile("lon.xlsx", content)}
    )
    answered_in = time.monotonic() - started
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert answered_in < 2.0, f"{answered_in:.2f} s"
    seen, health = [], []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = client.get(response.json()["status_url"]).json()
        seen.append((body["status"], body["percent"]))
        tick = time.monotonic()
        assert client.get("/healthz").status_code == 200
        health.append(time.monotonic() - tick)
        if body["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.05)
    assert body["status"] == "succeeded", body["errors"][:3]
    assert body["created"] == 10_800
    assert DossierReport.objects.filter(commune__in=communes).count() == 10_800
    percents = [percent for _status, percent in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    assert max(health) < 1.0, f"health check took {max(health):.2f} s"
    print(f"{len(seen)} status reads, progress {sorted(set(percents))}")
