"""Items nested below a sub-criterion (#12, formats.md `items`): only leaves are scored, an
item's points are its items' summed and capped at its maximum, level by level. Every expected
value is worked out by hand in the comments."""

import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from scoring.assessments.sheets import assessment_sheet, group_totals
from scoring.frameworks.document import validate_framework_document
from scoring.models import Assessment, Score, SubCriterion
from tests.factories import MembershipFactory, framework_doc
from tests.helpers import recompute, save_scores

pytestmark = pytest.mark.django_db
D = Decimal


def leaf(code, maximum, **rule):
    return {"code": code, "name": f"Mục {code}", "max_points": maximum, "method": "manual"} | rule


def node(code, maximum, *items):
    return {"code": code, "name": f"Mục {code}", "max_points": maximum, "items": list(items)}


# Area 1 (max 6 + 4 = 10):
#   1.1 (max 6; its items could earn 3 + 4 = 7)
#     1.1.1 (3)
#     1.1.2 (max 4; its items could earn 2.5 + 2.5 = 5)
#       1.1.2.1 (2.5)
#       1.1.2.2 (max 2.5)
#         1.1.2.2.1 (1.5), 1.1.2.2.2 (1)      ← four levels below the area
#   1.2 (4)
TREE = framework_doc(
    areas=[
        {
            "code": "1",
            "name": "Tổ chức",
            "sub_criteria": [
                node(
                    "1.1",
                    6,
                    leaf("1.1.1", 3),
                    node(
                        "1.1.2",
                        4,
                        leaf("1.1.2.1", 2.5),
                        node("1.1.2.2", 2.5, leaf("1.1.2.2.1", 1.5), leaf("1.1.2.2.2", 1)),
                    ),
                ),
                leaf("1.2", 4),
            ],
        }
    ]
)


def _points(framework, unit_code):
    return {
        s.sub_criterion.code: s.points
        for s in Score.objects.filter(
            assessment__framework=framework, assessment__unit__code=unit_code
        ).select_related("sub_criterion")
    }


def test_points_roll_up_capped_at_every_level(make_group, communes):
    framework, period = make_group(TREE)
    assert framework.max_points == D(10)  # 6 + 4: the items' maxima do not add up past 1.1's
    a, b = communes[0].code, communes[1].code
    full = {"1.1.1": 3, "1.1.2.1": 2.5, "1.1.2.2.1": 1.5, "1.1.2.2.2": 1, "1.2": 2}
    save_scores(period, {a: full, b: {"1.1.1": 1, "1.1.2.1": 1, "1.1.2.2.1": 0.5, "1.2": 4}})
    results = recompute(framework, period)
    # a: 1.1.2.2 = min(2.5, 1.5 + 1) = 2.5; 1.1.2 = min(4, 2.5 + 2.5) = 4;
    #    1.1 = min(6, 3 + 4) = 6; total 6 + 2 = 8 of 10 → 80 %.
    points = _points(framework, a)
    assert (points["1.1.2.2"], points["1.1.2"], points["1.1"]) == (D("2.5"), D(4), D(6))
    assert results[a].total_points == D(8)
    assert results[a].index_percent == D(80)
    # b: 1.1.2.2 = 0.5 + 0 = 0.5; 1.1.2 = 1 + 0.5 = 1.5; 1.1 = 1 + 1.5 = 2.5;
    #    total 2.5 + 4 = 6.5 → 65 %; the area likewise 6.5 of 10.
    points = _points(framework, b)
    assert (points["1.1.2.2"], points["1.1.2"], points["1.1"]) == (D("0.5"), D("1.5"), D("2.5"))
    assert results[b].index_percent == D(65)
    assert results[b].area_results.get().points == D("6.5")
    # Only leaves count as items to score: 5 of them, 1.1.2.2.2 of b not scored.
    assert results[a].criteria_count == 5


def test_the_pages_add_up_the_tree_before_the_engine_runs(make_group, communes):
    framework, period = make_group(TREE)
    a = communes[0].code
    save_scores(period, {a: {"1.1.1": 3, "1.1.2.1": 2.5, "1.1.2.2.1": 1.5, "1.1.2.2.2": 1}})
    assessment = Assessment.objects.get(framework=framework, unit__code=a)
    sheet = assessment_sheet(assessment)
    claimed = {row.sub.code: row.claimed for row in sheet.rows}
    # Same rule as the engine: 1.1.2.2 = 2.5, 1.1.2 = min(4, 5) = 4, 1.1 = min(6, 7) = 6.
    assert (claimed["1.1.2.2"], claimed["1.1.2"], claimed["1.1"]) == (D("2.5"), D(4), D(6))
    assert sheet.claimed == D(6)
    # The items made of items are not asked for points; 1.2 still is.
    assert [row.sub.code for row in sheet.unscored] == ["1.2"]
    (totals,) = group_totals(Assessment.objects.filter(pk=assessment.pk))
    assert totals.claimed_total == D(6)


