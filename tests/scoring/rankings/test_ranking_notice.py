"""When the broker refuses a recompute, the save still succeeds and the user is told the ranking
will follow; the dashboard says which changes it does not hold yet; the sweep catches up.

The broker here is an address nobody listens on, so every publish is really refused; the fault
tests (test_faults.py) do the same with a Redis server they stop and restart.
"""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from scoring.models import DirtyGroup, Result
from scoring.tasks import sweep_dirty_rankings
from tests.factories import DERIVED_DOC, MembershipFactory
from tests.helpers import recompute, save_scores

# Committed for real, so a recompute is enqueued inside the request, as in production.
pytestmark = pytest.mark.django_db(transaction=True)
NOTICE = "Chưa cập nhật được bảng xếp hạng ngay"  # Vietnamese, the default language
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def group(make_group, communes, district):
    """Four communes with 1, 2, 2, 2 manual points; the first is last."""
    framework, period = make_group(DERIVED_DOC)
    save_scores(period, {c.code: {"3.1": "2"} for c in communes[1:]})
    save_scores(period, {communes[0].code: {"3.1": "1"}})
    assert recompute(framework, period)[communes[0].code].rank == 4
    return framework, period


def _dirty(framework, period):
    return DirtyGroup.objects.filter(framework=framework, period=period).exists()


def _rank(period, unit):
    return Result.objects.get(period=period, unit=unit).rank


def _appraise(client, district, unit, period, points):
    """An appraiser of the district types points for 3.1 into the sheet (an in-place save)."""
    client.force_login(MembershipFactory(unit=district, role="appraiser").user)
    return client.post(
        f"/assessments/{unit.code}/{period.code}/scores/3.1/",
        {"field": "appraised_points", "appraised_points": points, "was": ""},
        **HTMX,
    )


def test_an_in_place_score_save_is_kept_and_the_sheet_shows_the_notice(
    client, broker_down, group, communes, district
):
    framework, period = group
    own = communes[0]
    response = _appraise(client, district, own, period, "2")
    assert response.status_code == 200 and "Đã lưu" in response.content.decode()
    assert NOTICE in json.loads(response.headers["HX-Trigger"])["ranking-deferred"]["message"]
    assert response.headers["X-Ranking-Status"] == "deferred"
    assert _dirty(framework, period) and _rank(period, own) == 4  # the old ranking meanwhile


def test_a_month_saved_in_the_form_redirects_with_the_notice(client, broker_down, group, communes):
    framework, period = group
    own = communes[0]
    client.force_login(MembershipFactory(unit=own, role="commune_officer").user)
    counts = {"received": 10, "resolved_early": 0, "resolved_on_time": 10, "resolved_late": 0}
    page = client.post(f"/dossiers/{own.code}/2024-03/", counts, follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "03/2024" in html and f'<li class="warning">Đã lưu. {NOTICE}' in html
    assert own.dossier_reports.get(month=datetime.date(2024, 3, 1)).resolved_on_time == 10
    assert _dirty(framework, period)


def test_an_api_save_answers_as_usual_with_a_deferred_status_header(broker_down, group, communes):
    framework, period = group
    own = communes[0]
    api = APIClient()
    api.force_authenticate(MembershipFactory(unit=own, role="commune_officer").user)
    row = {"commune_code": own.code, "month": "2024-04", "received": 5, "resolved_on_time": 5}
    response = api.post(
        "/api/v1/dossier-reports/",
        [dict(row, resolved_early=0, resolved_late=0)],
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.headers["X-Ranking-Status"] == "deferred"
    assert _dirty(framework, period)


def test_with_the_broker_up_there_is_no_notice_and_the_ranking_moves_at_once(
    client, group, communes, district
):
    framework, period = group
    own = communes[0]
    response = _appraise(client, district, own, period, "2")
    assert response.status_code == 200
    assert "X-Ranking-Status" not in response.headers and "HX-Trigger" not in response.headers
    assert not _dirty(framework, period) and _rank(period, own) == 1


def test_the_dashboard_names_overdue_changes_until_the_sweep_computes_them(
    client, broker_down, group, communes, district
):
    framework, period = group
    own = communes[0]
    client.force_login(MembershipFactory(unit=district, role="leader").user)
    query = {"group": district.code, "period": period.code}
    assert "chưa có trong bảng xếp hạng" not in client.get("/rankings/", query).content.decode()

    save_scores(period, {own.code: {"3.1": "2"}})  # the broker refuses its recompute
    page = client.get("/rankings/", query).content.decode()
    assert "chưa có trong bảng xếp hạng" not in page  # a second-old change is no news yet
    three_minutes_ago = timezone.now() - datetime.timedelta(minutes=3)
    DirtyGroup.objects.filter(framework=framework).update(
        marked_at=three_minutes_ago, dirty_since=three_minutes_ago
    )
    page = client.get("/rankings/", query).content.decode()
    local = timezone.localtime(three_minutes_ago)
    assert f"Các thay đổi lưu từ {local:%H:%M} chưa có trong bảng xếp hạng này" in page
    assert _rank(period, own) == 4

    # What beat runs every minute. Its value read as .result: Celery 5.6's eager calls flag
    # "inside a task" in a global that threaded tests run before this one can leave set, and
    # .get() then refuses to wait.
    assert sweep_dirty_rankings.apply().result == 1
    assert not _dirty(framework, period) and _rank(period, own) == 1
    page = client.get("/rankings/", query).content.decode()
    assert "chưa có trong bảng xếp hạng" not in page
