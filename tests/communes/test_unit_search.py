"""The header's search box: a unit by name (with or without diacritics) or code, in scope."""

import pytest

from communes.search import folded
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_folding_drops_diacritics_and_reads_d_for_dj():
    assert folded("  Xã Đông  Hải ") == "xa dong hai"
    assert folded("An Mỹ") == "an my"


def test_a_name_typed_without_diacritics_finds_the_unit(client):
    login(client, "leader_soctrang")
    response = client.get("/search/", {"q": "an my"})
    assert response.status_code == 302 and response["Location"] == "/units/31564/"
    several = client.get("/search/", {"q": "xa an"})
    names = [u.name for u in several.context["units"]]
    assert "Xã An Mỹ" in names and all("An" in n or "Ân" in n for n in names)


def test_a_code_finds_the_unit_and_the_scope_holds(client):
    login(client, "officer_anmy")
    assert client.get("/search/", {"q": "31564"})["Location"] == "/units/31564/"
    # Another commune of the same district, and one of another province: not found.
    nothing = client.get("/search/", {"q": "31561"})
    assert nothing.status_code == 200 and nothing.context["units"] == []
    assert client.get("/search/", {"q": "hai truong"}).context["units"] == []
    client.cookies["django_language"] = "en"
    page = client.get("/search/", {"q": "hai truong"}).content.decode()
    assert "No unit within your area matches" in page


def test_the_search_box_is_in_every_page_header(client):
    html = login(client, "leader_kesach").get("/rankings/").content.decode()
    assert 'action="/search/"' in html and 'role="search"' in html
