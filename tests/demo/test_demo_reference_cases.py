"""The reference cases of domain.md, reproduced by the real engine on the seeded demo."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from communes.models import Membership
from dossiers.models import DossierReport
from scoring.models import Publication, Result

pytestmark = pytest.mark.django_db


def result(unit_code, period_code):
    return Result.objects.select_related("framework__issuer").get(
        unit__code=unit_code, period__code=period_code
    )


def test_an_my_2022_is_very_good_first_and_up_on_2021():
    an_my = result("31564", "2022")
    assert an_my.index_percent == Decimal("90.92")
    assert an_my.band_label == "Rất tốt"
    assert an_my.rank == 1
    assert an_my.framework.issuer.code == "943"
    assert an_my.index_percent - result("31564", "2021").index_percent == Decimal("7.67")
    publication = Publication.objects.get(framework=an_my.framework, period__code="2022")
    assert publication.decision_number == "2007/QĐ-UBND"
    assert f"{publication.decision_date:%d/%m/%Y}" == "30/12/2022"
    assert not an_my.provisional


def test_an_my_2022_dossiers_match_the_report():
    months = DossierReport.objects.filter(commune__code="31564", month__year=2022)
    assert months.count() == 12
    totals = {
        f: sum(getattr(m, f) for m in months)
        for f in ("received", "resolved_early", "resolved_on_time", "resolved_late")
    }
    assert totals == {
        "received": 3517,
        "resolved_early": 3494,
        "resolved_on_time": 23,
        "resolved_late": 0,
    }


def test_hai_truong_first_half_2023_with_its_area_results_and_earlier_ranks():
    hai_truong = result("19729", "2023-H1")
    assert hai_truong.index_percent == Decimal("73.90")
    assert hai_truong.band_label == "Khá"
    assert hai_truong.rank == 6
    assert hai_truong.previous_rank == 4  # no 2022-H2 was assessed: compared with 2022
    areas = [ar.percent for ar in hai_truong.area_results.order_by("area__position")]
    assert areas[:7] == [
        Decimal(x) for x in ("53.57", "45.83", "81.05", "100.00", "75.00", "30.00", "38.15")
    ]
    assert [result("19729", p).rank for p in ("2020", "2021", "2022")] == [2, 2, 4]


def test_the_demo_covers_both_districts_every_period_and_every_role():
    for issuer, communes in (("943", 13), ("470", 15)):
        for period in ("2020", "2021", "2022", "2023-H1", "2023"):
            assert (
                Result.objects.filter(framework__issuer__code=issuer, period__code=period).count()
                == communes
            )
    months = DossierReport.objects.filter(commune__parent__code__in=["943", "470"])
    assert months.count() == 28 * 48
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"commune_officer", "appraiser", "leader", "admin"}
    in_progress = Result.objects.filter(period__code="2023", framework__issuer__code="470")
    assert all(r.provisional for r in in_progress)
    assert any(r.appraised_count < r.criteria_count for r in in_progress)


def test_demo_trends_are_believable():
    """Online dossiers grow year on year across the demo, as they did in reality."""
    rates = []
    for year in (2020, 2021, 2022, 2023):
        months = DossierReport.objects.filter(
            month__year=year, commune__parent__code__in=["943", "470"]
        )
        online = sum(m.online_full + m.online_partial for m in months)
        rates.append(online / sum(m.received for m in months))
    assert rates == sorted(rates) and rates[0] < 0.3 < rates[-1]


def test_seed_demo_again_changes_nothing():
    before = (
        list(Result.objects.order_by("pk").values_list("pk", "index_percent", "rank")),
        DossierReport.history.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    after = (
        list(Result.objects.order_by("pk").values_list("pk", "index_percent", "rank")),
        DossierReport.history.count(),
    )
    assert before == after


def test_show_ranking_prints_the_api_rows(capsys):
    call_command("show_ranking", "--period", "2023-H1", "--group", "470", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 15
    hai_truong = next(r for r in rows if r["unit_code"] == "19729")
    assert hai_truong == {
        "unit_code": "19729",
        "unit_name": "Xã Hải Trường",
        "index_percent": 73.9,
        "points": 73.9,
        "max_points": 100.0,
        "band": "Khá",
        "rank": 6,
        "previous_rank": 4,
        "provisional": False,
        "ranking_group": None,
        "areas": {
            "1": 53.57,
            "2": 45.83,
            "3": 81.05,
            "4": 100.0,
            "5": 75.0,
            "6": 30.0,
            "7": 38.15,
            "8": 95.13,
        },
    }
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    call_command("show_ranking", "--period", "2022", "--group", "943")
    table = capsys.readouterr().out
    assert "rankings as of" in table and "Xã An Mỹ" in table.splitlines()[2]
