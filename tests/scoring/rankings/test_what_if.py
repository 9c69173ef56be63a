"""What if (#17): the standing with other points, by the engine itself, and nothing saved."""

from decimal import Decimal

import pytest
from django.db import transaction

from scoring.models import Result, Score
from scoring.rankings.what_if import what_if
from tests.factories import MembershipFactory
from tests.helpers import api_client, recompute, save_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(four_ranked):
    return four_ranked


def _stored():
    return sorted(
        Score.objects.values_list("id", "self_points", "appraised_points", "points")
    ), sorted(Result.objects.values_list("id", "index_percent", "rank", "band_label"))


def test_what_if_gives_the_standing_by_hand_and_saves_nothing(group, communes):
    framework, period, results = group
    before = _stored()
    answer = what_if(results[communes[2].code].assessment, {"1.1": "6"})
    # 6 + 3 of 10 = 90 %: Xuất sắc, level with the first (rank 1 shared), of 4.
    assert (answer.now.index_percent, answer.now.band, answer.now.rank) == (
        Decimal("60.00"),
        "Trung bình",
        3,
    )
    then = answer.then
    assert (then.index_percent, then.band, then.rank, then.group_size) == (
        Decimal("90.00"),
        "Xuất sắc",
        1,
        4,
    )
    assert (then.earned, then.max_points) == (Decimal("9.00"), Decimal("10.00"))
    assert _stored() == before


def test_what_if_equals_the_engine_after_saving_the_same_points(group, communes):
    framework, period, results = group
    assessment = results[communes[3].code].assessment
    answer = what_if(assessment, {"1.1": "5,5", "1.2": "4"})
    with transaction.atomic():
        save_scores(period, {communes[3].code: {"1.1": ("1", "5.5"), "1.2": ("2", "4")}})
        saved = recompute(framework, period)[communes[3].code]
        assert (answer.then.index_percent, answer.then.band, answer.then.rank) == (
            saved.index_percent,
            saved.band_label,
            saved.rank,
        )
        transaction.set_rollback(True)
    assert answer.then.index_percent == Decimal("95.00")  # 5.5 + 4 of 10


def test_the_what_if_api_answers_and_refuses_with_the_item_and_rule(group, communes):
    framework, period, results = group
    officer = MembershipFactory(unit=communes[3], role="commune_officer").user
    url = f"/api/v1/assessments/{communes[3].code}/{period.code}/what-if/"
    answer = api_client(officer).post(url, {"points": {"1.1": "3", "1.2": "4"}}, format="json")
    assert answer.status_code == 200
    assert answer.json()["now"]["index_percent"] == 30.0
    # 3 + 4 of 10 = 70 %: Khá, level with the second (rank 2 shared).
    assert answer.json()["then"] == {
        "index_percent": 70.0,
        "band": "Khá",
        "rank": 2,
        "group_size": 4,
        "earned": 7.0,
        "max_points": 10.0,
    }
    refused = api_client(officer).post(url, {"points": {"1.1": "7", "9.9": "1"}}, format="json")
    assert refused.status_code == 400
    problems = {(p["column"], p["message"][:20]) for p in refused.json()["errors"]}
    assert {column for column, _m in problems} == {"1.1", "9.9"}
    other = MembershipFactory(unit=communes[0], role="commune_officer").user
    assert api_client(other).post(url, {"points": {"1.2": "4"}}, format="json").status_code == 404


def test_the_what_if_panel_answers_in_the_page_and_refuses_bad_points(client, group, communes):
    client.force_login(MembershipFactory(unit=communes[2], role="commune_officer").user)
    page = client.get(f"/units/{communes[2].code}/").content.decode()
    assert 'name="item_1.1"' in page and 'name="item_1.2"' in page  # both below their maximum
    url = f"/units/{communes[2].code}/what-if/"
    answer = client.get(url, {"item_1.1": "6", "item_1.2": ""}, HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert answer.status_code == 200 and "<html" not in html
    assert "90,00%" in html and "Xuất sắc" in html and "60,00%" in html
    refused = client.get(url, {"item_1.1": "6,5"})  # without script: a page of its own
    assert refused.status_code == 400 and "<html" in refused.content.decode()
    assert "<strong>1.1</strong>" in refused.content.decode()
    assert client.get(f"/units/{communes[0].code}/what-if/", {"item_1.1": "6"}).status_code == 404
    assert Result.objects.get(unit=communes[2], period=group[1]).index_percent == Decimal("60.00")
