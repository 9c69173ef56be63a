"""The exact number of SQL queries of every page and API list, pinned in query_counts.json.

A page's count is the same for a group of 4 communes and of 24: nothing runs one query per
row. A change that adds a query fails here; if it is deliberate, run
`UPDATE_QUERY_COUNTS=1 make test PYTEST_ARGS=tests/test_query_counts.py` and commit the file,
so the review sees the new number next to the change that caused it.
"""

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.services import dossier_reports_save
from scoring.assessments.rounds import group_open
from scoring.rounds.services import round_open
from tests.factories import CommuneFactory, MembershipFactory
from tests.helpers import dossier_row, recompute, save_scores

pytestmark = pytest.mark.django_db
COUNTS_FILE = Path(__file__).with_name("query_counts.json")

# name → (who asks, URL, query string); {code}, {period}, {group}, {framework} are filled in.
PAGES = {
    "page: ranking dashboard": ("leader", "/rankings/", {"group": "{group}", "period": "{period}"}),
    "page: ranking export": (
        "leader",
        "/rankings/export.xlsx",
        {"group": "{group}", "period": "{period}"},
    ),
    "page: charts": ("leader", "/charts/", {"group": "{group}", "period": "{period}"}),
    "page: unit profile": ("leader", "/units/{code}/", {}),
    "page: province overview": ("province_leader", "/units/{province}/", {"period": "{period}"}),
    "page: my assessments": ("officer", "/assessments/", {}),
    "page: self-assessment": ("officer", "/assessments/{code}/{period}/", {}),
    "page: appraisal overview": (
        "appraiser",
        "/appraisal/",
        {"group": "{group}", "period": "{period}"},
    ),
    "page: appraisal sheet": ("appraiser", "/appraisal/{code}/{period}/", {}),
    "page: frameworks": ("appraiser", "/frameworks/", {}),
    "page: framework": ("appraiser", "/frameworks/{framework}/", {}),
    "page: statistics": ("officer", "/dossiers/{code}/", {"year": "2024"}),
    "page: unit search": ("leader", "/search/", {"q": "xa"}),
    "api: units": ("appraiser", "/api/v1/units/", {}),
    "api: frameworks": ("appraiser", "/api/v1/frameworks/", {}),
    "api: periods": ("appraiser", "/api/v1/periods/", {}),
    "api: assessments": ("appraiser", "/api/v1/assessments/", {}),
    "api: scores": ("appraiser", "/api/v1/assessments/{code}/{period}/scores/", {}),
    "api: dossier reports": ("appraiser", "/api/v1/dossier-reports/", {}),
    "api: rankings": (
        "appraiser",
        "/api/v1/rankings/",
        {"group": "{group}", "period": "{period}"},
    ),
    "api: ranking runs": ("appraiser", "/api/v1/ranking-runs/", {}),
    "page: rounds": ("appraiser", "/rounds/", {}),
    "page: round": ("appraiser", "/rounds/{round}/", {}),
    "api: rounds": ("appraiser", "/api/v1/rounds/", {}),
    "page: assessment history": ("appraiser", "/appraisal/{code}/{period}/history/", {}),
    "api: assessment history": ("appraiser", "/api/v1/assessments/{code}/{period}/history/", {}),
    "api: adjustments": ("appraiser", "/api/v1/assessments/{code}/{period}/adjustments/", {}),
    "page: notices": ("officer", "/notices/", {}),
}
# The rankings readers are served from what an earlier reader built (scoring.rankings.kept):
# the same request again, its results unchanged.
KEPT = {"page: ranking dashboard", "api: rankings"}
PAGES |= {f"{name}, kept": PAGES[name] for name in KEPT}


@pytest.fixture
def group(make_group, district, communes):
    framework, period = make_group()
    rows = [
        (i + 2, dossier_row(c.code, "2024-05", received=10, resolved_on_time=9, resolved_late=1))
        for i, c in enumerate(communes)
    ]
    assert dossier_reports_save(records=rows).ok
    save_scores(period, {c.code: {"1.1": ("5", "4"), "1.2": "3"} for c in communes})
    recompute(framework, period)
    round_, _added = round_open(framework=framework, period=period)
    users = {
        "officer": MembershipFactory(unit=communes[0], role="commune_officer").user,
        "appraiser": MembershipFactory(unit=district, role="appraiser").user,
        "leader": MembershipFactory(unit=district, role="leader").user,
        "province_leader": MembershipFactory(unit=district.parent, role="leader").user,
    }
    values = {
        "code": communes[0].code,
        "period": period.code,
        "group": district.code,
        "province": district.parent.code,
        "framework": str(framework.pk),
        "round": str(round_.pk),
    }
    return {"framework": framework, "period": period, "users": users, "values": values}


def _count(client, group, name) -> int:
    role, url, params = PAGES[name]
    client.force_login(group["users"][role])
    values = group["values"]
    url = url.format(**values)
    params = {k: v.format(**values) for k, v in params.items()}
    if name.endswith(", kept"):
        client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, f"{name}: {response.status_code}"
    return len(captured)


def _grow(group, district, by=20):
    """More communes in the group, each with statistics, scores and a result."""
    framework, period = group["framework"], group["period"]
    added = [CommuneFactory(parent=district) for _ in range(by)]
    group_open(framework=framework, period=period)
    rows = [(i + 2, dossier_row(c.code, "2024-05", received=5)) for i, c in enumerate(added)]
    assert dossier_reports_save(records=rows).ok
    save_scores(period, {c.code: {"1.1": ("4", "4"), "1.2": "2"} for c in added})
    recompute(framework, period)


def test_every_page_and_api_list_costs_its_pinned_queries_whatever_the_group_size(
    client, group, district
):
    small = {name: _count(client, group, name) for name in PAGES}
    _grow(group, district)
    big = {name: _count(client, group, name) for name in PAGES}
    assert big == small, {n: (small[n], big[n]) for n in PAGES if small[n] != big[n]}
    if os.environ.get("UPDATE_QUERY_COUNTS"):
        COUNTS_FILE.write_text(json.dumps(small, indent=2, ensure_ascii=False) + "\n")
    pinned = json.loads(COUNTS_FILE.read_text(encoding="utf-8"))
    assert set(pinned) == set(PAGES), "query_counts.json lists other pages than PAGES"
    changed = {n: (pinned[n], small[n]) for n in PAGES if pinned[n] != small[n]}
    assert not changed, f"query counts changed (pinned, now): {changed}"
