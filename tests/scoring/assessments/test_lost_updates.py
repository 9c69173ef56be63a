"""Every pair of writers of one score (page, API, import) at the same moment, on PostgreSQL:
different fields both stay; the same field gives one winner and a 409 naming the winning value,
never a silent overwrite. 40 concurrent pairs in all."""

import json
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client

from scoring.assessments.imports import scores_save
from scoring.models import Score
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
SUB = "1.1"


@pytest.fixture
def cast(make_group, communes, district):
    framework, period = make_group()
    return {
        "period": period,
        "unit": communes[0],
        "officer": MembershipFactory(unit=communes[0], role="commune_officer").user,
        "appraisers": [MembershipFactory(unit=district, role="appraiser").user for _ in range(2)],
    }


def _stored(unit, period):
    return Score.objects.get(
        sub_criterion__code=SUB, assessment__unit=unit, assessment__period=period
    )


def _shown(value) -> str:
    """What a page or a GET showed: "" for nothing, points without trailing zeros."""
    if value in (None, ""):
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return value


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def _page(user, unit, period, field, value, was):
    response = _client(user).post(
        f"/assessments/{unit.code}/{period.code}/scores/{SUB}/",
        {"field": field, field: value, "was": was},
        HTTP_HX_REQUEST="true",
    )
    return response.status_code


def _api(user, unit, period, field, value, was):
    response = _client(user).put(
        f"/api/v1/assessments/{unit.code}/{period.code}/scores/",
        json.dumps([{"sub_code": SUB, field: value, "was": was}]),
        content_type="application/json",
    )
    return response.status_code


def _import(user, unit, period, field, value, was):
    """The scores file's path (`import_scores` and the API's bulk records): it carries no
    `was`, so it is checked for keeping the other writer's fields, and for the same field it
    is a later write on the record (history), never a half-written row."""
    result = scores_save(
        records=[
            (2, {"unit_code": unit.code, "period": period.code, "sub_code": SUB, field: value})
        ],
        user=user,
    )
    return 200 if result.ok else 400


WRITERS = {"page": _page, "api": _api, "import": _import}


