"""Ranking groups by kind (formats.md, `ranking_groups`): a two-tier province ranks its phường
apart from its xã and đặc khu, each group with its ranks, bands, averages and export."""

import datetime
import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from scoring.assessments.imports import scores_save
from scoring.assessments.rounds import group_open
from scoring.frameworks.document import validate_framework_document
from scoring.frameworks.services import framework_load
from scoring.frameworks.workbook import framework_workbook
from scoring.frameworks.workbook_read import document_from_workbook
from scoring.models import Assessment
from scoring.periods import period_get_or_create
from tests.factories import CommuneFactory, MembershipFactory, ProvinceFactory, framework_doc
from tests.helpers import recompute, save_scores

pytestmark = pytest.mark.django_db
D = Decimal
NEW = datetime.date(2025, 7, 1)


def grouped_doc(**overrides):
    doc = framework_doc(code="HP2025")
    doc["ranking_groups"] = [
        {
            "code": "PHUONG",
            "name": "Các phường",
            "name_en": "Wards",
            "unit_kinds": ["phuong"],
            # Wards are held to a higher bar: "Tốt" from 85 % (the framework's is 80 %).
            "bands": [
                {"label": "Tốt", "min_percent": 85},
                {"label": "Khá", "min_percent": 70},
                {"label": "Chưa đạt", "min_percent": 0},
            ],
        },
        {"code": "XA", "name": "Các xã, đặc khu", "unit_kinds": ["xa", "dac_khu"]},
    ]
    doc.update(overrides)
    return doc


@pytest.fixture
def province():
    return ProvinceFactory(valid_from=NEW)


@pytest.fixture
def units(province):
    names = [
        "Phường An",
        "Phường Bình",
        "Phường Cát",
        "Xã Đông",
        "Xã Hà",
        "Đặc khu Lý",
        "Thị trấn Mỹ",
    ]
    return {
        name.split()[-1]: CommuneFactory(parent=province, name=name, valid_from=NEW)
        for name in names
    }


@pytest.fixture
def group(province, units):
    period = period_get_or_create("2025")
    framework, _ = framework_load(document=grouped_doc(), issuer_code=province.code, year=2025)
    group_open(framework=framework, period=period)
    return framework, period


def test_each_kind_is_ranked_within_its_group_with_its_own_bands(group, units):
    framework, period = group
    u = {k: v.code for k, v in units.items()}
    # Maximum 10 points: percent = 10 × points.
    save_scores(
        period,
        {
            u["An"]: {"1.1": 6, "1.2": "2.2"},  # 82 %: "Khá" among wards (Tốt from 85 %)
            u["Bình"]: {"1.1": 6, "1.2": 3},  # 90 %
            u["Cát"]: {"1.1": "5.5", "1.2": 3},  # 85 %: the wards' "Tốt" edge
            u["Đông"]: {"1.1": 5, "1.2": 3},  # 80 %: the framework's "Tốt" edge
            u["Hà"]: {"1.1": 6, "1.2": "1.9"},  # 79 %: "Khá"
            u["Lý"]: {"1.1": 5, "1.2": 3},  # 80 %: ties with Đông
        },
    )
    results = recompute(framework, period)
    assert {
        k: (results[c].ranking_group.code, results[c].rank) for k, c in u.items() if k != "Mỹ"
    } == {
        "Bình": ("PHUONG", 1),
        "Cát": ("PHUONG", 2),
        "An": ("PHUONG", 3),
        "Đông": ("XA", 1),
        "Lý": ("XA", 1),
        "Hà": ("XA", 3),
    }
    assert {k: results[c].band_label for k, c in u.items() if k != "Mỹ"} == {
        "Bình": "Tốt",
        "Cát": "Tốt",
        "An": "Khá",
        "Đông": "Tốt",
        "Lý": "Tốt",
        "Hà": "Khá",
    }


def test_units_of_a_kind_no_group_takes_are_not_assessed(group, units):
    framework, period = group
    opened = set(
        Assessment.objects.filter(framework=framework, period=period).values_list(
            "unit__name", flat=True
        )
    )
    assert "Thị trấn Mỹ" not in opened and len(opened) == 6
    result = scores_save(
        records=[
            (
                2,
                {
                    "unit_code": units["Mỹ"].code,
                    "period": "2025",
                    "sub_code": "1.1",
                    "self_points": 3,
                },
            )
        ]
    )
    assert not result.ok
    assert f"no framework ranks {units['Mỹ'].code} in 2025" in str(result.problems[0])


