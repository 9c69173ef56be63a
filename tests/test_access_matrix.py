"""Every URL pattern of the portal and the API, generated from the resolver, against every role.

People outside a commune get 404, the sign-in page or a refusal, never its data, whatever ids
they put in the URL or the body; and nothing they send changes it. A new URL is covered the day
it is added: the test walks the resolver, it does not keep a list.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from dossiers.models import DossierReport, ImportJob
from dossiers.services import dossier_reports_save
from scoring.assessments.evidence import evidence_add
from scoring.models import Assessment, Evidence, Framework, RankingRun, Result, Score
from scoring.rankings.publication import group_publish
from tests.factories import CommuneFactory, DistrictFactory, MembershipFactory
from tests.helpers import dossier_row, recompute, save_scores

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Reachable without signing in; they hold no unit's data.
PUBLIC = {"healthz", "set_language", "api-token", "login", "logout", "home"}
PUBLIC |= {"password_reset", "password_reset_done", "password_reset_confirm"}
PUBLIC |= {"password_reset_complete"}
REFUSED = {400, 401, 403, 404, 405, 415}  # 415: a JSON-only route sent a form, or back
# The group's framework and its ranking are read by every commune the group ranks, not only the
# target: an officer of a neighbouring commune sees the target's name and index there, and
# nothing else of it.
GROUP_LEVEL = {"framework-detail", "framework-download", "rankings", "rankings-export", "charts"}


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + pattern.pattern.regex.pattern[1:])
        elif isinstance(pattern, URLPattern):
            yield prefix + pattern.pattern.regex.pattern.lstrip("^"), pattern.name


def _url(regex: str, values: dict) -> str:
    """Fill a route's named groups; format suffix routes get .json."""

    def group(match):
        name = match.group(1)
        return values[name]

    url = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", group, regex)
    url = url.replace("\\Z", "").replace("$", "").replace("/?", "/").replace("\\.", ".")
    return "/" + url


ROUTES = sorted(
    {(regex, name) for regex, name in _patterns(get_resolver().url_patterns)}
    - {(r, n) for r, n in _patterns(get_resolver().url_patterns) if r.startswith("admin/")},
    key=lambda item: item[0],
)


@pytest.fixture
def world(make_group, district, communes):
    framework, period = make_group()
    target, neighbour = communes[0], communes[1]
    assert dossier_reports_save(
        records=[(2, dossier_row(target.code, "2024-05", received=10, resolved_on_time=10))]
    ).ok
    save_scores(period, {target.code: {"1.1": "3"}, neighbour.code: {"1.1": "2"}})
    recompute(framework, period)
    officer = MembershipFactory(unit=target, role="commune_officer").user
    score = Score.objects.get(assessment__unit=target, sub_criterion__code="1.1")
    evidence = evidence_add(score=score, upload=SimpleUploadedFile("kh.pdf", PDF), user=officer)
    far = CommuneFactory(parent=DistrictFactory())
    users = {
        "officer of the unit": officer,
        "officer of another unit": MembershipFactory(unit=neighbour, role="commune_officer").user,
        "appraiser in the group": MembershipFactory(unit=district, role="appraiser").user,
        "appraiser outside": MembershipFactory(unit=far.parent, role="appraiser").user,
        "leader in the group": MembershipFactory(unit=district, role="leader").user,
        "leader outside": MembershipFactory(unit=far.parent, role="leader").user,
        "anonymous": None,
    }
    values = {
        "code": target.code,
        "unit_code": target.code,
        "period": period.code,
        "sub_code": "1.1",
        "month": "2024-05",
        "token": "0" * 32,
        "uidb64": "MQ",
        "kind": "xlsx",
        "format": "json",
        "path": evidence.file.name,
        # A statistics file the unit's officer is having read in the background.
        "job_id": str(
            ImportJob.objects.create(
                created_by=officer,
                commune=target,
                file_name="thang-5.csv",
                path="imports/none.csv",
                dry_run=True,
                status="succeeded",
                result={"created": 1, "updated": 0, "unchanged": 0, "problems": []},
            ).pk
        ),
    }
    ids = {
        "evidence": evidence.pk,
        "framework": framework.pk,
        "ranking-run": RankingRun.objects.filter(framework=framework).first().pk,
        "dossier-report": DossierReport.objects.get(commune=target).pk,
    }
    return {
        "target": target,
        "users": users,
        "values": values,
        "ids": ids,
        "framework": framework,
        "period": period,
    }


