"""Self-service password reset by e-mail: the link arrives, works once, and sets a password
the portal accepts; nothing tells a stranger which addresses have accounts; no flooding."""

import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    user = UserFactory(username="canbo_xa", email="canbo@xa.gov.vn")
    user.set_password("Mat-khau-cu-2024")
    user.save()
    return user


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


def test_a_person_with_an_address_chooses_a_new_password_by_mail(english, person):
    client = english
    assert "Forgotten your password?" in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/password/reset/", {"email": "CANBO@xa.gov.vn"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["canbo@xa.gov.vn"]
    assert "canbo_xa" in message.body
    link = _link(message)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    done = client.post(
        set_url, {"new_password1": "Mat-khau-moi-2025", "new_password2": "Mat-khau-moi-2025"}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    person.refresh_from_db()
    assert person.check_password("Mat-khau-moi-2025")
    # The link worked once.
    again = client.get(link, follow=True)
    assert "already been used or has expired" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(english, person):
    response = english.post("/accounts/password/reset/", {"email": "nobody@xa.gov.vn"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []
    page = english.get(response["Location"]).content.decode()
    assert "If an account has this address" in page


def test_the_form_cannot_flood_a_mailbox(english, person):
    for _ in range(8):
        english.post("/accounts/password/reset/", {"email": "canbo@xa.gov.vn"})
    assert len(mail.outbox) == 5


def test_the_mail_speaks_vietnamese_by_default(client, person):
    client.post("/accounts/password/reset/", {"email": "canbo@xa.gov.vn"})
    assert "mật khẩu" in mail.outbox[0].subject.lower()
