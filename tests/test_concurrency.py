"""Two appraisers saving the same score at the same moment, on PostgreSQL: one wins, the other
is told the value that won; nothing is overwritten silently."""

import os
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from scoring.models import Score

from .factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI runs the concurrency tests on PostgreSQL")
        pytest.skip("needs PostgreSQL: SQLite serialises every writer")


def test_parallel_saves_of_one_score_give_one_winner_and_one_conflict(
    postgres, make_group, communes, district
):
    framework, period = make_group()
    target = communes[0]
    appraisers = [MembershipFactory(unit=district, role="appraiser").user for _ in range(2)]
    url = f"/assessments/{target.code}/{period.code}/scores/1.1/"
    for round_number in range(5):
        was = Score.objects.get(assessment__unit=target, sub_criterion__code="1.1")
        seen = "" if was.appraised_points is None else f"{was.appraised_points.normalize()}"
        barrier = threading.Barrier(2)
        answers = {}

        def save(index, value, seen=seen, barrier=barrier, answers=answers):
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            client.cookies["django_language"] = "en"
            client.force_login(appraisers[index])
            barrier.wait()
            try:
                response = client.post(
                    url,
                    {"field": "appraised_points", "appraised_points": value, "was": seen},
                    HTTP_HX_REQUEST="true",
                )
                answers[value] = (response.status_code, response.content.decode())
            finally:
                connections.close_all()

        values = [f"{round_number + 1}.25", f"{round_number + 1}.5"]
        threads = [threading.Thread(target=save, args=(i, v)) for i, v in enumerate(values)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        statuses = sorted(status for status, _html in answers.values())
        assert statuses == [200, 409], answers
        winner = next(v for v, (status, _h) in answers.items() if status == 200)
        loser_html = next(h for status, h in answers.values() if status == 409)
        stored = Score.objects.get(assessment__unit=target, sub_criterion__code="1.1")
        assert f"{stored.appraised_points.normalize()}" == winner.rstrip("0").rstrip(".")
        assert f"changed this to {winner.rstrip('0').rstrip('.')}" in loser_html
        # One history entry per accepted save: the refused one left no trace.
        assert stored.history.count() == round_number + 1
