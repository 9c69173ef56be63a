"""The compose stack's front: gunicorn's sync workers behind nginx with deploy/nginx/cchc.conf,
started here as the compose file starts them (debug off, kept database connections).

Fifty clients sending their headers slowly freeze gunicorn alone; behind nginx every other
request is still answered. And the first request after the database dropped its connections
is answered too (connection health checks).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import database_url, free_port, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONF = settings.BASE_DIR / "deploy" / "nginx" / "cchc.conf"


def _get(url: str, timeout: float) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except OSError:  # timed out or refused: not answered
        return None


def _database_url() -> str:
    if connection.vendor == "postgresql":
        return database_url()
    return f"sqlite:///{connection.settings_dict['NAME']}"


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    if not os.path.exists(NGINX):
        if os.environ.get("CI"):
            pytest.fail("CI installs nginx for the slow-client test")
        pytest.skip("nginx is not installed")
    directory = tmp_path_factory.mktemp("stack")
    web_port, proxy_port = free_port(), free_port()
    with django_db_blocker.unblock():
        env = dict(
            os.environ,
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY="q8Zr-3vLk0pWm2XyT7nB4cH1sD9fG6jA5eU_oRiYtE8wQ3zN0xM7bV2",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_COOKIES="false",
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0",
            DATABASE_URL=_database_url(),
            DB_CONN_MAX_AGE="60",  # as the compose file: connections kept between requests
            PROXY_COUNT="1",
        )
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cchc_portal.wsgi", "--bind"]
        + [f"127.0.0.1:{web_port}", "--workers", "3", "--timeout", "60"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=open(directory / "gunicorn.log", "w"),  # noqa: SIM115 - lives with the process
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = CONF.read_text()
    # The same server block as compose, pointed at this gunicorn and a free port.
    assert "server web:8000;" in server and "listen 80;" in server
    server = server.replace("server web:8000;", f"server 127.0.0.1:{web_port};")
    server = server.replace("listen 80;", f"listen 127.0.0.1:{proxy_port};")
    temp = {name: directory / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    (directory / "nginx.conf").write_text(
        "daemon off;\nworker_processes 1;\n"
        f"pid {directory / 'nginx.pid'};\nerror_log {directory / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n  access_log off;\n"
        f"  client_body_temp_path {temp['body']};\n  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n{server}\n}}\n"
    )
    proxy = subprocess.Popen(
        [NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=open(directory / "nginx.out", "w"),  # noqa: SIM115 - lives with the process
    )
    urls = {"web": f"http://127.0.0.1:{web_port}", "proxy": f"http://127.0.0.1:{proxy_port}"}
    try:
        up = wait_for(lambda: _get(f"{urls['proxy']}/healthz", 2) == 200, 60, step=0.3)
        assert up, (directory / "gunicorn.log").read_text() + (directory / "nginx.out").read_text()
        yield {**urls, "web_port": web_port, "proxy_port": proxy_port}
    finally:
        proxy.terminate()
        os.killpg(web.pid, 15)
        web.wait(timeout=30)
        proxy.wait(timeout=30)


def _slow_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that start a request and then send a header line now and then, never
    finishing it (slowloris)."""
    sockets = []
    for number in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(f"GET /healthz?slow={number} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        sockets.append(sock)
    return sockets


def _keep_slow(sockets, seconds: float) -> None:
    for sock in sockets:
        # The server may have cut it: exactly what should happen to a slow client.
        with contextlib.suppress(OSError):
            sock.sendall(b"X-Slow: 1\r\n")
    time.sleep(seconds)


def test_fifty_slow_clients_do_not_stop_the_portal_behind_the_proxy(stack):
    # Without the proxy: three slow clients hold gunicorn's three sync workers.
    blockers = _slow_clients(stack["web_port"], 3)
    try:
        _keep_slow(blockers, 0.5)
        direct = [_get(f"{stack['web']}/healthz", 2) for _ in range(2)]
        assert direct == [None, None], "gunicorn alone answered despite slow clients"
    finally:
        for sock in blockers:
            sock.close()
    assert wait_for(lambda: _get(f"{stack['web']}/healthz", 2) == 200, 30, step=0.5)

    # Behind nginx, as in docker-compose.yml: fifty slow clients, and the portal answers.
    slow = _slow_clients(stack["proxy_port"], 50)
    try:
        answered = []
        for path in ("/healthz", "/accounts/login/", "/healthz", "/api/schema/"):
            _keep_slow(slow, 0.2)
            started = time.monotonic()
            status = _get(f"{stack['proxy']}{path}", 5)
            answered.append((path, status, round(time.monotonic() - started, 2)))
        assert all(status == 200 for _path, status, _s in answered), answered
        assert all(seconds < 2 for _p, _s, seconds in answered), answered
    finally:
        for sock in slow:
            sock.close()


def test_the_first_request_after_the_database_dropped_connections_is_answered(stack):
    if connection.vendor != "postgresql":
        pytest.skip("dropping server connections needs PostgreSQL")
    # Every gunicorn worker opens and keeps a connection (DB_CONN_MAX_AGE=60).
    for _ in range(6):
        assert _get(f"{stack['proxy']}/healthz", 5) == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1  # kept connections were there, and are gone
    # /healthz queries the database (503 when that fails): each worker's first request after
    # the drop must reconnect, not fail on the dead connection.
    statuses = [_get(f"{stack['proxy']}/healthz", 5) for _ in range(6)]
    assert statuses == [200] * 6
