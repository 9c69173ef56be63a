"""Saving as people type, in a real browser on whatever database the suite runs on (CI runs
this file on PostgreSQL with the suite, and again on the embedded SQLite default): every value
typed is stored, or the page says which one was not and why, with a way to send it again."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from scoring.models import Score
from tests.browser import SHOTS, page_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TYPED = 30


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _appraised(unit_code, period_code="2023"):
    return {
        s.sub_criterion.code.replace(".", "-"): s
        for s in Score.objects.filter(
            assessment__unit__code=unit_code, assessment__period__code=period_code
        ).select_related("sub_criterion")
    }


def test_typing_fast_down_the_column_stores_every_value_while_another_user_saves(
    browser, demo, live_server
):
    console = []
    context, page = sign_in(browser, live_server, "appraiser_kesach", console=console)
    other_context, other = sign_in(browser, live_server, "appraiser_hailang")
    page.goto(f"{live_server.url}/appraisal/31564/2023/")
    other.goto(f"{live_server.url}/appraisal/19729/2023/")
    column = page.locator("input.points-input[name=appraised_points]")
    other_column = other.locator("input.points-input[name=appraised_points]")
    rows = [
        column.nth(i).evaluate("e => e.closest('tr').id.slice(4)") for i in range(column.count())
    ]
    scores = _appraised("31564")
    typed = {}
    column.first.focus()
    for k in range(TYPED):
        i = k % len(rows)
        maximum = scores[rows[i]].sub_criterion.max_points
        # First pass: nothing awarded; a second pass (if the column is shorter): the maximum.
        value = "0" if k < len(rows) else _plain(maximum)
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        typed[rows[i]] = value
        # Someone else saves on their own sheet at the same moment.
        other_column.nth(k % other_column.count()).fill(str(k % 2))
        if i == len(rows) - 1:
            column.first.focus()
        else:
            page.keyboard.press("Tab")
    page.wait_for_timeout(1500)  # the last value's typing pause
    expect(page.locator(".field .saving")).to_have_count(0, timeout=60_000)
    expect(other.locator(".field .saving")).to_have_count(0, timeout=60_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "appraisal-sheet-fast-typing-vi.png", full_page=True)
    stored = _appraised("31564")
    unsaved = page.locator(".field .unsaved").count()
    lost = {
        row: value for row, value in typed.items() if stored[row].appraised_points != Decimal(value)
    }
    # Every value is in the database, and nothing on the page claims otherwise.
    assert lost == {} and unsaved == 0, (lost, unsaved)
    for row in typed:
        assert "Đã lưu" in page.locator(f"#msg-appraised_points-{row}").inner_text()
    assert page_errors(console) == []
    context.close()
    other_context.close()


def test_a_failed_save_says_so_and_is_sent_again(browser, demo, live_server):
    context, page = sign_in(browser, live_server, "appraiser_kesach")
    page.goto(f"{live_server.url}/appraisal/31564/2023/")
    field = page.locator("#row-8-1 input.points-input")
    message = page.locator("#msg-appraised_points-8-1")
    # The connection drops: the value is marked as not saved, with the reason.
    page.route("**/scores/**", lambda route: route.abort())
    field.fill("1")
    message.locator("button.retry").wait_for()
    assert "Chưa lưu" in message.inner_text() and "không kết nối được" in message.inner_text()
    assert "unsaved" in field.get_attribute("class")
    page.unroute("**/scores/**")
    # The server fails: the same, with its error code.
    page.route("**/scores/**", lambda route: route.fulfill(status=500, body="boom"))
    message.locator("button.retry").click()
    expect(message).to_contain_text("500")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "appraisal-sheet-save-failed-vi.png")
    page.unroute("**/scores/**")
    # Back: one click sends the value again, and it is stored.
    message.locator("button.retry").click()
    page.locator("#msg-appraised_points-8-1.ok").wait_for()
    assert "unsaved" not in (field.get_attribute("class") or "")
    assert _appraised("31564")["8-1"].appraised_points == Decimal(1)
    context.close()
