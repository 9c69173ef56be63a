"""The demo in the present: the new Cần Thơ (92) built from the official lists and lineage, its
2025 round published in ward / commune groups and its 2026 round in progress."""

import datetime

import pytest
from rest_framework.test import APIClient

from communes.models import AdministrativeUnit, Membership
from scoring.models import Assessment, Publication, Result
from tests.helpers import login

pytestmark = pytest.mark.django_db
NEW = datetime.date(2025, 7, 1)


def test_the_new_can_tho_has_its_official_communes_by_kind():
    communes = AdministrativeUnit.objects.filter(parent__code="92").valid_on(NEW)
    # The two-tier list: 103 communes of Cần Thơ, 31 of them phường.
    assert communes.count() == 103
    assert communes.filter(kind="phuong").count() == 31
    assert communes.filter(kind="xa").count() == 72


def test_the_two_nhon_my_stay_apart_and_an_my_reaches_the_new_one():
    old, new = AdministrativeUnit.objects.filter(code="31552").order_by("valid_from")
    assert (old.parent.code, old.valid_to) == ("943", datetime.date(2025, 6, 30))
    assert (new.parent.code, new.valid_from) == ("92", NEW)
    predecessors = {
        (link.predecessor.code, link.predecessor.name, link.merge)
        for link in new.predecessor_links.select_related("predecessor")
    }
    assert predecessors == {
        ("31552", "Xã Nhơn Mỹ", "full"),
        ("31564", "Xã An Mỹ", "full"),
        ("31642", "Xã Song Phụng", "full"),
    }
    api = APIClient()
    api.force_authenticate(Membership.objects.get(user__username="leader_cantho").user)
    history = api.get("/api/v1/units/31552/history/").json()
    an_my_2022 = next(r for r in history if r["unit_code"] == "31564" and r["period"] == "2022")
    assert (an_my_2022["index_percent"], an_my_2022["rank"]) == (90.92, 1)
    # The old Nhơn Mỹ's results are the new one's history, each named as the old commune.
    old_own = [r for r in history if r["unit_code"] == "31552" and r["merge"] == "full"]
    assert {r["period"] for r in old_own} >= {"2020", "2021", "2022", "2023"}
    new_own = [r for r in history if r["merge"] is None]
    assert [r["period"] for r in new_own] == ["2025", "2026"]


def test_2025_is_published_in_ward_and_commune_groups_and_2026_is_in_progress():
    results = Result.objects.filter(framework__issuer__code="92", period__code="2025")
    assert results.count() == 103
    assert not results.filter(provisional=True).exists()
    sizes = {code: results.filter(ranking_group__code=code).count() for code in ("PHUONG", "XA")}
    assert sizes == {"PHUONG": 31, "XA": 72}
    for code, size in sizes.items():
        ranks = sorted(results.filter(ranking_group__code=code).values_list("rank", flat=True))
        assert ranks[0] == 1 and ranks[-1] <= size
    assert Publication.objects.get(framework__issuer__code="92", period__code="2025")
    open_2026 = Assessment.objects.filter(framework__issuer__code="92", period__code="2026")
    assert open_2026.count() == 103
    assert not Publication.objects.filter(framework__issuer__code="92", period__code="2026")
    # The demo officers' communes are still self-assessing.
    assert set(
        open_2026.filter(status="open", unit__code__in=["31552", "31507"]).values_list(
            "unit__code", flat=True
        )
    ) == {"31552", "31507"}


def test_the_present_demo_users_reach_their_units(client):
    roles = {
        m.user.username: (m.unit.code, m.unit.valid_from, m.role)
        for m in Membership.objects.filter(
            user__username__in=[
                "appraiser_cantho",
                "leader_cantho",
                "officer_nhonmy",
                "officer_soctrang",
            ]
        ).select_related("unit", "user")
    }
    assert roles == {
        "appraiser_cantho": ("92", NEW, "appraiser"),
        "leader_cantho": ("92", NEW, "leader"),
        "officer_nhonmy": ("31552", NEW, "commune_officer"),
        "officer_soctrang": ("31507", NEW, "commune_officer"),
    }
    login(client, "officer_nhonmy")
    ranking = client.get("/rankings/").context["dashboard"]
    # The officer of a xã opens on the xã group of the province's newest round.
    assert (ranking.framework.issuer.code, ranking.period.code) == ("92", "2026")
    assert ranking.ranking_group.code == "XA"
    login(client, "leader_cantho")
    overview = client.get("/units/92/", {"period": "2023"}).context["overview"]
    # Sóc Trăng's eleven districts, compared.
    assert overview.district_era and len(overview.rankings) == 11


def test_can_tho_writes_its_framework_with_choices_deductions_and_an_optional_survey(client):
    from decimal import Decimal

    from dossiers.models import DossierReport
    from scoring.models import Framework, Score

    framework = Framework.objects.get(issuer__code="92", year=2025)
    subs = {s.code: s for s in framework.sub_criteria.all()}
    assert (subs["1.1"].method, subs["3.7"].method, subs["3.3"].when_nothing) == (
        "choice",
        "deduction",
        "full",
    )
    assert framework.areas.get(code="8").optional and framework.denominator == "applicable"
    # 3.7 in 2025 for the new Nhơn Mỹ: 2 points less 0.25 per dossier pending overdue, summed
    # over its months (July–December 2025), never below 0.
    overdue = sum(
        r.pending_overdue
        for r in DossierReport.objects.filter(
            commune__code="31552", commune__valid_from=NEW, month__year=2025
        )
    )
    score = Score.objects.get(
        assessment__framework=framework,
        assessment__unit__code="31552",
        sub_criterion__code="3.7",
    )
    assert score.points == max(Decimal(0), Decimal(2) - Decimal("0.25") * overdue)
    chosen = Score.objects.filter(assessment__framework=framework, sub_criterion__code="1.1")
    assert set(chosen.values_list("points", flat=True)) <= {Decimal("1.5"), Decimal("0.75"), 0}
    login(client, "officer_nhonmy")
    html = client.get("/assessments/31552/2026/").content.decode()
    assert "Ban hành kịp thời, đầy đủ nội dung: 1,5" in html
    assert "trừ 0,25 điểm cho mỗi trường hợp" in html