@pytest.fixture
def ranked(group, units):
    framework, period = group
    u = {k: v.code for k, v in units.items()}
    save_scores(
        period,
        {
            u["An"]: {"1.1": 6, "1.2": 2},  # 80
            u["Bình"]: {"1.1": 6, "1.2": 3},  # 90
            u["Cát"]: {"1.1": 4, "1.2": 3},  # 70
            u["Đông"]: {"1.1": 5, "1.2": 1},  # 60
            u["Hà"]: {"1.1": 6, "1.2": 4},  # 100
            u["Lý"]: {"1.1": 3, "1.2": 2},  # 50
        },
    )
    recompute(framework, period)
    return framework, period


def _leader(province):
    return MembershipFactory(unit=province, role="leader").user


def test_the_dashboard_shows_one_group_with_its_band_counts_and_average(ranked, province, client):
    client.force_login(_leader(province))
    page = client.get(
        "/rankings/", {"group": province.code, "period": "2025", "ranking_group": "XA"}
    )
    assert page.status_code == 200
    dashboard = page.context["dashboard"]
    assert [r.unit.name for r in dashboard.rows] == ["Xã Hà", "Xã Đông", "Đặc khu Lý"]
    assert [r.rank for r in dashboard.rows] == [1, 2, 3]
    # The framework's bands (the XA group has none of its own): 100 → Xuất sắc, 60 and 50 → TB.
    assert {b["label"]: b["count"] for b in dashboard.bands} == {
        "Xuất sắc": 1,
        "Tốt": 0,
        "Khá": 0,
        "Trung bình": 2,
        "Yếu": 0,
    }
    # Area average over the group's three units: (100 + 60 + 50) / 3 = 70.
    assert dashboard.area_averages[0][1] == D(70)
    html = page.content.decode()
    assert "Phường An" not in html and "Trung bình của Các xã, đặc khu" in html
    assert '<option value="PHUONG" >Các phường</option>' in html
    assert '<option value="XA" selected>Các xã, đặc khu</option>' in html

    wards = client.get("/rankings/", {"group": province.code, "period": "2025"}).context[
        "dashboard"
    ]
    assert wards.ranking_group.code == "PHUONG"  # the first group unless another is asked for
    assert [r.unit.name for r in wards.rows] == ["Phường Bình", "Phường An", "Phường Cát"]
    assert {b["label"]: b["count"] for b in wards.bands} == {"Tốt": 1, "Khá": 2, "Chưa đạt": 0}


def test_an_officer_opens_on_the_group_their_commune_is_ranked_in(ranked, units, client):
    officer = MembershipFactory(unit=units["Lý"], role="commune_officer").user
    client.force_login(officer)
    province_code = units["Lý"].parent.code
    dashboard = client.get("/rankings/", {"group": province_code, "period": "2025"}).context[
        "dashboard"
    ]
    assert dashboard.ranking_group.code == "XA"


