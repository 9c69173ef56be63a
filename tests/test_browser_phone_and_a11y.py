"""Phones and assistive technology: every main page at 390 px wide keeps the page itself within
the screen (tables scroll inside their card), the menu folds away, and axe-core finds no
violation on the main pages in either language. Screenshots at 1366 and 390 px go to
var/screenshots/."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from scoring.models import Framework
from tests.browser import SHOTS, page_errors, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

# (name, user, path): the pages people work with.
PAGES = [
    ("rankings", "leader_kesach", "/rankings/?group=943&period=2023"),
    ("charts", "leader_kesach", "/charts/?group=943&period=2023"),
    ("profile", "officer_anmy", "/units/31564/"),
    ("statistics", "officer_anmy", "/dossiers/31564/?year=2023"),
    ("self-assessment", "officer_anmy", "/assessments/31564/2023/"),
    ("overview", "appraiser_kesach", "/appraisal/?group=943&period=2023"),
    ("appraisal-sheet", "appraiser_kesach", "/appraisal/31561/2023/"),
    ("frameworks", "appraiser_kesach", "/frameworks/"),
    ("search", "leader_soctrang", "/search/?q=an"),
    ("my-assessments", "officer_anmy", "/assessments/"),
    ("submit-summary", "officer_anmy", "/assessments/31564/2023/submit/"),
    ("month-form", "officer_anmy", "/dossiers/31564/2023-05/"),
    ("framework", "appraiser_kesach", "/frameworks/{framework}/"),
    ("not-found", "officer_anmy", "/units/31561/"),
    ("import-progress", "officer_anmy", "/dossiers/31564/imports/{running}/"),
    ("import-checked", "officer_anmy", "/dossiers/31564/imports/{checked}/"),
    ("password-reset", "officer_anmy", "/accounts/password/reset/"),
]


def _import_job(name: str) -> str:
    """A large file of the officer's being read (45 %), or checked and waiting to be saved."""
    from django.contrib.auth import get_user_model

    from communes.models import AdministrativeUnit
    from dossiers.models import ImportJob

    job = ImportJob.objects.create(
        created_by=get_user_model().objects.get(username="officer_anmy"),
        commune=AdministrativeUnit.objects.filter(code="31564").latest("valid_from"),
        file_name="so-lieu-nam-2023.xlsx",
        path="imports/none.xlsx",
        dry_run=True,
        status="running" if name == "running" else "succeeded",
        stage="checking",
        percent=45 if name == "running" else 100,
        result={}
        if name == "running"
        else {"created": 9, "updated": 3, "unchanged": 0, "notices": [], "problems": []},
    )
    return str(job.pk)


def _url(live_server, path) -> str:
    framework = Framework.objects.filter(issuer__code="943", year=2023).first()
    jobs = {name: _import_job(name) for name in ("running", "checked") if f"{{{name}}}" in path}
    return f"{live_server.url}{path.format(framework=framework.pk, **jobs)}"


def _overflow(page) -> int:
    """How far the page itself is wider than the screen (0: nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_page_fits_a_phone_and_a_desktop(browser, demo, live_server, language):
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Signing in, before anyone is signed in.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    if language == "en":
        page.click("button[value=en]")
    assert _overflow(page) <= 0, "sign-in page at 390 px"
    page.screenshot(path=SHOTS / f"390-sign-in-{language}.png")
    context.close()
    for name, user, path in PAGES:
        console = []
        context, page = sign_in(browser, live_server, user, language, console=console)
        for width, height in ((1366, 768), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(_url(live_server, path))
            if name == "import-progress":
                page.wait_for_timeout(200)  # it refreshes itself every second
            assert _overflow(page) <= 0, f"{name} at {width} px overflows by {_overflow(page)} px"
            page.screenshot(path=SHOTS / f"{width}-{name}-{language}.png", full_page=True)
        assert page_errors(console) == [], name
        context.close()


def test_on_a_phone_the_menu_folds_and_the_ranking_keeps_rank_unit_and_index(
    browser, demo, live_server
):
    context, page = sign_in(browser, live_server, "leader_kesach")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/rankings/?group=943&period=2023")
    menu = page.locator("button.menu-toggle")
    assert menu.is_visible() and not page.locator("nav.mainnav").is_visible()
    menu.click()
    assert page.locator("nav.mainnav").is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    # The table scrolls inside its card; rank, unit and index stay where they were.
    first = page.locator("table.ranking tbody tr").first
    before = [first.locator(f"td.{c}").bounding_box()["x"] for c in ("rank", "unit", "index")]
    page.locator("section.card.scroll").evaluate("card => { card.scrollLeft = 400; }")
    after = [first.locator(f"td.{c}").bounding_box()["x"] for c in ("rank", "unit", "index")]
    assert after == before
    # Rank with the group's size.
    assert "/13" in first.locator("td.rank").inner_text()
    page.screenshot(path=SHOTS / "390-rankings-scrolled-vi.png")
    context.close()


def test_on_a_phone_the_upload_preview_fits(browser, demo, live_server, tmp_path):
    upload = tmp_path / "thang-5.csv"
    upload.write_text(
        "commune_code,month,received,resolved_early,resolved_on_time,resolved_late\n"
        "31564,2023-05,300,290,10,0\n",
        encoding="utf-8",
    )
    context, page = sign_in(browser, live_server, "officer_anmy")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/dossiers/31564/?year=2023")
    page.set_input_files("input[name=file]", str(upload))
    page.click("text=Kiểm tra tệp")
    page.wait_for_url("**/upload/**")
    assert _overflow(page) <= 0
    page.screenshot(path=SHOTS / "390-upload-preview-vi.png", full_page=True)
    context.close()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_axe_finds_no_violation_on_the_main_pages(browser, demo, live_server, language):
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the accessibility checks: `make setup` installs axe-core")
        pytest.skip("needs axe-core from npm (make setup)")
    source = AXE.read_text(encoding="utf-8")
    found = {}
    for name, user, path in PAGES:
        context, page = sign_in(browser, live_server, user, language)
        page.goto(_url(live_server, path))
        # Evaluated through the DevTools protocol, which the pages' CSP does not govern.
        page.evaluate(source)
        result = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
            ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))"
        )
        if result:
            found[name] = result
        context.close()
    assert found == {}
