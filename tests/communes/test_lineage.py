"""The 2025 mergers: unit kinds from the official names, the lineage file loaded whole (every
new commune has predecessors, every old one a successor), and a code read on a date."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from communes.lineage import lineage_load
from communes.models import AdministrativeUnit, Kind, Level, Membership, UnitLineage
from communes.services import UnitListError, units_load
from tests.factories import CommuneFactory, UserFactory

pytestmark = pytest.mark.django_db
DATA = Path(settings.DATA_DIR)
REFORM = datetime.date(2025, 7, 1)
EVE = datetime.date(2025, 6, 30)


def _load_both_lists():
    units_load(
        path=DATA / "units_2025-03_three_tier.csv",
        valid_from=datetime.date(2019, 1, 1),
        valid_to=EVE,
    )
    units_load(path=DATA / "units_2026-07_two_tier.csv", valid_from=REFORM, close_missing=True)


def test_the_whole_lineage_covers_every_new_and_every_old_commune(client):
    _load_both_lists()
    stats = lineage_load(path=DATA / "lineage_2025-07_communes.csv")
    communes = AdministrativeUnit.objects.filter(level=Level.COMMUNE)
    new = communes.valid_on(REFORM)
    old = communes.valid_on(EVE)
    assert (new.count(), old.count()) == (3321, 10035)
    # Every new commune took in at least one old one, but the five special zones that were island
    # districts (no commune of theirs is in the three-tier list); every old one went somewhere.
    orphans = new.filter(predecessor_links__isnull=True)
    assert sorted(orphans.values_list("kind", flat=True)) == ["dac_khu"] * 5
    assert {"Đặc khu Côn Đảo", "Đặc khu Lý Sơn"} <= set(orphans.values_list("name", flat=True))
    assert not old.filter(successor_links__isnull=True).exists()
    # 10,604 rows: 17 name old codes that are not in the March 2025 list (5 island districts,
    # 12 communes merged before it); each of the others is one link (the demo's Cần Thơ has its
    # links already).
    assert len(set(stats.skipped)) == 17
    assert stats.created + stats.unchanged + len(stats.skipped) == 10604
    assert UnitLineage.objects.filter(merge="partial").exists()
    # Loading twice changes nothing.
    again = lineage_load(path=DATA / "lineage_2025-07_communes.csv")
    assert (again.created, again.updated, again.unchanged) == (
        0,
        0,
        stats.created + stats.unchanged,
    )

    # Kinds, from the official names ("xã Bắc Sơn" is written in lower case in the list).
    kinds = {kind: new.filter(kind=kind).count() for kind in Kind.values}
    assert kinds == {"xa": 2611, "phuong": 697, "thi_tran": 0, "dac_khu": 13}
    assert old.filter(kind=Kind.THI_TRAN).count() == 617
    assert not communes.filter(kind="").exists()
    assert not AdministrativeUnit.objects.exclude(level=Level.COMMUNE).exclude(kind="").exists()

    # 11311 was Phường Minh Khai of Quận Hồng Bàng; since July 2025 it is Phường Hồng Bàng.
    client.force_login(UserFactory(is_superuser=True))
    today = client.get("/api/v1/units/11311/").json()
    assert (today["name"], today["kind"], today["valid_from"]) == (
        "Phường Hồng Bàng",
        "phuong",
        "2025-07-01",
    )
    assert "11311" in {p["code"] for p in today["predecessors"]}
    assert {p["merge"] for p in today["predecessors"]} <= {"full", "partial"}
    before = client.get("/api/v1/units/11311/", {"on": "2024-05-01"}).json()
    assert before["name"] == "Phường Minh Khai" and before["valid_to"] == "2025-06-30"
    assert [s["code"] for s in before["successors"]] == ["11311"]
    assert before["predecessors"] == []
    listed = client.get("/api/v1/units/", {"kind": "dac_khu", "valid_on": "2026-01-01"}).json()
    assert listed["count"] == 13
    assert client.get("/api/v1/units/11311/", {"on": "2019-13-01"}).status_code == 400
    assert client.get("/api/v1/units/11311/", {"on": "2010-01-01"}).status_code == 404


def test_a_bad_lineage_row_refuses_the_whole_file_with_its_row(tmp_path, capsys):
    old = CommuneFactory(code="99901", name="Xã Cũ", valid_to=EVE)
    CommuneFactory(code="99902", name="Phường Mới", valid_from=REFORM)
    header = (
        "new_province_code,new_province_name,new_commune_code,new_commune_name,"
        "old_commune_code,old_commune_name,merge_type\n"
    )
    good = "99,Tỉnh,99902,Phường Mới,99901,Xã Cũ,full\n"
    for bad, words in (
        ("99,Tỉnh,99902,Phường Mới,99901,Xã Cũ,half\n", "row 3: merge_type 'half'"),
        ("99,Tỉnh,99977,Phường Khác,99901,Xã Cũ,full\n", "row 3: no commune 99977"),
        ("99,Tỉnh,,Phường Mới,99901,Xã Cũ,full\n", "row 3: a commune code is empty"),
    ):
        path = tmp_path / "lineage.csv"
        path.write_text(header + good + bad, encoding="utf-8")
        with pytest.raises(UnitListError) as refused:
            lineage_load(path=path)
        assert any(words in problem for problem in refused.value.problems), refused.value.problems
        assert not UnitLineage.objects.filter(predecessor=old).exists()
    missing = tmp_path / "short.csv"
    missing.write_text("new_commune_code,old_commune_code\n99902,99901\n", encoding="utf-8")
    with pytest.raises(UnitListError, match="row 1: the columns"):
        lineage_load(path=missing)
    # An old code that is not a loaded unit is skipped and reported, not refused.
    path = tmp_path / "ok.csv"
    path.write_text(header + good + "99,Tỉnh,99902,Phường Mới,99988,Xã Xưa,partial\n", "utf-8")
    call_command("load_lineage", str(path))
    out = capsys.readouterr().out
    assert "1 links created" in out and "1 rows skipped" in out and "99988" in out
    link = UnitLineage.objects.get(predecessor=old)
    assert (link.predecessor, link.successor.kind, link.merge) == (old, "phuong", "full")


def test_the_2025_scores_of_a_new_commune_with_a_reused_code_import_and_rank():
    """11311 was Phường Minh Khai (Hồng Bàng district) until June 2025; the 2025 round of Hải
    Phòng (31) appraises the new Phường Hồng Bàng, whose code it is now."""
    from scoring.assessments.imports import scores_save
    from scoring.assessments.rounds import group_open
    from scoring.frameworks.services import framework_load
    from scoring.models import Assessment
    from scoring.periods import period_get_or_create
    from tests.factories import framework_doc
    from tests.helpers import recompute

    units_load(
        path=DATA / "units_2025-03_three_tier.csv",
        valid_from=datetime.date(2019, 1, 1),
        valid_to=EVE,
        provinces={"31"},
    )
    units_load(path=DATA / "units_2026-07_two_tier.csv", valid_from=REFORM, provinces={"31"})
    framework, _replaced = framework_load(document=framework_doc(), issuer_code="31", year=2025)
    period = period_get_or_create("2025")
    opened = group_open(framework=framework, period=period)
    # Every unit of the new Hải Phòng, and none of the communes closed by the reform.
    assert (
        opened
        == AdministrativeUnit.objects.filter(level=Level.COMMUNE)
        .valid_on(datetime.date(2025, 12, 31))
        .filter(parent__code="31")
        .count()
    )
    records = [
        (2, {"unit_code": "11311", "period": "2025", "sub_code": "1.1", "self_points": "6"}),
        (3, {"unit_code": "11311", "period": "2025", "sub_code": "1.2", "self_points": "4"}),
    ]
    result = scores_save(records=records)
    assert result.ok, result.problems
    assessment = Assessment.objects.get(unit__code="11311", period=period)
    assert assessment.unit.name == "Phường Hồng Bàng" and assessment.unit.kind == "phuong"
    results = recompute(framework, period)
    assert results["11311"].rank == 1 and results["11311"].index_percent == 100
    # The old ward's 2024 scores still name the old ward: the code is read on 2024-12-31.
    old = AdministrativeUnit.objects.get(code="11311", valid_to=EVE)
    assert old.name == "Phường Minh Khai"


def test_a_new_communes_history_shows_its_predecessors_results_before_it_existed(client):
    """GET /api/v1/units/CODE/history/: the predecessors' 2024 results (with how each merged),
    then the new ward's own 2025 result, each with the size of its ranking group."""
    from scoring.assessments.imports import scores_save
    from scoring.assessments.rounds import group_open
    from scoring.frameworks.services import framework_load
    from scoring.periods import period_get_or_create
    from tests.factories import DistrictFactory, MembershipFactory, framework_doc
    from tests.helpers import recompute

    district = DistrictFactory(valid_to=EVE)
    province = district.parent
    a = CommuneFactory(parent=district, name="Xã A", valid_to=EVE)
    b = CommuneFactory(parent=district, name="Xã B", valid_to=EVE)
    c = CommuneFactory(parent=district, name="Xã C", valid_to=EVE)
    new = CommuneFactory(parent=province, code=a.code, name="Phường Mới", valid_from=REFORM)
    other = CommuneFactory(parent=province, code=c.code, name="Xã Khác", valid_from=REFORM)
    UnitLineage.objects.create(successor=new, predecessor=a, merge="full")
    UnitLineage.objects.create(successor=new, predecessor=b, merge="partial")
    UnitLineage.objects.create(successor=other, predecessor=c, merge="full")
    for issuer, year, points in ((district, 2024, {a: "6", b: "3", c: "5"}), (province, 2025, {})):
        framework, _replaced = framework_load(
            document=framework_doc(), issuer_code=issuer.code, year=year
        )
        period = period_get_or_create(str(year))
        group_open(framework=framework, period=period)
        points = points or {new: "2", other: "4"}
        records = [
            (n + 2, {"unit_code": u.code, "period": str(year), "sub_code": "1.1", "self_points": p})
            for n, (u, p) in enumerate(points.items())
        ]
        assert scores_save(records=records).ok
        recompute(framework, period)
    client.force_login(MembershipFactory(unit=province, role="leader").user)
    history = client.get(f"/api/v1/units/{new.code}/history/").json()
    assert history == [
        {
            "period": "2024",
            "unit_code": a.code,
            "unit_name": "Xã A",
            "merge": "full",
            "index_percent": 60.0,
            "band": "Trung bình",
            "rank": 1,
            "group_size": 3,
        },
        {
            "period": "2024",
            "unit_code": b.code,
            "unit_name": "Xã B",
            "merge": "partial",
            "index_percent": 30.0,
            "band": "Yếu",
            "rank": 3,
            "group_size": 3,
        },
        {
            "period": "2025",
            "unit_code": new.code,
            "unit_name": "Phường Mới",
            "merge": None,
            "index_percent": 20.0,
            "band": "Yếu",
            "rank": 2,
            "group_size": 2,
        },
    ]
    # On a day before the reform the code is the old commune: its own 2024 result only.
    before = client.get(f"/api/v1/units/{a.code}/history/", {"on": "2024-06-01"}).json()
    assert [(row["unit_name"], row["merge"]) for row in before] == [("Xã A", None)]
    assert client.get(f"/api/v1/units/{a.code}/history/", {"on": "2024-13-01"}).status_code == 400
    outsider = MembershipFactory(unit=CommuneFactory(), role="commune_officer").user
    client.force_login(outsider)
    assert client.get(f"/api/v1/units/{new.code}/history/").status_code == 404


