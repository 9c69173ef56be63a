"""In a real browser (Debian's Chromium driven by Playwright) against a live server: a leader
signs in, reads the dashboard and the charts, switches language; bad input shows a message on
the page; the browser never asks anything of another server. Screenshots of every page in both
languages go to var/screenshots/."""

import datetime

import pytest
from django.utils import timezone

from scoring.models import DirtyGroup, Result
from scoring.tasks import sweep_dirty_rankings
from tests.browser import SHOTS, page_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_reads_the_dashboard_and_charts_in_both_languages(browser, demo, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside = []
    for language in ("vi", "en"):
        context, page = sign_in(
            browser, live_server, "leader_hailang", language, outside=outside, password="wrong"
        )
        assert page.locator(".error").is_visible()  # a message on the page, not an error page
        page.screenshot(path=SHOTS / f"login-error-{language}.png")
        page.fill("input[name=password]", "demo1234")
        page.click("button.primary")
        page.wait_for_url("**/rankings/")
        page.select_option("select[name=period]", "2023-H1")
        page.wait_for_url("**period=2023-H1**")
        row = page.locator("table.ranking tbody tr").nth(5)
        assert "19729" in row.inner_text()
        assert ("73,90%" if language == "vi" else "73.90%") in row.inner_text()
        assert page.locator(".bars .fill").count() == 5
        page.screenshot(path=SHOTS / f"rankings-{language}.png", full_page=True)
        page.click("text=Xã Hải Trường")
        page.wait_for_url("**/units/19729/?on=2023-06-30")  # the unit as it stood then
        points = page.locator("svg.chart polyline.line1").first.get_attribute("points")
        assert len(points.split()) == 4  # index over four years, drawn with data
        assert page.locator("svg.chart polyline.line2").get_attribute("points")
        page.screenshot(path=SHOTS / f"unit-profile-{language}.png", full_page=True)
        page.goto(f"{live_server.url}/units/31564/")
        assert page.locator("h1").inner_text() in ("Không tìm thấy", "Not found")
        page.screenshot(path=SHOTS / f"not-found-{language}.png")
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, storage_state=context.storage_state()
        )
        mobile = phone.new_page()
        mobile.goto(f"{live_server.url}/rankings/?group=470&period=2023-H1")
        mobile.screenshot(path=SHOTS / f"rankings-phone-{language}.png", full_page=True)
        phone.close()
        context.close()
    assert outside == []


def test_an_officer_uploads_a_file_and_the_group_ranking_changes(
    browser, demo, live_server, tmp_path
):
    before = Result.objects.get(unit__code="31564", period__code="2023").index_percent
    # A bad second half: most dossiers late and nothing online drags the derived points down.
    lines = [
        "commune_code,month,received,resolved_early,resolved_on_time,resolved_late,"
        "online_full,online_partial,postal,digitized,apologies"
    ]
    lines += [f"31564,2023-{m:02d},300,10,10,280,0,0,0,0,0" for m in range(7, 13)]
    upload = tmp_path / "nua-cuoi-2023.csv"
    upload.write_text("\n".join(lines) + "\n", encoding="utf-8")
    context, page = sign_in(browser, live_server, "officer_anmy")
    page.click("text=Số liệu hồ sơ")
    page.wait_for_url("**/dossiers/31564/")
    page.set_input_files("input[name=file]", str(upload))
    page.click("text=Kiểm tra tệp")
    page.wait_for_url("**/upload/**")
    assert "6 tháng sẽ thay thế" in page.content()
    page.screenshot(path=SHOTS / "dossier-upload-preview-vi.png", full_page=True)
    page.click("text=Xác nhận và lưu")
    page.wait_for_url("**/dossiers/31564/?year=2023")
    assert page.locator(".messages").is_visible()
    page.screenshot(path=SHOTS / "dossier-statistics-vi.png", full_page=True)
    after = Result.objects.get(unit__code="31564", period__code="2023").index_percent
    assert after < before
    page.goto(f"{live_server.url}/rankings/?group=943&period=2023")
    assert f"{after:.2f}".replace(".", ",") in page.content()
    context.close()


