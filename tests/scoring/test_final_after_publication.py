"""Published results are final (#13): every write to the group, by every role and every path —
pages, API, import, admin — is refused, and nothing changes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from scoring.assessments.imports import scores_save
from scoring.models import Adjustment, Assessment, AssessmentStatus, Evidence, Extension, Round
from scoring.rankings.publication import results_publish
from tests.factories import MembershipFactory, UserFactory, framework_doc
from tests.helpers import save_scores

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
BONUS = {"bonus": {"max": 2, "items": [{"code": "T1", "name": "Sáng kiến", "max_points": 1}]}}


@pytest.fixture
def published(make_group, district, communes):
    framework, period = make_group(doc=framework_doc() | BONUS)
    save_scores(period, {c.code: {"1.1": ("5", "4"), "1.2": ("3", "3")} for c in communes})
    appraiser = MembershipFactory(unit=district, role="appraiser").user
    from scoring.rounds.services import round_open

    round_open(framework=framework, period=period, user=appraiser)
    Assessment.objects.filter(framework=framework).update(status=AssessmentStatus.APPRAISED)
    results_publish(
        framework=framework,
        period=period,
        decision_number="1/QĐ",
        decision_date=period.end,
        user=appraiser,
    )
    return framework, period, appraiser


def _state(framework):
    return (
        list(
            Assessment.objects.filter(framework=framework)
            .order_by("pk")
            .values_list("status", "return_note")
        ),
        sorted(
            (s.sub_criterion.code, s.self_points, s.appraised_points, s.explanation, s.count)
            for a in Assessment.objects.filter(framework=framework)
            for s in a.scores.select_related("sub_criterion")
        ),
        Evidence.objects.filter(score__assessment__framework=framework).count(),
        Adjustment.objects.filter(assessment__framework=framework).count(),
        list(Round.objects.filter(framework=framework).values_list("self_assessment_due")),
        Extension.objects.filter(round__framework=framework).count(),
    )


def _clients(user):
    page, api = Client(), APIClient()
    page.force_login(user)
    api.force_authenticate(user)
    return page, api


def test_every_write_by_every_role_and_path_is_refused(published, district, communes):
    framework, period, appraiser = published
    unit = communes[0]
    officer = MembershipFactory(unit=unit, role="commune_officer").user
    admin_member = MembershipFactory(unit=district, role="admin").user
    before = _state(framework)
    base = f"/assessments/{unit.code}/{period.code}/"
    sheet = f"/appraisal/{unit.code}/{period.code}/"
    api = f"/api/v1/assessments/{unit.code}/{period.code}/"
    round_id = Round.objects.get(framework=framework).pk
    answers = []
    for who, user in (("officer", officer), ("appraiser", appraiser), ("admin", admin_member)):
        page, client = _clients(user)
        hx = {"HTTP_HX_REQUEST": "true"}
        field = "self_points" if who == "officer" else "appraised_points"
        answers += [
            (
                who,
                "page points",
                page.post(base + "scores/1.1/", {"field": field, field: "1", "was": ""}, **hx),
            ),  # noqa: E501
            (
                who,
                "page evidence",
                page.post(
                    base + "scores/1.1/evidence/",
                    {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
                    **hx,
                ),
            ),  # noqa: E501
            (who, "page submit", page.post(base + "submit/")),
            (who, "page return", page.post(sheet + "return/", {"return_note": "x"})),
            (who, "page finish", page.post(sheet + "finish/")),
            (
                who,
                "page deadlines",
                page.post(f"/rounds/{round_id}/deadlines/", {"self_assessment_due": "2030-01-01"}),
            ),  # noqa: E501
            (
                who,
                "page extension",
                page.post(
                    f"/rounds/{round_id}/extensions/",
                    {"unit_code": unit.code, "until": "2030-01-01"},
                ),
            ),  # noqa: E501
            (
                who,
                "api scores",
                client.put(api + "scores/", [{"sub_code": "1.1", field: "1"}], format="json"),
            ),  # noqa: E501
            (
                who,
                "api adjustments",
                client.post(
                    api + "adjustments/",
                    {"code": "T1", "points": "1", "reason": "x"},
                    format="json",
                ),
            ),  # noqa: E501
            (
                who,
                "api penalty",
                client.post(
                    api + "adjustments/",
                    {"code": "penalty", "points": "1", "reason": "x"},
                    format="json",
                ),
            ),  # noqa: E501
            (
                who,
                "api evidence",
                client.post(
                    api + "scores/1.1/evidence/",
                    {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
                    format="multipart",
                ),
            ),  # noqa: E501
            (
                who,
                "api status",
                client.post(api + "status/", {"status": "returned", "note": "x"}, format="json"),
            ),  # noqa: E501
            (
                who,
                "api deadlines",
                client.patch(
                    f"/api/v1/rounds/{round_id}/",
                    {"self_assessment_due": "2030-01-01"},
                    format="json",
                ),
            ),  # noqa: E501
            (
                who,
                "api extension",
                client.post(
                    f"/api/v1/rounds/{round_id}/extensions/",
                    {"unit_code": unit.code, "until": "2030-01-01"},
                    format="json",
                ),
            ),  # noqa: E501
        ]
        imported = scores_save(
            records=[
                (
                    2,
                    {
                        "unit_code": unit.code,
                        "period": period.code,
                        "sub_code": "1.1",
                        "self_points": "1",
                        "appraised_points": "1",
                    },
                )  # noqa: E501
            ],
            user=user,
        )
        assert imported.problems, f"{who}: import"
    refused = {400, 403, 404}
    wrong = [(who, path, r.status_code) for who, path, r in answers if r.status_code not in refused]
    assert wrong == []
    # The page that takes a form answers with its refusal; none says it saved.
    assert all("Đã lưu" not in r.content.decode() for _w, _p, r in answers)
    # The administrator's site shows scores, results and publications, and changes none.
    superuser = UserFactory(is_superuser=True, is_staff=True)
    page, _client = _clients(superuser)
    score = Assessment.objects.get(unit=unit, framework=framework).scores.first()
    change = page.post(f"/admin/scoring/score/{score.pk}/change/", {"self_points": "0"})
    assert change.status_code == 403
    assert _state(framework) == before
