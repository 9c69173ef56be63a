"""A whole year in a real browser (#13): the appraiser opens a round with deadlines; an officer
self-assesses with evidence and a bonus claim, misses the deadline and is refused, gets an
extension, submits; the appraiser returns an item, the officer explains, the appraiser
appraises and confirms the bonus, publishes under a signed decision; the annex downloads as
PDF and XLSX; the leader reads the final results. Screenshots in both languages go to
var/screenshots/year-*.png."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from scoring.frameworks.services import framework_load
from scoring.models import Assessment, AssessmentStatus, Publication, Result, Score
from tests.browser import SHOTS, page_errors, sign_in
from tests.factories import (
    CommuneFactory,
    DistrictFactory,
    MembershipFactory,
    UserFactory,
    framework_doc,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = "2027"


@pytest.fixture
def province(transactional_db):
    district = DistrictFactory(name="Huyện Thử Nghiệm")
    ours = CommuneFactory(parent=district, name="Xã Tân Hòa")
    other = CommuneFactory(parent=district, name="Xã Phú Lợi")
    document = framework_doc(code="NAM") | {
        "bonus": {"max": 2, "items": [{"code": "T1", "name": "Sáng kiến", "max_points": 1.5}]}
    }
    framework_load(document=document, issuer_code=district.code, year=int(YEAR))
    people = {}
    for name, unit, role in (
        ("tham-dinh", district, "appraiser"),
        ("lanh-dao", district, "leader"),
        ("can-bo-xa", ours, "commune_officer"),
    ):
        people[name] = UserFactory(username=name, password="demo1234")
        MembershipFactory(user=people[name], unit=unit, role=role)
    return district, ours, other


def _saved(page, field, code):
    page.locator(f"#msg-{field}-{code}.ok").wait_for()


def test_a_whole_year_from_the_round_to_the_published_annex(
    browser, province, live_server, tmp_path
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    district, ours, other = province
    today = timezone.localdate()  # Vietnam's day, as the deadlines are
    console = []

    # 1. The appraiser opens the round with its deadlines.
    context, page = sign_in(browser, live_server, "tham-dinh", console=console)
    page.click("nav.mainnav >> text=Đợt đánh giá")
    page.select_option("select[name=framework]", label="NAM 2027 · Huyện Thử Nghiệm")
    page.fill("input[name=period]", YEAR)
    page.fill("input[name=self_assessment_due]", (today + datetime.timedelta(days=5)).isoformat())
    page.fill("input[name=appraisal_due]", (today + datetime.timedelta(days=30)).isoformat())
    page.click("button:has-text('Mở đợt đánh giá')")
    page.wait_for_url("**/rounds/*/")
    round_url = page.url
    assert page.locator("table.overview tbody tr").count() == 2
    page.screenshot(path=SHOTS / "year-round-opened-vi.png", full_page=True)

    # 2. The officer hears of it, self-assesses with evidence and claims the bonus.
    officer, officer_page = sign_in(browser, live_server, "can-bo-xa", console=console)
    assert officer_page.locator(".bell .count").inner_text() == "1"
    officer_page.click(".bell")
    officer_page.click("ul.notices a")
    officer_page.wait_for_url(f"**/assessments/{ours.code}/{YEAR}/")
    for code, points in (("1-1", "5"), ("1-2", "3"), ("T1", "1,5")):
        officer_page.fill(f"#row-{code} input.points-input", points)
        _saved(officer_page, "self_points", code)
    officer_page.fill("#row-T1 textarea[name=explanation]", "Sáng kiến một cửa lưu động")
    _saved(officer_page, "explanation", "T1")
    evidence = tmp_path / "ke-hoach.pdf"
    evidence.write_bytes(PDF)
    officer_page.locator("#row-1-1 input[type=file]").set_input_files(str(evidence))
    officer_page.locator("#evidence-1-1 a", has_text="ke-hoach.pdf").wait_for()
    officer_page.screenshot(path=SHOTS / "year-self-assessment-vi.png", full_page=True)

    # 3. The deadline passes (the appraiser moves it to yesterday): the officer is refused.
    yesterday = today - datetime.timedelta(days=1)
    page.goto(round_url)
    page.fill("input[name=self_assessment_due]", yesterday.isoformat())
    page.click("button:has-text('Lưu thời hạn')")
    # The page the officer still has open refuses the next change, naming the deadline.
    officer_page.fill("#row-1-2 input.points-input", "2")
    refusal = officer_page.locator("#msg-self_points-1-2.error")
    refusal.wait_for()
    assert f"{yesterday:%d/%m/%Y}" in refusal.inner_text()
    officer_page.reload()
    notice = officer_page.locator("#deadline").inner_text()
    assert f"{yesterday:%d/%m/%Y}" in notice and "Đã quá hạn" in notice
    assert officer_page.locator("input.points-input").count() == 0
    # One notice says why: not also the one meant for readers who are not the commune's officers.
    assert "chỉ công chức của xã" not in officer_page.locator("main").inner_text()
    officer_page.screenshot(path=SHOTS / "year-deadline-passed-vi.png", full_page=True)

    # 4. The appraiser extends the commune's deadline; the officer submits.
    until = today + datetime.timedelta(days=2)
    row = page.locator(f"#unit-{ours.code}")
    row.locator("input[name=until]").fill(until.isoformat())
    row.locator("button:has-text('Gia hạn')").click()
    page.locator(f"#unit-{ours.code}", has_text=f"{until:%d/%m/%Y}").wait_for()
    officer_page.reload()
    assert f"{until:%d/%m/%Y}" in officer_page.locator("#deadline").inner_text()
    officer_page.click("text=Xem lại và nộp")
    officer_page.click("button:has-text('Nộp để thẩm định')")
    officer_page.wait_for_url(f"**/assessments/{ours.code}/{YEAR}/")

    # 5. The appraiser returns item 1.1; the officer explains and submits again.
    page.goto(f"{live_server.url}/appraisal/{ours.code}/{YEAR}/")
    page.fill("textarea[name='item-1.1']", "Bổ sung quyết định ban hành kế hoạch")
    page.click("text=Trả lại cho xã")
    page.wait_for_url(f"**/appraisal/{ours.code}/{YEAR}/")
    officer_page.reload()
    officer_page.fill("#row-1-1 textarea[name=return_answer]", "Đã bổ sung Quyết định 12/QĐ")
    _saved(officer_page, "return_answer", "1-1")
    officer_page.click("text=Xem lại và nộp")
    officer_page.click("button:has-text('Nộp để thẩm định')")
    officer_page.wait_for_url(f"**/assessments/{ours.code}/{YEAR}/")

    # 6. The appraiser appraises every item, confirms 1 of the 1,5 bonus claimed, finishes.
    page.goto(f"{live_server.url}/appraisal/{ours.code}/{YEAR}/")
    for code, points in (("1-1", "4"), ("1-2", "3"), ("T1", "1")):
        page.fill(f"#row-{code} input.points-input", points)
        _saved(page, "appraised_points", code)
    page.fill("#row-T1 textarea[name=appraisal_reason]", "Sáng kiến cấp huyện: 1 điểm")
    _saved(page, "appraisal_reason", "T1")
    page.screenshot(path=SHOTS / "year-appraisal-vi.png", full_page=True)
    page.click("button:has-text('Đánh dấu đã thẩm định')")
    page.wait_for_url("**/appraisal/?group=*")  # back to the group's overview
    assert Assessment.objects.get(unit=ours).status == AssessmentStatus.APPRAISED
    # The other commune's year is done out of sight: appraised, 6 points of 10.
    # (set in the database: past the deadline no one may self-assess it any more).
    Score.objects.filter(assessment__unit=other, sub_criterion__code__in=["1.1", "1.2"]).update(
        appraised_points=3
    )
    Assessment.objects.filter(unit=other).update(status=AssessmentStatus.APPRAISED)

    # 7. Publication under a signed decision; the annex downloads as PDF and XLSX.
    page.goto(round_url)
    page.fill("input[name=decision_number]", "88/QĐ-UBND")
    page.fill("input[name=decision_date]", today.isoformat())
    page.fill("input[name=signer]", "Chủ tịch Nguyễn Văn A")
    signed = tmp_path / "quyet-dinh.pdf"
    signed.write_bytes(PDF)
    page.set_input_files("input[name=signed_file]", str(signed))
    page.click("button:has-text('Công bố')")
    page.wait_for_url(round_url)
    assert "88/QĐ-UBND" in page.locator("main").inner_text()
    page.screenshot(path=SHOTS / "year-published-vi.png", full_page=True)
    with page.expect_download() as pdf_download:
        page.click("text=Phụ lục quyết định (PDF)")
    text = "".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages).replace(
        "\n", " "
    )
    # (4 + 3 + 1 bonus) / 10 = 80 % before (3 + 3) / 10 = 60 %.
    assert text.index("Xã Tân Hòa") < text.index("Xã Phú Lợi")
    assert "80,00" in text and "60,00" in text and "88/QĐ-UBND" in text
    with page.expect_download() as xlsx_download:
        page.click("text=Phụ lục kèm theo quyết định (Excel)")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    rows = [r for r in sheet.active.iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[1], r[-3], r[-1]) for r in rows] == [
        ("Xã Tân Hòa", 80.0, 1),
        ("Xã Phú Lợi", 60.0, 2),
    ]
    assert Publication.objects.get(framework__issuer=district).signer == "Chủ tịch Nguyễn Văn A"
    assert not Result.objects.filter(unit__in=[ours, other], provisional=True).exists()

    # 8. The leader reads the final results; every page drew without errors.
    leader, leader_page = sign_in(browser, live_server, "lanh-dao", console=console)
    leader_page.goto(f"{live_server.url}/rankings/?group={district.code}&period={YEAR}")
    ranking = leader_page.locator("table.ranking tbody").inner_text()
    assert ranking.index("Xã Tân Hòa") < ranking.index("Xã Phú Lợi")
    assert "tạm tính" not in ranking.lower()
    leader_page.screenshot(path=SHOTS / "year-leader-results-vi.png", full_page=True)
    assert page_errors(console) == []
    for each in (context, officer, leader):
        each.close()

    # The same pages in English.
    shots = [
        ("tham-dinh", round_url, "year-published-en.png"),
        (
            "tham-dinh",
            f"{live_server.url}/appraisal/{ours.code}/{YEAR}/history/",
            "year-history-en.png",
        ),
        ("can-bo-xa", f"{live_server.url}/notices/", "year-notices-en.png"),
        ("can-bo-xa", f"{live_server.url}/assessments/{ours.code}/{YEAR}/", "year-sheet-en.png"),
    ]
    for user, url, name in shots:
        english, english_page = sign_in(browser, live_server, user, "en", console=console)
        english_page.goto(url)
        english_page.screenshot(path=SHOTS / name, full_page=True)
        english.close()
    assert page_errors(console) == []
