"""Malformed requests that once answered 500: each answers 4xx with a message (or succeeds), and
nothing is written. Run on PostgreSQL in CI, where NUL characters and over-long values reach the
database's own refusals."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from scoring.models import Framework
from tests.factories import framework_doc
from tests.helpers import login
from tests.test_access_matrix import ROUTES, _url

pytestmark = pytest.mark.django_db

NUL = "a%00b"


def _filled(regex: str) -> str:
    import re

    names = re.findall(r"\(\?P<(\w+)>", regex)
    return _url(regex, dict.fromkeys(names, NUL))


@pytest.mark.parametrize("username", ["admin", "appraiser_kesach", "officer_anmy"])
def test_a_nul_byte_anywhere_in_a_url_answers_400_not_a_server_error(client, username):
    login(client, username)
    answered = {}
    for regex, name in ROUTES:
        url = _filled(regex)
        for query in ("", "?q=a%00b&year=2023&on=2023%00", "?period=2023%00&group=943"):
            response = client.get(url + query, HTTP_ACCEPT="text/html")
            answered[(name, query)] = response.status_code
    server_errors = {key: code for key, code in answered.items() if code >= 500}
    assert not server_errors
    # A NUL is refused as such wherever it is, not only where a query would have failed.
    assert answered[("rankings", "?period=2023%00&group=943")] == 400
    assert len(answered) >= 3 * 40


def test_a_nul_byte_in_a_form_answers_400_and_saves_nothing(client):
    login(client, "officer_anmy")
    response = client.post(
        "/assessments/31564/2023/scores/1.1/",
        {"field": "explanation", "explanation": "Kế\x00hoạch", "was": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("year", ["99999", "-5", "0", "10000", "abc", "1e9"])
def test_a_year_out_of_range_on_the_statistics_page_shows_this_year(client, year):
    login(client, "officer_anmy")
    page = client.get(f"/dossiers/31564/?year={year}")
    assert page.status_code in (200, 400)
    template = client.get(f"/dossiers/31564/template.xlsx?year={year}")
    assert template.status_code in (200, 400)


def test_options_on_every_api_endpoint_answers_without_error(client):
    login(client, "appraiser_kesach")
    for path in (
        "/api/v1/assessments/31564/2022/scores/",
        "/api/v1/assessments/31564/2022/scores/3.2/evidence/",
        "/api/v1/dossier-reports/",
        "/api/v1/dossier-reports/import/",
        "/api/v1/frameworks/",
        "/api/v1/rankings/",
        "/api/v1/units/",
        "/api/v1/auth/token/",
    ):
        response = client.options(path)
        assert response.status_code in (200, 401, 403, 404, 405), path


DEEP = "[" * 100_000 + "]" * 100_000
JSON_WRITES = [
    ("put", "/api/v1/assessments/31564/2023/scores/"),
    ("post", "/api/v1/dossier-reports/"),
    ("post", "/api/v1/frameworks/"),
    ("post", "/api/v1/auth/token/"),
]


@pytest.mark.parametrize("method,path", JSON_WRITES)
def test_deeply_nested_json_answers_400_on_every_json_endpoint(client, method, path):
    if not path.endswith("token/"):
        login(client, "officer_anmy")
    deep_object = '{"a":' * 50_000 + "1" + "}" * 50_000
    for body in (DEEP, deep_object, "[" * 40 + "]" * 40):
        response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
        assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "document,expected",
    [
        ([], "must be a JSON object"),
        (None, "must be a JSON object"),
        ("text", "must be a JSON object"),
        ({**framework_doc(), "code": "X" * 41}, "at most 40 characters"),
        ({**framework_doc(), "name": "N" * 256}, "at most 255 characters"),
        ("max_points_1e308", "max_points"),
        ("area_code_long", "at most 20 characters"),
        ("band_label_long", "at most 60 characters"),
    ],
)
def test_framework_documents_out_of_shape_are_refused_with_a_message(document, expected):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    login(client, "appraiser_kesach")
    if isinstance(document, str) and document != "text":
        doc = framework_doc()
        if document == "max_points_1e308":
            doc["areas"][0]["sub_criteria"][0]["max_points"] = 1e308
        elif document == "area_code_long":
            doc["areas"][0]["code"] = "A" * 21
        else:
            doc["bands"][0]["label"] = "L" * 61
        document = doc
    before = Framework.objects.count()
    response = client.post(
        "/api/v1/frameworks/",
        json.dumps({"issuer": "943", "year": 2024, "document": document}),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert expected in messages
    assert Framework.objects.count() == before


def test_a_huge_number_in_a_score_or_count_answers_400(client):
    login(client, "appraiser_kesach")
    response = client.put(
        "/api/v1/assessments/31564/2023/scores/",
        json.dumps([{"sub_code": "3.2", "appraised_points": 1e308}]),
        content_type="application/json",
    )
    assert response.status_code == 400
    login(client, "officer_anmy")
    response = client.post(
        "/api/v1/dossier-reports/",
        json.dumps(
            [
                {
                    "commune_code": "31564",
                    "month": "2023-01",
                    "received": 10**30,
                    "resolved_early": 0,
                    "resolved_on_time": 0,
                    "resolved_late": 0,
                }
            ]
        ),
        content_type="application/json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("digits", ["１２", "١٢", "۱۲", "1e2"])
def test_counts_and_points_take_only_ascii_digits(digits):
    from dossiers.validation import parse_count
    from scoring.points import parse_points

    number, error = parse_count(digits)
    assert number is None and error
    points, error = parse_points(digits, max_points=Decimal(100))
    assert points is None and "is not a number" in error
    assert parse_count("12") == (12, None)
    assert parse_points("3,75", Decimal(5))[0] == Decimal("3.75")


def test_a_parameter_the_api_does_not_take_is_named_not_ignored(client):
    """A typo such as ?perod= would otherwise return everything without saying why."""
    login(client, "officer_anmy")
    client.cookies["django_language"] = "en"
    response = client.get("/api/v1/dossier-reports/", {"perod": "2023", "commune": "31564"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": None,
            "column": "perod",
            "message": "This request takes no such parameter; see /api/docs/.",
        }
    ]
    assert client.get("/api/v1/dossier-reports/", {"commune": "31564"}).status_code == 200
    assert client.get("/api/v1/units/31564/", {"on": "2024-01-01"}).status_code == 200
