"""One officer cannot tie up the portal with a file: a million-row workbook is refused at once
with bounded memory, and a large valid file is read in the background with its progress shown
(page and API), then confirmed."""

import threading
import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client

from core.files import UnreadableFile, read_table
from dossiers.jobs import import_files_purge
from dossiers.models import DossierReport, ImportJob
from dossiers.services import dossier_file_import
from tests.dossiers.big_files import csv_file, month_rows, workbook
from tests.factories import CommuneFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_of_many(district):
    """A district appraiser's view is not enough to write: an officer of 30 communes."""
    communes = [CommuneFactory(parent=district) for _ in range(30)]
    user = MembershipFactory(unit=communes[0], role="commune_officer").user
    for commune in communes[1:]:
        MembershipFactory(unit=commune, role="commune_officer", user=user)
    return user, communes


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def _post(client, url, name, content, **extra):
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, **extra)


@pytest.mark.parametrize("declared", [True, False])
def test_a_million_row_workbook_is_refused_within_two_seconds_with_bounded_memory(
    client, officer_of_many, declared
):
    user, communes = officer_of_many
    client.force_login(user)
    content = workbook([], total_rows=1_000_000, declare=declared)
    # Another client keeps asking the portal whether it is well while the file arrives.
    answers, done = [], threading.Event()

    def other_client():
        try:
            while not done.is_set() or not answers:
                tick = time.monotonic()
                answers.append((Client().get("/healthz").status_code, time.monotonic() - tick))
        finally:
            connections.close_all()

    watcher = threading.Thread(target=other_client)
    watcher.start()
    tracemalloc.start()
    started = time.monotonic()
    response = _post(client, "/api/v1/dossier-reports/import/", "million.xlsx", content)
    elapsed = time.monotonic() - started
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    done.set()
    watcher.join(timeout=10)
    assert answers and all(status == 200 and seconds < 1 for status, seconds in answers)
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "at most 50000 can be imported" in message.replace(".", "").replace(",", "")
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert peak < 80 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert not DossierReport.objects.filter(commune__in=communes).exists()


def test_the_statistics_page_refuses_the_million_row_workbook_with_the_reason(
    client, officer_of_many
):
    user, communes = officer_of_many
    client.force_login(user)
    content = workbook([], total_rows=1_000_000)
    response = _post(client, f"/dossiers/{communes[0].code}/upload/", "million.xlsx", content)
    assert response.status_code == 400
    assert "at most 50" in response.content.decode()


def test_reading_stops_at_the_row_limit_whatever_the_sheet_declares():
    undeclared = workbook([], total_rows=60, declare=False)
    with pytest.raises(UnreadableFile, match="more than 50"):
        read_table("undeclared.xlsx", undeclared, max_rows=50)
    assert len(read_table("fine.xlsx", undeclared, max_rows=60).rows) == 60
    # A sheet that declares less than it holds is counted, not believed.
    lying = workbook([], total_rows=60, declare=3)
    with pytest.raises(UnreadableFile, match="more than 50"):
        read_table("lying.xlsx", lying, max_rows=50)
    declared = workbook([], total_rows=60)
    with pytest.raises(UnreadableFile, match="The file has more than 50 rows"):
        read_table("declared.xlsx", declared, max_rows=50)
    rows = csv_file([["1", "2024-01", 1, 1, 0, 0]] * 51)
    with pytest.raises(UnreadableFile, match="more than 50"):
        read_table("many.csv", rows, max_rows=50)


def test_a_large_file_reports_its_progress_through_every_stage(officer_of_many):
    user, communes = officer_of_many
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    content = workbook(month_rows([c.code for c in communes], months))  # 360 rows
    heard = []
    result = dossier_file_import(
        file_name="year.xlsx",
        content=content,
        user=user,
        progress=lambda stage, done, total: heard.append((stage, done, total)),
    )
    assert result.ok and result.created == 360
    stages = [stage for stage, _d, _t in heard]
    assert stages.index("checking") < stages.index("writing")
    assert ("checking", 0, 360) in heard and ("writing", 0, 360) in heard


@pytest.fixture
def background(settings):
    """Every file above 1 KB is read by the (eager) worker."""
    settings.IMPORT_BACKGROUND_BYTES = 1024


