"""The ranking pages' selectors (scoring.rankings.choices) are kept per user between requests,
yet a new ranking, a new period or a new role shows on the very next page."""

import re

import pytest

from scoring.assessments.rounds import group_open
from scoring.frameworks.services import framework_load
from tests.factories import CommuneFactory, DistrictFactory, MembershipFactory, framework_doc
from tests.helpers import recompute, save_scores
from tests.scoring.rankings.test_kept_rankings import DEAD_CACHE

pytestmark = pytest.mark.django_db


def _options(page, name) -> list[str]:
    """The values a <select name=…> of the page offers."""
    html = page.content.decode()
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)"', select.group(1)) if select else []


@pytest.fixture
def ranked(make_group, district, communes):
    framework, period = make_group()
    save_scores(period, {c.code: {"1.1": "3"} for c in communes})
    recompute(framework, period)
    return framework, period


def test_a_new_period_is_offered_on_the_next_page(client, ranked, make_group, district, communes):
    leader = MembershipFactory(unit=district, role="leader").user
    client.force_login(leader)
    assert _options(client.get("/rankings/"), "period") == ["2024"]
    assert _options(client.get("/rankings/"), "period") == ["2024"]  # served as kept

    framework, period = make_group(period="2025")
    save_scores(period, {c.code: {"1.1": "4"} for c in communes})
    recompute(framework, period)
    assert _options(client.get("/rankings/"), "period") == ["2025", "2024"]


def test_a_new_role_shows_its_rankings_on_the_next_page(client, ranked, make_group):
    leader = MembershipFactory(unit=ranked[0].issuer, role="leader").user
    client.force_login(leader)
    assert _options(client.get("/rankings/"), "group") == [ranked[0].issuer.code]

    other = DistrictFactory()
    units = [CommuneFactory(parent=other) for _ in range(2)]
    MembershipFactory(user=leader, unit=other, role="leader")
    # A district without a framework yet is no choice.
    assert _options(client.get("/rankings/"), "group") == [ranked[0].issuer.code]
    # Another district issues a framework and ranks its communes: offered at once.
    framework, _ = framework_load(document=framework_doc(), issuer_code=other.code, year=2024)
    group_open(framework=framework, period=ranked[1])
    save_scores(ranked[1], {u.code: {"1.1": "2"} for u in units})
    recompute(framework, ranked[1])
    assert sorted(_options(client.get("/rankings/"), "group")) == sorted(
        [ranked[0].issuer.code, other.code]
    )


def test_the_selectors_work_without_a_cache(client, ranked, district, settings):
    settings.CACHES = DEAD_CACHE
    leader = MembershipFactory(unit=district, role="leader").user
    client.force_login(leader)
    page = client.get("/rankings/")
    assert page.status_code == 200
    assert _options(page, "period") == ["2024"]