def test_an_appraiser_changes_a_score_in_place_and_the_dashboard_shows_the_new_rank(
    browser, demo, live_server
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    console = []
    context, page = sign_in(browser, live_server, "appraiser_kesach", console=console)
    assert Result.objects.get(unit__code="31564", period__code="2023").rank == 1
    page.click("nav.mainnav >> text=Thẩm định")
    page.wait_for_url("**/appraisal/**")
    page.locator("tr", has_text="Xã An Mỹ").locator("a.button").click()
    page.wait_for_url("**/appraisal/31564/2023/")
    survey = page.locator("#row-8-1 input.points-input")
    # Out of range: refused in place, with the rule, and nothing saved.
    survey.fill("25")
    error = page.locator("#msg-appraised_points-8-1.error")
    error.wait_for()
    assert "ngoài khoảng 0…20" in error.inner_text()
    page.screenshot(path=SHOTS / "appraisal-sheet-error-vi.png")
    # Tab goes down the points column, not across the row.
    page.locator("#row-1-1 input.points-input").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('tr').id") == "row-1-2"
    survey.fill("2")
    page.locator("#msg-appraised_points-8-1.ok").wait_for()
    assert "Đã lưu" in page.locator("#msg-appraised_points-8-1").inner_text()
    page.screenshot(path=SHOTS / "appraisal-sheet-saved-vi.png", full_page=True)
    page.goto(f"{live_server.url}/rankings/?group=943&period=2023")
    row = page.locator("table.ranking tbody tr", has_text="Xã An Mỹ")
    rank = int(row.locator("td.rank").inner_text().split("/")[0])
    assert rank > 1 and "▼" in row.inner_text()
    assert Result.objects.get(unit__code="31564", period__code="2023").rank == rank
    assert page_errors(console) == []
    context.close()


def test_with_the_task_queue_down_the_sheet_says_the_ranking_will_follow(
    browser, demo, live_server, broker_down
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    console = []
    context, page = sign_in(browser, live_server, "appraiser_kesach", console=console)
    page.goto(f"{live_server.url}/appraisal/31564/2023/")
    survey = page.locator("#row-8-1 input.points-input")
    survey.fill("2")
    page.locator("#msg-appraised_points-8-1.ok").wait_for()
    notice = page.locator("#live-notices .toast.warning")
    notice.wait_for()
    assert "bảng xếp hạng sẽ tự động được cập nhật" in notice.inner_text()
    page.screenshot(path=SHOTS / "appraisal-sheet-queue-down-vi.png")
    # In view wherever the user is typing (bottom left, away from the points column).
    assert notice.is_visible()
    with page.expect_response(lambda r: "/scores/" in r.url) as saved:
        survey.fill("3")  # a second save while the queue is down: still one notice
    assert saved.value.headers["x-ranking-status"] == "deferred"
    # The event fires when htmx receives the answer, before it swaps in the new value.
    page.wait_for_function("document.querySelector('#was-appraised_points-8-1').value === '3'")
    assert notice.count() == 1
    assert Result.objects.get(unit__code="31564", period__code="2023").rank == 1  # not yet
    # A minute later the dashboard names the changes it does not hold yet.
    a_minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    DirtyGroup.objects.update(marked_at=a_minute_ago, dirty_since=a_minute_ago)
    page.goto(f"{live_server.url}/rankings/?group=943&period=2023")
    assert "chưa có trong bảng xếp hạng" in page.locator(".statusline").inner_text()
    page.screenshot(path=SHOTS / "rankings-pending-vi.png")
    sweep_dirty_rankings.apply()  # the queue is back: beat's sweep catches up
    page.reload()
    assert "chưa có trong bảng xếp hạng" not in page.locator(".statusline").inner_text()
    row = page.locator("table.ranking tbody tr", has_text="Xã An Mỹ")
    assert int(row.locator("td.rank").inner_text().split("/")[0]) > 1
    assert page_errors(console) == []
    context.close()


def test_an_officer_self_assesses_with_evidence_and_submits(browser, demo, live_server, tmp_path):
    evidence = tmp_path / "ke-hoach-cchc-2023.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    renamed = tmp_path / "bao-cao.pdf"
    renamed.write_bytes(b"PK\x03\x04 this is a zip, not a PDF")
    console = []
    context, page = sign_in(browser, live_server, "officer_anmy", console=console)
    page.click("nav.mainnav >> text=Tự đánh giá")
    page.wait_for_url("**/assessments/")
    page.click("text=Tự chấm >> nth=-1")
    page.wait_for_url("**/assessments/31564/2023/")
    assert "→ 4/5 điểm" in page.locator("#row-3-2").inner_text()
    points = page.locator("#row-1-1 input.points-input")
    points.fill("9")
    page.locator("#msg-self_points-1-1.error").wait_for()
    points.fill("1,25")
    page.locator("#msg-self_points-1-1.ok").wait_for()
    page.locator("#row-1-1 input[type=file]").set_input_files(str(evidence))
    page.locator("#evidence-1-1 a", has_text="ke-hoach-cchc-2023.pdf").wait_for()
    page.locator("#row-1-2 input[type=file]").set_input_files(str(renamed))
    page.locator("#evidence-1-2 .msg.error").wait_for()
    assert "không thực sự là tệp pdf" in page.locator("#evidence-1-2").inner_text()
    page.screenshot(path=SHOTS / "self-assessment-editing-vi.png", full_page=True)
    page.click("text=Xem lại và nộp")
    page.wait_for_url("**/assessments/31564/2023/submit/")
    summary = page.locator("main").inner_text()
    assert "Tổng điểm tự chấm" in summary and "chưa có minh chứng" in summary
    page.screenshot(path=SHOTS / "self-assessment-submit-summary-vi.png", full_page=True)
    page.click("button:has-text('Nộp để thẩm định')")
    page.wait_for_url("**/assessments/31564/2023/")
    assert page.locator(".messages").is_visible()
    assert page.locator("input.points-input").count() == 0
    page.screenshot(path=SHOTS / "self-assessment-submitted-vi.png", full_page=True)
    assert page_errors(console) == []
    context.close()


# Every page, as the user who works with it: (name, user, path).
TOUR = [
    ("home-officer", "officer_anmy", "/units/31564/"),
    ("statistics", "officer_anmy", "/dossiers/31564/?year=2023"),
    ("month-form", "officer_anmy", "/dossiers/31564/2023-05/"),
    ("my-assessments", "officer_anmy", "/assessments/"),
    ("self-assessment", "officer_anmy", "/assessments/31564/2023/"),
    ("password", "officer_anmy", "/accounts/password/"),
    ("appraisal-overview", "appraiser_kesach", "/appraisal/?group=943&period=2023"),
    ("appraisal-sheet", "appraiser_kesach", "/appraisal/31564/2023/"),
    ("frameworks", "appraiser_kesach", "/frameworks/"),
    ("rankings", "leader_kesach", "/rankings/?group=943&period=2023"),
    ("charts", "leader_kesach", "/charts/?group=943&period=2022&unit=31564"),
    ("unit-profile", "leader_kesach", "/units/31564/"),
    ("not-found", "leader_kesach", "/units/19729/"),
]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_page_in_both_languages_draws_without_errors(browser, demo, live_server, language):
    SHOTS.mkdir(parents=True, exist_ok=True)
    from scoring.models import Framework

    framework = Framework.objects.get(issuer__code="943", year=2023)
    tour = TOUR + [("framework", "appraiser_kesach", f"/frameworks/{framework.pk}/")]
    console, outside, contexts = [], [], {}
    for name, user, path in tour:
        if user not in contexts:
            contexts[user] = sign_in(browser, live_server, user, language, console, outside)
        page = contexts[user][1]
        response = page.goto(live_server.url + path)
        assert response.status == (404 if name == "not-found" else 200), name
        assert page.locator("h1").count() == 1, name
        if name == "charts":
            assert page.locator("#chart-areas rect.mine").count() == 8
            assert (
                len(page.locator("svg.chart polyline.line1").first.get_attribute("points").split())
                == 4
            )
        page.screenshot(path=SHOTS / f"{name}-{language}.png", full_page=True)
    assert page_errors(console) == []
    assert outside == []
    for context, _page in contexts.values():
        context.close()
