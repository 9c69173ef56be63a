"""The ranking engine through the real services and database: points, percents, bands, ranks."""

from decimal import Decimal

import pytest

from dossiers.services import dossier_reports_save
from scoring.assessments.adjustments import adjustment_add
from scoring.models import AreaResult, Score
from tests.factories import DERIVED_DOC, framework_doc
from tests.helpers import dossier_row, recompute, save_scores

pytestmark = pytest.mark.django_db

D = Decimal


def test_equal_percents_share_a_rank_and_the_next_rank_skips(make_group, communes):
    framework, period = make_group()
    a, b, c, d = (u.code for u in communes)
    save_scores(
        period,
        {
            a: {"1.1": 6, "1.2": 3},
            b: {"1.1": 5, "1.2": 3},
            c: {"1.1": 4, "1.2": 4},
            d: {"1.1": 2, "1.2": 1},
        },
    )
    results = recompute(framework, period)
    assert [results[x].rank for x in (a, b, c, d)] == [1, 2, 2, 4]
    assert results[b].index_percent == results[c].index_percent == D("80.00")


def test_ties_are_judged_at_the_two_decimals_shown(make_group, communes):
    doc = framework_doc(
        areas=[
            {
                "code": "1",
                "name": "x",
                "sub_criteria": [
                    {"code": "1.1", "name": "a", "max_points": 30, "method": "manual"}
                ],
            }
        ]
    )
    framework, period = make_group(doc)
    a, b, c, _d = (u.code for u in communes)
    # 20.01 / 30 = 66.70 %, 20.00 / 30 = 66.666… → 66.67 %, 19.99 / 30 = 66.633… → 66.63 %
    save_scores(period, {a: {"1.1": "20.01"}, b: {"1.1": "20.00"}, c: {"1.1": "19.99"}})
    results = recompute(framework, period)
    assert [results[x].index_percent for x in (a, b, c)] == [D("66.70"), D("66.67"), D("66.63")]
    assert [results[x].rank for x in (a, b, c)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("points", "band"),
    [("9.00", "Xuất sắc"), ("8.99", "Tốt"), ("8.00", "Tốt"), ("7.99", "Khá"), ("0", "Yếu")],
)
def test_band_edges_belong_to_the_band_they_reach(make_group, communes, points, band):
    doc = framework_doc(
        areas=[
            {
                "code": "1",
                "name": "x",
                "sub_criteria": [
                    {"code": "1.1", "name": "a", "max_points": 10, "method": "manual"}
                ],
            }
        ]
    )
    framework, period = make_group(doc)
    save_scores(period, {communes[0].code: {"1.1": points}})
    result = recompute(framework, period)[communes[0].code]
    assert result.index_percent == D(points) * 10
    assert result.band_label == band


def test_a_framework_whose_maximum_is_not_100(make_group, communes):
    doc = framework_doc(
        areas=[
            {
                "code": "A",
                "name": "x",
                "sub_criteria": [
                    {"code": "A1", "name": "a", "max_points": 12.5, "method": "manual"},
                    {"code": "A2", "name": "b", "max_points": 25, "method": "survey"},
                ],
            },
            {
                "code": "B",
                "name": "y",
                "sub_criteria": [
                    {"code": "B1", "name": "c", "max_points": 12.5, "method": "manual"}
                ],
            },
        ]
    )
    framework, period = make_group(doc)
    assert framework.max_points == D("50.00")
    save_scores(period, {communes[0].code: {"A1": "10", "A2": "20.5", "B1": "5"}})
    result = recompute(framework, period)[communes[0].code]
    assert result.total_points == D("35.50")
    assert result.index_percent == D("71.00")  # 35.5 of 50
    areas = {ar.area.code: ar.percent for ar in result.area_results.select_related("area")}
    assert areas == {"A": D("81.33"), "B": D("40.00")}  # 30.5 / 37.5 and 5 / 12.5