def test_the_export_has_a_sheet_per_group_or_the_one_asked_for(ranked, province, client):
    client.force_login(_leader(province))
    response = client.get("/rankings/export.xlsx", {"group": province.code, "period": "2025"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["2025 PHUONG", "2025 XA"]
    xa = list(book["2025 XA"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[3], r[4]) for r in xa] == [
        (1, "Xã Hà", 100.0),
        (2, "Xã Đông", 60.0),
        (3, "Đặc khu Lý", 50.0),
    ]
    one = client.get(
        "/rankings/export.xlsx",
        {"group": province.code, "period": "2025", "ranking_group": "PHUONG"},
    )
    assert 'PHUONG.xlsx"' in one["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(one.content)).sheetnames == ["2025 PHUONG"]


def test_the_api_names_each_rows_group_and_filters_by_it(ranked, province):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(_leader(province))
    url = "/api/v1/rankings/"
    rows = api.get(url, {"group": province.code, "period": "2025"}).json()
    assert [(r["ranking_group"], r["rank"]) for r in rows] == [
        ("PHUONG", 1),
        ("PHUONG", 2),
        ("PHUONG", 3),
        ("XA", 1),
        ("XA", 2),
        ("XA", 3),
    ]
    wards = api.get(url, {"group": province.code, "period": "2025", "ranking_group": "PHUONG"})
    assert [r["unit_name"] for r in wards.json()] == ["Phường Bình", "Phường An", "Phường Cát"]
    unknown = api.get(url, {"group": province.code, "period": "2025", "ranking_group": "HUYEN"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["column"] == "ranking_group"
    assert "has no ranking group HUYEN" in unknown.json()["errors"][0]["message"]


def test_unit_history_counts_the_size_of_the_units_own_group(ranked, units, province):
    api = APIClient()
    api.force_authenticate(_leader(province))
    rows = api.get(f"/api/v1/units/{units['Cát'].code}/history/").json()
    assert [(r["period"], r["rank"], r["group_size"]) for r in rows] == [("2025", 3, 3)]


@pytest.mark.parametrize(
    ("groups", "problem"),
    [
        (
            [
                {"code": "A", "name": "a", "unit_kinds": ["phuong", "xa"]},
                {"code": "B", "name": "b", "unit_kinds": ["xa"]},
            ],
            "ranking group B: unit kind 'xa' is already in ranking group A.",
        ),
        (
            [{"code": "A", "name": "a", "unit_kinds": ["huyen"]}],
            "ranking group A: unit kind 'huyen' is not one of xa, phuong, thi_tran, dac_khu.",
        ),
        (
            [{"code": "A", "name": "a", "unit_kinds": []}],
            "ranking group A: 'unit_kinds' must be a non-empty list of",
        ),
        (
            [
                {"code": "A", "name": "a", "unit_kinds": ["xa"]},
                {"code": "A", "name": "b", "unit_kinds": ["phuong"]},
            ],
            "ranking group A: duplicate ranking group code.",
        ),
        (
            [
                {
                    "code": "A",
                    "name": "a",
                    "unit_kinds": ["xa"],
                    "bands": [{"label": "x", "min_percent": 10}],
                }
            ],
            "ranking group A: The bands do not cover 0 %",
        ),
        ("phuong", "'ranking_groups' must be a list."),
    ],
)
def test_ranking_groups_that_cannot_rank_are_refused_by_name(groups, problem):
    problems = validate_framework_document(grouped_doc(ranking_groups=groups))
    assert any(p.startswith(problem) for p in problems), problems


def test_a_district_level_framework_cannot_group_by_commune_kind():
    problems = validate_framework_document(grouped_doc(level="district"))
    assert (
        "'ranking_groups' divides commune-level units by kind; level must be commune." in problems
    )


def test_groups_and_their_bands_round_trip_through_the_workbook(group):
    framework, _period = group
    from scoring.frameworks.workbook import framework_document

    document = framework_document(framework)
    assert [g["code"] for g in document["ranking_groups"]] == ["PHUONG", "XA"]
    assert document["ranking_groups"][1]["unit_kinds"] == ["xa", "dac_khu"]
    assert "bands" not in document["ranking_groups"][1]
    back = document_from_workbook(framework_workbook(document))
    assert back == document
    sheet = openpyxl.load_workbook(io.BytesIO(framework_workbook(document)))["ranking_groups"]
    assert list(sheet.iter_rows(min_row=2, values_only=True))[1] == (
        "XA",
        "Các xã, đặc khu",
        None,
        "xa, dac_khu",
    )


def test_the_command_the_api_and_the_export_agree_on_each_group(ranked, province, client):
    api = APIClient()
    api.force_authenticate(_leader(province))
    out = io.StringIO()
    call_command(
        "show_ranking",
        "--period",
        "2025",
        "--group",
        province.code,
        "--ranking-group",
        "XA",
        "--format",
        "json",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    served = api.get(
        "/api/v1/rankings/", {"group": province.code, "period": "2025", "ranking_group": "XA"}
    ).json()
    assert printed == served
    client.force_login(_leader(province))
    book = openpyxl.load_workbook(
        io.BytesIO(
            client.get(
                "/rankings/export.xlsx",
                {"group": province.code, "period": "2025", "ranking_group": "XA"},
            ).content
        )
    )
    exported = [
        (r[0], r[2], r[4], r[5]) for r in book.active.iter_rows(min_row=3, values_only=True)
    ]
    assert exported == [(r["rank"], r["unit_code"], r["index_percent"], r["band"]) for r in served]
    table = io.StringIO()
    call_command("show_ranking", "--period", "2025", "--group", province.code, stdout=table)
    assert "-- PHUONG" in table.getvalue() and "-- XA" in table.getvalue()
    with pytest.raises(CommandError, match="has no ranking group HUYEN"):
        call_command(
            "show_ranking", "--period", "2025", "--group", province.code, "--ranking-group", "HUYEN"
        )


def test_the_framework_page_lists_its_groups_with_their_kinds_and_bands(group, province, client):
    framework, _period = group
    client.force_login(_leader(province))
    html = client.get(f"/frameworks/{framework.pk}/").content.decode()
    assert "Các xã, đặc khu" in html and "đặc khu" in html
    assert "Chưa đạt · ≥ 0" in html  # the wards' own bands
