"""Systems calling with a token: the token's user is read by one written-out query
(core.api.authentication), and what the user may read follows their roles at once."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import DERIVED_DOC, DistrictFactory, MembershipFactory, UserFactory
from tests.helpers import recompute, save_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(make_group, district, communes):
    framework, period = make_group(DERIVED_DOC)
    save_scores(period, {communes[0].code: {"3.1": "2"}, communes[1].code: {"3.1": "1"}})
    recompute(framework, period)
    return {"district": district, "period": period, "communes": communes}


def _ranking(token_key: str, ranked, language="en"):
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token_key}", HTTP_ACCEPT_LANGUAGE=language)
    return client.get(
        "/api/v1/rankings/",
        {"group": ranked["district"].code, "period": ranked["period"].code},
    )


def test_a_token_reads_the_ranking_of_its_users_units(ranked):
    leader = MembershipFactory(unit=ranked["district"], role="leader").user
    token = Token.objects.create(user=leader)
    answer = _ranking(token.key, ranked)
    assert answer.status_code == 200
    # The group's communes, the best first: 2 points ahead of 1, then those without.
    codes = [row["unit_code"] for row in answer.json()]
    assert codes[:2] == [ranked["communes"][0].code, ranked["communes"][1].code]
    assert sorted(codes) == sorted(c.code for c in ranked["communes"])


def test_an_unknown_or_withdrawn_token_is_refused(ranked):
    leader = MembershipFactory(unit=ranked["district"], role="leader").user
    token = Token.objects.create(user=leader)
    unknown = _ranking("0" * 40, ranked)
    assert unknown.status_code == 401
    assert unknown["WWW-Authenticate"] == "Token"
    assert "Invalid token" in unknown.content.decode()
    assert "Token không hợp lệ" in _ranking("0" * 40, ranked, language="vi").content.decode()
    assert _ranking(token.key, ranked).status_code == 200
    token.delete()
    assert _ranking(token.key, ranked).status_code == 401


def test_the_token_of_a_user_turned_off_is_refused(ranked):
    user = UserFactory(is_active=False)
    MembershipFactory(user=user, unit=ranked["district"], role="leader")
    token = Token.objects.create(user=user)
    refused = _ranking(token.key, ranked)
    assert refused.status_code == 401
    assert "inactive" in refused.content.decode()


def test_a_role_taken_away_or_given_counts_from_the_next_call(ranked):
    """The frameworks a user may read are kept per user and roles: a role taken away must not
    leave the ranking readable until the kept list expires."""
    membership = MembershipFactory(unit=ranked["district"], role="leader")
    token = Token.objects.create(user=membership.user)
    assert _ranking(token.key, ranked).status_code == 200
    membership.delete()
    assert _ranking(token.key, ranked).status_code == 404
    MembershipFactory(user=membership.user, unit=DistrictFactory(), role="leader")
    assert _ranking(token.key, ranked).status_code == 404
    MembershipFactory(user=membership.user, unit=ranked["district"], role="appraiser")
    assert _ranking(token.key, ranked).status_code == 200


def test_the_kept_ranking_is_sent_as_json_and_to_a_browser_as_the_browsable_api(ranked):
    """The rows are kept as the JSON bytes they are sent as; a browser asking for HTML still
    gets DRF's browsable page with the same rows."""
    leader = MembershipFactory(unit=ranked["district"], role="leader").user
    token = Token.objects.create(user=leader)
    first, again = _ranking(token.key, ranked), _ranking(token.key, ranked)
    assert first["Content-Type"] == again["Content-Type"] == "application/json"
    assert first.content == again.content  # the second from the cache
    assert "X-Rankings-As-Of" in again and "Accept" in again["Vary"]
    rows = again.json()
    assert rows[0]["unit_code"] == ranked["communes"][0].code and rows[0]["rank"] == 1
    browser = APIClient(HTTP_ACCEPT="text/html")
    browser.force_authenticate(leader)
    page = browser.get(
        "/api/v1/rankings/",
        {"group": ranked["district"].code, "period": ranked["period"].code},
    )
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert ranked["communes"][0].code in page.content.decode()
