"""The rules real frameworks state (#12): deductions by count, what an item earns when there is
nothing to count, the index over the fixed or the applicable maximum, and optional areas. Every
expected value is worked out by hand in the comments."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from scoring.models import Score
from tests.factories import MembershipFactory, framework_doc
from tests.helpers import dossier_row, recompute, save_scores, statistics

pytestmark = pytest.mark.django_db
D = Decimal


def doc_with(*areas, denominator=None):
    doc = framework_doc(areas=list(areas))
    if denominator:
        doc["denominator"] = denominator
    return doc


def area(code, *subs, optional=False):
    item = {"code": code, "name": f"Lĩnh vực {code}", "sub_criteria": list(subs)}
    if optional:
        item["optional"] = True
    return item


def manual(code, maximum, method="manual"):
    return {"code": code, "name": code, "max_points": maximum, "method": method}


def test_a_deduction_counts_a_dossier_counter_and_never_goes_below_zero(make_group, communes):
    late = {
        "code": "1.1",
        "name": "Hồ sơ trễ hạn",
        "max_points": 5,
        "method": "deduction",
        "metric": "resolved_late",
        "per_count": 0.5,
    }
    framework, period = make_group(doc_with(area("1", late, manual("1.2", 5))))
    a, b, c, d = (u.code for u in communes)
    statistics(
        dossier_row(a, "2024-03", received=20, resolved_on_time=17, resolved_late=3),
        dossier_row(b, "2024-03", received=20, resolved_on_time=8, resolved_late=12),
        dossier_row(c, "2024-03", received=10, resolved_on_time=10),
    )
    save_scores(period, {a: {"1.2": 5}, b: {"1.2": 5}, c: {"1.2": 4}, d: {"1.1": 2, "1.2": 3}})
    results = recompute(framework, period)
    points = {
        s.assessment.unit.code: s.points
        for s in Score.objects.filter(
            sub_criterion__code="1.1", assessment__framework=framework
        ).select_related("assessment__unit")
    }
    # 5 − 3 × 0.5 = 3.5; 5 − 12 × 0.5 = −1 → 0; no late dossier: 5; no statistics at all
    # (when_nothing manual, the default): the commune's 2 points.
    assert points == {a: D("3.5"), b: D(0), c: D(5), d: D(2)}
    # (3.5 + 5) / 10 = 85 %; (0 + 5) / 10 = 50 %; (5 + 4) / 10 = 90 %; (2 + 3) / 10 = 50 %.
    assert [results[x].index_percent for x in (a, b, c, d)] == [D(85), D(50), D(90), D(50)]


def test_a_deduction_counted_by_hand_takes_the_appraisers_count(make_group, communes, district):
    counted = {
        "code": "1.1",
        "name": "Văn bản trái pháp luật",
        "max_points": 3,
        "method": "deduction",
        "per_count": 0.75,
    }
    framework, period = make_group(doc_with(area("1", counted, manual("1.2", 7))))
    a, b = communes[0].code, communes[1].code
    save_scores(period, {a: {"1.2": 7}, b: {"1.1": 3, "1.2": 7}})
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(MembershipFactory(unit=district, role="appraiser").user)
    url = f"/api/v1/assessments/{a}/{period.code}/scores/"
    answer = api.put(url, [{"sub_code": "1.1", "count": 2}], format="json")
    assert answer.status_code == 200, answer.content
    assert next(s for s in answer.json() if s["sub_code"] == "1.1")["count"] == 2
    refused = api.put(url, [{"sub_code": "1.2", "count": 1}], format="json")
    assert refused.status_code == 400
    assert "a count is entered only for a deduction counted by hand" in refused.content.decode()
    results = recompute(framework, period)
    # 3 − 2 × 0.75 = 1.5, (1.5 + 7) / 10 = 85 %; without a count the commune's 3 points stand:
    # 100 %.
    assert (results[a].index_percent, results[b].index_percent) == (D(85), D(100))


def nothing_doc(denominator):
    on_time = {
        "code": "1.1",
        "name": "Đúng hạn",
        "max_points": 4,
        "method": "steps",
        "metric": "on_time_rate",
        "steps": [[100, 4], [90, 2], [0, 0]],
        "when_nothing": "full",
    }
    online = {
        "code": "1.2",
        "name": "Trực tuyến",
        "max_points": 2,
        "method": "ratio_target",
        "metric": "online_rate",
        "target_percent": 50,
        "when_nothing": "exclude",
    }
    return doc_with(area("1", on_time, online, manual("1.3", 4)), denominator=denominator)


@pytest.mark.parametrize(
    ("denominator", "index", "maximum"),
    [
        # Nothing to count: 1.1 earns its 4 points, 1.2 leaves the maximum (10 − 2 = 8), 1.3 has
        # the commune's 3: 7 points. Over the applicable 8: 87.50 %; over the fixed 10: 70 %.
        ("applicable", D("87.50"), D(8)),
        ("fixed", D(70), D(10)),
    ],
)
def test_when_nothing_gives_full_points_or_leaves_the_maximum(
    make_group, communes, district, client, denominator, index, maximum
):
    framework, period = make_group(nothing_doc(denominator))
    a, b = communes[0].code, communes[1].code
    statistics(
        dossier_row(b, "2024-03", received=10, resolved_on_time=10, online_full=5),
    )
    save_scores(period, {a: {"1.3": 3}, b: {"1.3": 4}})
    results = recompute(framework, period)
    assert (results[a].index_percent, results[a].max_points) == (index, maximum)
    # The area's percent always uses its maximum less the items left out: 7 / 8.
    area_result = results[a].area_results.get()
    assert (area_result.points, area_result.max_points, area_result.percent) == (
        D(7),
        D(8),
        D("87.50"),
    )
    # With statistics: 100 % on time → 4; online 5 of 10 = 50 % of the 50 % target → 2; + 4.
    assert results[b].index_percent == D(100)
    left_out = Score.objects.get(assessment__unit__code=a, sub_criterion__code="1.2")
    assert (left_out.excluded, left_out.points) == (True, D(0))
    # The maximum is shown beside the index, and served with it.
    leader = MembershipFactory(unit=district, role="leader").user
    client.force_login(leader)
    page = client.get("/rankings/", {"group": district.code, "period": period.code})
    assert f'7<span class="muted">/{maximum:g}</span>' in page.content.decode()
    api = APIClient()
    api.force_authenticate(leader)
    rows = api.get("/api/v1/rankings/", {"group": district.code, "period": period.code}).json()
    row = next(r for r in rows if r["unit_code"] == a)
    assert (row["points"], row["max_points"]) == (7.0, float(maximum))


@pytest.mark.parametrize(
    ("denominator", "expected"),
    [
        # a: 5 points and nothing in the optional survey → over 6: 83.33 %; b: 5 + 2 = 7 / 10;
        # c: a survey of 0 entered is a survey run: 5 / 10.
        ("applicable", {"a": D("83.33"), "b": D(70), "c": D(50)}),
        # Over the fixed 10 the optional area changes nothing: 50 %, 70 %, 50 %.
        ("fixed", {"a": D(50), "b": D(70), "c": D(50)}),
    ],
)
def test_an_optional_area_without_points_leaves_the_maximum(
    make_group, communes, denominator, expected
):
    doc = doc_with(
        area("1", manual("1.1", 6)),
        area("2", manual("2.1", 4, method="survey"), optional=True),
        denominator=denominator,
    )
    framework, period = make_group(doc)
    a, b, c = (u.code for u in communes[:3])
    save_scores(period, {a: {"1.1": 5}, b: {"1.1": 5, "2.1": 2}, c: {"1.1": 5, "2.1": 0}})
    results = recompute(framework, period)
    assert {
        k: results[code].index_percent for k, code in zip("abc", (a, b, c), strict=True)
    } == expected
    # Nothing entered: the area is not assessed for a (no percent, not 0 %); c scored it 0.
    survey = results[a].area_results.get(area__code="2")
    assert (survey.max_points, survey.percent) == (D(0), None)
    assert results[c].area_results.get(area__code="2").percent == D(0)


def test_the_sheet_explains_a_deduction_beside_its_points(make_group, communes, client):
    late = {
        "code": "1.1",
        "name": "Hồ sơ trễ hạn",
        "max_points": 5,
        "method": "deduction",
        "metric": "resolved_late",
        "per_count": 0.5,
    }
    framework, period = make_group(doc_with(area("1", late, manual("1.2", 5))))
    code = communes[0].code
    statistics(dossier_row(code, "2024-03", received=20, resolved_on_time=17, resolved_late=3))
    save_scores(period, {code: {"1.2": 5}})
    recompute(framework, period)
    client.force_login(MembershipFactory(unit=communes[0], role="commune_officer").user)
    client.cookies["django_language"] = "en"
    html = client.get(f"/assessments/{code}/{period.code}/").content.decode()
    assert "3 resolved late × 0.5 → 3.5/5 points" in html
    assert "5 points, less 0.5 for each case counted, never below 0." in html


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"per_count": 0}, "per_count must be a number above 0"),
        ({"per_count": "1.234"}, "per_count must be a number above 0"),
        ({"metric": "on_time_rate"}, "a deduction counts a dossier counter; 'on_time_rate'"),
        ({"when_nothing": "sometimes"}, "when_nothing must be one of manual, full, exclude"),
    ],
)
def test_deductions_that_cannot_be_computed_are_refused(change, problem):
    from scoring.frameworks.document import validate_framework_document

    late = {
        "code": "1.1",
        "name": "x",
        "max_points": 5,
        "method": "deduction",
        "metric": "resolved_late",
        "per_count": 0.5,
    } | change
    problems = validate_framework_document(doc_with(area("1", late)))
    assert any(problem in p for p in problems), problems


def test_a_framework_using_every_rule_round_trips_through_json_and_excel(district):
    from scoring.frameworks.services import framework_load
    from scoring.frameworks.workbook import framework_document, framework_workbook
    from scoring.frameworks.workbook_read import document_from_workbook

    late = {
        "code": "1.1",
        "name": "Hồ sơ trễ hạn",
        "name_en": "Late dossiers",
        "max_points": 5,
        "method": "deduction",
        "metric": "resolved_late",
        "per_count": 0.5,
        "when_nothing": "full",
    }
    counted = {
        "code": "1.2",
        "name": "Văn bản trái luật",
        "name_en": "Unlawful documents",
        "max_points": 3,
        "method": "deduction",
        "per_count": 0.75,
    }
    doc = nothing_doc("applicable")
    doc["areas"][0]["sub_criteria"] += [
        dict(late, code="1.4"),
        dict(counted, code="1.5"),
    ]
    doc["areas"].append(area("2", manual("2.1", 4, method="survey"), optional=True))
    doc["precision"] = 3
    doc["name_en"] = "All rules"
    doc["note"] = "Kèm theo Quyết định"
    for band in doc["bands"]:
        band["label_en"] = band["label"]
    for a in doc["areas"]:
        a["name_en"] = a["name"]
        for sub in a["sub_criteria"]:
            sub.setdefault("name_en", sub["name"])
    framework, _ = framework_load(document=doc, issuer_code=district.code, year=2024)
    assert framework_document(framework) == doc
    assert document_from_workbook(framework_workbook(doc)) == doc


def test_the_appraiser_enters_a_hand_count_on_the_sheet(make_group, communes, district, client):
    counted = {
        "code": "1.1",
        "name": "Văn bản trái pháp luật",
        "max_points": 3,
        "method": "deduction",
        "per_count": 0.75,
    }
    framework, period = make_group(doc_with(area("1", counted, manual("1.2", 7))))
    code = communes[0].code
    save_scores(period, {code: {"1.2": 7}})
    client.force_login(MembershipFactory(unit=district, role="appraiser").user)
    sheet = client.get(f"/appraisal/{code}/{period.code}/").content.decode()
    assert 'name="count"' in sheet and 'inputmode="numeric"' in sheet
    saved = client.post(
        f"/assessments/{code}/{period.code}/scores/1.1/",
        {"field": "count", "count": "0", "was": ""},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200, saved.content
    score = Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1")
    assert score.count == 0
    again = client.post(
        f"/assessments/{code}/{period.code}/scores/1.1/",
        {"field": "count", "count": "4", "was": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert again.status_code == 200, again.content
    # 3 − 4 × 0.75 = 0; (0 + 7) / 10 = 70 %.
    results = recompute(framework, period)
    assert results[code].index_percent == D(70)


def test_an_area_not_assessed_shows_as_such_on_the_heat_map_and_in_the_api(
    make_group, communes, district, client
):
    doc = doc_with(
        area("1", manual("1.1", 6)),
        area("2", manual("2.1", 4, method="survey"), optional=True),
        denominator="applicable",
    )
    framework, period = make_group(doc)
    a, b = communes[0].code, communes[1].code
    save_scores(period, {a: {"1.1": 5}, b: {"1.1": 3, "2.1": 2}})
    recompute(framework, period)
    leader = MembershipFactory(unit=district, role="leader").user
    api = APIClient()
    api.force_authenticate(leader)
    rows = api.get("/api/v1/rankings/", {"group": district.code, "period": period.code}).json()
    areas = {row["unit_code"]: row["areas"] for row in rows}
    # a ran no survey: not assessed (null), not 0 %; b: 2 of 4 = 50 %.
    assert areas[a] == {"1": 83.33, "2": None}
    assert areas[b] == {"1": 50.0, "2": 50.0}
    client.force_login(leader)
    page = client.get(f"/rankings/?group={district.code}&period={period.code}").content.decode()
    # a and the group's two communes that entered nothing at all; not b.
    assert page.count('title="Chưa đánh giá"') == 3