def test_appraised_points_override_self_points(make_group, communes):
    framework, period = make_group()
    code = communes[0].code
    save_scores(period, {code: {"1.1": ("6", "4.5"), "1.2": ("4", None)}})
    result = recompute(framework, period)[code]
    assert result.total_points == D("8.50")
    assert (result.appraised_count, result.criteria_count) == (1, 2)
    score = Score.objects.get(assessment__unit=communes[0], sub_criterion__code="1.1")
    assert (score.self_points, score.appraised_points, score.points) == (D("6"), D("4.5"), D("4.5"))


def test_appraised_zero_counts_as_appraised_not_as_missing(make_group, communes):
    framework, period = make_group()
    code = communes[0].code
    save_scores(period, {code: {"1.1": ("6", "0"), "1.2": "4"}})
    assert recompute(framework, period)[code].total_points == D("4.00")


def _derived(commune, sub_code):
    return Score.objects.get(assessment__unit=commune, sub_criterion__code=sub_code)


@pytest.mark.parametrize(
    ("resolved_late", "expected_rate", "expected_points"),
    [
        (0, "100.00", "5.00"),
        (1, "99.00", "4.00"),
        (2, "98.00", "4.00"),
        (3, "97.00", "3.00"),
        (6, "94.00", "0.00"),
    ],
)
def test_steps_give_the_points_of_the_first_threshold_reached(
    make_group, communes, resolved_late, expected_rate, expected_points
):
    framework, period = make_group(DERIVED_DOC)
    commune = communes[0]
    result = dossier_reports_save(
        records=[
            (
                2,
                dossier_row(
                    commune.code,
                    "2024-03",
                    received=100,
                    resolved_early=60,
                    resolved_on_time=40 - resolved_late,
                    resolved_late=resolved_late,
                    apologies=resolved_late,
                ),
            )
        ]
    )
    assert result.ok, result.problems
    recompute(framework, period)
    score = _derived(commune, "3.2")
    assert score.metric_value == D(expected_rate)
    assert score.derived_points == score.points == D(expected_points)


@pytest.mark.parametrize(
    ("online", "expected_points"),
    [(0, "0.00"), (25, "2.00"), (45, "3.60"), (50, "4.00"), (90, "4.00")],
)
def test_ratio_target_scales_points_up_to_the_target(make_group, communes, online, expected_points):
    framework, period = make_group(DERIVED_DOC)
    commune = communes[0]
    assert dossier_reports_save(
        records=[
            (
                2,
                dossier_row(
                    commune.code, "2024-05", received=100, resolved_early=100, online_partial=online
                ),
            )
        ]
    ).ok
    recompute(framework, period)
    score = _derived(commune, "3.4")
    assert score.metric_value == D(online)
    assert score.points == D(expected_points)


def test_metrics_sum_the_months_of_the_period(make_group, communes):
    framework, period = make_group(DERIVED_DOC, period="2024-H1")
    commune = communes[0]
    records = [
        (2, dossier_row(commune.code, "2024-01", received=40, resolved_early=40, online_full=30)),
        (3, dossier_row(commune.code, "2024-06", received=60, resolved_early=60, online_full=0)),
        # July is outside the first half and must not count.
        (
            4,
            dossier_row(commune.code, "2024-07", received=100, resolved_early=100, online_full=100),
        ),
    ]
    assert dossier_reports_save(records=records).ok
    recompute(framework, period)
    assert _derived(commune, "3.4").metric_value == D("30.00")  # 30 of 100 received


def test_a_rate_with_nothing_to_count_is_not_applicable_and_needs_manual_points(
    make_group, communes
):
    framework, period = make_group(DERIVED_DOC)
    commune, no_data = communes[0], communes[1]
    # Received nothing and resolved nothing: on-time and online rates have no denominator.
    assert dossier_reports_save(records=[(2, dossier_row(commune.code, "2024-02"))]).ok
    save_scores(period, {commune.code: {"3.2": "2.5"}, no_data.code: {"3.4": "1"}})
    results = recompute(framework, period)
    on_time = _derived(commune, "3.2")
    assert on_time.metric_value is None and on_time.derived_points is None
    assert on_time.points == D("2.50")  # the manual points the portal asked for
    # Nothing late: no apology was missing, so the apology rate is 100 and not "not applicable".
    assert _derived(commune, "3.3").metric_value == D("100.00")
    assert results[commune.code].not_applicable_count == 2
    # A commune with no statistics at all: every derived rate is not applicable.
    assert results[no_data.code].not_applicable_count == 3
    assert _derived(no_data, "3.4").points == D("1.00")


