import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.utils import timezone

from scoring.models import DirtyGroup

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == ("eager" if not settings.CELERY_BROKER_URL else "ok")


def test_healthz_reports_a_broker_that_is_down(client, monkeypatch):
    monkeypatch.setattr(settings, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    from cchc_portal.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 200  # saves still work; rankings follow via the sweep
    assert response.json()["broker"] == "down"


def test_healthz_counts_groups_whose_changes_wait_too_long(client, make_group):
    framework, period = make_group()
    now = timezone.now()
    mark, _ = DirtyGroup.objects.update_or_create(
        framework=framework, period=period, defaults={"marked_at": now, "dirty_since": now}
    )
    assert client.get("/healthz").json()["rankings_overdue"] == 0  # being computed, not late
    a_minute_ago = now - datetime.timedelta(minutes=1)
    DirtyGroup.objects.filter(pk=mark.pk).update(dirty_since=a_minute_ago)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["rankings_overdue"] == 1


def _start(env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_DEBUG")
    }
    env.update(env_overrides)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; "
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cchc_portal.settings'); "
            "django.setup()",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


STRONG = "q8Zr-3vLk0pWm2XyT7nB4cH1sD9fG6jA5eU_oRiYtE8wQ3zN0xM7bV2"


@pytest.mark.parametrize(
    "key",
    [
        settings.DEVELOPMENT_SECRET_KEY,
        "change-me-to-a-long-random-string",
        "k" * 60,  # long but one character
        "short-but-random-9f8e7d",
    ],
)
def test_production_start_up_refuses_the_development_key_and_weak_keys(key):
    started = _start({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": key, "ALLOWED_HOSTS": "x"})
    assert started.returncode != 0
    assert "DJANGO_SECRET_KEY is a placeholder or too weak" in started.stderr


def test_the_development_env_file_does_not_turn_debug_on():
    """`make setup` copies .env.example to .env: a server started from that checkout must not
    run in debug with the development key."""
    example = (settings.BASE_DIR / ".env.example").read_text()
    active = [line.strip() for line in example.splitlines() if not line.startswith("#")]
    assert not any(line.startswith("DJANGO_DEBUG") for line in active)
    # Nothing in the environment but what the file `make setup` writes says.
    started = _start({"ENV_FILE": str(settings.BASE_DIR / ".env.example")})
    assert started.returncode != 0 and "DJANGO_SECRET_KEY must be set" in started.stderr


def test_pages_render_without_collectstatic_when_debug_is_off(client, settings, tmp_path):
    """The manifest storage of production, with nothing collected: pages still answer."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "core.storage.StaticFilesStorage"},
    }
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "/static/css/portal.css" in response.content.decode()
    from core.checks import static_files_collected

    assert [w.id for w in static_files_collected(None)] == ["cchc.W001"]


def test_production_start_up_refuses_a_missing_secret_key_or_allowed_hosts(tmp_path):
    # An empty .env-free directory is not needed: variables in the environment win over .env.
    no_key = _start({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "", "ALLOWED_HOSTS": "x"})
    assert no_key.returncode != 0 and "DJANGO_SECRET_KEY must be set" in no_key.stderr
    no_hosts = _start({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": STRONG, "ALLOWED_HOSTS": ""})
    assert no_hosts.returncode != 0 and "ALLOWED_HOSTS must be set" in no_hosts.stderr
    fine = _start(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": STRONG,
            "ALLOWED_HOSTS": "cchc.example.gov.vn",
        }
    )
    assert fine.returncode == 0, fine.stderr


def test_vietnamese_is_the_default_language_and_time_zone_is_hanoi():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
