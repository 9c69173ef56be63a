"""Every endpoint with the whole cast: officer of the unit, officer of another unit, appraiser of
the group, appraiser of another group, leader, anonymous."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dossiers.models import DossierReport
from dossiers.services import dossier_reports_save
from scoring.models import Evidence, Framework, Score
from tests.factories import (
    DERIVED_DOC,
    CommuneFactory,
    DistrictFactory,
    MembershipFactory,
    UserFactory,
    framework_doc,
)
from tests.helpers import dossier_row, recompute, save_scores

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(make_group, district, communes):
    framework, period = make_group(DERIVED_DOC)
    own, other = communes[0], communes[1]
    assert dossier_reports_save(
        records=[
            (2, dossier_row(own.code, "2024-03", received=10, resolved_early=10, online_full=5))
        ]
    ).ok
    save_scores(period, {own.code: {"3.1": "2"}, other.code: {"3.1": "1"}})
    recompute(framework, period)
    far_district = DistrictFactory()
    cast = {
        "officer": MembershipFactory(unit=own, role="commune_officer").user,
        "other_officer": MembershipFactory(unit=other, role="commune_officer").user,
        "appraiser": MembershipFactory(unit=district, role="appraiser").user,
        "other_appraiser": MembershipFactory(unit=far_district, role="appraiser").user,
        "leader": MembershipFactory(unit=district, role="leader").user,
        "anonymous": None,
    }
    CommuneFactory(parent=far_district)
    return {
        "framework": framework,
        "period": period,
        "own": own,
        "other": other,
        "district": district,
        "cast": cast,
    }


def client_for(user, language="en"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


def statuses(world, method, url, **kwargs):
    return {
        role: getattr(client_for(user), method)(url, **kwargs).status_code
        for role, user in world["cast"].items()
    }


def test_units_are_scoped(world):
    code = world["own"].code
    assert statuses(world, "get", f"/api/v1/units/{code}/") == {
        "officer": 200,
        "other_officer": 404,
        "appraiser": 200,
        "other_appraiser": 404,
        "leader": 200,
        "anonymous": 401,
    }
    listed = (
        client_for(world["cast"]["appraiser"])
        .get("/api/v1/units/", {"level": "commune", "parent": world["district"].code})
        .json()
    )
    assert listed["count"] == 4
    officer_view = client_for(world["cast"]["officer"]).get("/api/v1/units/").json()
    assert [u["code"] for u in officer_view["results"]] == [code]


def test_frameworks_are_read_by_the_group_and_uploaded_by_its_appraisers(world):
    url = f"/api/v1/frameworks/{world['framework'].pk}/"
    assert statuses(world, "get", url) == {
        "officer": 200,
        "other_officer": 200,
        "appraiser": 200,
        "other_appraiser": 404,
        "leader": 200,
        "anonymous": 401,
    }
    tree = client_for(world["cast"]["officer"]).get(url).json()
    assert [s["code"] for s in tree["areas"][0]["sub_criteria"]][:2] == ["3.1", "3.2"]
    assert tree["areas"][0]["sub_criteria"][1]["steps"][0] == [100.0, 5.0]
    body = {"issuer": world["district"].code, "year": 2031, "document": framework_doc()}
    assert statuses(world, "post", "/api/v1/frameworks/", data=body, format="json") == {
        "officer": 404,
        "other_officer": 404,
        "appraiser": 201,
        "other_appraiser": 404,
        "leader": 403,
        "anonymous": 401,
    }
    bad = dict(body, document=framework_doc(bands=[{"label": "A", "min_percent": 50}]))
    response = client_for(world["cast"]["appraiser"]).post(
        "/api/v1/frameworks/", bad, format="json"
    )
    assert response.status_code == 400
    assert "do not cover 0" in response.json()["errors"][0]["message"]
    assert Framework.objects.filter(issuer=world["district"], year=2031).count() == 1


def test_periods_and_assessments(world):
    assert statuses(world, "get", "/api/v1/periods/2024/")["anonymous"] == 401
    assert (
        client_for(world["cast"]["officer"]).get("/api/v1/periods/2024/").json()["code"] == "2024"
    )
    listed = (
        client_for(world["cast"]["officer"]).get("/api/v1/assessments/", {"period": "2024"}).json()
    )
    assert [a["unit_code"] for a in listed["results"]] == [world["own"].code]
    listed = (
        client_for(world["cast"]["appraiser"])
        .get("/api/v1/assessments/", {"period": "2024"})
        .json()
    )
    assert listed["count"] == 4


def test_scores_are_read_within_scope(world):
    url = f"/api/v1/assessments/{world['own'].code}/2024/scores/"
    assert statuses(world, "get", url) == {
        "officer": 200,
        "other_officer": 404,
        "appraiser": 200,
        "other_appraiser": 404,
        "leader": 200,
        "anonymous": 401,
    }
    rows = {r["sub_code"]: r for r in client_for(world["cast"]["officer"]).get(url).json()}
    assert rows["3.4"]["metric_value"] == 50.0 and rows["3.4"]["points"] == 4.0
    assert rows["3.2"]["not_applicable"] is False and rows["3.1"]["self_points"] == 2.0


def test_scores_are_changed_by_the_right_role_only(world):
    url = f"/api/v1/assessments/{world['own'].code}/2024/scores/"
    self_change = [{"sub_code": "3.1", "self_points": "1.5", "explanation": "Đủ hồ sơ"}]
    assert statuses(world, "put", url, data=self_change, format="json") == {
        "officer": 200,
        "other_officer": 404,
        "appraiser": 400,
        "other_appraiser": 404,
        "leader": 403,
        "anonymous": 401,
    }
    appraisal = [{"sub_code": "3.1", "appraised_points": 1, "appraisal_reason": "Thiếu"}]
    assert (
        client_for(world["cast"]["appraiser"]).put(url, appraisal, format="json").status_code == 200
    )
    response = client_for(world["cast"]["officer"]).put(url, appraisal, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "appraised_points"
    score = Score.objects.get(assessment__unit=world["own"], sub_criterion__code="3.1")
    assert (score.self_points, score.appraised_points, score.explanation) == (
        Decimal("1.50"),
        Decimal("1.00"),
        "Đủ hồ sơ",
    )


def test_a_bad_score_change_names_its_row_and_writes_nothing(world):
    url = f"/api/v1/assessments/{world['own'].code}/2024/scores/"
    body = [
        {"sub_code": "3.1", "self_points": "1"},
        {"sub_code": "3.5", "self_points": "9"},
        {"sub_code": "9.9", "self_points": "1"},
    ]
    response = client_for(world["cast"]["officer"]).put(url, body, format="json")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [
        (2, "self_points"),
        (3, "sub_code"),
    ]
    assert Score.objects.get(
        assessment__unit=world["own"], sub_criterion__code="3.1"
    ).self_points == Decimal("2.00")
    assert client_for(world["cast"]["officer"]).put(url, {"x": 1}, format="json").status_code == 400


def test_evidence_upload_download_and_removal(world):
    base = f"/api/v1/assessments/{world['own'].code}/2024/scores/3.1/evidence/"
    officer = client_for(world["cast"]["officer"])
    upload = io.BytesIO(PDF)
    upload.name = "ke-hoach.pdf"
    created = officer.post(base, {"file": upload}, format="multipart")
    assert created.status_code == 201, created.json()
    evidence_id = created.json()["id"]
    fake = io.BytesIO(b"MZ\x90\x00 not a pdf")
    fake.name = "virus.pdf"
    refused = officer.post(base, {"file": fake}, format="multipart")
    assert (
        refused.status_code == 400 and "not really a pdf" in refused.json()["errors"][0]["message"]
    )
    exe = io.BytesIO(b"MZ")
    exe.name = "run.exe"
    assert officer.post(base, {"file": exe}, format="multipart").status_code == 400
    assert statuses(world, "get", base) == {
        "officer": 200,
        "other_officer": 404,
        "appraiser": 200,
        "other_appraiser": 404,
        "leader": 200,
        "anonymous": 401,
    }
    download = client_for(world["cast"]["appraiser"]).get(f"/api/v1/evidence/{evidence_id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "ke-hoach.pdf" in download["Content-Disposition"]
    assert (
        client_for(world["cast"]["other_officer"])
        .get(f"/api/v1/evidence/{evidence_id}/")
        .status_code
        == 404
    )
    assert (
        client_for(world["cast"]["appraiser"])
        .delete(f"/api/v1/evidence/{evidence_id}/")
        .status_code
        == 403
    )
    assert officer.delete(f"/api/v1/evidence/{evidence_id}/").status_code == 204
    assert not Evidence.objects.filter(pk=evidence_id).exists()


def _month(code, received=20):
    return {
        "commune_code": code,
        "month": "2024-04",
        "received": received,
        "resolved_early": received,
        "resolved_on_time": 0,
        "resolved_late": 0,
    }


def test_dossier_reports_list_and_bulk_write_are_scoped(world):
    own, other = world["own"].code, world["other"].code
    assert statuses(world, "get", "/api/v1/dossier-reports/", data={"commune": own}) == {
        "officer": 200,
        "other_officer": 200,
        "appraiser": 200,
        "other_appraiser": 200,
        "leader": 200,
        "anonymous": 401,
    }
    seen = (
        client_for(world["cast"]["other_officer"])
        .get("/api/v1/dossier-reports/", {"commune": own})
        .json()
    )
    assert seen["count"] == 0
    officer = client_for(world["cast"]["officer"])
    response = officer.post("/api/v1/dossier-reports/", [_month(own), _month(other)], format="json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "row": 2,
                "column": "commune_code",
                "message": f"{other} is not a commune whose statistics you may enter",
            }
        ]
    }
    # A code that exists nowhere gets the very same answer: bodies cannot probe for units.
    unknown = officer.post("/api/v1/dossier-reports/", [_month("99999")], format="json")
    assert unknown.json()["errors"][0]["message"] == (
        "99999 is not a commune whose statistics you may enter"
    )
    assert not DossierReport.objects.filter(month__year=2024, month__month=4).exists()
    in_vietnamese = client_for(world["cast"]["officer"], language="").post(
        "/api/v1/dossier-reports/", [_month(other)], format="json"
    )
    assert in_vietnamese.json()["errors"][0]["message"] == (
        f"{other} không phải là xã mà bạn được nhập số liệu"
    )
    ok = officer.post("/api/v1/dossier-reports/", [_month(own)], format="json")
    assert ok.status_code == 200
    assert ok.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
        "notices": [],
    }
    # Only commune officers write statistics: the appraiser of the group reads them.
    refused = client_for(world["cast"]["appraiser"]).post(
        "/api/v1/dossier-reports/", [_month(own, 25), _month(other)], format="json"
    )
    assert refused.status_code == 400
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [
        (1, "commune_code"),
        (2, "commune_code"),
    ]
    again = officer.post("/api/v1/dossier-reports/", [_month(own, 25)], format="json")
    assert again.json()["updated"] == 1
    assert (
        client_for(world["cast"]["leader"])
        .post("/api/v1/dossier-reports/", [_month(own)], format="json")
        .status_code
        == 400
    )
    listed = officer.get("/api/v1/dossier-reports/", {"month": "2024-04"}).json()
    assert [(r["commune_code"], r["received"]) for r in listed["results"]] == [(own, 25)]


def test_dossier_file_import_with_dry_run(world):
    officer = client_for(world["cast"]["officer"])
    content = (
        "commune_code,month,received,resolved_early,resolved_on_time,resolved_late\n"
        f"{world['own'].code},2024-05,12,10,2,0\n"
    ).encode()
    upload = io.BytesIO(content)
    upload.name = "thang5.csv"
    dry = officer.post(
        "/api/v1/dossier-reports/import/?dry_run=1", {"file": upload}, format="multipart"
    )
    assert dry.status_code == 200 and dry.json()["created"] == 1 and dry.json()["dry_run"]
    assert not DossierReport.objects.filter(month__month=5, month__year=2024).exists()
    upload.seek(0)
    done = officer.post("/api/v1/dossier-reports/import/", {"file": upload}, format="multipart")
    assert done.status_code == 200 and not done.json()["dry_run"]
    assert DossierReport.objects.get(month__month=5, month__year=2024).received == 12
    bad = io.BytesIO(b"commune_code,month\n1,2\n")
    bad.name = "x.csv"
    response = officer.post("/api/v1/dossier-reports/import/", {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert {e["column"] for e in response.json()["errors"]} >= {"received", "resolved_late"}


def test_rankings_are_scoped_and_say_when_they_were_computed(world):
    url = "/api/v1/rankings/"
    query = {"period": "2024", "group": world["district"].code}
    assert statuses(world, "get", url, data=query) == {
        "officer": 200,
        "other_officer": 200,
        "appraiser": 200,
        "other_appraiser": 404,
        "leader": 200,
        "anonymous": 401,
    }
    response = client_for(world["cast"]["leader"]).get(url, query)
    rows = response.json()
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows) and len(rows) == 4
    assert rows[0]["unit_code"] == world["own"].code
    assert set(rows[0]) == {
        "unit_code",
        "unit_name",
        "index_percent",
        "points",
        "max_points",
        "band",
        "rank",
        "previous_rank",
        "provisional",
        "ranking_group",
        "areas",
    }
    assert rows[0]["ranking_group"] is None  # the sample framework ranks all in one
    assert response["X-Rankings-As-Of"]
    # An officer sees the whole ranking of the group their commune is ranked in.
    seen_by_officer = client_for(world["cast"]["officer"]).get(url, query).json()
    assert seen_by_officer == rows
    bad = client_for(world["cast"]["leader"]).get(url, {"period": "2024-H9", "month": "7/2024"})
    assert bad.status_code == 400
    assert {e["column"] for e in bad.json()["errors"]} == {"period", "month"}
    missing = client_for(world["cast"]["leader"]).get(url, {"period": "2024-H1"})
    assert missing.status_code == 400
    assert {e["column"] for e in missing.json()["errors"]} == {"group"}
    runs = (
        client_for(world["cast"]["leader"])
        .get("/api/v1/ranking-runs/", {"group": world["district"].code})
        .json()
    )
    assert runs["count"] >= 1 and runs["results"][0]["status"] == "succeeded"
    assert (
        client_for(world["cast"]["other_appraiser"])
        .get("/api/v1/ranking-runs/", {"group": world["district"].code})
        .json()["count"]
        == 0
    )


def test_tokens_for_systems_and_their_throttle(world, settings):
    user = UserFactory(username="mot-cua")
    MembershipFactory(user=user, unit=world["own"], role="commune_officer")
    anonymous = APIClient()
    wrong = anonymous.post(
        "/api/v1/auth/token/", {"username": "mot-cua", "password": "x"}, format="json"
    )
    assert wrong.status_code == 400 and "errors" in wrong.json()
    token = anonymous.post(
        "/api/v1/auth/token/", {"username": "mot-cua", "password": "pw-123456"}, format="json"
    ).json()["token"]
    assert token == Token.objects.get(user=user).key
    system = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    cache.clear()
    settings.API_TOKEN_RATE = "3/min"
    assert [system.get("/api/v1/periods/").status_code for _ in range(4)] == [200, 200, 200, 429]
    # People in the browser are not throttled.
    browser = client_for(user)
    assert {browser.get("/api/v1/periods/").status_code for _ in range(5)} == {200}
    cache.clear()


def test_the_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/rankings/",
        "/api/v1/assessments/{unit_code}/{period}/scores/",
        "/api/v1/dossier-reports/",
        "/api/v1/dossier-reports/import/",
        "/api/v1/auth/token/",
        "/api/v1/units/",
    ):
        assert path in paths
    saved = paths["/api/v1/assessments/{unit_code}/{period}/scores/"]["put"]["responses"]["200"]
    assert saved["headers"]["X-Ranking-Status"]["schema"]["enum"] == ["deferred"]
    assert "headers" not in paths["/api/v1/auth/token/"]["post"]["responses"]["200"]
    docs = client.get("/api/docs/").content.decode()
    assert "http://" not in docs.replace("http://testserver", "") and "https://" not in docs
