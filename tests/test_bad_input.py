"""The bad-input corpus (tests/data/bad/, built by build.py there) through the import API and
the upload page: each file gets a clear message naming the column where there is one, a 4xx,
and nothing written. Large cases are built here."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import DossierReport

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "data" / "bad"
CASES = json.loads((CORPUS / "cases.json").read_text())


@pytest.fixture
def officer(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="officer_anmy"))
    client.cookies["django_language"] = "en"
    return client


def _count():
    return DossierReport.objects.filter(commune__code="31564").count()


def _import(client, name, content, dry_run):
    return client.post(
        f"/api/v1/dossier-reports/import/?dry_run={int(dry_run)}",
        {"file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_corpus_has_at_least_forty_files():
    assert len([p for p in CORPUS.iterdir() if p.name in CASES]) == len(CASES) >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_file_is_refused_clearly_and_writes_nothing(officer, name):
    case = CASES[name]
    before = _count()
    response = _import(officer, name, (CORPUS / name).read_bytes(), dry_run=case["status"] == 200)
    assert response.status_code == case["status"], response.content[:500]
    body = response.json()
    if case["status"] == 200:
        if case["words"]:
            assert case["words"] in json.dumps(body, ensure_ascii=False)
        return
    errors = body["errors"]
    assert errors and all(e["message"] for e in errors)
    assert all(len(e["message"]) < 400 for e in errors)
    if case["column"]:
        assert case["column"] in {e["column"] for e in errors}, errors
        assert all(e["row"] for e in errors if e["column"] == case["column"])
    if case["words"]:
        assert case["words"] in json.dumps(errors, ensure_ascii=False)
    assert "Traceback" not in response.content.decode(errors="replace")
    assert _count() == before


@pytest.mark.parametrize("name", ["windows-1258.csv", "pdf-renamed.xlsx", "negative.csv"])
def test_the_upload_page_shows_the_message_instead_of_an_error_page(officer, name):
    before = _count()
    response = officer.post(
        "/dossiers/31564/upload/",
        {"file": SimpleUploadedFile(name, (CORPUS / name).read_bytes())},
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'class="card problems' in html
    assert _count() == before


def test_a_hundred_thousand_rows_are_refused_before_any_work(officer):
    lines = ["commune_code,month,received,resolved_early,resolved_on_time,resolved_late"]
    lines += [f"31564,{2000 + i // 12:04d}-{i % 12 + 1:02d},1,1,0,0" for i in range(100_000)]
    response = _import(officer, "lon.csv", ("\n".join(lines) + "\n").encode(), dry_run=False)
    assert response.status_code == 400
    assert (
        "50,000" in response.json()["errors"][0]["message"]
        or "50000" in (response.json()["errors"][0]["message"])
    )


def test_an_oversized_file_is_refused_by_size(officer, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = _import(officer, "to.csv", b"x" * 5000, dry_run=False)
    assert response.status_code in (400, 413)
    assert "limit" in json.dumps(response.json())


def test_a_zip_bomb_workbook_is_refused_without_unpacking(officer):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"0" * (4 * 1024 * 1024)
            for _ in range(100):  # 400 MB, written in pieces to keep the test's memory small
                sheet.write(chunk)
    content = buffer.getvalue()
    assert len(content) < 1_000_000  # 400 MB packed into well under a megabyte
    response = _import(officer, "bom.xlsx", content, dry_run=False)
    assert response.status_code == 400
    assert "more than 300 MB" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "payload",
    [
        [{"commune_code": "31564\u0000", "month": "2023-05", "received": 1}],
        [{"commune_code": "31564", "month": "2023-05\u0000", "received": 1}],
        [{"commune_code": "<script>alert(1)</script>", "month": "2023-05", "received": 1}],
        {"not": "a list"},
        [],
        ["31564,2023-05,1"],
    ],
)
def test_bad_json_rows_get_a_400_with_the_problem(officer, payload):
    before = _count()
    response = officer.post("/api/v1/dossier-reports/", payload, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"][0]["message"]
    assert b"<script>" not in response.content or response["Content-Type"].startswith(
        "application/json"
    )
    assert _count() == before
