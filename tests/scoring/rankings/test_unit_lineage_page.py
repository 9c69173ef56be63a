"""The unit page in the two-tier present: a new commune shows the old communes it took in, their
results over the years and the baseline its first ranked year is compared with; an old commune
links to the new one. A reused code names the old unit before July 2025 and the new one after."""

import datetime
from decimal import Decimal

import pytest

from communes.models import Merge, UnitLineage
from scoring.assessments.rounds import group_open
from scoring.frameworks.services import framework_load
from scoring.periods import period_get_or_create
from tests.factories import CommuneFactory, DistrictFactory, MembershipFactory, framework_doc
from tests.helpers import recompute, save_scores

pytestmark = pytest.mark.django_db
D = Decimal
OLD_END, NEW = datetime.date(2025, 6, 30), datetime.date(2025, 7, 1)


@pytest.fixture
def merger():
    district = DistrictFactory(valid_to=OLD_END)
    province = district.parent
    old = {
        name: CommuneFactory(parent=district, name=f"Xã {name}", valid_to=OLD_END)
        for name in ("Nhơn Mỹ", "An Mỹ", "Song Phụng", "Thới An")
    }
    # The new commune reuses the code of the old Nhơn Mỹ.
    new = CommuneFactory(
        parent=province, name="Xã Nhơn Mỹ", code=old["Nhơn Mỹ"].code, valid_from=NEW
    )
    for name, merge in (
        ("Nhơn Mỹ", Merge.FULL),
        ("An Mỹ", Merge.FULL),
        ("Song Phụng", Merge.PARTIAL),
    ):
        UnitLineage.objects.create(successor=new, predecessor=old[name], merge=merge)
    for year in (2023, 2024):
        period = period_get_or_create(str(year))
        framework, _ = framework_load(
            document=framework_doc(code=f"D{year}"), issuer_code=district.code, year=year
        )
        group_open(framework=framework, period=period)
    return {"district": district, "province": province, "old": old, "new": new}


def _rank(year, points_by_name, merger, framework_code):
    period = period_get_or_create(str(year))
    save_scores(
        period,
        {merger["old"][name].code: {"1.1": a, "1.2": b} for name, (a, b) in points_by_name.items()},
    )
    framework = merger["district"].frameworks.get(code=framework_code)
    return recompute(framework, period)


@pytest.fixture
def history(merger):
    # 2023: Nhơn Mỹ 70 %, An Mỹ 60 %, Song Phụng 90 %, Thới An 80 %.
    _rank(
        2023,
        {"Nhơn Mỹ": (5, 2), "An Mỹ": (4, 2), "Song Phụng": (6, 3), "Thới An": (5, 3)},
        merger,
        "D2023",
    )
    # 2024: Nhơn Mỹ 82 %, An Mỹ 87 %, Song Phụng 50 %, Thới An 95 %.
    _rank(
        2024,
        {"Nhơn Mỹ": (6, "2.2"), "An Mỹ": (6, "2.7"), "Song Phụng": (3, 2), "Thới An": (6, "3.5")},
        merger,
        "D2024",
    )
    province = merger["province"]
    period = period_get_or_create("2025")
    framework, _ = framework_load(
        document=framework_doc(code="P2025"), issuer_code=province.code, year=2025
    )
    group_open(framework=framework, period=period)
    # The new Nhơn Mỹ, by the reused code on 31/12/2025: 88 %.
    save_scores(period, {merger["new"].code: {"1.1": 6, "1.2": "2.8"}})
    recompute(framework, period)
    return merger


def test_a_new_commune_shows_its_predecessors_years_and_the_labelled_baseline(history, client):
    new = history["new"]
    client.force_login(MembershipFactory(unit=history["province"], role="leader").user)
    page = client.get(f"/units/{new.code}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    lineage = page.context["profile"].lineage
    assert [(p.unit.name, p.merge) for p in lineage.predecessors] == [
        ("Xã Nhơn Mỹ", "full"),
        ("Xã An Mỹ", "full"),
        ("Xã Song Phụng", "partial"),
    ]
    assert lineage.years == [2023, 2024]
    by_name = {p.unit.name: p.cells for p in lineage.predecessors}
    assert [c.index_percent for c in by_name["Xã An Mỹ"]] == [D("60.00"), D("87.00")]
    # Ranks among the four old communes of the district: An Mỹ 4th in 2023, 2nd in 2024.
    assert [(c.rank, c.group_size) for c in by_name["Xã An Mỹ"]] == [(4, 4), (2, 4)]
    # Baseline: the mean 2024 index of the two communes that went in wholly, (82 + 87) / 2;
    # Song Phụng, only in part, is left out. 2025: 88 % → +3.50 points.
    assert (lineage.baseline, lineage.baseline_year, lineage.baseline_units) == (
        D("84.50"),
        2024,
        2,
    )
    assert lineage.movement == D("3.50")
    html = page.content.decode()
    assert "84,50%" in html and "+3,50" in html
    assert "trung bình chỉ số năm 2024 của 2 xã cũ" in html
    # The old Nhơn Mỹ is reached on its last day, not today's unit with the same code.
    assert f'href="/units/{new.code}/?on=2025-06-30"' in html


def test_an_old_commune_links_to_the_unit_it_went_into(history, client):
    old = history["old"]["An Mỹ"]
    client.force_login(MembershipFactory(unit=history["province"], role="leader").user)
    page = client.get(f"/units/{old.code}/", {"on": "2024-12-31"})
    assert page.status_code == 200
    assert page.context["profile"].lineage.successors == [(history["new"], "full")]
    assert f'href="/units/{history["new"].code}/?on=2025-07-01"' in page.content.decode()
    # Its own results stay its own: 2023 and 2024, none of 2025.
    assert [r.period.code for r in page.context["profile"].results] == ["2024", "2023"]


def test_the_reused_code_shows_the_old_commune_before_the_merger(history, client):
    code = history["new"].code
    client.force_login(MembershipFactory(unit=history["province"], role="leader").user)
    old_page = client.get(f"/units/{code}/", {"on": "2023-12-31"}).context["profile"]
    assert old_page.unit == history["old"]["Nhơn Mỹ"]
    assert [r.index_percent for r in old_page.results] == [D("82.00"), D("70.00")]
    new_page = client.get(f"/units/{code}/").context["profile"]
    assert new_page.unit == history["new"]
    assert [r.index_percent for r in new_page.results] == [D("88.00")]
