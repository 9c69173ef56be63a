"""What real provinces write (#12), first part: nothing in a framework is silently dropped, items
chosen among fixed options, and results published with three decimals. Expected values are
worked out by hand in each test."""

import copy
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from scoring.assessments.imports import scores_save
from scoring.frameworks.document import validate_framework_document
from scoring.frameworks.workbook import framework_document, framework_workbook
from scoring.frameworks.workbook_read import WorkbookProblems, document_from_workbook
from scoring.models import Score
from tests.factories import MembershipFactory, framework_doc
from tests.helpers import recompute, save_scores

pytestmark = pytest.mark.django_db
D = Decimal
CHOICE = {
    "code": "1.1",
    "name": "Ban hành kế hoạch CCHC năm",
    "max_points": 6,
    "method": "choice",
    "options": [["Ban hành đầy đủ", 6], ["Ban hành chưa đầy đủ", 3], ["Không ban hành", 0]],
}


def choice_doc(**overrides):
    doc = framework_doc(
        areas=[
            {
                "code": "1",
                "name": "Công tác chỉ đạo",
                "sub_criteria": [
                    copy.deepcopy(CHOICE),
                    {"code": "1.2", "name": "B", "max_points": 4, "method": "manual"},
                ],
            }
        ]
    )
    doc.update(overrides)
    return doc


def test_unknown_keys_are_refused_with_their_json_path():
    doc = choice_doc(precisionn=3)
    doc["bands"][1]["colour"] = "green"
    doc["areas"][0]["sub_criteria"][1]["itemz"] = []
    doc["areas"][0]["sub_criteria"][0]["sub_criteria"] = [{"code": "1.1.1"}]
    doc["areas"][0]["sub_criteria"][0]["items"] = [{"code": "1.1.1"}]
    doc["areas"][0]["sub_criteria"][1]["when_nothing"] = "full"
    problems = validate_framework_document(doc)
    assert "precisionn: unknown key; the keys here are " in problems[0]
    assert any(p.startswith("bands[1].colour: unknown key") for p in problems)
    assert any(p.startswith("areas[0].sub_criteria[1].itemz: unknown key") for p in problems)
    # A nesting the loader does not read is not dropped either.
    assert any(p.startswith("areas[0].sub_criteria[0].sub_criteria: unknown key") for p in problems)
    # Items nested below a sub-criterion are read: a rule beside them is not.
    assert any(
        p.startswith("sub-criterion 1.1: 'method' is not read on a sub-criterion with items")
        for p in problems
    )
    # A rule written where it means nothing is refused too: a manual item has nothing to count.
    assert any(
        p.startswith("sub-criterion 1.2: when_nothing applies to items computed") for p in problems
    )


def test_load_framework_fails_on_an_unknown_key(tmp_path, district, capsys):
    doc = choice_doc()
    doc["areas"][0]["sub_criteria"][1]["itemz"] = []
    path = tmp_path / "khung.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("load_framework", str(path), "--issuer", district.code, "--year", "2024")
    assert "areas[0].sub_criteria[1].itemz" in capsys.readouterr().err


def test_a_workbook_column_or_field_the_loader_does_not_read_is_refused(make_group):
    framework, _period = make_group(choice_doc())
    book = openpyxl.load_workbook(io.BytesIO(framework_workbook(framework_document(framework))))
    book["sub_criteria"].cell(row=1, column=11, value="itemz")
    book["framework"].append(["precison", 3])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(WorkbookProblems) as refused:
        document_from_workbook(buffer.getvalue())
    problems = refused.value.problems
    assert any("“sub_criteria”: the column “itemz” is not read" in p for p in problems)
    assert any("“framework”, row 7: the field “precison” is not read" in p for p in problems)


def test_a_choice_takes_only_its_options_points_from_every_writer(make_group, communes, district):
    framework, period = make_group(choice_doc())
    a, b = communes[0].code, communes[1].code
    save_scores(period, {a: {"1.1": 3, "1.2": 4}, b: {"1.1": 6, "1.2": "2.5"}})
    results = recompute(framework, period)
    # (3 + 4) / 10 = 70 %; (6 + 2.5) / 10 = 85 %.
    assert (results[a].index_percent, results[b].index_percent) == (D("70"), D("85"))
    refused = scores_save(
        records=[(2, {"unit_code": a, "period": period.code, "sub_code": "1.1", "self_points": 4})]
    )
    assert not refused.ok
    assert (refused.problems[0].row, refused.problems[0].column) == (2, "self_points")
    assert "4 is not one of the options (Ban hành đầy đủ: 6; Ban hành chưa đầy đủ: 3;" in str(
        refused.problems[0].message
    )
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(MembershipFactory(unit=district, role="appraiser").user)
    answer = api.put(
        f"/api/v1/assessments/{a}/{period.code}/scores/",
        [{"sub_code": "1.1", "appraised_points": 5}],
        format="json",
    )
    assert answer.status_code == 400
    assert "not one of the options" in json.dumps(answer.json(), ensure_ascii=False)
    score = Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1")
    assert (score.self_points, score.appraised_points) == (D(3), None)


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ([["Đủ", 6]], "'options' must list at least two [label, points] pairs."),
        ([["Đủ", 6], ["Đủ", 0]], "option 2: duplicate label."),
        ([["Đủ", 7], ["Không", 0]], "option 1: 7 points exceed max_points 6."),
        ([["Đủ", 5], ["Không", 0]], "the best option gives 5 points, not max_points 6."),
        ([["Đủ", 6], ["", 0]], "option 2 must be [label, points ≥ 0 with at most two decimals]."),
        ([["Đủ", 6], ["Một phần", "1.555"]], "option 2 must be [label, points ≥ 0"),
        (None, "'options' must list at least two"),
    ],
)
def test_choices_that_cannot_be_scored_are_refused(options, problem):
    doc = choice_doc()
    doc["areas"][0]["sub_criteria"][0] = dict(CHOICE, options=options)
    problems = validate_framework_document(doc)
    assert any(problem in p for p in problems), problems


