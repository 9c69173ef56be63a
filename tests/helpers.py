from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from scoring.assessments.imports import scores_save
from scoring.models import Result
from scoring.rankings.services import group_recompute_now


def save_scores(period, rows, user=None):
    """rows: {unit_code: {sub_code: self_points or (self_points, appraised_points)}}."""
    records = []
    for unit_code, subs in rows.items():
        for sub_code, value in subs.items():
            self_points, appraised = value if isinstance(value, tuple) else (value, None)
            records.append(
                (
                    len(records) + 2,
                    {
                        "unit_code": unit_code,
                        "period": period.code,
                        "sub_code": sub_code,
                        "self_points": self_points,
                        "appraised_points": appraised,
                    },
                )
            )
    result = scores_save(records=records, user=user)
    assert result.ok, result.problems
    return result


def recompute(framework, period):
    run = group_recompute_now(framework, period, trigger="test")
    assert run.status == "succeeded", run.error
    return {
        r.unit.code: r
        for r in Result.objects.filter(framework=framework, period=period).select_related("unit")
    }


def dossier_row(code, month, **counts):
    row = {
        "commune_code": code,
        "month": month,
        "received": 0,
        "resolved_early": 0,
        "resolved_on_time": 0,
        "resolved_late": 0,
    }
    row.update(counts)
    return row


def login(client, username):
    """Sign a demo user in without a password round trip (django-axes wants a request for that)."""
    client.force_login(get_user_model().objects.get(username=username))
    return client


def group_lock_sessions(framework, period, *, granted: bool) -> int:
    """PostgreSQL sessions holding (granted) or waiting for the group's recompute lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s"
            " AND objid = %s AND objsubid = 2 AND granted = %s",
            [framework.pk, period.pk, granted],
        )
        return cursor.fetchone()[0]


def api_client(user):
    """An API client signed in as `user` (no CSRF, as a token client)."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def publish(user, district, **extra):
    """POST /api/v1/publications/ for the district's 2024 group, with a decision."""
    body = {
        "issuer": district.code,
        "period": "2024",
        "decision_number": "215/QĐ-UBND",
        "decision_date": "2025-01-23",
    } | extra
    return api_client(user).post("/api/v1/publications/", body, format="json")


def statistics(*rows):
    """Save monthly statistics rows (dossier_row) through the one writer of them."""
    from dossiers.services import dossier_reports_save

    result = dossier_reports_save(records=[(i + 2, row) for i, row in enumerate(rows)])
    assert result.ok, result.problems
