"""Rankings kept between requests (scoring.rankings.kept): a reader after a change always sees
the change, whichever writer made it, and readers in between are served without rebuilding."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoring.rankings.publication import group_publish, publication_reopen
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api_client, recompute, save_scores

pytestmark = pytest.mark.django_db


def _table(page) -> str:
    """The ranking table of a dashboard page (the rest carries per-request tokens)."""
    html = page.content.decode()
    return html[html.index('<table class="ranking">') : html.index("</table>")]


def _shown(page) -> dict[str, str]:
    """unit code → the index as the page shows it."""
    rows = re.findall(
        r'<span class="muted small">(\d+)</span></td>\s*<td class="num strong index">([^<]+)<',
        _table(page),
    )
    return dict(rows)


def _queries(fn) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        value = fn()
    return len(captured), value


@pytest.fixture
def ranked(make_group, district, communes):
    framework, period = make_group()
    # 1.1 of 6 and 1.2 of 4 points: 9, 7, 5 and 3 of 10.
    save_scores(
        period,
        {c.code: {"1.1": (str(5 - i), str(5 - i)), "1.2": "4"} for i, c in enumerate(communes)},
    )
    recompute(framework, period)
    leader = MembershipFactory(unit=district, role="leader").user
    return framework, period, leader


def test_the_dashboard_is_served_again_until_a_change_then_shows_it(client, ranked, communes):
    framework, period, leader = ranked
    client.force_login(leader)
    params = {"group": framework.issuer.code, "period": period.code}
    first_cost, first = _queries(lambda: client.get("/rankings/", params))
    again_cost, again = _queries(lambda: client.get("/rankings/", params))
    assert again_cost < first_cost
    assert _table(again) == _table(first)
    # 5 + 4 of 10 points for the first commune (1.2 not appraised: its own 4 counts).
    assert _shown(again)[communes[0].code] == "90,00%"

    # A new score, recomputed: the next reader sees it.
    save_scores(period, {communes[0].code: {"1.1": ("5", "1")}})
    recompute(framework, period)
    assert _shown(client.get("/rankings/", params))[communes[0].code] == "50,00%"

    # Published, then reopened: the state of the ranking follows each time.
    published = group_publish(
        framework=framework,
        period=period,
        decision_number="12/QĐ-UBND",
        decision_date=datetime.date(2025, 1, 20),
    )
    assert "Đã công bố" in client.get("/rankings/", params).content.decode()
    admin = UserFactory(is_superuser=True, is_staff=True)
    publication_reopen(publication=published, reason="Sai số liệu tháng 12", user=admin)
    page = client.get("/rankings/", params).content.decode()
    assert "Đã công bố" not in page and "Tạm tính" in page


def test_the_ranking_api_is_served_again_until_a_change_then_shows_it(ranked, communes):
    framework, period, leader = ranked
    api = api_client(leader)
    params = {"group": framework.issuer.code, "period": period.code}
    first_cost, first = _queries(lambda: api.get("/api/v1/rankings/", params))
    again_cost, again = _queries(lambda: api.get("/api/v1/rankings/", params))
    assert again_cost < first_cost and again.json() == first.json()
    assert [r["unit_code"] for r in again.json()] == [c.code for c in communes]

    save_scores(period, {communes[3].code: {"1.1": ("6", "6")}})
    recompute(framework, period)
    rows = {r["unit_code"]: r for r in api.get("/api/v1/rankings/", params).json()}
    assert rows[communes[3].code]["index_percent"] == 100.0 and rows[communes[3].code]["rank"] == 1


def test_a_later_ranking_shows_new_movements_when_the_year_before_changes(
    make_group, district, communes
):
    before, year_before = make_group(period="2023")
    save_scores(year_before, {communes[0].code: {"1.1": "6"}, communes[1].code: {"1.1": "1"}})
    recompute(before, year_before)
    framework, period = make_group(period="2024")
    save_scores(period, {communes[0].code: {"1.1": "3"}, communes[1].code: {"1.1": "5"}})
    recompute(framework, period)
    api = api_client(MembershipFactory(unit=district, role="leader").user)
    params = {"group": district.code, "period": "2024"}

    def previous_ranks():
        rows = api.get("/api/v1/rankings/", params).json()
        return {r["unit_code"]: r["previous_rank"] for r in rows if r["unit_code"] in codes}

    codes = {communes[0].code, communes[1].code}
    assert previous_ranks() == {communes[0].code: 1, communes[1].code: 2}
    # 2023 changes and is recomputed; 2024 is not, but its movements are the new ones.
    save_scores(year_before, {communes[0].code: {"1.1": "0"}, communes[1].code: {"1.1": "6"}})
    recompute(before, year_before)
    assert previous_ranks() == {communes[0].code: 2, communes[1].code: 1}


DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
    }
}


def test_a_shared_cache_that_is_down_costs_speed_not_the_page(client, ranked, communes, settings):
    framework, period, leader = ranked
    settings.CACHES = DEAD_CACHE
    client.force_login(leader)
    page = client.get("/rankings/", {"group": framework.issuer.code, "period": period.code})
    assert page.status_code == 200
    assert _shown(page)[communes[0].code] == "90,00%"