def test_the_sheet_shows_the_options_beside_the_points(make_group, communes, client):
    _framework, period = make_group(choice_doc())
    officer = MembershipFactory(unit=communes[0], role="commune_officer").user
    client.force_login(officer)
    html = client.get(f"/assessments/{communes[0].code}/{period.code}/").content.decode()
    assert "Ban hành đầy đủ: 6 · Ban hành chưa đầy đủ: 3 · Không ban hành: 0" in html


def precise_doc(precision):
    return framework_doc(
        areas=[
            {
                "code": "1",
                "name": "Một lĩnh vực",
                "sub_criteria": [
                    {"code": "1.1", "name": "a", "max_points": 700, "method": "manual"}
                ],
            }
        ]
    ) | {"precision": precision}


@pytest.mark.parametrize(
    ("precision", "indices", "ranks"),
    [
        # 466.67 / 700 = 66.66714… and 466.66 / 700 = 66.66571…: equal at two decimals (66.67),
        # apart at three (66.667 and 66.666).
        (2, (D("66.67"), D("66.67")), (1, 1)),
        (3, (D("66.667"), D("66.666")), (1, 2)),
    ],
)
def test_ties_are_decided_at_the_frameworks_precision(
    make_group, communes, precision, indices, ranks
):
    framework, period = make_group(precise_doc(precision))
    a, b = communes[0].code, communes[1].code
    save_scores(period, {a: {"1.1": "466.67"}, b: {"1.1": "466.66"}})
    results = recompute(framework, period)
    assert (results[a].index_percent, results[b].index_percent) == indices
    assert (results[a].rank, results[b].rank) == ranks
    area = results[b].area_results.get()
    assert area.percent == indices[1]


def test_three_decimals_are_shown_served_and_exported(make_group, communes, district, client):
    framework, period = make_group(precise_doc(3))
    save_scores(period, {communes[0].code: {"1.1": "466.66"}})
    recompute(framework, period)
    leader = MembershipFactory(unit=district, role="leader").user
    client.force_login(leader)
    page = client.get("/rankings/", {"group": district.code, "period": period.code})
    assert "66,666%" in page.content.decode()
    api = APIClient()
    api.force_authenticate(leader)
    rows = api.get("/api/v1/rankings/", {"group": district.code, "period": period.code}).json()
    assert rows[0]["index_percent"] == 66.666
    export = client.get("/rankings/export.xlsx", {"group": district.code, "period": period.code})
    cell = openpyxl.load_workbook(io.BytesIO(export.content)).active["E3"]
    assert (cell.value, cell.number_format) == (66.666, "0.000")


def test_precision_must_be_two_or_three():
    for value in (1, 4, "3", True, 2.5):
        problems = validate_framework_document(precise_doc(value))
        assert any(p.startswith("precision must be 2 or 3") for p in problems), value


def test_a_framework_with_choices_groups_and_precision_round_trips(district):
    from scoring.frameworks.services import framework_load

    doc = choice_doc(precision=3)
    doc["name_en"] = "Test framework"
    doc["note"] = "Kèm theo Quyết định số 15/QĐ-UBND"
    for band in doc["bands"]:
        band["label_en"] = band["label"]
    for area in doc["areas"]:
        area["name_en"] = area["name"]
        for sub in area["sub_criteria"]:
            sub["name_en"] = sub["name"]
    framework, _ = framework_load(document=doc, issuer_code=district.code, year=2024)
    document = framework_document(framework)
    assert document == doc
    assert document_from_workbook(framework_workbook(document)) == doc


def test_a_framework_with_published_results_is_read_only_in_the_admin(make_group, communes, client):
    from django.contrib.auth import get_user_model

    from scoring.rankings.publication import group_publish

    framework, period = make_group(choice_doc())
    save_scores(period, {c.code: {"1.1": (6, 6), "1.2": (4, 4)} for c in communes})
    sub = framework.sub_criteria.get(code="1.2")
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(admin)
    url = f"/admin/scoring/subcriterion/{sub.pk}/change/"
    assert 'name="_save"' in client.get(url).content.decode()  # editable while unpublished
    group_publish(
        framework=framework, period=period, decision_number="1/QĐ", decision_date=period.end
    )
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    data = {"framework": framework.pk, "area": sub.area_id, "position": 2, "code": "1.2"}
    refused = client.post(url, data | {"name": "B", "max_points": "9", "method": "manual"})
    assert refused.status_code == 403
    sub.refresh_from_db()
    assert sub.max_points == 4
    framework_page = client.get(f"/admin/scoring/framework/{framework.pk}/change/")
    assert 'name="_save"' not in framework_page.content.decode()
