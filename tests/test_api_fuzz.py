"""Schemathesis against the live OpenAPI schema: every operation, as an officer and as an
appraiser, with valid and invalid data, then in sequences that feed one answer into the next
request (stateful, links inferred from the schema). No 5xx, no response outside the schema, no
undocumented status code, header or content type; data the schema forbids is refused, and
reads the schema allows are served. (Writes the schema allows may still be refused by rules it
cannot state, such as published results or a wrong password: 400 in the documented shape.)

Hypothesis draws the cases directly from each operation's strategy (schemathesis' pytest plugin
does not run under pytest 9); the WSGI app is called in-process on the test database.
"""

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from cchc_portal.wsgi import application

pytestmark = pytest.mark.django_db
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
]
READ_CHECKS = [*CHECKS, positive_data_acceptance]
# Real values from the demo, so that part of the requests reach real objects, not only 404s.
KNOWN = {"unit_code": "31564", "period": "2022", "sub_code": "3.2", "code": "31564"}
EXAMPLES = 18  # per operation, mode and role: 20 operations × 2 modes × 18 × 2 roles ≈ 1,400


def _fuzz(username: str) -> dict:
    user = get_user_model().objects.get(username=username)
    token, _created = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}", "Accept-Language": "en"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    sent: dict[str, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode), known=st.booleans())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case, known):
                if known:
                    for name, value in KNOWN.items():
                        if name in (case.path_parameters or {}):
                            case.path_parameters[name] = value
                response = case.call(headers=headers)
                sent[case.operation.label] = sent.get(case.operation.label, 0) + 1
                reads = case.operation.method.upper() == "GET"
                case.validate_response(response, checks=READ_CHECKS if reads else CHECKS)

            run()
    return sent


@pytest.fixture
def unthrottled(settings):
    settings.API_TOKEN_RATE = "1000000/min"


@pytest.fixture
def in_test_transaction():
    """Requests run inside the test's transaction: keep Django from closing the connection at
    the end of each request, as its own test client does (PostgreSQL would lose the data)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("username", ["officer_anmy", "appraiser_kesach"])
def test_fuzzing_every_operation_finds_no_server_error_nor_schema_breach(
    username, unthrottled, in_test_transaction
):
    sent = _fuzz(username)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    assert set(sent) == {r.ok().label for r in schema.get_all_operations()}
    print(f"{username}: {sum(sent.values())} requests over {len(sent)} operations")
    assert sum(sent.values()) >= 500, sent  # ≥ 1,000 over the two roles


@pytest.mark.parametrize("username", ["officer_anmy", "appraiser_kesach"])
def test_sequences_of_calls_find_no_server_error_nor_schema_breach(
    username, unthrottled, in_test_transaction
):
    """Stateful: a list's answer names the object the next call reads or changes (an
    assessment's scores, a framework, a unit, a background import's status)."""
    user = get_user_model().objects.get(username=username)
    token, _created = Token.objects.get_or_create(user=user)
    headers = {"Authorization": f"Token {token.key}", "Accept-Language": "en"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    steps = []

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            steps.append(case.operation.label)
            case.validate_response(response, checks=CHECKS)

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=40,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    print(f"{username}: {len(steps)} stateful calls over {len(set(steps))} operations")
    assert len(set(steps)) >= 5, steps
