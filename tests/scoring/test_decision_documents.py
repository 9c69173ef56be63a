"""The decision's documents (#13): the annex as a PDF whose text reads back in rank order, the
unit's scorecard, the signer and the signed decision, and reopening by an administrator."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from scoring.models import Assessment, AssessmentStatus, Publication, Reopening, Result
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api_client as _api
from tests.helpers import publish as _publish
from tests.helpers import save_scores

pytestmark = pytest.mark.django_db

SIGNED = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def group(make_group, communes):
    """Appraised 4, 5, 6, 2 of 6 and 3 self of 4: 70, 80, 90 and 50 % (ranks 3, 2, 1, 4)."""
    framework, period = make_group()
    appraised = ["4", "5", "6", "2"]
    save_scores(
        period,
        {c.code: {"1.1": ("5", p), "1.2": "3"} for c, p in zip(communes, appraised, strict=True)},
    )
    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.APPRAISED)
    return framework, period


def _text(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    lines = []
    for page in reader.pages:
        text = page.extract_text(extraction_mode="layout")
        lines += [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    return lines


def test_the_annex_pdf_reads_back_every_unit_in_rank_order(group, district, communes, appraiser):
    publication = _publish(appraiser, district).json()
    response = _api(appraiser).get(f"/api/v1/publications/{publication['id']}/annex.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    lines = _text(response.content)
    # The title with its diacritics, the decision's number and date and the issuer.
    assert (
        f"Phụ lục kèm theo Quyết định số 215/QĐ-UBND ngày 23/01/2025 của {district.name}" in lines
    )
    rows = [line for line in lines if any(c.name in line for c in communes)]
    expected = [
        (communes[2], "90,00", "Xuất sắc", 1),
        (communes[1], "80,00", "Tốt", 2),
        (communes[0], "70,00", "Khá", 3),
        (communes[3], "50,00", "Trung bình", 4),
    ]
    assert len(rows) == 4
    for order, (line, (unit, index, band, rank)) in enumerate(
        zip(rows, expected, strict=True), start=1
    ):
        assert line.startswith(f"{order} {unit.name} ")
        assert line.endswith(f" {index} {band} {rank}")
    # The same order and figures as the API's ranking.
    ranking = _api(appraiser).get("/api/v1/rankings/", {"group": district.code, "period": "2024"})
    assert [r["unit_name"] for r in ranking.json()] == [u.name for u, *_ in expected]
    assert "Trang 1/1" in lines


def test_the_annex_pdf_repeats_its_headings_and_numbers_its_pages(make_group, district, appraiser):
    from tests.factories import CommuneFactory

    many = [CommuneFactory(parent=district) for _ in range(40)]
    framework, period = make_group()
    save_scores(period, {c.code: {"1.1": ("5", "5"), "1.2": "3"} for c in many})
    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.APPRAISED)
    publication = _publish(appraiser, district).json()
    content = _api(appraiser).get(f"/api/v1/publications/{publication['id']}/annex.pdf").content
    reader = PdfReader(io.BytesIO(content))
    pages = len(reader.pages)
    assert pages >= 2
    lines = _text(content)
    assert [line for line in lines if line.startswith("Trang ")] == [
        f"Trang {n}/{pages}" for n in range(1, pages + 1)
    ]
    assert sum(line.startswith("STT Đơn vị") for line in lines) == pages
    assert len([line for line in lines if line.split()[0].isdigit()]) == 44


def test_the_scorecard_lists_every_item_with_self_and_appraised_points(
    group, district, communes, appraiser
):
    unit = communes[1]
    officer = MembershipFactory(unit=unit, role="commune_officer").user
    response = _api(officer).get(f"/api/v1/assessments/{unit.code}/2024/scorecard.pdf")
    assert response.status_code == 200
    text = "\n".join(_text(response.content))
    assert f"{unit.name} ({unit.code})" in text
    assert "1.1 A 6 5 5" in text  # max 6, self 5, appraised 5
    assert "1.2 B 4 3" in text
    other = MembershipFactory(unit=communes[2], role="commune_officer").user
    assert _api(other).get(f"/api/v1/assessments/{unit.code}/2024/scorecard.pdf").status_code == 404


def test_the_signer_and_the_signed_decision(group, district, appraiser):
    refused = _api(appraiser).post(
        "/api/v1/publications/",
        {
            "issuer": district.code,
            "period": "2024",
            "decision_number": "215/QĐ-UBND",
            "decision_date": "2025-01-23",
            "signer": "Chủ tịch Nguyễn Văn A",
            "signed_file": SimpleUploadedFile("qd.pdf", b"not a pdf", "application/pdf"),
        },
        format="multipart",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["column"] == "signed_file"
    assert (
        not Publication.objects.exists()
        or not Publication.objects.filter(framework=group[0]).exists()
    )
    published = _api(appraiser).post(
        "/api/v1/publications/",
        {
            "issuer": district.code,
            "period": "2024",
            "decision_number": "215/QĐ-UBND",
            "decision_date": "2025-01-23",
            "signer": "Chủ tịch Nguyễn Văn A",
            "signed_file": SimpleUploadedFile("qd.pdf", SIGNED, "application/pdf"),
        },
        format="multipart",
    )
    assert published.status_code == 201, published.content
    body = published.json()
    assert body["signer"] == "Chủ tịch Nguyễn Văn A"
    download = _api(appraiser).get(body["signed_file"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == SIGNED
    annex = _text(_api(appraiser).get(f"/api/v1/publications/{body['id']}/annex.pdf").content)
    assert "Người ký: Chủ tịch Nguyễn Văn A" in annex
    # A leader reads but does not record the decision; the appraiser corrects the signer.
    leader = MembershipFactory(unit=district, role="leader").user
    url = f"/api/v1/publications/{body['id']}/"
    assert _api(leader).patch(url, {"signer": "X"}, format="json").status_code == 400
    changed = _api(appraiser).patch(url, {"signer": "Phó Chủ tịch Trần B"}, format="json")
    assert changed.json()["signer"] == "Phó Chủ tịch Trần B"
    # A body that names neither the signer nor the file changes nothing and says so.
    empty = _api(appraiser).patch(url, {}, format="json")
    assert empty.status_code == 400 and "người ký" in empty.json()["errors"][0]["message"]


def test_only_an_administrator_reopens_with_a_reason_kept_for_good(
    group, district, communes, appraiser
):
    framework, period = group
    publication = _publish(appraiser, district).json()
    url = f"/api/v1/publications/{publication['id']}/reopen/"
    refused = _api(appraiser).post(url, {"reason": "Sai sót điểm của xã"}, format="json")
    assert refused.status_code == 400
    assert "quản trị" in refused.json()["errors"][0]["message"]
    admin = UserFactory(is_superuser=True, is_staff=True)
    short = _api(admin).post(url, {"reason": "sai"}, format="json")
    assert short.status_code == 400 and short.json()["errors"][0]["column"] == "reason"
    assert Publication.objects.filter(framework=framework).exists()

    # In the admin: the publication's page has a form asking why.
    page = Client()
    page.force_login(admin)
    form_url = f"/admin/scoring/publication/{publication['id']}/reopen/"
    assert "reason" in page.get(form_url).content.decode()
    done = page.post(form_url, {"reason": "Xã khiếu nại điểm lĩnh vực 1; thẩm định lại."})
    assert done.status_code == 302
    assert not Publication.objects.filter(framework=framework).exists()
    kept = Reopening.objects.get(framework=framework)
    assert (kept.decision_number, kept.reopened_by, kept.reason) == (
        "215/QĐ-UBND",
        admin,
        "Xã khiếu nại điểm lĩnh vực 1; thẩm định lại.",
    )
    assert Result.objects.filter(framework=framework, provisional=True).count() == 4
    # The appraisers may correct again, and publish anew.
    corrected = _api(appraiser).put(
        f"/api/v1/assessments/{communes[0].code}/2024/scores/",
        [{"sub_code": "1.1", "appraised_points": "5"}],
        format="json",
    )
    assert corrected.status_code == 200
    assert _publish(appraiser, district, decision_number="230/QĐ-UBND").status_code == 201
    # Each assessment's history tells the story.
    history = _api(appraiser).get(f"/api/v1/assessments/{communes[0].code}/2024/history/").json()
    told = [(c["what"], c["old"], c["new"], c["note"]) for c in history if c["sub_code"] is None]
    assert told[-3:] == [
        ("publication", None, "215/QĐ-UBND (23/01/2025)", ""),
        ("reopening", "215/QĐ-UBND (23/01/2025)", None, kept.reason),
        ("publication", None, "230/QĐ-UBND (23/01/2025)", ""),
    ]
