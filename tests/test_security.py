"""Security settings: deployment checks, sign-in throttling, the Content-Security-Policy and
password rules."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def test_deploy_checks_pass_with_production_settings(tmp_path):
    """The README's server steps: collectstatic, then check --deploy finds nothing."""
    # The browser tests allow sync ORM calls in their thread; a deployment never does.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = dict(
        inherited,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="cchc.example.gov.vn",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(os.environ, DJANGO_DEBUG="false", DJANGO_SECRET_KEY="", ALLOWED_HOSTS="x")
    run = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0 and "DJANGO_SECRET_KEY must be set" in run.stderr


def _sign_in(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_repeated_wrong_passwords_pause_sign_in_for_that_account(client):
    user = UserFactory(username="canbo_xa")
    user.set_password("Mat-khau-dung-2024")
    user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = _sign_in(client, "canbo_xa", "sai")
        assert wrong.status_code == 200 and "Tên đăng nhập" in wrong.content.decode()
    locked = _sign_in(client, "canbo_xa", "sai")
    assert locked.status_code == 429
    # Even the right password waits now, and the page says why.
    right = _sign_in(client, "canbo_xa", "Mat-khau-dung-2024")
    assert right.status_code == 429 and "Quá nhiều lần thử" in right.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same office is not affected.
    other = UserFactory(username="canbo_khac")
    other.set_password("Mat-khau-khac-2024")
    other.save()
    assert _sign_in(client, "canbo_khac", "Mat-khau-khac-2024").status_code == 302


def test_the_api_token_endpoint_counts_towards_the_same_limit(client):
    user = UserFactory(username="api_user")
    user.set_password("Mat-khau-api-2024")
    user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "api_user", "password": "sai"})
    response = client.post(
        "/api/v1/auth/token/", {"username": "api_user", "password": "Mat-khau-api-2024"}
    )
    assert response.status_code == 429 and "token" not in response.json()
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/rankings/?group=943&period=2022",
        "/charts/?group=943&period=2022",
        "/units/31564/",
        "/dossiers/31564/",
        "/assessments/31564/2023/",
        "/appraisal/?group=943&period=2023",
        "/appraisal/31564/2023/",
        "/frameworks/",
        "/api/docs/",
        "/admin/",
    ],
)
def test_pages_carry_a_policy_that_forbids_inline_scripts_and_have_none(admin_client, url):
    response = admin_client.get(url, follow=True)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in policy
    assert INLINE_SCRIPT.findall(response.content.decode()) == []
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_weak_new_password_is_refused_with_the_rule(client):
    user = UserFactory(username="doi_mat_khau")
    user.set_password("Mat-khau-cu-2024")
    user.save()
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Mat-khau-cu-2024",
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "quá phổ biến" in html or "quá thông dụng" in html
    user.refresh_from_db()
    assert user.check_password("Mat-khau-cu-2024")


def test_session_cookies_are_not_readable_by_scripts(client):
    user = UserFactory(username="cookie_user")
    user.set_password("Mat-khau-cookie-2024")
    user.save()
    response = _sign_in(client, "cookie_user", "Mat-khau-cookie-2024")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
