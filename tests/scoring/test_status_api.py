"""`POST /api/v1/assessments/UNIT/PERIOD/status/` (#13): the workflow as the pages run it, a
year through the API from round to publication."""

import pytest

from scoring.models import Assessment, AssessmentStatus, Publication, Score
from tests.factories import DistrictFactory, MembershipFactory, framework_doc
from tests.helpers import api_client as _api

pytestmark = pytest.mark.django_db


def test_a_year_through_the_api(district, communes):
    from scoring.frameworks.services import framework_load

    framework, _ = framework_load(document=framework_doc(), issuer_code=district.code, year=2026)
    appraiser = MembershipFactory(unit=district, role="appraiser").user
    unit = communes[0]
    officer = MembershipFactory(unit=unit, role="commune_officer").user
    opened = _api(appraiser).post(
        "/api/v1/rounds/",
        {"issuer": district.code, "period": "2026", "units": [unit.code]},
        format="json",
    )
    assert opened.status_code == 201
    status_url = f"/api/v1/assessments/{unit.code}/2026/status/"
    scores_url = f"/api/v1/assessments/{unit.code}/2026/scores/"
    early = _api(officer).post(status_url, {"status": "submitted"}, format="json")
    assert early.status_code == 400 and len(early.json()["errors"]) == 2  # 1.1 and 1.2 empty
    _api(officer).put(
        scores_url,
        [{"sub_code": "1.1", "self_points": "6"}, {"sub_code": "1.2", "self_points": "4"}],
        format="json",
    )
    assert (
        _api(officer).post(status_url, {"status": "submitted"}, format="json").json()["status"]
        == "submitted"
    )
    # The commune may not appraise itself; a leader may not return.
    assert _api(officer).post(status_url, {"status": "appraised"}, format="json").status_code == 400
    leader = MembershipFactory(unit=district, role="leader").user
    assert (
        _api(leader)
        .post(status_url, {"status": "returned", "note": "x"}, format="json")
        .status_code
        == 400
    )
    returned = _api(appraiser).post(
        status_url, {"status": "returned", "items": {"1.2": "Thiếu báo cáo quý IV"}}, format="json"
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert Score.objects.get(assessment__unit=unit, sub_criterion__code="1.2").return_note
    _api(officer).put(
        scores_url, [{"sub_code": "1.2", "return_answer": "Đã bổ sung"}], format="json"
    )
    assert _api(officer).post(status_url, {"status": "submitted"}, format="json").status_code == 200
    not_ready = _api(appraiser).post(status_url, {"status": "appraised"}, format="json")
    assert not_ready.status_code == 400 and "1.1, 1.2" in not_ready.json()["errors"][0]["message"]
    _api(appraiser).put(
        scores_url,
        [
            {"sub_code": "1.1", "appraised_points": "5"},
            {"sub_code": "1.2", "appraised_points": "4"},
        ],
        format="json",
    )
    assert (
        _api(appraiser).post(status_url, {"status": "appraised"}, format="json").json()["status"]
        == "appraised"
    )
    published = _api(appraiser).post(
        "/api/v1/publications/",
        {
            "issuer": district.code,
            "period": "2026",
            "decision_number": "5/QĐ",
            "decision_date": "2027-01-20",
        },
        format="json",
    )
    assert published.status_code == 201
    assert Publication.objects.filter(framework=framework).count() == 1
    assert (
        Assessment.objects.get(unit=unit, framework=framework).status == AssessmentStatus.APPRAISED
    )
    # Another district's appraiser does not reach the unit at all.
    stranger = MembershipFactory(unit=DistrictFactory(), role="appraiser").user
    assert _api(stranger).post(status_url, {"status": "returned"}, format="json").status_code == 404
