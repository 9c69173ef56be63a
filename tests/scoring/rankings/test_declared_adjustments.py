"""Bonus and penalty items a framework declares (formats.md): the commune claims (self points),
the appraiser decides (appraised points win), each item within its maximum and each kind's sum
clipped at the framework's cap. Expected values are worked out by hand in the comments."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from scoring.assessments.imports import scores_save
from scoring.assessments.sheets import assessment_sheet
from scoring.frameworks.document import validate_framework_document
from scoring.models import Assessment
from tests.factories import MembershipFactory, framework_doc
from tests.helpers import recompute, save_scores

pytestmark = pytest.mark.django_db
D = Decimal


def declared_doc(**overrides):
    doc = framework_doc(code="TP")
    doc["bonus"] = {
        "max": 2,
        "items": [
            {"code": "T1", "name": "Sáng kiến CCHC được công nhận", "max_points": 1.5},
            {"code": "T2", "name": "Giải thưởng cấp tỉnh", "max_points": 1},
        ],
    }
    doc["penalty"] = {
        "max": 3,
        "items": [{"code": "P1", "name": "Vi phạm kỷ luật, kỷ cương", "max_points": 3}],
    }
    doc.update(overrides)
    return doc


def test_claims_decisions_and_caps_make_the_index(make_group, communes):
    framework, period = make_group(declared_doc())
    a, b, c = (u.code for u in communes[:3])
    save_scores(
        period,
        {
            # 8 points; bonus 1.5 + 1 = 2.5 confirmed, clipped at the cap 2: (8 + 2) / 10 = 100 %.
            a: {"1.1": 6, "1.2": 2, "T1": ("1.5", "1.5"), "T2": (1, 1)},
            # 7 points; the appraiser gives 0.5 of the 1.5 claimed and a penalty of 2:
            # (7 + 0.5 − 2) / 10 = 55 %.
            b: {"1.1": 5, "1.2": 2, "T1": ("1.5", "0.5"), "P1": (None, 2)},
            # 7 points and a claim of 1 not yet decided, which counts until it is: 8 / 10 = 80 %.
            c: {"1.1": 4, "1.2": 3, "T2": 1},
        },
    )
    results = recompute(framework, period)
    assert [results[x].index_percent for x in (a, b, c)] == [D(100), D(55), D(80)]
    assert (results[a].bonus_points, results[b].bonus_points, results[b].penalty_points) == (
        D(2),
        D("0.5"),
        D(2),
    )
    # The items are outside the areas and the maximum: 10 points, criteria counted 2.
    assert (results[a].max_points, results[a].criteria_count) == (D(10), 2)
    assert [r.rank for r in (results[a], results[c], results[b])] == [1, 2, 3]


def test_an_item_above_its_maximum_is_refused(make_group, communes):
    _framework, period = make_group(declared_doc())
    refused = scores_save(
        records=[
            (
                2,
                {
                    "unit_code": communes[0].code,
                    "period": "2024",
                    "sub_code": "T1",
                    "self_points": 2,
                },
            )
        ]
    )
    assert not refused.ok
    assert (refused.problems[0].row, refused.problems[0].column) == (2, "self_points")
    assert "outside 0…1" in str(refused.problems[0].message)


def test_the_sheet_and_the_api_show_the_items_beside_the_areas(make_group, communes, district):
    _framework, period = make_group(declared_doc())
    code = communes[0].code
    save_scores(period, {code: {"1.1": 6, "T1": "1.5"}})
    assessment = Assessment.objects.get(unit=communes[0], period=period)
    sheet = assessment_sheet(assessment)
    assert [(a.code, a.is_adjustment) for a in sheet.areas] == [
        ("1", False),
        ("bonus", True),
        ("penalty", True),
    ]
    # Totals and "still to score" are the criteria's: a bonus claim is optional.
    assert (sheet.max_points, sheet.claimed) == (D(10), D(6))
    assert [r.sub.code for r in sheet.unscored] == ["1.2"]
    api = APIClient()
    api.force_authenticate(MembershipFactory(unit=district, role="appraiser").user)
    scores = api.get(f"/api/v1/assessments/{code}/{period.code}/scores/").json()
    t1 = next(s for s in scores if s["sub_code"] == "T1")
    assert (t1["kind"], t1["area_code"], t1["self_points"]) == ("bonus", None, 1.5)
    decided = api.put(
        f"/api/v1/assessments/{code}/{period.code}/scores/",
        [{"sub_code": "T1", "appraised_points": 1, "appraisal_reason": "Sáng kiến cấp huyện"}],
        format="json",
    )
    assert decided.status_code == 200, decided.content


def test_the_pages_show_claims_and_decisions_in_their_own_sections(
    make_group, communes, district, client
):
    framework, period = make_group(declared_doc())
    code = communes[0].code
    save_scores(period, {code: {"1.1": 6, "T1": ("1.5", "1")}})
    client.force_login(MembershipFactory(unit=communes[0], role="commune_officer").user)
    own = client.get(f"/assessments/{code}/{period.code}/").content.decode()
    assert "Điểm thưởng" in own and "Điểm trừ" in own and "Sáng kiến CCHC được công nhận" in own
    client.force_login(MembershipFactory(unit=district, role="appraiser").user)
    sheet = client.get(f"/appraisal/{code}/{period.code}/")
    assert sheet.status_code == 200 and "Vi phạm kỷ luật, kỷ cương" in sheet.content.decode()
    page = client.get(f"/frameworks/{framework.pk}/").content.decode()
    assert "tối đa 2 điểm thưởng và 3 điểm trừ" in page


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"bonus": {"items": [{"code": "T1", "name": "x", "max_points": 1}]}}, "bonus.max must"),
        ({"bonus": {"max": 2, "items": []}}, "bonus.items must be a non-empty list."),
        (
            {"penalty": {"max": 1, "items": [{"code": "1.1", "name": "x", "max_points": 1}]}},
            "penalty.items[0]: the code 1.1 is already used by another item.",
        ),
        (
            {"bonus": {"max": 1, "items": [{"code": "T9", "name": "x", "max_points": 0}]}},
            "bonus.items[0]: max_points must be a positive number",
        ),
        (
            {"bonus": {"max": 1, "items": [{"code": "T9", "name": "x", "points": 1}]}},
            "bonus.items[0].points: unknown key",
        ),
        ({"bonus": [1, 2]}, "'bonus' must be an object with 'max' and 'items'."),
    ],
)
def test_declared_items_that_cannot_be_scored_are_refused(change, problem):
    problems = validate_framework_document(declared_doc(**change))
    assert any(p.startswith(problem) for p in problems), problems


def test_declared_items_round_trip_through_json_and_excel(district):
    from scoring.frameworks.services import framework_load
    from scoring.frameworks.workbook import framework_document, framework_workbook
    from scoring.frameworks.workbook_read import document_from_workbook

    doc = declared_doc()
    for kind in ("bonus", "penalty"):
        for item in doc[kind]["items"]:
            item["name_en"] = item["name"]
    for band in doc["bands"]:
        band["label_en"] = band["label"]
    for a in doc["areas"]:
        a["name_en"] = a["name"]
        for sub in a["sub_criteria"]:
            sub["name_en"] = sub["name"]
    doc["name_en"] = "Declared items"
    doc["note"] = ""
    framework, _ = framework_load(document=doc, issuer_code=district.code, year=2024)
    assert framework_document(framework) == doc
    assert document_from_workbook(framework_workbook(doc)) == doc
