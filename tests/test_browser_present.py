"""The present in a real browser: the leader of the new Cần Thơ reads the province overview
(its ranking groups now, Sóc Trăng's districts compared for 2023), the ranking of its xã group,
and the new Xã Nhơn Mỹ with the old communes it took in; the old An Mỹ links back to it.
Screenshots in both languages go to var/screenshots/."""

import pytest

from tests.browser import SHOTS, page_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_province_leader_reads_the_present_and_the_district_years(browser, demo, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("vi", "en"):
        console = []
        context, page = sign_in(browser, live_server, "leader_cantho", language, console=console)
        page.click(".mainnav >> text=" + ("Đơn vị của tôi" if language == "vi" else "My unit"))
        page.wait_for_url("**/units/92/")
        assert page.locator("h1").inner_text() == "Thành phố Cần Thơ"
        groups = page.locator("table.compare-groups tbody tr")
        assert groups.count() == 2  # wards and communes, ranked apart
        page.screenshot(path=SHOTS / f"province-present-{language}.png", full_page=True)

        page.select_option("select[name=period]", "2023")
        page.wait_for_url("**period=2023**")
        districts = page.locator("table.compare-groups tbody tr")
        assert districts.count() == 11  # Sóc Trăng's districts, before the merger
        assert "Huyện Kế Sách" in page.locator("table.compare-groups").inner_text()
        average = districts.first.locator("td").nth(2).inner_text()
        assert ("," if language == "vi" else ".") in average and average.endswith("%")
        page.screenshot(path=SHOTS / f"province-districts-{language}.png", full_page=True)

        page.goto(f"{live_server.url}/rankings/?group=92&period=2025")
        page.select_option("select[name=ranking_group]", "XA")
        page.wait_for_url("**ranking_group=XA**")
        rows = page.locator("table.ranking tbody tr")
        assert rows.count() == 72
        assert "Phường" not in page.locator("table.ranking tbody").inner_text()
        assert rows.first.locator(".rank").inner_text().replace("\n", "") == "1/72"
        page.screenshot(path=SHOTS / f"rankings-groups-{language}.png", full_page=True)

        page.click("table.ranking >> text=Xã Nhơn Mỹ")
        page.wait_for_url("**/units/31552/?on=2025-12-31")
        history = page.locator("table.lineage-history")
        assert "Xã An Mỹ" in history.inner_text() and "Xã Song Phụng" in history.inner_text()
        assert page.locator(".lineage .baseline .kpi").count() == 2  # baseline and movement
        page.screenshot(path=SHOTS / f"unit-new-commune-{language}.png", full_page=True)

        history.locator("text=Xã An Mỹ").click()
        page.wait_for_url("**/units/31564/?on=2025-06-30")
        successor = page.locator("section.lineage a").first
        assert successor.inner_text() == "Xã Nhơn Mỹ"
        page.screenshot(path=SHOTS / f"unit-old-commune-{language}.png", full_page=True)
        successor.click()
        page.wait_for_url("**/units/31552/?on=2025-07-01")
        assert page_errors(console) == []
        context.close()
