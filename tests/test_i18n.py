"""Vietnamese by default, English available; Vietnamese number and date style."""

import datetime
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from dossiers.services import dossier_file_import
from scoring.models import Area
from tests.helpers import login

PO = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_vietnamese_translation():
    catalog = polib.pofile(str(PO))
    assert not catalog.untranslated_entries()
    assert not catalog.fuzzy_entries()


@pytest.mark.django_db
def test_import_problems_speak_vietnamese_by_default_and_english_on_request():
    """With no language chosen (a management command, a task) the portal speaks Vietnamese."""
    content = (
        b"commune_code,month,received,resolved_early,resolved_on_time,resolved_late\n"
        b"99999,2024-03,1,1,0,0\n"
    )
    with translation.override(None):
        translation.deactivate()
        vi = str(dossier_file_import(file_name="a.csv", content=content).problems[0])
    with translation.override("en"):
        en = str(dossier_file_import(file_name="a.csv", content=content).problems[0])
    assert vi == "dòng 2, cột commune_code: không có xã nào mang mã 99999"
    assert en == "row 2, column commune_code: no commune has the code 99999"


def test_numbers_and_dates_are_written_the_vietnamese_way():
    template = Template(
        "{{ percent|floatformat:2 }} % · {{ count }} · {{ day|date:'SHORT_DATE_FORMAT' }}"
    )
    context = Context(
        {"percent": Decimal("90.92"), "count": 3517, "day": datetime.date(2022, 12, 30)}
    )
    with translation.override("vi"):
        assert template.render(context) == "90,92 % · 3.517 · 30/12/2022"
    with translation.override("en"):
        assert template.render(context) == "90.92 % · 3,517 · 30/12/2022"


@pytest.mark.django_db
def test_pages_are_vietnamese_whatever_the_browser_asks_until_the_user_chooses(client):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "vi"
    assert "Tên đăng nhập" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page["Content-Language"] == "en" and "Username" in page.content.decode()


@pytest.mark.django_db
def test_framework_texts_follow_the_language_where_the_framework_gives_english(client):
    """The demo framework names its bands and areas in both languages; a text it gives only in
    Vietnamese stays Vietnamese on English pages."""
    login(client, "leader_kesach")
    query = {"group": "943", "period": "2023"}
    vietnamese = client.get("/rankings/", query).content.decode()
    assert "Rất tốt" in vietnamese and "Cải cách thể chế" in vietnamese
    client.post("/i18n/setlang/", {"language": "en", "next": "/rankings/"})
    english = client.get("/rankings/", query).content.decode()
    assert ">Very good<" in english and "Institutional reform" in english
    assert "Rất tốt" not in english and "Cải cách thể chế" not in english
    profile = client.get("/units/31564/").content.decode()
    areas = Area.objects.filter(framework__issuer__code="943", framework__year=2023)
    shown = [a for a in areas if a.name_en in profile]
    assert shown and not [a for a in areas if a.name in profile]
