"""What the statistics would change (#17): the figures that give a derived item more points,
worked out by hand, then checked against the engine by saving those figures."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation
from rest_framework.test import APIClient

from dossiers.metrics import METRICS
from dossiers.models import DossierReport
from scoring.models import Assessment, Score
from scoring.rankings.data_advice import advice_text, data_advice, dossiers_to_reach
from scoring.rankings.what_if import what_if
from tests.factories import MembershipFactory, framework_doc
from tests.helpers import dossier_row, recompute, save_scores, statistics

pytestmark = pytest.mark.django_db
D = Decimal

LATE = {
    "code": "1.1",
    "name": "Hồ sơ trễ hạn",
    "max_points": 5,
    "method": "deduction",
    "metric": "resolved_late",
    "per_count": 0.5,
}
ONLINE = {
    "code": "1.2",
    "name": "Trực tuyến",
    "max_points": 2,
    "method": "ratio_target",
    "metric": "online_rate",
    "target_percent": 60,
}
ON_TIME = {
    "code": "1.3",
    "name": "Đúng hạn",
    "max_points": 4,
    "method": "steps",
    "metric": "on_time_rate",
    "steps": [[100, 4], [95, 3], [90, 2], [0, 0]],
}
MANUAL = {"code": "1.4", "name": "Niêm yết", "max_points": 4, "method": "manual"}


def figures(code, march_online_partial=10, march_late=8, march_on_time=40):
    """Two months: 100 received, 2 early, 85 on time, 13 late, 31 online (21 full, 10 partial)."""
    return (
        dossier_row(
            code,
            "2024-03",
            received=50,
            resolved_early=2,
            resolved_on_time=march_on_time,
            resolved_late=march_late,
            online_full=10,
            online_partial=march_online_partial,
        ),
        dossier_row(
            code, "2024-04", received=50, resolved_on_time=45, resolved_late=5, online_full=11
        ),
    )


@pytest.fixture
def scored(make_group, communes):
    doc = framework_doc(
        areas=[{"code": "1", "name": "Một cửa", "sub_criteria": [LATE, ONLINE, ON_TIME, MANUAL]}]
    )
    framework, period = make_group(doc)
    a, b = communes[0].code, communes[1].code
    statistics(
        *figures(a),
        dossier_row(b, "2024-03", received=10, resolved_on_time=7, resolved_late=3, online_full=6),
    )
    save_scores(period, {a: {"1.4": 4}, b: {"1.4": 4}})
    recompute(framework, period)
    return framework, period


def advice_for(code, framework):
    return {
        a.sub_criterion.code: a
        for a in data_advice(Assessment.objects.get(unit__code=code, framework=framework))
    }


def test_the_figures_that_give_each_derived_item_more_points(scored, communes):
    framework, _period = scored
    advice = advice_for(communes[0].code, framework)
    # 1.1: 13 late × 0,5 = 6,5 > 5 → 0 points; 10 late give 5 − 5 = 0 too, 9 give 0,5: points
    # come back below 10.
    late = advice["1.1"]
    assert (late.value, late.points, late.per_count, late.fewer_before_points) == (
        D(13),
        D(0),
        D("0.5"),
        3,
    )
    # 1.2: 31 online of 100 = 31 % of the 60 % target → 2 × 31 / 60 = 1,03. 60 % needs 60 of
    # 100: 29 more, 15 a month over the 2 months reported.
    online = advice["1.2"]
    assert (online.value, online.points, online.goal_percent, online.goal_points) == (
        D("31.00"),
        D("1.03"),
        D(60),
        D(2),
    )
    assert (online.more_dossiers, online.more_per_month, online.months) == (29, 15, 2)
    # 1.3: (2 + 85) on time of 100 = 87 % → the 0 step; the next step is 90 % for 2 points:
    # 3 more on time, 2 a month.
    on_time = advice["1.3"]
    assert (on_time.value, on_time.points, on_time.goal_percent, on_time.goal_points) == (
        D("87.00"),
        D(0),
        D(90),
        D(2),
    )
    assert (on_time.more_dossiers, on_time.more_per_month) == (3, 2)
    # The most points lost first: 5, then 4, then 0,97. The manual item is not derived.
    assert [
        a.sub_criterion.code
        for a in data_advice(
            Assessment.objects.get(unit__code=communes[0].code, framework=framework)
        )
    ] == ["1.1", "1.3", "1.2"]


def test_the_advice_reads_as_a_sentence_in_both_languages(scored, communes):
    framework, _period = scored
    a = advice_for(communes[0].code, framework)
    b = advice_for(communes[1].code, framework)
    with translation.override("en"):
        assert advice_text(a["1.1"]) == (
            "13 resolved late: points come back below 10, 0.5 for each case fewer (up to 5)."
        )
        assert advice_text(a["1.2"]) == (
            "Online rate 31.00%: 29 more online dossiers of the same total (15 a month over 2 "
            "months) reach 60% → 2/2 points."
        )
        # 3 late × 0,5: 3,5 points; each case fewer is half a point more.
        assert advice_text(b["1.1"]) == (
            "3 resolved late: each case fewer gives 0.5 more points (up to 5)."
        )
    with translation.override("vi"):
        assert "0,5" in advice_text(b["1.1"]) and "31,00%" in advice_text(a["1.2"])


def test_the_advice_holds_when_the_figures_are_saved(scored, communes):
    """Saving the figures the advice names gives the points it promises; one fewer does not."""
    framework, period = scored
    code = communes[0].code

    def points_with(**march):
        statistics(*figures(code, **march))
        recompute(framework, period)
        return {
            s.sub_criterion.code: s.points
            for s in Score.objects.filter(
                assessment__unit__code=code, assessment__framework=framework
            )
        }

    # 29 more online (10 + 29 partial in March): 60 % → 2 points; 28 more: 59 % → 1,97.
    assert points_with(march_online_partial=39)["1.2"] == D(2)
    assert points_with(march_online_partial=38)["1.2"] == D("1.97")
    # 3 more on time instead of late: 90 % → 2 points; 2 more: 89 % → 0.
    assert points_with(march_late=5, march_on_time=43)["1.3"] == D(2)
    assert points_with(march_late=6, march_on_time=42)["1.3"] == D(0)
    # 4 late fewer (9 late): 5 − 4,5 = 0,5; 3 fewer (10 late): still 0.
    assert points_with(march_late=4, march_on_time=44)["1.1"] == D("0.5")
    assert points_with(march_late=5, march_on_time=43)["1.1"] == D(0)


def test_items_an_appraiser_scored_by_hand_are_left_out(scored, communes, district):
    framework, period = scored
    code = communes[0].code
    save_scores(period, {code: {"1.2": (None, 2)}})
    recompute(framework, period)
    assert "1.2" not in advice_for(code, framework)


@pytest.mark.parametrize(
    ("numerator", "denominator", "goal", "more"),
    [
        # 2 of 3 = 66,666… rounds to 66,67 %: one more of 1 of 3 reaches a 66,67 % goal.
        (1, 3, D("66.67"), 1),
        (2, 3, D("66.67"), 0),
        # 100 % takes every dossier: 7 of 7.
        (0, 7, D(100), 7),
        # Nothing to count: no number of dossiers helps.
        (0, 0, D(50), None),
    ],
)
def test_the_dossiers_a_rate_needs_follow_its_rounding(numerator, denominator, goal, more):
    sums = {"online_full": numerator, "received": denominator}
    assert dossiers_to_reach(METRICS["online_full_rate"], sums, goal) == more


def test_the_sheet_and_the_profile_show_the_advice(scored, communes, client):
    framework, period = scored
    code = communes[0].code
    client.force_login(MembershipFactory(unit=communes[0], role="commune_officer").user)
    client.cookies["django_language"] = "en"
    sentence = "3 more dossiers on time of the same total (2 a month over 2 months) reach 90%"
    sheet = client.get(f"/assessments/{code}/{period.code}/").content.decode()
    assert sentence in sheet
    profile = client.get(f"/units/{code}/").content.decode()
    assert sentence in profile
    assert "13 resolved late: points come back below 10" in profile


def test_what_if_with_monthly_figures_equals_the_engine_after_saving_them(scored, communes):
    """The figures the advice names, typed into the what-if: 29 more online in March (10 + 29
    partial). 1.2 goes from 1,03 to 2 points: (0 + 2 + 0 + 4) / 15 = 40 % from 33,53 %."""
    framework, period = scored
    code = communes[0].code
    assessment = Assessment.objects.get(unit__code=code, framework=framework)
    before = list(DossierReport.objects.order_by("pk").values())
    answer = what_if(assessment, figures={"2024-03": {"online_partial": "39"}})
    assert (answer.now.index_percent, answer.then.index_percent) == (D("33.53"), D("40.00"))
    assert list(DossierReport.objects.order_by("pk").values()) == before  # nothing saved
    with transaction.atomic():
        statistics(*figures(code, march_online_partial=39))
        results = recompute(framework, period)
        assert results[code].index_percent == answer.then.index_percent
        assert results[code].rank == answer.then.rank
        assert results[code].band_label == answer.then.band
        transaction.set_rollback(True)
    # Figures and points together: 1.4 at 2 as well → (2 + 2) / 15 = 26,67 %.
    both = what_if(assessment, {"1.4": "2"}, {"2024-03": {"online_partial": "39"}})
    assert both.then.index_percent == D("26.67")


@pytest.mark.parametrize(
    ("figures", "where", "words"),
    [
        ({"2023-12": {"received": "5"}}, "figures.2023-12", "not a month of the period 2024"),
        ({"2024-13": {"received": "5"}}, "figures.2024-13", "is not a month"),
        ({"2024-03": {"late": "5"}}, "figures.2024-03.late", "no such counter"),
        ({"2024-03": {"received": "-1"}}, "figures.2024-03.received", "negative"),
        # 50 received, 10 full + 90 partial online: more than received.
        ({"2024-03": {"online_partial": "90"}}, "figures.2024-03.online_full", "exceed received"),
    ],
)
def test_what_if_figures_are_checked_as_a_save_checks_them(scored, communes, figures, where, words):
    framework, _period = scored
    api = APIClient()
    api.force_authenticate(MembershipFactory(unit=communes[0], role="commune_officer").user)
    api.cookies["django_language"] = "en"
    answer = api.post(
        f"/api/v1/assessments/{communes[0].code}/2024/what-if/", {"figures": figures}, format="json"
    )
    assert answer.status_code == 400, answer.content
    [error] = answer.json()["errors"]
    assert error["column"].startswith(where) and words in error["message"]


def test_the_what_if_panel_takes_a_months_figures(scored, communes, client):
    framework, period = scored
    code = communes[0].code
    client.force_login(MembershipFactory(unit=communes[0], role="commune_officer").user)
    client.cookies["django_language"] = "en"
    profile = client.get(f"/units/{code}/").content.decode()
    # The counters the derived items read, and the months of 2024 to offer.
    assert 'name="fig_online_partial"' in profile and 'name="fig_resolved_late"' in profile
    assert 'name="fig_apologies"' not in profile
    assert '<option value="2024-04" selected>' in profile  # the latest month reported
    page = client.get(f"/units/{code}/what-if/?month=2024-03&fig_online_partial=39")
    assert page.status_code == 200
    assert "40.00%" in page.content.decode()
