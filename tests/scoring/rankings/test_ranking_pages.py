"""The pages of the portal: who lands where, what they may see, and what a page costs."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Avg

from scoring.models import AreaResult, Result, Score
from tests.factories import MembershipFactory
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_vietnamese_and_each_role_lands_on_its_page(client):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and "Đăng nhập" in page.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "leader_hailang", "password": "demo1234"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/rankings/"
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/login/", {"username": "officer_anmy", "password": "demo1234"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/units/31564/"
    assert "Công chức xã · Xã An Mỹ" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/", "/rankings/", "/units/31564/", "/rankings/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_leader_dashboard_shows_the_ranking_in_vietnamese_style(client):
    page = login(client, "leader_hailang").get("/rankings/", {"group": "470", "period": "2023-H1"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "73,90%" in html and "Xã Hải Trường" in html and "Đã công bố" in html
    assert "Xếp hạng tính lúc" in html
    rows = page.context["dashboard"].rows
    assert [r.unit.code for r in rows][5] == "19729" and len(rows) == 15


def test_a_provisional_ranking_shows_how_much_of_each_result_is_appraised(client):
    page = login(client, "leader_kesach").get("/rankings/", {"group": "943", "period": "2023"})
    html = page.content.decode()
    assert "Tạm tính" in html and '<th class="num" title=' in html
    scores = Score.objects.filter(assessment__unit__code="31564", assessment__period__code="2023")
    appraised = scores.filter(appraised_points__isnull=False).count()
    assert 0 < appraised < scores.count()
    assert f">{appraised}/{scores.count()}</td>" in html
    published = login(client, "leader_hailang").get(
        "/rankings/", {"group": "470", "period": "2023-H1"}
    )
    assert "Số tiêu chí thành phần đã thẩm định" not in published.content.decode()  # final


def test_an_officer_sees_the_whole_group_ranking_but_only_their_own_unit(client):
    login(client, "officer_anmy")
    page = client.get("/rankings/", {"group": "943", "period": "2022"})
    dashboard = page.context["dashboard"]
    group = Result.objects.filter(framework=dashboard.framework, period=dashboard.period)
    assert [r.unit.code for r in dashboard.rows] == list(
        group.order_by("rank", "unit__code").values_list("unit__code", flat=True)
    )
    assert len(dashboard.rows) == 13
    # The group's averages, as the database computes them over every commune of the group.
    expected = {
        row["area__code"]: row["mean"]
        for row in AreaResult.objects.filter(result__in=group)
        .values("area__code")
        .annotate(mean=Avg("percent"))
    }
    shown = {area.code: mean for area, mean, _css in dashboard.area_averages}
    assert shown.keys() == expected.keys()
    assert all(abs(shown[code] - expected[code]) < Decimal("0.005") for code in expected)
    leader_view = login(client, "leader_kesach").get(
        "/rankings/", {"group": "943", "period": "2022"}
    )
    assert leader_view.context["dashboard"].area_averages == dashboard.area_averages
    # A unit's own history stays the unit's: charts offer only theirs, profiles of others 404.
    login(client, "officer_anmy")
    charts = client.get("/charts/", {"group": "943", "period": "2022", "unit": "31561"})
    assert charts.context["row"].unit.code == "31564"
    assert [r.unit.code for r in charts.context["units"]] == ["31564"]
    assert client.get("/units/31564/").status_code == 200
    not_mine = client.get("/units/31561/")
    assert not_mine.status_code == 404 and "ngoài phạm vi" in not_mine.content.decode()
    assert client.get("/units/19729/").status_code == 404


def test_an_appraiser_of_another_group_sees_nothing_of_this_one(client):
    login(client, "appraiser_kesach")
    page = client.get("/rankings/", {"group": "470", "period": "2023-H1"})
    assert page.context["dashboard"].framework.issuer.code == "943"  # falls back to their own
    assert client.get("/units/19729/").status_code == 404


def test_the_unit_profile_shows_trends_and_weak_spots(client):
    page = login(client, "leader_hailang").get("/units/19729/")
    profile = page.context["profile"]
    assert [r.period.code for r in profile.results] == ["2023", "2023-H1", "2022", "2021", "2020"]
    assert len(profile.index_chart["dots"]) == 4 and profile.index_chart["line"]
    assert len(profile.months) == 24 and profile.monthly_chart["second"]
    lost = [s.lost for s in profile.weakest]
    assert lost == sorted(lost, reverse=True) and all(x > 0 for x in lost)
    district = login(client, "leader_hailang").get("/units/470/")
    assert district.status_code == 302 and district["Location"] == "/rankings/?group=470"


def test_the_ranking_exports_to_xlsx(client):
    response = login(client, "leader_kesach").get(
        "/rankings/export.xlsx", {"group": "943", "period": "2022"}
    )
    assert response.status_code == 200
    assert "xep-hang-943-2022.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "Hạng" and sheet["D3"].value == "Xã An Mỹ"
    assert sheet["E3"].value == 90.92 and sheet["F3"].value == "Rất tốt"
    assert sheet.max_row == 2 + 13


def test_the_language_switch_keeps_the_user_on_the_page(client):
    login(client, "leader_kesach")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/rankings/"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/rankings/"
    assert (
        "PAR index ranking" in html
        and "90.92%"
        in client.get("/rankings/", {"group": "943", "period": "2022"}).content.decode()
    )


def test_membership_header_for_a_user_with_several_units(client, district):
    user = MembershipFactory(unit=district, role="appraiser").user
    MembershipFactory(user=user, unit=district.parent, role="leader")
    client.force_login(user)
    page = client.get("/rankings/").content.decode()
    assert "Lãnh đạo · " + district.parent.name in page