def _values_for(world, name):
    values = dict(world["values"])
    kind = next((k for k in world["ids"] if name and name.startswith(k)), "evidence")
    values["pk"] = str(world["ids"][kind])
    return values


def _payloads(world):
    """What a malicious user would send to each route to change the target unit."""
    code, period = world["target"].code, world["period"].code
    row = dossier_row(code, "2024-05", received=99, resolved_on_time=99)
    csv = ",".join(row) + "\n" + ",".join(str(v) for v in row.values()) + "\n"
    return {
        "score-save": {"field": "self_points", "self_points": "6", "was": "3"},
        "appraisal-return": {"return_note": "x"},
        "dossier-month": {k: v for k, v in row.items() if k not in ("commune_code", "month")},
        "dossier-upload": {"file": SimpleUploadedFile("a.csv", csv.encode())},
        "dossier-report-import-file": {"file": SimpleUploadedFile("a.csv", csv.encode())},
        "evidence-upload": {"file": SimpleUploadedFile("b.pdf", PDF)},
        "score-evidence": {"file": SimpleUploadedFile("b.pdf", PDF)},
        "frameworks": {"issuer": world["framework"].issuer.code, "year": 2024},
        "api-json": {
            "dossier-report-list": [row],
            "assessment-scores": [{"sub_code": "1.1", "self_points": 6, "appraised_points": 6}],
            "framework-list": {"issuer": world["framework"].issuer.code, "year": 2030},
        },
        "_": (code, period),
    }


def _snapshot(world):
    target = world["target"]
    return (
        list(
            Score.objects.filter(assessment__unit=target)
            .order_by("pk")
            .values_list("self_points", "appraised_points", "explanation")
        ),
        list(Evidence.objects.filter(score__assessment__unit=target).values_list("pk")),
        list(DossierReport.objects.filter(commune=target).values_list("received")),
        list(Assessment.objects.filter(unit=target).values_list("status")),
    )


def _requests(client, world, regex, name, payloads):
    url = _url(regex, _values_for(world, name))
    yield "GET", url, client.get(url)
    body = payloads.get(name)
    yield "POST", url, client.post(url, body or {})
    if url.startswith("/api/"):
        data = payloads["api-json"].get(name, [])
        yield "POST json", url, client.post(url, data, content_type="application/json")
        yield "PUT", url, client.put(url, data, content_type="application/json")
        yield "DELETE", url, client.delete(url)


