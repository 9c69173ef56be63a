"""What the browser tests share: Debian's Chromium through Playwright, the demo, signing in."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from scoring.models import Result

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
        # The ORM calls made while Playwright's loop runs use connections of that context; left
        # open they would keep the test database from being dropped at the end of the run.
        connections.close_all()


@pytest.fixture
def demo(transactional_db):
    # Transactional tests that ran before may have flushed the seeded demo.
    if not Result.objects.filter(unit__code="19729").exists():
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)


def page_errors(console):
    """Console errors but the browser's own note on a refused request (400, 404), which is
    the answer these pages expect for bad input."""
    return [m for m in console if "status of 400" not in m and "status of 404" not in m]


def sign_in(
    browser, live_server, username, language="vi", console=None, outside=None, password="demo1234"
):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    if console is not None:
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(str(e)))
    if outside is not None:
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
        )
    page.goto(f"{live_server.url}/accounts/login/")
    if language == "en":
        page.click("button[value=en]")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_load_state()
    return context, page