def test_a_reused_code_names_the_unit_of_the_day_on_pages_and_in_add_member(client):
    """/units/CODE/?on= shows the unit as it stood (the ranking links carry their period's last
    day), and add_member --on gives a role on that version."""
    old = CommuneFactory(code="99931", name="Xã Cũ Tên", valid_to=EVE)
    new = CommuneFactory(code="99931", name="Phường Mới Tên", valid_from=REFORM)
    role = ["--unit", "99931", "--role", "leader"]
    call_command(
        "add_member", "canbo_cu", "--unit", "99931", "--role", "leader", "--on", "2024-05-01"
    )
    call_command("add_member", "canbo_moi", "--unit", "99931", "--role", "leader")

    assert Membership.objects.get(user__username="canbo_cu").unit == old
    assert Membership.objects.get(user__username="canbo_moi").unit == new
    with pytest.raises(CommandError, match="on 2010-01-01"):
        call_command("add_member", "x", *role, "--on", "2010-01-01")
    client.force_login(UserFactory(is_superuser=True))
    assert "Phường Mới Tên" in client.get("/units/99931/").content.decode()
    assert "Xã Cũ Tên" in client.get("/units/99931/?on=2024-05-01").content.decode()
    assert "Phường Mới Tên" in client.get("/units/99931/?on=bad").content.decode()