def test_a_large_file_on_the_page_is_checked_in_the_background_then_confirmed(
    client, officer_of_many, background, django_capture_on_commit_callbacks
):
    user, communes = officer_of_many
    client.force_login(user)
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    content = workbook(month_rows([c.code for c in communes], months))
    assert len(content) > 1024
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"/dossiers/{communes[0].code}/upload/", "nam-2023.xlsx", content)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/dossiers/{communes[0].code}/imports/{job.pk}/"
    assert job.dry_run and job.status == "succeeded" and job.percent == 100
    assert not DossierReport.objects.filter(commune__in=communes).exists()  # only checked
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "360 months to add, 0 to replace, 0 unchanged" in text
    assert "Confirm and save" in text and "hx-trigger" not in text  # finished: no polling
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"/dossiers/{communes[0].code}/imports/{job.pk}/confirm/")
    assert confirmed.status_code == 302
    saved = ImportJob.objects.exclude(pk=job.pk).get()
    assert not saved.dry_run and saved.status == "succeeded"
    assert DossierReport.objects.filter(commune__in=communes).count() == 360
    done = client.get(confirmed["Location"]).content.decode()
    assert "360 months added and 0 replaced" in done and "?year=2023" in done
    # Confirming twice saves nothing more: the second confirmation leads to the same import.
    again = client.post(f"/dossiers/{communes[0].code}/imports/{job.pk}/confirm/")
    assert again["Location"] == confirmed["Location"]
    assert ImportJob.objects.count() == 2


def test_a_job_still_running_shows_a_progress_bar_that_refreshes_itself(
    client, officer_of_many, background
):
    user, communes = officer_of_many
    client.force_login(user)
    job = ImportJob.objects.create(
        created_by=user,
        commune=communes[0],
        file_name="nam.xlsx",
        path="imports/x.xlsx",
        dry_run=True,
        status="running",
        stage="checking",
        percent=72,
    )
    page = client.get(f"/dossiers/{communes[0].code}/imports/{job.pk}/").content.decode()
    assert 'value="72"' in page and 'hx-trigger="every 1s"' in page
    assert "Checking every row" in page
    partial = client.get(f"/dossiers/{communes[0].code}/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and 'value="72"' in partial.content.decode()


def test_the_api_answers_202_with_a_status_url_only_its_uploader_can_read(
    client, officer_of_many, background, django_capture_on_commit_callbacks
):
    user, communes = officer_of_many
    client.force_login(user)
    content = csv_file(month_rows([c.code for c in communes], ["2023-01", "2023-02"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "/api/v1/dossier-reports/import/", "thang.csv", content)
    assert response.status_code == 202
    body = response.json()
    assert response["Location"] == body["status_url"]
    status = client.get(body["status_url"])
    assert status.status_code == 200
    assert status.json()["status"] == "succeeded"
    assert status.json()["created"] == 60 and status.json()["errors"] == []
    assert DossierReport.objects.filter(commune__in=communes).count() == 60
    other = MembershipFactory(unit=communes[1], role="commune_officer").user
    client.force_login(other)
    assert client.get(body["status_url"]).status_code == 404
    assert client.get("/api/v1/dossier-reports/import/not-a-uuid/").status_code == 404


def test_a_refused_background_file_lists_its_problems_and_writes_nothing(
    client, officer_of_many, background, django_capture_on_commit_callbacks
):
    user, communes = officer_of_many
    client.force_login(user)
    rows = month_rows([c.code for c in communes], ["2023-01", "2023-02"])
    rows[7][2] = -4  # received below zero, in spreadsheet row 9
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "/api/v1/dossier-reports/import/", "thang.csv", csv_file(rows))
    status = client.get(response.json()["status_url"]).json()
    assert status["status"] == "failed"
    assert status["errors"][0]["row"] == 9 and status["errors"][0]["column"] == "received"
    assert not DossierReport.objects.filter(commune__in=communes).exists()


def test_unconfirmed_uploads_expire(officer_of_many, settings, tmp_path):
    import datetime
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    settings.MEDIA_ROOT = tmp_path
    user, communes = officer_of_many
    old_file = default_storage.save("imports/old.csv", ContentFile(b"x"))
    fresh_file = default_storage.save("imports/fresh.csv", ContentFile(b"x"))
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old_file), (two_days_ago, two_days_ago))
    job = ImportJob.objects.create(
        created_by=user, commune=communes[0], file_name="a.csv", path=old_file, dry_run=True
    )
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    assert import_files_purge() == 1
    assert not default_storage.exists(old_file) and default_storage.exists(fresh_file)
    assert not ImportJob.objects.filter(pk=job.pk).exists()
