"""One home per rule: each bug below was a writer that asked its own copy of a rule.

Every test here failed before the rules moved to scoring/assessments/rules.py,
dossiers/rules.py and dossiers/metrics.rate, and passes since.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from dossiers.metrics import METRICS, rate
from dossiers.models import DossierReport
from dossiers.services import dossier_reports_save
from scoring.assessments.evidence import evidence_add
from scoring.assessments.imports import scores_save
from scoring.models import Assessment, AssessmentStatus, Evidence, Score, Step, SubCriterion
from scoring.rankings.dashboards import unit_profile
from scoring.rankings.publication import group_publish
from tests.factories import framework_doc
from tests.helpers import dossier_row, recompute, save_scores

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_officer_cannot_delete_evidence_after_publication(make_group, communes, officer):
    framework, period = make_group()
    score = Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1")
    evidence = evidence_add(score=score, upload=SimpleUploadedFile("kh.pdf", PDF), user=officer)
    group_publish(
        framework=framework,
        period=period,
        decision_number="12/QĐ-UBND",
        decision_date=datetime.date(2024, 12, 30),
    )
    response = _api(officer).delete(f"/api/v1/evidence/{evidence.pk}/")
    assert response.status_code == 403
    assert "published" in response.json()["detail"]
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert evidence.file.storage.exists(evidence.file.name)


def test_appraiser_cannot_upload_monthly_statistics(make_group, communes, appraiser, client):
    make_group()
    commune = communes[0]
    row = dossier_row(commune.code, "2024-05", received=10, resolved_on_time=10)
    result = dossier_reports_save(records=[(2, row)], user=appraiser)
    assert [(p.row, p.column) for p in result.problems] == [(2, "commune_code")]
    response = _api(appraiser).post("/api/v1/dossier-reports/", [row], format="json")
    assert response.status_code == 400
    client.force_login(appraiser)
    page = client.get(f"/dossiers/{commune.code}/?year=2024")
    assert page.status_code == 200 and page.context["can_write"] is False
    form = {k: v for k, v in row.items() if k not in ("commune_code", "month")}
    assert client.post(f"/dossiers/{commune.code}/2024-05/", form).status_code == 403
    assert not DossierReport.objects.filter(
        commune=commune, month__year=2024, month__month=5
    ).exists()


def test_admin_refuses_step_points_above_the_maximum(client, district):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-12345678")
    doc = framework_doc(
        areas=[
            {
                "code": "1",
                "name": "Area",
                "sub_criteria": [
                    {
                        "code": "1.1",
                        "name": "On time",
                        "max_points": 5,
                        "method": "steps",
                        "metric": "on_time_rate",
                        "steps": [[100, 5], [90, 3], [0, 0]],
                    }
                ],
            }
        ]
    )
    from scoring.frameworks.services import framework_load

    framework, _ = framework_load(document=doc, issuer_code=district.code, year=2024)
    sub = SubCriterion.objects.get(framework=framework, code="1.1")
    steps = list(sub.steps.order_by("-threshold_percent"))
    client.force_login(admin)
    form = {
        "framework": framework.pk,
        "area": sub.area_id,
        "position": sub.position,
        "code": sub.code,
        "name": sub.name,
        "name_en": "",
        "max_points": "5",
        "method": "steps",
        "metric": "on_time_rate",
        "target_percent": "",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "3",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        form[f"steps-{i}-id"] = step.pk
        form[f"steps-{i}-sub_criterion"] = sub.pk
        form[f"steps-{i}-threshold_percent"] = str(step.threshold_percent)
        form[f"steps-{i}-points"] = str(step.points)
    form["steps-0-points"] = "9"
    response = client.post(f"/admin/scoring/subcriterion/{sub.pk}/change/", form)
    assert response.status_code == 200  # the form again, with the problem
    assert "bậc 1: 9 điểm vượt điểm tối đa 5" in _admin_errors(response)
    assert Step.objects.get(pk=steps[0].pk).points == Decimal(5)
    # Lowering the maximum below a stored step from the area's editor is refused the same way.
    area_form = {
        "framework": framework.pk,
        "code": "1",
        "name": "Area",
        "name_en": "",
        "position": 1,
        "sub_criteria-TOTAL_FORMS": "1",
        "sub_criteria-INITIAL_FORMS": "1",
        "sub_criteria-MIN_NUM_FORMS": "0",
        "sub_criteria-MAX_NUM_FORMS": "1000",
        "sub_criteria-0-id": sub.pk,
        "sub_criteria-0-area": sub.area_id,
        "sub_criteria-0-position": sub.position,
        "sub_criteria-0-code": "1.1",
        "sub_criteria-0-name": "On time",
        "sub_criteria-0-max_points": "2",
        "sub_criteria-0-method": "steps",
        "sub_criteria-0-metric": "on_time_rate",
        "sub_criteria-0-target_percent": "",
    }
    response = client.post(f"/admin/scoring/area/{sub.area_id}/change/", area_form)
    assert response.status_code == 200
    assert "bậc 1: 5 điểm vượt điểm tối đa 2" in _admin_errors(response)
    assert SubCriterion.objects.get(pk=sub.pk).max_points == Decimal(5)
    # A sound edit still saves.
    form["steps-0-points"] = "4"
    response = client.post(f"/admin/scoring/subcriterion/{sub.pk}/change/", form)
    assert response.status_code == 302
    assert Step.objects.get(pk=steps[0].pk).points == Decimal(4)


def _admin_errors(response) -> str:
    """The problems the admin shows above its forms (the admin speaks Vietnamese)."""
    return " ".join(str(e) for e in response.context["errors"])


def test_scores_import_refuses_self_points_on_a_submitted_assessment(
    make_group, communes, officer, appraiser
):
    framework, period = make_group()
    save_scores(period, {communes[0].code: {"1.1": "3", "1.2": "2"}}, user=officer)
    Assessment.objects.filter(unit=communes[0]).update(status=AssessmentStatus.SUBMITTED)
    record = {"unit_code": communes[0].code, "period": period.code, "sub_code": "1.1"}
    result = scores_save(records=[(2, {**record, "self_points": "6"})], user=officer)
    assert [(p.row, p.column) for p in result.problems] == [(2, "self_points")]
    assert "submitted" in result.problems[0].message
    explained = scores_save(records=[(3, {**record, "explanation": "late"})], user=officer)
    assert [(p.row, p.column) for p in explained.problems] == [(3, "explanation")]
    assert Score.objects.get(
        assessment__unit=communes[0], sub_criterion__code="1.1"
    ).self_points == Decimal(3)
    # The appraiser still appraises it.
    appraised = scores_save(records=[(2, {**record, "appraised_points": "5"})], user=appraiser)
    assert appraised.ok, appraised.problems


def test_one_rate_one_rounding_engine_and_profile(make_group, communes):
    doc = framework_doc(
        areas=[
            {
                "code": "1",
                "name": "Area",
                "sub_criteria": [
                    {
                        "code": "1.1",
                        "name": "Late",
                        "max_points": 5,
                        "method": "ratio_target",
                        "metric": "on_time_rate",
                        "target_percent": 100,
                    }
                ],
            }
        ]
    )
    framework, period = make_group(doc=doc)
    commune = communes[0]
    # 1 of 800 resolved on time: 0.125 %, which rounds half up to 0.13 %.
    row = dossier_row(commune.code, "2024-05", received=800, resolved_on_time=1, resolved_late=799)
    assert dossier_reports_save(records=[(2, row)]).ok
    recompute(framework, period)
    stored = Score.objects.get(assessment__unit=commune, sub_criterion__code="1.1").metric_value
    assert stored == Decimal("0.13")
    shown = [m["on_time"] for m in unit_profile(commune).months]
    assert shown == [Decimal("0.13")]
    assert rate(METRICS["on_time_rate"], {"resolved_on_time": 1, "resolved_late": 799}) == (
        Decimal("0.13")
    )