def _race(unit, period, *writes):
    """Run the writes, (writer kind, user, field, value, was), at the same moment; answers
    {index: status}."""
    barrier = threading.Barrier(len(writes))
    answers = {}

    def run(index, write):
        kind, user, field, value, was = write
        try:
            barrier.wait()
            answers[index] = WRITERS[kind](user, unit, period, field, value, was)
        except Exception as exc:  # the test reads what each side met
            answers[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


# An officer's explanation against an appraiser's points: every pair of writer kinds.
DIFFERENT_FIELDS = [(a, b) for a in WRITERS for b in WRITERS]  # 9 kinds × 3 rounds = 27 pairs
# Two appraisers on the same points, both saying what they last read.
SAME_FIELD = [("page", "api"), ("api", "api"), ("page", "page")]  # 3 kinds × 3 rounds = 9 pairs
# The import against a page or an API save of the same field.
IMPORT_SAME_FIELD = [("import", "page"), ("import", "api")]  # 2 kinds × 2 rounds = 4 pairs


def test_forty_concurrent_pairs_of_writers_lose_nothing_without_a_409(postgres, cast):
    unit, period = cast["unit"], cast["period"]
    officer, (first, second) = cast["officer"], cast["appraisers"]
    pairs = 0
    # Every value written is new, so no save is a no-op that would pass for a winner.
    fresh = (Decimal(n) / 100 for n in range(1, 1000))
    for round_number in range(3):
        for officer_kind, appraiser_kind in DIFFERENT_FIELDS:
            before = _stored(unit, period)
            text = f"Kế hoạch {round_number}-{officer_kind}-{appraiser_kind}"
            points = next(fresh)
            answers = _race(
                unit,
                period,
                (officer_kind, officer, "explanation", text, _shown(before.explanation)),
                (
                    appraiser_kind,
                    first,
                    "appraised_points",
                    str(points),
                    _shown(before.appraised_points),
                ),
            )
            pairs += 1
            assert answers == {0: 200, 1: 200}, (officer_kind, appraiser_kind, answers)
            after = _stored(unit, period)
            assert after.explanation == text, (officer_kind, appraiser_kind)
            assert after.appraised_points == points, (officer_kind, appraiser_kind)

        for one, other in SAME_FIELD:
            before = _stored(unit, period)
            seen = _shown(before.appraised_points)
            values = [str(next(fresh)), str(next(fresh))]
            answers = _race(
                unit,
                period,
                (one, first, "appraised_points", values[0], seen),
                (other, second, "appraised_points", values[1], seen),
            )
            pairs += 1
            assert sorted(answers.values()) == [200, 409], (one, other, answers)
            winner = values[0] if answers[0] == 200 else values[1]
            assert _stored(unit, period).appraised_points == Decimal(winner), (one, other)

        if round_number < 2:
            for one, other in IMPORT_SAME_FIELD:
                before = _stored(unit, period)
                seen = _shown(before.appraised_points)
                values = [str(next(fresh)), str(next(fresh))]
                history_before = before.history.count()
                answers = _race(
                    unit,
                    period,
                    (one, first, "appraised_points", values[0], seen),
                    (other, second, "appraised_points", values[1], seen),
                )
                pairs += 1
                after = _stored(unit, period)
                assert answers[0] == 200, answers  # the file's value is written
                if answers[1] == 409:
                    # The file came first: the page or API learnt it, nothing overwritten.
                    assert after.appraised_points == Decimal(values[0])
                    assert after.history.count() == history_before + 1
                else:
                    # The page or API came first; the file's later write is on the record
                    # after it, so the earlier value stays in the history.
                    assert answers[1] == 200, answers
                    assert after.appraised_points == Decimal(values[0])
                    latest = list(
                        after.history.order_by("-history_id").values_list(
                            "appraised_points", flat=True
                        )[:2]
                    )
                    assert latest == [Decimal(values[0]), Decimal(values[1])]
    assert pairs == 40


def test_an_api_save_over_a_newer_value_answers_409_with_the_value_stored(
    make_group, communes, district
):
    """The same check without threads, on every database: `was` and If-Match."""
    framework, period = make_group()
    unit = communes[0]
    appraiser = MembershipFactory(unit=district, role="appraiser").user
    client = _client(appraiser)
    url = f"/api/v1/assessments/{unit.code}/{period.code}/scores/"
    read = client.get(url)
    etag = read["ETag"]
    first = client.put(
        url,
        json.dumps([{"sub_code": SUB, "appraised_points": "4", "was": None}]),
        content_type="application/json",
    )
    assert first.status_code == 200
    assert first["ETag"] != etag
    stale = client.put(
        url,
        json.dumps([{"sub_code": SUB, "appraised_points": "5", "was": None}]),
        content_type="application/json",
    )
    assert stale.status_code == 409
    error = stale.json()["errors"][0]
    assert error["row"] == 1 and error["column"] == "appraised_points"
    assert Decimal(str(error["current"])) == Decimal("4")
    assert "changed this to 4" in error["message"]
    by_etag = client.put(
        url,
        json.dumps([{"sub_code": SUB, "appraisal_reason": "Thiếu"}]),
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert by_etag.status_code == 409
    assert "If-Match" in by_etag.json()["errors"][0]["message"]
    stored = Score.objects.get(assessment__unit=unit, sub_criterion__code=SUB)
    assert stored.appraised_points == Decimal("4") and stored.appraisal_reason == ""
    fresh = client.put(
        url,
        json.dumps([{"sub_code": SUB, "appraisal_reason": "Thiếu"}]),
        content_type="application/json",
        HTTP_IF_MATCH=first["ETag"],
    )
    assert fresh.status_code == 200
    several = client.put(
        url,
        json.dumps(
            [{"sub_code": SUB, "appraised_points": "3", "appraisal_reason": "x", "was": "4"}]
        ),
        content_type="application/json",
    )
    assert several.status_code == 400
    assert several.json()["errors"][0]["column"] == "was"
