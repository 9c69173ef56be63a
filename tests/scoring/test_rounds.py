"""Rounds (#13): opened by the issuer's appraisers from the API, the page and `open_round`, with
deadlines; after the self-assessment deadline every path of a commune's write is refused
naming the deadline, unless the appraisers extended it for that unit."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from scoring.assessments.imports import scores_save
from scoring.models import Assessment, AssessmentStatus, Extension, Round, Score
from tests.factories import DistrictFactory, MembershipFactory, framework_doc
from tests.helpers import api_client as _api

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _dmy(day):
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def framework(district):
    from scoring.frameworks.services import framework_load

    doc = framework_doc()
    # A declared bonus item: the commune's claim is one more write the deadline closes.
    doc["bonus"] = {
        "max": 2,
        "items": [{"code": "T1", "name": "Sáng kiến CCHC được công nhận", "max_points": 1.5}],
    }
    loaded, _ = framework_load(document=doc, issuer_code=district.code, year=2026)
    return loaded


@pytest.fixture
def appraiser(district):
    return MembershipFactory(unit=district, role="appraiser").user


def _open(user, district, **extra):
    return _api(user).post(
        "/api/v1/rounds/",
        {"issuer": district.code, "period": "2026", **extra},
        format="json",
    )


def test_the_appraiser_opens_a_round_and_opening_again_changes_nothing(
    framework, district, communes, appraiser
):
    due = (TODAY + 10 * DAY).isoformat()
    opened = _open(appraiser, district, self_assessment_due=due, appraisal_due="2027-01-31")
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert (body["framework"], body["period"], body["assessments"]) == (framework.code, "2026", 4)
    assert (body["self_assessment_due"], body["appraisal_due"]) == (due, "2027-01-31")
    # Again, with other dates: the round keeps its deadlines; nothing is added.
    again = _open(appraiser, district, self_assessment_due="2026-12-01")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert again.json()["self_assessment_due"] == due
    listed = _api(appraiser).get("/api/v1/rounds/", {"period": "2026", "issuer": district.code})
    assert [r["id"] for r in listed.json()["results"]] == [body["id"]]


def test_a_round_of_chosen_units_and_the_refusals(framework, district, communes, appraiser):
    leader = MembershipFactory(unit=district, role="leader").user
    refused = _open(leader, district)
    assert refused.status_code == 400 and "Chỉ cán bộ thẩm định" in refused.content.decode()
    officer = MembershipFactory(unit=communes[0], role="commune_officer").user
    assert _open(officer, district).status_code == 404  # the district is not theirs to see
    stranger = MembershipFactory(unit=DistrictFactory(), role="appraiser").user
    assert _open(stranger, district).status_code == 404
    wrong = _open(appraiser, district, units=[communes[0].code, "99999"])
    assert wrong.status_code == 400
    (problem,) = wrong.json()["errors"]
    assert (problem["row"], problem["column"]) == (2, "units") and "99999" in problem["message"]
    late = _open(appraiser, district, self_assessment_due="2026-12-10", appraisal_due="2026-12-01")
    assert late.status_code == 400 and late.json()["errors"][0]["column"] == "appraisal_due"
    assert not Assessment.objects.filter(framework=framework).exists()
    chosen = _open(appraiser, district, units=[communes[0].code, communes[1].code])
    assert chosen.status_code == 201 and chosen.json()["assessments"] == 2


def test_open_round_command(framework, district, communes, capsys):
    call_command(
        "open_round", "--issuer", district.code, "--period", "2026", "--self-due", "2027-01-15"
    )
    assert "4 assessments added, self-assessment due 15/01/2027" in capsys.readouterr().out
    assert Round.objects.get(framework=framework).self_assessment_due == datetime.date(2027, 1, 15)


@pytest.fixture
def past_due(framework, district, communes, appraiser):
    """A round whose self-assessment deadline was yesterday; the first commune's officer."""
    _open(appraiser, district, self_assessment_due=(TODAY - DAY).isoformat())
    unit = communes[0]
    officer = MembershipFactory(unit=unit, role="commune_officer").user
    return {"unit": unit, "officer": officer, "round": Round.objects.get(framework=framework)}


