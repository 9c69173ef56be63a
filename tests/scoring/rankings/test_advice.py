"""What would raise a unit's standing (#17): expected values worked out by hand."""

from decimal import Decimal

import pytest

from scoring.rankings.advice import standing_advice
from scoring.rankings.dashboards import ranking_table
from scoring.rankings.index_rule import points_for_index
from tests.factories import MembershipFactory, framework_doc
from tests.helpers import recompute, save_scores

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("percent", "maximum", "precision", "points"),
    [
        # 79.995 % of 100 rounds to 80.00 %; 79.99 points would show 79.99 %.
        (80, 100, 2, "80.00"),
        # Of 1,000 points, 799.95 show 79.995 → 80.00 %: half a last digit below is enough.
        (80, 1000, 2, "799.95"),
        # 89.9995 % of 95.5 = 85.9495…: 85.95 points show 90.000 %, 85.94 show 89.990 %.
        (90, Decimal("95.5"), 3, "85.95"),
        # 69.995 % of 10 = 6.9995: 7 points.
        (70, 10, 2, "7.00"),
        (0, 10, 2, "0.00"),
    ],
)
def test_the_points_an_index_needs_as_the_engine_rounds_it(percent, maximum, precision, points):
    assert points_for_index(percent, maximum, precision) == Decimal(points)


@pytest.fixture
def group(four_ranked):
    """Results by unit code of the four-commune group (conftest): 90, 70, 60 and 30 %."""
    return four_ranked[2]


def test_points_to_the_next_band_and_rank(group, communes):
    third = standing_advice(group[communes[2].code])
    # 60 % → Khá at 70 %: 7 points, one more; the next rank is the second's, at 70 % too.
    assert (third.next_band.label, third.next_band.points) == ("Khá", Decimal("1.00"))
    assert (third.next_rank.label, third.next_rank.points) == ("2", Decimal("1.00"))
    assert third.next_band.within_reach and third.next_rank.within_reach
    last = standing_advice(group[communes[3].code])
    # 30 % → Trung bình at 50 %: 5 points, two more; the third place at 60 %: 6, three more.
    assert (last.next_band.label, last.next_band.points) == ("Trung bình", Decimal("2.00"))
    assert (last.next_rank.label, last.next_rank.points) == ("3", Decimal("3.00"))
    first = standing_advice(group[communes[0].code])
    assert first.next_band is None and first.next_rank is None  # best band, first place


def test_the_items_furthest_behind_the_group_average(group, communes):
    behind = standing_advice(group[communes[3].code]).behind
    # 1.1: (5 + 4 + 3 + 1) / 4 = 3.25 against 1 → 2.25; 1.2: (4 + 3 + 3 + 2) / 4 = 3 against 2.
    assert [(b.sub_criterion.code, b.points, b.gap) for b in behind] == [
        ("1.1", Decimal("1"), Decimal("2.25")),
        ("1.2", Decimal("2"), Decimal("1")),
    ]
    assert standing_advice(group[communes[0].code]).behind == []  # above the average everywhere


def test_the_unit_page_tells_the_officer_what_would_raise_the_standing(client, group, communes):
    client.force_login(MembershipFactory(unit=communes[3], role="commune_officer").user)
    html = client.get(f"/units/{communes[3].code}/").content.decode()
    assert "<strong>Thêm 2 điểm</strong> là đạt xếp loại Trung bình (50%)." in html
    assert "<strong>Thêm 3 điểm</strong> là lên hạng 3." in html
    assert '<td class="num down">−2,25</td>' in html  # 1.1: 1 against the group's 3,25
    client.cookies["django_language"] = "en"
    english = client.get(f"/units/{communes[3].code}/").content.decode()
    assert "<strong>2 more points</strong> reach the band Trung bình (50%)." in english
    assert '<td class="num down">−2.25</td>' in english
    # The self-assessment sheet says the same above the items.
    sheet = client.get(f"/assessments/{communes[3].code}/2024/").content.decode()
    assert "<strong>2 more points</strong> reach the band Trung bình (50%)." in sheet
    assert "<strong>3 more points</strong> reach rank 3." in sheet


def test_the_ranking_shows_the_units_closest_to_a_band_change(client, group, district, communes):
    client.force_login(MembershipFactory(unit=district, role="leader").user)
    page = client.get("/rankings/", {"group": district.code, "period": "2024"})
    some = next(iter(group.values()))
    dashboard = ranking_table(some.framework, some.period, None)
    # Up: 70 % → Tốt at 80 % lacks 1 point, 60 % → Khá 1, 30 % → Trung bình 2; 90 % is best.
    assert [(r.unit.code, band, p) for r, band, p in dashboard.closest_up] == [
        (communes[1].code, "Tốt", Decimal("1.00")),
        (communes[2].code, "Khá", Decimal("1.00")),
        (communes[3].code, "Trung bình", Decimal("2.00")),
    ]
    # Down: 90 % and 70 % sit on their bands' thresholds (nothing to spare); 60 % has 1 point
    # above Trung bình's 50 %; Yếu (from 0 %) cannot be dropped.
    assert [(r.unit.code, band, m) for r, band, m in dashboard.closest_down] == [
        (communes[0].code, "Xuất sắc", Decimal("0")),
        (communes[1].code, "Khá", Decimal("0")),
        (communes[2].code, "Trung bình", Decimal("1.00")),
    ]
    html = page.content.decode()
    assert "Gần chuyển xếp loại nhất" in html and '<td class="num up">+2</td>' in html


def test_the_ranking_shows_the_areas_that_would_lift_the_average_most(
    client, make_group, district, communes
):
    doc = framework_doc(
        areas=[
            {"code": "1", "name": "Một", "sub_criteria": [
                {"code": "1.1", "name": "A", "max_points": 6, "method": "manual"}]},
            {"code": "2", "name": "Hai", "sub_criteria": [
                {"code": "2.1", "name": "B", "max_points": 4, "method": "manual"}]},
        ]
    )  # fmt: skip
    framework, period = make_group(doc)
    points = [(5, 4), (3, 4), (6, 1), (2, 2)]
    save_scores(
        period, {c.code: {"1.1": a, "2.1": b} for c, (a, b) in zip(communes, points, strict=True)}
    )
    recompute(framework, period)
    lifts = ranking_table(framework, period, None).area_lifts
    # Area 1 loses 1, 3, 0 and 4 of each unit's 10 points: 10 + 30 + 0 + 40 = 80 index points,
    # 20 on the average; 2 of 6 is below half. Area 2 loses 0, 0, 3, 2: 12,5; 1 of 4 is 25 %.
    # Together 32,5 = 100 − the average index (90 + 70 + 70 + 40) / 4 = 67,5.
    assert [(a.area.code, a.lift, a.below_half, a.assessed) for a in lifts] == [
        ("1", Decimal("20.00"), 1, 4),
        ("2", Decimal("12.50"), 1, 4),
    ]
    client.force_login(MembershipFactory(unit=district, role="leader").user)
    client.cookies["django_language"] = "en"
    html = client.get("/rankings/", {"group": district.code, "period": "2024"}).content.decode()
    assert "Areas that would lift the group's average most" in html
    assert '<td class="num up">+20</td>' in html and '<td class="num up">+12.5</td>' in html
