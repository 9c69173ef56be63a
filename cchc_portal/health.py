"""/healthz: is the database reachable, and is the broker (if one is configured)?"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scoring.rankings.selectors import overdue_ranking_groups


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_state() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"  # tasks run in the web process; there is nothing to reach
    from cchc_portal.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:
        return "down"


@require_GET
@never_cache
def healthz(request):
    database = "ok" if _database_ok() else "down"
    broker = _broker_state()
    # A broker outage degrades freshness only (saves still succeed, the sweep catches up), so it
    # does not make the web process unhealthy; the database does.
    status = 200 if database == "ok" else 503
    body = {"database": database, "broker": broker}
    if database == "ok":
        body["rankings_overdue"] = overdue_ranking_groups()
    return JsonResponse(body, status=status)
