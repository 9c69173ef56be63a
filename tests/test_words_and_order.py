"""Words and order as Vietnamese readers expect them: periods as people say them, units in
Vietnamese alphabetical order, percents as documents write them."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from communes.collation import vietnamese_sort_key
from scoring.models import Period
from tests.helpers import login


@pytest.mark.parametrize(
    ("code", "kind", "number", "vi", "en"),
    [
        ("2023", "year", 0, "Năm 2023", "Year 2023"),
        ("2023-H1", "half", 1, "6 tháng đầu năm 2023", "First half of 2023"),
        ("2023-H2", "half", 2, "6 tháng cuối năm 2023", "Second half of 2023"),
        ("2023-Q3", "quarter", 3, "Quý 3/2023", "Q3/2023"),
    ],
)
def test_periods_read_as_people_say_them(code, kind, number, vi, en):
    period = Period(code=code, kind=kind, year=2023, number=number, start=datetime.date(2023, 1, 1))
    with translation.override("vi"):
        assert period.label == vi
    with translation.override("en"):
        assert period.label == en


def test_unit_names_sort_in_vietnamese_alphabetical_order():
    names = ["Xã Đông Hòa", "Xã Ân Thi", "Xã Dương Minh", "Xã An Mỹ", "Xã Ơn Cao", "Xã Ô Môn"]
    assert sorted(names, key=vietnamese_sort_key) == [
        "Xã An Mỹ",
        "Xã Ân Thi",
        "Xã Dương Minh",
        "Xã Đông Hòa",  # Đ after D, not after every other letter
        "Xã Ô Môn",
        "Xã Ơn Cao",
    ]
    # Tones only decide between names otherwise equal: ngang, huyền, hỏi, ngã, sắc, nặng.
    tones = ["Ca", "Cạ", "Cá", "Cã", "Cả", "Cà"]
    assert sorted(tones, key=vietnamese_sort_key) == ["Ca", "Cà", "Cả", "Cã", "Cá", "Cạ"]


def test_percents_are_written_as_vietnamese_documents_write_them():
    template = Template("{% load portal %}{{ value|percent }} {{ value|percent:1 }}")
    with translation.override("vi"):
        assert template.render(Context({"value": 93.605})) == "93,61% 93,6%"
    with translation.override("en"):
        assert template.render(Context({"value": 93.605})) == "93.61% 93.6%"


@pytest.mark.django_db
def test_pages_use_the_spoken_period_and_the_vietnamese_order(client):
    login(client, "leader_hailang")
    page = client.get("/rankings/", {"group": "470", "period": "2023-H1"}).content.decode()
    assert "6 tháng đầu năm 2023" in page and "73,90%" in page
    login(client, "appraiser_kesach")
    overview = client.get("/appraisal/", {"group": "943", "period": "2023"})
    names = [a.unit.name for a in overview.context["rows"]]
    assert names == sorted(names, key=vietnamese_sort_key) and len(names) == 13
