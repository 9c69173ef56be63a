"""Real services that tests start, stop and kill themselves: a Redis server and a Celery worker.

The real-worker and fault tests need PostgreSQL (the worker is another process, so it must see
the test database) and a broker. Locally, without them, those tests are skipped; in CI (CI=true)
a missing service fails the run instead, so they can never be skipped silently there.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from cchc_portal.celery import app as celery_app
from cchc_portal.celery import conf_set


def require_real_services(*, broker: bool = True) -> None:
    if connection.vendor == "postgresql" and (settings.CELERY_BROKER_URL or not broker):
        return
    if os.environ.get("CI"):
        pytest.fail("CI must run the real-worker tests: set DATABASE_URL and CELERY_BROKER_URL")
    pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL)")


def database_url() -> str:
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throwaway redis-server on a spare port, keeping nothing on disk."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)]
            + ["--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        if not wait_for(self.answers, 10):
            self.stop()
            pytest.fail("the test's redis-server did not start")
        return self

    def answers(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _publishing_to(url: str | None) -> None:
    # Celery prefers the environment variable to its configuration.
    if url is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = url
    conf_set(broker_url=url)
    # The app keeps pooled connections to the old broker; Celery forgets them the same way after
    # a fork. Not closed: kombu's producer pools, shared per broker, may still hand them out.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def publishing_to(url: str):
    """Make this process (the views and services under test) publish tasks to another broker."""
    previous = os.environ.get("CELERY_BROKER_URL")
    _publishing_to(url)
    try:
        yield
    finally:
        _publishing_to(previous)


class CeleryWorker:
    """`celery worker` in its own process group, on the test database; its log is kept for
    failure messages. With beat, it also runs the periodic sweep every `sweep_seconds`."""

    def __init__(self, broker_url: str, directory: Path, *, beat=False, sweep_seconds=3600):
        self.broker_url = broker_url
        self.directory = directory
        self.beat = beat
        self.sweep_seconds = sweep_seconds
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.log = directory / f"{self.name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "CeleryWorker":
        command = [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "-n", self.name]
        command += ["--concurrency", "2", "--loglevel", "info", "--without-gossip"]
        command += ["--without-mingle"]
        if self.beat:
            command += ["--beat", "--schedule", str(self.directory / f"{self.name}.beat")]
        env = dict(
            os.environ,
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=self.broker_url,
            RANKING_SWEEP_SECONDS=str(self.sweep_seconds),
        )
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its pool children share its group, for kill()
            )
        with publishing_to(self.broker_url):
            ready = wait_for(self._answers, 60, step=0)
        if not ready:
            self.kill()
            pytest.fail(f"the worker did not answer within 60 s:\n{self.log.read_text()}")
        return self

    def log_tail(self, characters: int = 6000) -> str:
        """The end of the worker's log, for a failure message."""
        return self.log.read_text()[-characters:]

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"the worker exited:\n{self.log.read_text()}")
        replies = celery_app.control.ping(destination=[self.name], timeout=0.5) or []
        return any(self.name in reply for reply in replies)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def kill(self) -> None:
        """SIGKILL to the worker and its pool children at once, as when a machine dies."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None
