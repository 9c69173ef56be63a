"""An assessment's history (#13): every change made below — points, explanations, evidence,
status, returns and answers, bonus, deadlines, extensions, publication — is listed by
`GET …/history/`, oldest first, with who and the old and new values; and the adjustments API."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import MembershipFactory
from tests.helpers import api_client as _api

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
BONUS_DOC = {
    "bonus": {"max": 2, "items": [{"code": "T1", "name": "Sáng kiến", "max_points": 1.5}]},
}


@pytest.fixture
def year(make_group, district, communes, appraiser):
    from tests.factories import framework_doc

    make_group(doc=framework_doc() | BONUS_DOC, period="2026")
    unit = communes[0]
    officer = MembershipFactory(unit=unit, role="commune_officer").user
    return unit, officer


def _ok(response, code=200):
    assert response.status_code == code, response.content
    return response


def test_the_history_lists_every_change_oldest_first(year, district, communes, appraiser):
    unit, officer = year
    base = f"/api/v1/assessments/{unit.code}/2026/"
    due = datetime.date.today() + datetime.timedelta(days=10)
    opened = _ok(
        _api(appraiser).post(
            "/api/v1/rounds/",
            {"issuer": district.code, "period": "2026", "self_assessment_due": due.isoformat()},
            format="json",
        ),
        201,
    ).json()
    later = due + datetime.timedelta(days=5)
    _ok(
        _api(appraiser).patch(
            f"/api/v1/rounds/{opened['id']}/",
            {"self_assessment_due": later.isoformat()},
            format="json",
        )
    )
    until = later + datetime.timedelta(days=3)
    _ok(
        _api(appraiser).post(
            f"/api/v1/rounds/{opened['id']}/extensions/",
            {"unit_code": unit.code, "until": until.isoformat()},
            format="json",
        ),
        201,
    )
    officer_api = _api(officer)
    _ok(
        officer_api.put(
            base + "scores/",
            [{"sub_code": "1.1", "self_points": "5", "explanation": "Đã ban hành"}],
            format="json",
        )
    )
    evidence = _ok(
        officer_api.post(
            base + "scores/1.1/evidence/",
            {"file": SimpleUploadedFile("ke-hoach.pdf", PDF, "application/pdf")},
            format="multipart",
        ),
        201,
    ).json()
    _ok(officer_api.delete(f"/api/v1/evidence/{evidence['id']}/"), 204)
    _ok(officer_api.put(base + "scores/", [{"sub_code": "1.1", "self_points": "6"}], format="json"))
    _ok(officer_api.put(base + "scores/", [{"sub_code": "1.2", "self_points": "3"}], format="json"))
    _ok(
        officer_api.post(
            base + "adjustments/",
            {"code": "T1", "points": "1", "reason": "Sáng kiến"},
            format="json",
        )
    )
    _ok(officer_api.post(base + "status/", {"status": "submitted"}, format="json"))
    _ok(
        _api(appraiser).post(
            base + "status/",
            {"status": "returned", "note": "Bổ sung", "items": {"1.1": "Thiếu tài liệu"}},
            format="json",
        )
    )
    _ok(
        officer_api.put(
            base + "scores/", [{"sub_code": "1.1", "return_answer": "Đã bổ sung"}], format="json"
        )
    )
    _ok(officer_api.post(base + "status/", {"status": "submitted"}, format="json"))
    _ok(
        _api(appraiser).put(
            base + "scores/",
            [
                {"sub_code": "1.1", "appraised_points": "4", "appraisal_reason": "Thiếu"},
                {"sub_code": "1.2", "appraised_points": "3"},
            ],
            format="json",
        )
    )
    _ok(_api(appraiser).post(base + "adjustments/", {"code": "T1", "points": "0.5"}, format="json"))
    _ok(_api(appraiser).post(base + "status/", {"status": "appraised"}, format="json"))

    history = _ok(officer_api.get(base + "history/")).json()
    seen = [(c["user"], c["what"], c["sub_code"], c["old"], c["new"]) for c in history]
    a, o = appraiser.username, officer.username
    assert seen == [
        (a, "self_assessment_due", None, None, due.isoformat()),
        (a, "self_assessment_due", None, due.isoformat(), later.isoformat()),
        (a, "extension", None, None, until.isoformat()),
        (o, "self_points", "1.1", None, 5.0),
        (o, "explanation", "1.1", None, "Đã ban hành"),
        (o, "evidence", "1.1", None, "ke-hoach.pdf"),
        (o, "evidence", "1.1", "ke-hoach.pdf", None),
        (o, "self_points", "1.1", 5.0, 6.0),
        (o, "self_points", "1.2", None, 3.0),
        (o, "self_points", "T1", None, 1.0),
        (o, "explanation", "T1", None, "Sáng kiến"),
        (o, "status", None, None, "submitted"),
        (a, "status", None, "submitted", "returned"),
        (a, "return_note", None, None, "Bổ sung"),
        (a, "return_note", "1.1", None, "Thiếu tài liệu"),
        (o, "return_answer", "1.1", None, "Đã bổ sung"),
        (o, "status", None, "returned", "submitted"),
        (a, "appraised_points", "1.1", None, 4.0),
        (a, "appraisal_reason", "1.1", None, "Thiếu"),
        (a, "appraised_points", "1.2", None, 3.0),
        (a, "appraised_points", "T1", None, 0.5),
        (a, "status", None, "submitted", "appraised"),
    ]
    assert [c["at"] for c in history] == sorted(c["at"] for c in history)

    # Another commune's officer does not see this history.
    other = MembershipFactory(unit=communes[1], role="commune_officer").user
    assert _api(other).get(base + "history/").status_code == 404


def test_the_sheet_shows_the_timeline(year, appraiser):
    unit, officer = year
    _ok(
        _api(officer).put(
            f"/api/v1/assessments/{unit.code}/2026/scores/",
            [{"sub_code": "1.1", "self_points": "5", "explanation": "Đã ban hành"}],
            format="json",
        )
    )
    page = Client()
    page.force_login(appraiser)
    html = page.get(f"/appraisal/{unit.code}/2026/history/").content.decode()
    assert "Lịch sử thay đổi" in html
    assert officer.username in html and "Đã ban hành" in html and "1.1" in html


def test_the_adjustments_api_takes_claims_and_decisions(year, appraiser):
    unit, officer = year
    url = f"/api/v1/assessments/{unit.code}/2026/adjustments/"
    too_much = _api(officer).post(url, {"code": "T1", "points": "2", "reason": "x"}, format="json")
    assert too_much.status_code == 400
    assert too_much.json()["errors"][0]["column"] == "points", too_much.json()
    unknown = _api(officer).post(url, {"code": "1.1", "points": "1", "reason": "x"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["column"] == "code"
    claimed = _ok(
        _api(officer).post(
            url, {"code": "T1", "points": "1.5", "reason": "Sáng kiến"}, format="json"
        )
    )
    assert claimed.json()[0] | {} == {
        "code": "T1",
        "kind": "bonus",
        "name": "Sáng kiến",
        "max_points": 1.5,
        "claimed_points": 1.5,
        "claim_reason": "Sáng kiến",
        "points": None,
        "reason": "",
    }
    decided = _ok(
        _api(appraiser).post(
            url, {"code": "T1", "points": "1", "reason": "Một phần"}, format="json"
        )
    )
    assert (decided.json()[0]["claimed_points"], decided.json()[0]["points"]) == (1.5, 1.0)
    # An undeclared penalty is the appraisers' alone.
    refused = _api(officer).post(
        url, {"code": "penalty", "points": "1", "reason": "x"}, format="json"
    )
    assert refused.status_code == 400
    added = _api(appraiser).post(
        url, {"code": "penalty", "points": "1", "reason": "Vi phạm"}, format="json"
    )
    assert added.status_code == 201
    assert [i["code"] for i in added.json()] == ["T1", "penalty"]
    assert _api(officer).get(url).json() == added.json()
