"""#16's serving rows: the ranking dashboard and the ranking API under 20 clients (wrk, signed
in), against a static file of the same size from the same server (gunicorn with WhiteNoise, as
deployed), all in one run. Skipped, and said so, without wrk (Debian's package `wrk`).
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from bench.common import ROOT, compare

CLIENTS = 20
SECONDS = 10
# Each gunicorn worker's first requests load what Django loads lazily (URLs, templates, the
# translations) and build the kept rankings: a second or two each, five workers at once on two
# cores. A server answering people has done that long ago; the run measures it warm.
WARM_UP_SECONDS = 3
REPORT = ROOT / "bench" / "wrk_report.lua"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def server():
    """gunicorn as the compose file runs it (sync workers, connections kept), production
    settings; a key made for the run, also this process's, so the sessions made here are valid
    there."""
    settings.SECRET_KEY = secrets.token_urlsafe(50)
    static_root = ROOT / "var" / "bench" / "static"
    port = _free_port()
    env = dict(
        os.environ,
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=_database_url(),
        DB_CONN_MAX_AGE="60",
        STATIC_ROOT=str(static_root),
        CELERY_BROKER_URL="",
        # One token stands for 20 clients here: at the default 600 a minute the throttle
        # answers most of the run with 429, which is quicker than a ranking and not one.
        API_TOKEN_RATE="1000000/min",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    workers = str(2 * (os.cpu_count() or 1) + 1)
    log = ROOT / "var" / "bench" / "gunicorn.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cchc_portal.wsgi"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", workers, "--timeout", "60"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base, static_root
    finally:
        process.terminate()
        process.wait(30)


def _session_cookie(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _wrk(url: str, header: str | None, seconds: int = SECONDS) -> dict:
    command = ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "-s", str(REPORT), url]
    if header:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = dict(re.findall(r"^(rate|p50|p95|p99|non2xx) ([0-9.]+)$", out, re.M))
    return {key: float(value) for key, value in figures.items()}


def _size(url: str, header: str | None) -> int:
    request = urllib.request.Request(url)
    if header:
        name, value = header.split(": ", 1)
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200, (url, response.status)
        return len(response.read())


def serving_rows(period) -> None:
    if shutil.which("wrk") is None:
        print("wrk not found (apt-get install wrk): the serving rows are not measured")
        return
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from communes.models import Membership, Role
    from scoring.models import Assessment, Framework

    sizes = (
        Assessment.objects.filter(period=period)
        .values("framework_id")
        .annotate(n=Count("id"))
        .values_list("framework_id", "n")
    )
    framework_id, count = min(sizes, key=lambda row: abs(row[1] - 15))
    issuer = Framework.objects.select_related("issuer").get(pk=framework_id).issuer
    # A leader of the province the district belonged to, as the provinces' users read it.
    user, _ = get_user_model().objects.get_or_create(username="bench-leader")
    Membership.objects.get_or_create(user=user, unit=issuer.parent, role=Role.LEADER)
    token = f"Authorization: Token {Token.objects.get_or_create(user=user)[0].key}"
    pages = (
        ("ranking dashboard", f"/rankings/?group={issuer.code}&period={period.code}", "cookie"),
        ("API ranking", f"/api/v1/rankings/?group={issuer.code}&period={period.code}", token),
    )
    # WhiteNoise serves what it found at start: learn the sizes, write the reference files,
    # then start again to measure.
    sizes = {}
    with server() as (base, static_root):
        cookie = f"Cookie: {_session_cookie(user)}"  # signed with the server's key
        for name, path, header in pages:
            sizes[name] = _size(base + path, cookie if header == "cookie" else header)
    for size in sizes.values():
        static_root.mkdir(parents=True, exist_ok=True)
        (static_root / f"bench-{size}.bin").write_bytes(b"x" * size)
    with server() as (base, static_root):
        cookie = f"Cookie: {_session_cookie(user)}"
        for name, path, header in pages:
            size = sizes[name]
            reference = _wrk(f"{base}/static/bench-{size}.bin", None)
            assert not reference.get("non2xx"), "the reference file was not served"
            _wrk(base + path, cookie if header == "cookie" else header, WARM_UP_SECONDS)
            measured = _wrk(base + path, cookie if header == "cookie" else header)
            goal = 0.100 if name == "ranking dashboard" else 0.050
            # An answer other than the page (a refusal, an error) is no measure of it.
            answered = not measured.get("non2xx")
            compare(
                f"{name}, {count} communes, {CLIENTS} clients: p95",
                measured["p95"] / 1000,
                None,
                lambda v, r, g=goal, a=answered: a and v < g,
                detail=f"goal < {goal * 1000:.0f} ms; p50 {measured['p50']:.0f} ms, "
                f"p99 {measured['p99']:.0f} ms; {size:,} bytes",
            )
            compare(
                f"{name}: requests per second",
                measured["rate"],
                reference["rate"],
                (lambda v, r, a=answered: a and v >= r / 3)
                if name == "ranking dashboard"
                else None,
                unit="req/s",
                detail=f"reference: a static file of {size:,} bytes; "
                f"{measured.get('non2xx', 0):.0f} answers not 2xx",
            )
