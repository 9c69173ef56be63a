import datetime
import os

import pytest
from django.core.management import call_command
from django.utils import translation

from cchc_portal.celery import app as celery_app
from cchc_portal.celery import conf_set
from scoring.assessments.rounds import group_open
from scoring.frameworks.services import framework_load
from scoring.models import Framework
from scoring.periods import period_get_or_create
from tests.factories import CommuneFactory, DistrictFactory, MembershipFactory, framework_doc
from tests.processes import free_port, publishing_to

# The browser tests' fixtures (Chromium, the demo) live with their helpers.
pytest_plugins = ["tests.browser"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo, seeded once: the reference cases are asserted on it through the real engine.

    pytest-django runs transactional tests (which flush the database) after all others, so
    every non-transactional test sees the demo.
    """
    with django_db_blocker.unblock(), open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache: each test starts with none spent by another."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions read English unless a test picks a language; requests may switch it."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run in-process unless a test asks for the real worker."""
    if request.node.get_closest_marker("real_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    conf_set(task_always_eager=True)
    yield
    conf_set(task_always_eager=previous)


@pytest.fixture
def broker_down():
    """Tasks go to a broker address nobody listens on: every publish is refused, as when Redis
    is down (the autouse eager_celery fixture restores eager mode afterwards)."""
    conf_set(task_always_eager=False)
    with publishing_to(f"redis://127.0.0.1:{free_port()}/0"):
        yield


@pytest.fixture
def postgres():
    """Concurrency tests need PostgreSQL's row locks: SQLite serialises every writer."""
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI runs the concurrency tests on PostgreSQL")
        pytest.skip("needs PostgreSQL: SQLite serialises every writer")


@pytest.fixture
def district(db):
    return DistrictFactory()


@pytest.fixture
def communes(district):
    return [CommuneFactory(parent=district) for _ in range(4)]


@pytest.fixture
def make_group(district, communes):
    """Load a framework for the district and open its group for a period."""

    def make(doc=None, period="2024", year=None):
        period_obj = period_get_or_create(period)
        doc = doc or framework_doc()
        year = year or period_obj.year
        framework = Framework.objects.filter(issuer=district, year=year, code=doc["code"]).first()
        if framework is None:
            framework, _ = framework_load(document=doc, issuer_code=district.code, year=year)
        group_open(framework=framework, period=period_obj)
        return framework, period_obj

    return make


@pytest.fixture
def officer(communes):
    return MembershipFactory(unit=communes[0], role="commune_officer").user


@pytest.fixture
def appraiser(district):
    return MembershipFactory(unit=district, role="appraiser").user


@pytest.fixture
def leader(district):
    return MembershipFactory(unit=district, role="leader").user


def month(year, number):
    return datetime.date(year, number, 1)