@pytest.mark.parametrize(
    "role",
    [
        "officer of another unit",
        "appraiser outside",
        "leader outside",
        "anonymous",
    ],
)
def test_outsiders_never_reach_a_units_data(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    payloads = _payloads(world)
    before = _snapshot(world)
    name_of_target = world["target"].name
    checked = 0
    for regex, name in ROUTES:
        if user is not None:
            client.force_login(user)  # signing out is one of the routes
        for method, url, response in _requests(client, world, regex, name, payloads):
            where = f"{role}: {method} {url} ({name})"
            assert response.status_code < 500, where
            body = b"".join(response.streaming_content) if response.streaming else response.content
            same_group = role == "officer of another unit" and name in GROUP_LEVEL
            assert same_group or name_of_target.encode() not in body, where
            assert PDF not in body, where
            if name in PUBLIC:
                continue
            login_redirect = response.status_code == 302 and response["Location"].startswith(
                "/accounts/login/"
            )
            if response.status_code == 200 and name in ("api-schema", "api-docs", "api-root"):
                continue  # the API's description, no data
            assert (
                login_redirect
                or response.status_code in REFUSED
                or (
                    response.status_code in (200, 302)
                    and user is not None
                    and (_unit_free(name) or same_group)
                )
            ), f"{where}: {response.status_code}"
            checked += 1
    assert _snapshot(world) == before, f"{role} changed the target unit's data"
    assert checked > 100


def _unit_free(name) -> bool:
    """Routes with no unit in the URL: they answer with the user's own scope (checked above
    not to contain the target), so a 200 is right."""
    return name in {
        "export-mapping-list",  # how source systems' exports read: no unit's data
        "export-mapping-detail",
        "dossier-export",  # the upload form; the units of a file are checked row by row
        "notices",
        "notices-read",
        "notice-preference",
        "rankings",
        "charts",
        "my-assessments",
        "appraisal-overview",
        "frameworks",
        "password_change",
        "password_change_done",
        "unit-list",
        "framework-list",
        "period-list",
        "period-detail",
        "assessment-list",
        "dossier-report-list",
        "ranking-run-list",
        "round-list",
        "publication-list",
        "rounds",
        "rankings-export",
        "unit-search",
    }


@pytest.mark.parametrize(
    "role", ["officer of the unit", "appraiser in the group", "leader in the group"]
)
def test_insiders_read_the_unit_pages(client, world, role):
    client.force_login(world["users"][role])
    code, period = world["target"].code, world["period"].code
    for url in (
        f"/units/{code}/",
        f"/assessments/{code}/{period}/",
        f"/appraisal/{code}/{period}/",
        f"/dossiers/{code}/?year=2024",
        f"/api/v1/assessments/{code}/{period}/scores/",
        f"/api/v1/evidence/{world['ids']['evidence']}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, f"{role}: {url}"


def test_the_admin_is_for_staff_only(client, world):
    for role, user in world["users"].items():
        if user is not None:
            client.force_login(user)
        response = client.get("/admin/scoring/score/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
        client.logout()


def test_uploaded_evidence_is_not_served_as_a_static_file(client, world):
    client.force_login(world["users"]["officer of the unit"])
    path = world["values"]["path"]
    assert client.get(f"/media/{path}").status_code == 404


# What each insider's role may change of the target unit; every other part must stay as it was
# whatever they send to whichever route.
MAY_CHANGE = {
    "officer of the unit": {"self-assessment", "evidence", "statistics", "status"},
    "appraiser in the group": {"appraisal", "status", "frameworks"},
    "leader in the group": set(),
}


def _parts(world):
    target = world["target"]
    scores = Score.objects.filter(assessment__unit=target).order_by("pk")
    return {
        "self-assessment": list(scores.values_list("self_points", "explanation")),
        "appraisal": list(scores.values_list("appraised_points", "appraisal_reason")),
        "evidence": list(Evidence.objects.filter(score__assessment__unit=target).values_list("pk")),
        "statistics": list(
            DossierReport.objects.filter(commune=target).order_by("month").values_list("received")
        ),
        "status": list(Assessment.objects.filter(unit=target).values_list("status")),
        "frameworks": list(Framework.objects.order_by("pk").values_list("pk", "max_points")),
        "results": list(
            Result.objects.filter(unit=target).values_list("index_percent", "rank", "provisional")
        ),
    }


def _every_write(client, world, user):
    """Each route with the payloads of both sides: self-assessment and appraisal fields."""
    for field, value in (("self_points", "6"), ("appraised_points", "5")):
        payloads = _payloads(world)
        payloads["score-save"] = {"field": field, field: value, "was": ""}
        for regex, name in ROUTES:
            client.force_login(user)  # signing out is one of the routes
            for method, url, response in _requests(client, world, regex, name, payloads):
                assert response.status_code < 500, f"{method} {url} ({name})"


@pytest.mark.parametrize("role", sorted(MAY_CHANGE))
def test_insiders_change_only_what_their_role_may(client, world, role):
    before = _parts(world)
    _every_write(client, world, world["users"][role])
    after = _parts(world)
    for part in before.keys() - MAY_CHANGE[role] - {"results"}:
        assert after[part] == before[part], f"{role} changed {part}"


@pytest.mark.parametrize("role", ["officer of the unit", "appraiser in the group"])
def test_no_write_changes_a_published_group(client, world, role):
    group_publish(
        framework=world["framework"],
        period=world["period"],
        decision_number="7/QĐ-UBND",
        decision_date=datetime.date(2024, 12, 30),
    )
    before = _parts(world)
    _every_write(client, world, world["users"][role])
    after = _parts(world)
    # Statistics of later months may still arrive; nothing of the published group changes.
    for part in before.keys() - {"statistics", "frameworks"}:
        assert after[part] == before[part], f"{role} changed {part} after publication"
