"""Statistics straight from the one-stop software (#17) in a real browser: the administrator
uploads the province's export as the software prints it, confirms the one name written without
diacritics, checks the preview and saves. Then the officer of Xã Nhơn Mỹ reads, under the items
derived from those figures, what more figures would give. Screenshots in both languages go to
var/screenshots/."""

import datetime

import pytest

from communes.models import AdministrativeUnit
from dossiers.exports import standard_mapping
from dossiers.models import DossierReport, UnitNameAlias
from tests.browser import SHOTS, page_errors, sign_in
from tests.dossiers.export_workbook import export_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NHON_MY, PHUONG_SOC_TRANG = "31552", "31507"


def test_the_administrator_imports_the_one_stop_export(browser, demo, live_server, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    mapping = standard_mapping()
    mapping.scope = AdministrativeUnit.objects.filter(code="92", level="province").first()
    mapping.save()
    export = tmp_path / "bang-thong-ke-thang-10.xlsx"
    export.write_bytes(
        export_workbook(
            [
                ("Xã Nhơn Mỹ", [130, 10, 100, 20, 90, 25, 3, 10, 0, 1, 1, 0]),
                ("Phuong Soc Trang", [460, 40, 300, 120, 350, 60, 5, 40, 2, 2, 1, 0]),
            ]
        )
    )
    for language, ask, saved in (
        ("vi", "Tên viết khác với danh mục đơn vị", "Đã thêm"),
        ("en", "Names written differently from the unit list", "months added"),
    ):
        DossierReport.objects.filter(
            commune__code__in=(NHON_MY, PHUONG_SOC_TRANG), month=datetime.date(2026, 10, 1)
        ).delete()
        UnitNameAlias.objects.filter(mapping=mapping).delete()  # asked again in each language
        console = []
        context, page = sign_in(browser, live_server, "admin", language, console=console)
        page.goto(f"{live_server.url}/dossiers/export/")
        page.select_option("select[name=mapping]", str(mapping.pk))
        page.set_input_files("input[name=file]", str(export))
        page.click("form.stack button.primary")
        confirm = page.locator("section.confirm-names")
        assert ask in confirm.inner_text()
        assert "“Phuong Soc Trang”" in confirm.inner_text()
        page.screenshot(path=SHOTS / f"export-confirm-{language}.png", full_page=True)
        confirm.locator("input[type=checkbox]").check()
        confirm.locator("button.primary").click()
        page.locator("button[name=save]").wait_for()
        assert page.locator("section.card.scroll tbody tr").count() == 2
        page.screenshot(path=SHOTS / f"export-preview-{language}.png", full_page=True)
        page.click("button[name=save]")
        assert saved in page.locator(".messages, [role=status], body").first.inner_text()
        context.close()
        assert page_errors(console) == []
        received = DossierReport.objects.get(
            commune__code=PHUONG_SOC_TRANG, month=datetime.date(2026, 10, 1)
        ).received
        assert received == 420  # trong kỳ 300 + qua mạng 120


def test_the_sheet_says_what_more_figures_would_give(browser, demo, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("vi", "en"):
        console = []
        context, page = sign_in(browser, live_server, "officer_nhonmy", language, console=console)
        page.wait_for_url("**/units/31552/")
        advice = page.locator("section.advice div.data-advice")
        if advice.count():
            advice.scroll_into_view_if_needed()
            advice.screenshot(path=SHOTS / f"data-advice-{language}.png")
        page.goto(f"{live_server.url}/assessments/")
        page.locator("a[href*='/assessments/31552/']").first.click()
        hints = page.locator("td.name div.data-advice")
        assert hints.count() >= 1
        hints.first.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"data-advice-sheet-{language}.png")
        assert page_errors(console) == []
        context.close()
