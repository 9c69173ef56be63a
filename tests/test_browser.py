"""In a real browser (Debian's Chromium driven by Playwright) against a live server: a leader
signs in, reads the dashboard and the charts, switches language; bad input shows a message on
the page; the browser never asks anything of another server. Screenshots of every page in both
languages go to var/screenshots/."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from scoring.models import Result

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# Playwright's sync API runs an event loop in this thread; the ORM calls here are plain setup.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium")
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    # Transactional tests that ran before may have flushed the seeded demo.
    if not Result.objects.filter(unit__code="19729").exists():
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)


def test_a_leader_reads_the_dashboard_and_charts_in_both_languages(browser, demo, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside = []
    for language in ("vi", "en"):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
        )
        page.goto(f"{live_server.url}/accounts/login/")
        if language == "en":
            page.click("button[value=en]")
        page.fill("input[name=username]", "leader_hailang")
        page.fill("input[name=password]", "wrong password")
        page.click("button.primary")
        assert page.locator(".error").is_visible()  # a message on the page, not an error page
        page.screenshot(path=SHOTS / f"login-error-{language}.png")
        page.fill("input[name=password]", "demo1234")
        page.click("button.primary")
        page.wait_for_url("**/rankings/")
        page.select_option("select[name=period]", "2023-H1")
        page.wait_for_url("**period=2023-H1**")
        row = page.locator("table.ranking tbody tr").nth(5)
        assert "19729" in row.inner_text()
        assert ("73,90 %" if language == "vi" else "73.90 %") in row.inner_text()
        assert page.locator(".bars .fill").count() == 5
        page.screenshot(path=SHOTS / f"rankings-{language}.png", full_page=True)
        page.click("text=Xã Hải Trường")
        page.wait_for_url("**/units/19729/")
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
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "officer_anmy")
    page.fill("input[name=password]", "demo1234")
    page.click("button.primary")
    page.click("text=Số liệu hồ sơ")
    page.wait_for_url("**/dossiers/31564/")
    page.set_input_files("input[name=file]", str(upload))
    page.click("text=Kiểm tra tệp")
    page.wait_for_url("**/upload/**")
    assert "6 tháng sẽ thay thế" in page.content()
    page.screenshot(path=SHOTS / "dossier-upload-preview-vi.png", full_page=True)
    page.click("text=Xác nhận và lưu")
    page.wait_for_url("**/dossiers/31564/")
    assert page.locator(".messages").is_visible()
    page.screenshot(path=SHOTS / "dossier-statistics-vi.png", full_page=True)
    after = Result.objects.get(unit__code="31564", period__code="2023").index_percent
    assert after < before
    page.goto(f"{live_server.url}/rankings/?group=943&period=2023")
    assert f"{after:.2f}".replace(".", ",") in page.content()
    context.close()