def _writes(unit, officer):
    """Every path of a commune's self-assessment write: (name, HTTP status or problems)."""
    page = Client()
    page.force_login(officer)
    base = f"/assessments/{unit.code}/2026/"
    answers = {
        "page": page.post(
            base + "scores/1.1/",
            {"field": "self_points", "self_points": "5", "was": ""},
            HTTP_HX_REQUEST="true",
        ),
        "evidence": page.post(
            base + "scores/1.1/evidence/",
            {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
            HTTP_HX_REQUEST="true",
        ),
        "api": _api(officer).put(
            f"/api/v1/assessments/{unit.code}/2026/scores/",
            json.dumps([{"sub_code": "1.2", "self_points": "3", "explanation": "Đã làm"}]),
            content_type="application/json",
        ),
        "bonus claim": _api(officer).post(
            f"/api/v1/assessments/{unit.code}/2026/adjustments/",
            {"code": "T1", "points": "1", "reason": "Sáng kiến được công nhận"},
            format="json",
        ),
    }
    imported = scores_save(
        records=[
            (2, {"unit_code": unit.code, "period": "2026", "sub_code": "1.1", "self_points": "4"})
        ],
        user=officer,
    )
    answers["submit"] = page.post(base + "submit/")  # last: it closes the self-assessment
    return answers, imported


def test_every_write_is_refused_after_the_deadline_naming_it(past_due):
    unit, officer = past_due["unit"], past_due["officer"]
    answers, imported = _writes(unit, officer)
    deadline = _dmy(TODAY - DAY)
    for name, response in answers.items():
        assert response.status_code == 400, name
        assert deadline in response.content.decode(), name
    assert [(p.row, p.column) for p in imported.problems] == [(2, "self_points")]
    assert deadline in imported.problems[0].message
    score = Score.objects.get(assessment__unit=unit, sub_criterion__code="1.1")
    assert (score.self_points, score.evidence.count()) == (None, 0)
    assert Assessment.objects.get(unit=unit, period__code="2026").status == AssessmentStatus.OPEN
    # The commune's page says so.
    page = Client()
    page.force_login(officer)
    sheet = page.get(f"/assessments/{unit.code}/2026/").content.decode()
    assert f"Hạn tự đánh giá {deadline}" in sheet and 'name="self_points"' not in sheet


def test_an_extension_lets_one_unit_write_until_its_end(past_due, appraiser, communes):
    unit, officer, round_ = past_due["unit"], past_due["officer"], past_due["round"]
    api = _api(appraiser)
    granted = api.post(
        f"/api/v1/rounds/{round_.pk}/extensions/",
        {"unit_code": unit.code, "until": (TODAY + 2 * DAY).isoformat()},
        format="json",
    )
    assert granted.status_code == 201, granted.content
    answers, imported = _writes(unit, officer)
    assert answers["page"].status_code == 200 and answers["api"].status_code == 200
    assert answers["evidence"].status_code == 200 and imported.ok
    assert answers["submit"].status_code == 302  # submitted
    # Another unit of the round is still refused.
    other = MembershipFactory(unit=communes[1], role="commune_officer").user
    assert _writes(communes[1], other)[0]["api"].status_code == 400
    # An extension that has ended refuses again, naming its own end.
    Extension.objects.filter(round=round_).update(until=TODAY - DAY)
    round_.self_assessment_due = TODAY - 3 * DAY
    round_.save()
    Assessment.objects.filter(unit=unit).update(status=AssessmentStatus.OPEN)
    refused = _writes(unit, officer)[0]["api"]
    assert refused.status_code == 400 and _dmy(TODAY - DAY) in refused.content.decode()
    # Withdrawn: gone from the round.
    assert api.delete(f"/api/v1/rounds/{round_.pk}/extensions/{unit.code}/").status_code == 204
    assert not round_.extensions.exists()


def test_a_returned_self_assessment_stays_open_after_the_deadline(past_due, appraiser):
    unit, officer = past_due["unit"], past_due["officer"]
    Assessment.objects.filter(unit=unit).update(status=AssessmentStatus.RETURNED)
    answers, _imported = _writes(unit, officer)
    assert answers["api"].status_code == 200


def test_an_extension_must_end_after_the_deadline_and_name_an_assessed_unit(past_due, appraiser):
    round_ = past_due["round"]
    api = _api(appraiser)
    url = f"/api/v1/rounds/{round_.pk}/extensions/"
    early = api.post(
        url, {"unit_code": past_due["unit"].code, "until": "2020-01-01"}, format="json"
    )
    assert early.status_code == 400 and early.json()["errors"][0]["column"] == "until"
    unknown = api.post(url, {"unit_code": "99999", "until": "2099-01-01"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["column"] == "unit_code"
    officer_try = _api(past_due["officer"]).post(
        url, {"unit_code": past_due["unit"].code, "until": "2099-01-01"}, format="json"
    )
    assert officer_try.status_code == 400
    assert not Extension.objects.exists()


def test_the_round_page_shows_who_is_late_and_grants_extensions(past_due, appraiser, communes):
    round_ = past_due["round"]
    page = Client()
    page.force_login(appraiser)
    html = page.get(f"/rounds/{round_.pk}/").content.decode()
    assert html.count("Chưa nộp") == 4  # every unit is open past the deadline
    until = TODAY + 5 * DAY
    granted = page.post(
        f"/rounds/{round_.pk}/extensions/",
        {"unit_code": communes[2].code, "until": until.isoformat()},
        follow=True,
    )
    html = granted.content.decode()
    assert f"đến {_dmy(until)}" in html and html.count("Chưa nộp") == 3
    deadlines = page.post(
        f"/rounds/{round_.pk}/deadlines/",
        {"self_assessment_due": "2027-02-01", "appraisal_due": "2027-01-01"},
    )
    assert deadlines.status_code == 400
    assert Round.objects.get(pk=round_.pk).self_assessment_due == TODAY - DAY
    # A commune officer reads the round, without its forms; another district's appraiser: 404.
    reader = Client()
    reader.force_login(past_due["officer"])
    assert 'name="until"' not in reader.get(f"/rounds/{round_.pk}/").content.decode()
    stranger = Client()
    stranger.force_login(MembershipFactory(unit=DistrictFactory(), role="appraiser").user)
    assert stranger.get(f"/rounds/{round_.pk}/").status_code == 404


def test_a_round_is_opened_from_the_page(framework, district, communes, appraiser):
    page = Client()
    page.force_login(appraiser)
    form = page.get("/rounds/").content.decode()
    assert "Mở đợt đánh giá" in form or "Open the round" in form
    opened = page.post(
        "/rounds/",
        {
            "framework": framework.pk,
            "period": "2026",
            "self_assessment_due": "2027-01-15",
            "units": f"{communes[0].code}, {communes[1].code}",
        },
    )
    assert opened.status_code == 302
    round_ = Round.objects.get(framework=framework)
    assert opened["Location"] == f"/rounds/{round_.pk}/"
    assert Assessment.objects.filter(framework=framework).count() == 2


def test_the_round_page_publishes_once_every_unit_is_appraised(past_due, appraiser, framework):
    round_ = past_due["round"]
    page = Client()
    page.force_login(appraiser)
    html = page.get(f"/rounds/{round_.pk}/").content.decode()
    assert "4 đơn vị chưa được thẩm định" in html and 'name="decision_number"' not in html
    refused = page.post(
        f"/rounds/{round_.pk}/publish/",
        {"decision_number": "9/QĐ", "decision_date": "2027-01-20"},
    )
    assert (
        refused.status_code == 400
        and refused.content.decode().count("chưa được thẩm định xong") == 4
    )
    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.APPRAISED)
    assert 'name="decision_number"' in page.get(f"/rounds/{round_.pk}/").content.decode()
    done = page.post(
        f"/rounds/{round_.pk}/publish/",
        {"decision_number": "9/QĐ", "decision_date": "2027-01-20"},
        follow=True,
    )
    html = done.content.decode()
    assert "quyết định 9/QĐ ngày 20/01/2027" in html and "annex.xlsx" in html
    assert 'name="self_assessment_due"' not in html  # final: nothing more to change
