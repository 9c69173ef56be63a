"""Everyday use in a real browser: the Excel template goes back as it came, an officer reads
the whole ranking of the group, and a return is answered item by item."""

import openpyxl
import pytest
from django.db.models import Avg

from dossiers.models import DossierReport
from scoring.models import AreaResult, Assessment, AssessmentStatus, Result, Score
from tests.browser import SHOTS, page_errors, sign_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_downloaded_template_filled_in_excel_is_accepted_as_it_is(
    browser, demo, live_server, tmp_path
):
    console = []
    context, page = sign_in(browser, live_server, "officer_anmy", console=console)
    page.goto(f"{live_server.url}/dossiers/31564/?year=2024")
    with page.expect_download() as download:
        page.click("text=Tải mẫu Excel")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    # A clerk types two months and leaves the other ten as they came.
    for row, received in ((2, 120), (3, 95)):
        for column, value in zip("DFGH", (received, received - 3, 3, 0), strict=True):
            sheet[f"{column}{row}"] = value
    book.save(path)
    page.set_input_files("input[name=file]", str(path))
    page.click("text=Kiểm tra tệp")
    page.wait_for_url("**/upload/**")
    assert "Đã bỏ qua 10 dòng" in page.content()
    page.click("text=Xác nhận và lưu")
    page.wait_for_url("**/dossiers/31564/?year=2024")
    stored = DossierReport.objects.filter(commune__code="31564", month__year=2024)
    assert sorted(stored.values_list("received", flat=True)) == [95, 120]
    page.screenshot(path=SHOTS / "dossier-template-uploaded-vi.png", full_page=True)
    # Downloaded again, the two months come filled in.
    with page.expect_download() as again:
        page.click("text=Tải mẫu Excel")
    again.value.save_as(tmp_path / "again.xlsx")
    refilled = openpyxl.load_workbook(tmp_path / "again.xlsx").active
    assert (refilled["D2"].value, refilled["D3"].value, refilled["D4"].value) == (120, 95, None)
    assert page_errors(console) == []
    context.close()


def test_an_officer_reads_the_whole_ranking_with_the_true_averages(browser, demo, live_server):
    context, page = sign_in(browser, live_server, "officer_anmy")
    page.goto(f"{live_server.url}/rankings/?group=943&period=2022")
    rows = page.locator("table.ranking tbody tr")
    group = Result.objects.filter(framework__issuer__code="943", period__code="2022")
    assert rows.count() == group.count() == 13
    first_area = AreaResult.objects.filter(result__in=group, area__position=1).aggregate(
        mean=Avg("percent")
    )["mean"]
    footer = page.locator("table.ranking tfoot td.heat").first.inner_text()
    assert footer == f"{first_area:.0f}"
    page.screenshot(path=SHOTS / "rankings-officer-vi.png", full_page=True)
    context.close()


def test_a_return_is_answered_item_by_item(browser, demo, live_server):
    # Thới An Hội (31561) has submitted 2023 in the demo; its appraiser returns two items.
    assessment = Assessment.objects.get(unit__code="31561", period__code="2023")
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SUBMITTED)
    context, page = sign_in(browser, live_server, "appraiser_kesach")
    page.goto(f"{live_server.url}/appraisal/31561/2023/")
    page.fill("textarea[name='item-1.1']", "Thiếu quyết định ban hành kế hoạch")
    page.fill("textarea[name='item-2.1']", "Bổ sung danh mục thủ tục đã công bố")
    page.click("text=Trả lại cho xã")
    page.wait_for_url("**/appraisal/31561/2023/")
    context.close()
    # The demo has no officer for Thới An Hội: one signs in now.
    officer = UserFactory(username="ct-31561", password="demo1234")
    MembershipFactory(unit=assessment.unit, role="commune_officer", user=officer)
    context, page = sign_in(browser, live_server, "ct-31561")
    assert "trả lại phiếu tự đánh giá" in page.locator("main").inner_text()
    page.click("text=Trả lời cơ quan thẩm định")
    page.wait_for_url("**/assessments/31561/2023/")
    returned = page.locator("tr.returned")
    assert returned.count() == 2
    for code, answer in (("1-1", "Đã bổ sung Quyết định 12/QĐ-UBND"), ("2-1", "Đã cập nhật")):
        page.fill(f"#row-{code} textarea[name=return_answer]", answer)
        page.locator(f"#msg-return_answer-{code}.ok").wait_for()
    page.screenshot(path=SHOTS / "self-assessment-answers-vi.png", full_page=True)
    answers = dict(
        Score.objects.filter(assessment=assessment)
        .exclude(return_note="")
        .values_list("sub_criterion__code", "return_answer")
    )
    assert answers == {"1.1": "Đã bổ sung Quyết định 12/QĐ-UBND", "2.1": "Đã cập nhật"}
    context.close()
