"""What would raise the standing (#17) in a real browser: the officer of Xã Nhơn Mỹ lands on
the commune's page and reads the points to the next band and rank and the items furthest
behind the group, then asks what full points on an item would give. Screenshots in both
languages go to var/screenshots/."""

import re

import pytest

from tests.browser import SHOTS, page_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_reads_what_would_raise_the_standing(browser, demo, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language, more, behind in (
        ("vi", r"Thêm [\d,]+ điểm", "Thấp hơn bình quân nhóm nhiều nhất"),
        ("en", r"[\d.]+ more points", "Furthest behind the group average"),
    ):
        console = []
        context, page = sign_in(browser, live_server, "officer_nhonmy", language, console=console)
        page.wait_for_url("**/units/31552/")
        advice = page.locator("section.advice")
        steps = advice.locator("ul.steps li")
        assert steps.count() == 2
        text = advice.inner_text()
        assert re.search(more, text) or "Đứng đầu" in text or "First of" in text, text
        assert behind in text
        advice.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"advice-{language}.png", full_page=True)

        # What if: full points on the first open item, computed without leaving the page.
        advice.locator("details.what-if summary").click()
        first = advice.locator("details.what-if input").first
        first.fill(first.get_attribute("placeholder"))
        advice.locator("details.what-if button[type=submit]").click()
        answer = advice.locator("#what-if-answer table.what-if-answer")
        answer.wait_for()
        assert answer.locator("tbody tr").count() == 2
        assert page.url.endswith("/units/31552/")  # the page stayed
        answer.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"what-if-{language}.png", full_page=True)

        # And with a month's figures instead: no late dossier in the latest month.
        first.fill("")
        figures = advice.locator("fieldset.what-if-figures")
        figures.locator("input[name=fig_resolved_late]").fill("0")
        advice.locator("details.what-if button[type=submit]").click()
        page.wait_for_function(
            "document.querySelector('#what-if-answer table.what-if-answer') !== null"
        )
        assert answer.locator("tbody tr").count() == 2
        figures.screenshot(path=SHOTS / f"what-if-figures-{language}.png")
        assert page_errors(console) == []
        context.close()


def test_the_leader_sees_the_units_closest_to_a_band_change(browser, demo, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language, title in (("vi", "Gần chuyển xếp loại nhất"), ("en", "Closest to a band change")):
        console = []
        context, page = sign_in(browser, live_server, "leader_cantho", language, console=console)
        page.goto(f"{live_server.url}/rankings/?group=92&period=2026&ranking_group=XA")
        margins = page.locator("section.band-margins")
        assert title in margins.locator("h2").inner_text()
        assert margins.locator("tbody").first.locator("tr").count() == 5
        margins.scroll_into_view_if_needed()
        margins.screenshot(path=SHOTS / f"band-margins-{language}.png")
        assert page_errors(console) == []
        context.close()
