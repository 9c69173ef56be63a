"""The province overview (/units/PROVINCE/): districts compared in the district years, the
province's own ranking since July 2025, and a new province reaching back to the districts of the
old communes its communes took in. Expected figures are worked out by hand below."""

import datetime
from decimal import Decimal

import pytest

from communes.models import Merge, UnitLineage
from scoring.assessments.rounds import group_open
from scoring.frameworks.services import framework_load
from scoring.periods import period_get_or_create
from tests.factories import (
    CommuneFactory,
    DistrictFactory,
    MembershipFactory,
    ProvinceFactory,
    framework_doc,
)
from tests.helpers import recompute, save_scores

pytestmark = pytest.mark.django_db
D = Decimal
OLD_END, NEW = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)
TWO_AREAS = [
    {
        "code": "1",
        "name": "Cải cách thể chế",
        "sub_criteria": [{"code": "1.1", "name": "a", "max_points": 6, "method": "manual"}],
    },
    {
        "code": "2",
        "name": "Cải cách thủ tục hành chính",
        "sub_criteria": [{"code": "2.1", "name": "b", "max_points": 4, "method": "manual"}],
    },
]


@pytest.fixture
def province():
    old = ProvinceFactory(valid_to=OLD_END)
    districts = [DistrictFactory(parent=old, valid_to=OLD_END) for _ in range(2)]
    names = {0: ["Xã A1", "Xã A2", "Xã A3"], 1: ["Xã B1", "Xã B2"]}
    communes = {
        name: CommuneFactory(parent=districts[d], name=name, valid_to=OLD_END)
        for d, group in names.items()
        for name in group
    }
    period = period_get_or_create("2024")
    for district in districts:
        framework, _ = framework_load(
            document=framework_doc(code="CCHC", areas=TWO_AREAS),
            issuer_code=district.code,
            year=2024,
        )
        group_open(framework=framework, period=period)
    points = {"Xã A1": (6, 4), "Xã A2": (5, 3), "Xã A3": (3, 2), "Xã B1": (6, 2), "Xã B2": (4, 4)}
    save_scores(period, {communes[n].code: {"1.1": a, "2.1": b} for n, (a, b) in points.items()})
    for district in districts:
        recompute(district.frameworks.get(), period)
    return {"old": old, "districts": districts, "communes": communes}


def _leader_of(unit):
    return MembershipFactory(unit=unit, role="leader").user


def test_districts_are_compared_by_average_spread_and_their_best_and_weakest(province, client):
    client.force_login(_leader_of(province["old"]))
    page = client.get(f"/units/{province['old'].code}/", {"on": "2024-12-31"})
    assert page.status_code == 200
    overview = page.context["overview"]
    assert overview.district_era and overview.period.code == "2024" and overview.communes == 5
    d1, d2 = province["districts"]
    # D1: 100, 80, 50 → mean 76.67, range 50–100, population SD √422.22 = 20.55.
    # D2: 80, 80 → mean 80.00, SD 0. Higher average first.
    assert [
        (r.label, r.size, r.average, r.lowest, r.highest, r.deviation) for r in overview.rankings
    ] == [
        (d2.name, 2, D("80.00"), D("80.00"), D("80.00"), D("0.00")),
        (d1.name, 3, D("76.67"), D("50.00"), D("100.00"), D("20.55")),
    ]
    assert (overview.rankings[1].best[1], overview.rankings[1].weakest[1]) == ("Xã A1", "Xã A3")
    assert overview.best[0][1] == "Xã A1"
    # Area 1: (100 + 83.33 + 50 + 100 + 66.67) / 5 = 80; area 2: (100 + 75 + 50 + 50 + 100) / 5
    # = 75: the weakest first.
    assert [(a["code"], round(a["average"], 2)) for a in overview.weak_areas] == [
        ("2", D("75.00")),
        ("1", D("80.00")),
    ]
    html = page.content.decode()
    assert "76,67%" in html and "20,55" in html and "Cải cách thủ tục hành chính" in html


def test_a_district_leader_does_not_see_the_province_overview(province, client):
    client.force_login(_leader_of(province["districts"][0]))
    assert client.get(f"/units/{province['old'].code}/", {"on": "2024-12-31"}).status_code == 404


def test_a_new_province_reaches_back_to_the_districts_of_the_communes_it_took_in(province, client):
    old = province["communes"]
    new_province = ProvinceFactory(valid_from=NEW)
    one = CommuneFactory(parent=new_province, name="Xã Một", valid_from=NEW)
    two = CommuneFactory(parent=new_province, name="Xã Hai", valid_from=NEW)
    for successor, predecessor, merge in (
        (one, old["Xã A1"], Merge.FULL),
        (one, old["Xã B1"], Merge.PARTIAL),
        (two, old["Xã A2"], Merge.FULL),
    ):
        UnitLineage.objects.create(successor=successor, predecessor=predecessor, merge=merge)
    period = period_get_or_create("2025")
    framework, _ = framework_load(
        document=framework_doc(code="P", areas=TWO_AREAS), issuer_code=new_province.code, year=2025
    )
    group_open(framework=framework, period=period)
    save_scores(period, {one.code: {"1.1": 6, "2.1": 3}, two.code: {"1.1": 5, "2.1": 4}})
    recompute(framework, period)

    leader = _leader_of(new_province)
    client.force_login(leader)
    now = client.get(f"/units/{new_province.code}/").context["overview"]
    assert not now.district_era and now.period.code == "2025"
    assert [(r.label, r.size, r.average) for r in now.rankings] == [
        (new_province.name, 2, D("90.00"))
    ]
    before = client.get(f"/units/{new_province.code}/", {"period": "2024"}).context["overview"]
    d1, d2 = province["districts"]
    # Only the old communes that went into the province: A1 and A2 of D1 (100, 80), B1 of D2.
    assert [(r.label, r.size, r.average) for r in before.rankings] == [
        (d1.name, 2, D("90.00")),
        (d2.name, 1, D("80.00")),
    ]
    # The old district's ranking is part of that history, and readable from the link.
    ranking = client.get("/rankings/", {"group": d1.code, "period": "2024"})
    assert ranking.context["dashboard"].framework.issuer == d1
    assert [r.unit.name for r in ranking.context["dashboard"].rows] == ["Xã A1", "Xã A2", "Xã A3"]
    # The old communes' pages are readable (their results are the new communes' history) …
    assert client.get(f"/units/{old['Xã B1'].code}/", {"on": "2024-12-31"}).status_code == 200
    # … but an old commune that went elsewhere is not.
    assert client.get(f"/units/{old['Xã B2'].code}/", {"on": "2024-12-31"}).status_code == 404