def test_only_leaves_are_scored_by_file_api_and_page(make_group, communes, district):
    framework, period = make_group(TREE)
    unit = communes[0]
    officer = MembershipFactory(unit=unit, role="commune_officer").user
    from scoring.assessments.imports import scores_save

    result = scores_save(
        records=[
            (
                2,
                {
                    "unit_code": unit.code,
                    "period": period.code,
                    "sub_code": "1.1.1",
                    "self_points": 2,
                },
            ),
            (
                3,
                {
                    "unit_code": unit.code,
                    "period": period.code,
                    "sub_code": "1.1.2",
                    "self_points": 4,
                },
            ),
        ],
        user=officer,
    )
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(3, "sub_code")]
    assert "1.1.2" in result.problems[0].message
    assert Score.objects.get(assessment__unit=unit, sub_criterion__code="1.1.1").self_points is None

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(officer)
    url = f"/api/v1/assessments/{unit.code}/{period.code}/scores/"
    response = client.put(
        url, json.dumps([{"sub_code": "1.1", "self_points": 5}]), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "sub_code"
    listed = client.get(url).json()
    # The leaves only, each with the item it is part of.
    assert [(r["sub_code"], r["parent_code"]) for r in listed] == [
        ("1.1.1", "1.1"),
        ("1.1.2.1", "1.1.2"),
        ("1.1.2.2.1", "1.1.2.2"),
        ("1.1.2.2.2", "1.1.2.2"),
        ("1.2", None),
    ]

    client.force_login(officer)
    page = client.post(
        f"/assessments/{unit.code}/{period.code}/scores/1.1.2/",
        {"field": "self_points", "self_points": "3", "was": ""},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 400
    # "1.1.2 is made of items; its points are theirs: score its items instead" (Vietnamese).
    assert 'class="msg error" id="msg-self_points-1-1-2"' in page.content.decode()
    assert "1.1.2 gồm các nội dung con" in page.content.decode()


def test_an_excluded_item_shrinks_the_maximum_of_the_item_it_is_part_of(make_group, communes):
    online = {
        "code": "2.1",
        "name": "Trực tuyến",
        "max_points": 3,
        "method": "ratio_target",
        "metric": "online_rate",
        "target_percent": 50,
        "when_nothing": "exclude",
    }
    # Area 2: item 2 (max 4; its items 3 + 2 = 5); area 3: 3.1 (6). Framework max 10.
    doc = framework_doc(
        areas=[
            {
                "code": "2",
                "name": "Một cửa",
                "sub_criteria": [node("2.0", 4, online, leaf("2.2", 2))],
            },
            {"code": "3", "name": "Khác", "sub_criteria": [leaf("3.1", 6)]},
        ]
    )
    doc["denominator"] = "applicable"
    framework, period = make_group(doc)
    a = communes[0].code
    save_scores(period, {a: {"2.2": 2, "3.1": 3}})  # no statistics: 2.1 leaves the maximum
    results = recompute(framework, period)
    item = Score.objects.get(assessment__unit__code=a, sub_criterion__code="2.0")
    # 2.0 applies for min(4, 0 + 2) = 2 of its 4 points and earns 2.
    assert (item.points, item.applicable_max, item.excluded) == (D(2), D(2), False)
    area = results[a].area_results.get(area__code="2")
    assert (area.points, area.max_points, area.percent) == (D(2), D(2), D(100))
    # The index over what applies: 10 − (4 − 2) = 8; (2 + 3) / 8 = 62.5 %.
    assert results[a].max_points == D(8)
    assert results[a].index_percent == D("62.5")


@pytest.mark.parametrize(
    "change, path_or_words",
    [
        # A fifth level below the area.
        (
            lambda d: d["areas"][0]["sub_criteria"][0]["items"][1]["items"][1]["items"][1].update(
                items=[leaf("1.1.2.2.2.1", 1)]
            ),
            "areas[0].sub_criteria[0].items[1].items[1].items[1].items",
        ),
        (
            lambda d: d["areas"][0]["sub_criteria"][0].update(method="manual"),
            "'method' is not read on a sub-criterion with items",
        ),
        (
            lambda d: d["areas"][0]["sub_criteria"][0].update(max_points=8),
            "more than its items can earn together (7)",
        ),
        (
            lambda d: d["areas"][0]["sub_criteria"][0]["items"][0].update(itemz=[]),
            "areas[0].sub_criteria[0].items[0].itemz: unknown key",
        ),
        (
            lambda d: d["areas"][0]["sub_criteria"][0].update(items=[]),
            "'items' must be a non-empty",
        ),
        (
            lambda d: d["areas"][0]["sub_criteria"][1].update(code="1.1.2.1"),
            "sub-criterion 1.1.2.1: duplicate sub-criterion code",
        ),
    ],
)
def test_a_wrong_tree_is_refused_naming_where(change, path_or_words):
    doc = json.loads(json.dumps(TREE))
    assert validate_framework_document(doc) == []
    change(doc)
    problems = validate_framework_document(doc)
    assert any(path_or_words in p for p in problems), problems


def test_the_tree_is_stored_in_reading_order(make_group):
    framework, _period = make_group(TREE)
    rows = list(
        SubCriterion.objects.filter(framework=framework)
        .order_by("position")
        .values_list("code", "depth", "has_items", "parent__code")
    )
    assert rows == [
        ("1.1", 0, True, None),
        ("1.1.1", 1, False, "1.1"),
        ("1.1.2", 1, True, "1.1"),
        ("1.1.2.1", 2, False, "1.1.2"),
        ("1.1.2.2", 2, True, "1.1.2"),
        ("1.1.2.2.1", 3, False, "1.1.2.2"),
        ("1.1.2.2.2", 3, False, "1.1.2.2"),
        ("1.2", 0, False, None),
    ]


def test_the_demo_framework_uses_every_feature_and_round_trips(district):
    """The Cần Thơ framework of the demo: JSON → load → document → Excel → upload → the same."""
    from demo.present import can_tho_document
    from demo.seed import FRAMEWORK_FILE
    from scoring.frameworks.services import framework_load
    from scoring.frameworks.workbook import framework_document, framework_workbook
    from scoring.frameworks.workbook_read import document_from_workbook

    doc = can_tho_document(json.loads(FRAMEWORK_FILE.read_text(encoding="utf-8")))
    subs = {}

    def walk(items):
        for item in items:
            subs[item["code"]] = item
            walk(item.get("items", []))

    for area in doc["areas"]:
        walk(area["sub_criteria"])
    methods = {s.get("method") for s in subs.values()}
    assert {"manual", "survey", "steps", "ratio_target", "choice", "deduction"} <= methods
    assert "1.2.2.2" in subs and any("when_nothing" in s for s in subs.values())
    assert doc["denominator"] == "applicable" and doc["ranking_groups"]
    assert any(a.get("optional") for a in doc["areas"])
    assert doc["bonus"]["items"] and doc["penalty"]["items"]
    doc["precision"] = 3
    doc["ranking_groups"][0]["bands"] = [{"label": "Tốt", "label_en": "Good", "min_percent": 0}]

    framework, _ = framework_load(document=doc, issuer_code=district.code, year=2026)
    stored = framework_document(framework)
    uploaded = document_from_workbook(framework_workbook(stored))
    assert uploaded == stored
    again, _ = framework_load(document=uploaded, issuer_code=district.code, year=2027)
    assert framework_document(again) == stored
    # What was loaded is what is stored, key by key (texts a person left out come back empty).
    assert json.dumps(stored, sort_keys=True) == json.dumps(_with_defaults(doc), sort_keys=True)


def _with_defaults(doc):
    """The document as the portal writes it back: every name_en and note present."""
    doc = json.loads(json.dumps(doc))
    doc.setdefault("note", "")
    doc.setdefault("name_en", "")

    def items(entries):
        for entry in entries:
            entry.setdefault("name_en", "")
            items(entry.get("items", []))

    for area in doc["areas"]:
        area.setdefault("name_en", "")
        items(area["sub_criteria"])
    for group in doc.get("ranking_groups", []):
        group.setdefault("name_en", "")
    return doc


def test_the_engine_runs_the_same_statements_for_4_or_40_communes(make_group, district):
    """Set-wise: nested items add a statement per level, never one per unit or item."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from scoring.assessments.rounds import group_open
    from scoring.rankings import engine
    from tests.factories import CommuneFactory

    framework, period = make_group(TREE)

    def statements():
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            engine.recompute_group(framework, period)
        return len(captured)

    small = statements()
    CommuneFactory.create_batch(36, parent=district)
    group_open(framework=framework, period=period)
    assert Assessment.objects.filter(framework=framework, period=period).count() == 40
    assert statements() == small
