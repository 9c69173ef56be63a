"""The demo runs with DJANGO_DEBUG on: its pages must behave as they do in production."""

import pytest

from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_the_demo_shows_the_portals_own_not_found_page_in_vietnamese(client, settings):
    settings.DEBUG = True
    login(client, "officer_anmy")
    for url in ("/units/31561/", "/khong-co-trang-nay/", "/dossiers/19729/"):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 404, url
        assert "Không tìm thấy" in html and "ngoài phạm vi" in html, url
        assert "URLconf" not in html and "Django tried these URL patterns" not in html, url
    api = client.get("/api/v1/units/31561/")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")


def test_pages_load_htmx_without_the_debug_helper_that_replaces_the_page(client, settings):
    settings.DEBUG = True
    html = login(client, "appraiser_kesach").get("/appraisal/31564/2023/").content.decode()
    assert "htmx-2.min.js" in html
    assert "django-htmx.js" not in html
    # Error answers of in-place saves are swapped into their message, not treated as failures.
    assert '"code": "(400|409|413)", "swap": true, "error": false' in html