def test_an_applicable_rate_wins_over_self_points_but_not_over_the_appraiser(make_group, communes):
    framework, period = make_group(DERIVED_DOC)
    commune = communes[0]
    assert dossier_reports_save(
        records=[
            (2, dossier_row(commune.code, "2024-02", received=10, resolved_early=10, online_full=1))
        ]
    ).ok
    save_scores(period, {commune.code: {"3.4": "4", "3.2": ("5", "3")}})
    recompute(framework, period)
    assert _derived(commune, "3.4").points == D("0.80")  # 10 % of a 50 % target → 0.8 of 4
    assert _derived(commune, "3.2").points == D("3.00")


def test_bonus_and_penalty_move_the_index_outside_the_framework_maximum(make_group, communes):
    framework, period = make_group()
    code = communes[0].code
    save_scores(period, {code: {"1.1": "6", "1.2": "3"}})
    assessment = Score.objects.filter(assessment__unit=communes[0]).first().assessment
    adjustment_add(assessment=assessment, kind="bonus", points="1.5", reason="Sáng kiến")
    adjustment_add(assessment=assessment, kind="penalty", points="0.25", reason="Báo cáo trễ")
    result = recompute(framework, period)[code]
    assert (result.total_points, result.bonus_points, result.penalty_points) == (
        D("9.00"),
        D("1.50"),
        D("0.25"),
    )
    assert result.index_percent == D("102.50")  # (9 + 1.5 − 0.25) / 10
    assert result.band_label == "Xuất sắc"


def test_recomputing_gives_the_same_rows(make_group, communes):
    framework, period = make_group(DERIVED_DOC)
    assert dossier_reports_save(
        records=[
            (
                2,
                dossier_row(
                    communes[0].code,
                    "2024-02",
                    received=10,
                    resolved_early=9,
                    resolved_late=1,
                    online_full=4,
                ),
            )
        ]
    ).ok
    save_scores(period, {c.code: {"3.1": str(i / 2)} for i, c in enumerate(communes)})

    def snapshot():
        results = recompute(framework, period)
        rows = sorted(
            (r.pk, r.unit.code, r.index_percent, r.rank, r.band_label, r.total_points)
            for r in results.values()
        )
        areas = sorted(
            AreaResult.objects.filter(result__framework=framework).values_list(
                "pk", "points", "percent"
            )
        )
        scores = sorted(
            Score.objects.filter(assessment__framework=framework).values_list(
                "pk", "metric_value", "derived_points", "points"
            )
        )
        return rows, areas, scores

    assert snapshot() == snapshot()


def test_previous_rank_comes_from_the_same_kind_of_period_or_else_last_year(make_group, communes):
    a, b = communes[0].code, communes[1].code
    f2023, p2023 = make_group(period="2023")
    save_scores(p2023, {a: {"1.1": "1"}, b: {"1.1": "5"}})
    recompute(f2023, p2023)
    f2024, h1 = make_group(period="2024-H1", year=2024)
    save_scores(h1, {a: {"1.1": "6"}, b: {"1.1": "2"}})
    results = recompute(f2024, h1)
    # No 2023-H2 was assessed, so 2024-H1 compares with the year 2023.
    assert (results[a].rank, results[a].previous_rank) == (1, 2)
    _f, h2 = make_group(period="2024-H2", year=2024)
    save_scores(h2, {a: {"1.1": "1"}, b: {"1.1": "6"}})
    results = recompute(f2024, h2)
    assert (results[a].rank, results[a].previous_rank) == (2, 1)
