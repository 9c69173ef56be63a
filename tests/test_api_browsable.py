"""The API read in a browser: DRF's browsable page answers every list and item a person may
open from the API docs, never a server error."""

import pytest
from rest_framework.test import APIClient

from tests.factories import DERIVED_DOC, MembershipFactory
from tests.helpers import recompute, save_scores

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/rankings/?group={district}&period={period}",
        "/api/v1/units/",
        "/api/v1/units/{commune}/",
        "/api/v1/units/{commune}/history/",
        "/api/v1/assessments/",
        "/api/v1/assessments/{commune}/{period}/scores/",
        "/api/v1/assessments/{commune}/{period}/history/",
        "/api/v1/assessments/{commune}/{period}/adjustments/",
        "/api/v1/dossier-reports/",
        "/api/v1/frameworks/",
        "/api/v1/periods/",
        "/api/v1/ranking-runs/",
        "/api/v1/rounds/",
        "/api/v1/publications/",
        "/api/v1/export-mappings/",
    ],
)
def test_every_read_opens_in_a_browser(path, make_group, district, communes):
    framework, period = make_group(DERIVED_DOC)
    save_scores(period, {communes[0].code: {"3.1": "2"}})
    recompute(framework, period)
    leader = MembershipFactory(unit=district, role="leader").user
    browser = APIClient(HTTP_ACCEPT="text/html")
    browser.force_authenticate(leader)
    url = path.format(district=district.code, period=period.code, commune=communes[0].code)
    page = browser.get(url)
    assert page.status_code == 200, (url, page.status_code)
    assert page["Content-Type"].startswith("text/html")
