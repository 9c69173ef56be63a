"""The commune officer's statistics pages: the year, a month's form, upload, preview, confirm."""

import io
import re

import openpyxl
import pytest

from dossiers.metrics import COUNTER_FIELDS
from dossiers.models import DossierReport
from tests.helpers import login

pytestmark = pytest.mark.django_db


def test_the_officer_sees_the_year_of_their_commune_only(client):
    login(client, "officer_anmy")
    page = client.get("/dossiers/31564/", {"year": 2022})
    assert page.status_code == 200
    months = page.context["months"]
    assert sum(m["report"].received for m in months) == 3517
    assert "100,00%" in page.content.decode()  # on time every month of 2022
    assert client.get("/dossiers/31561/").status_code == 404
    assert client.get("/dossiers/19729/2023-01/").status_code == 404


def test_a_leader_reads_but_cannot_correct(client):
    login(client, "leader_kesach")
    assert client.get("/dossiers/31564/", {"year": 2022}).status_code == 200
    assert client.get("/dossiers/31564/2022-01/").status_code == 403


def test_a_month_with_a_broken_rule_shows_the_message_next_to_the_field(client):
    login(client, "officer_anmy")
    data = {
        "received": "10",
        "resolved_early": "10",
        "resolved_on_time": "0",
        "resolved_late": "0",
        "online_full": "8",
        "online_partial": "5",
    }
    page = client.post("/dossiers/31564/2024-02/", data)
    assert page.status_code == 400
    assert "vượt số tiếp nhận (10)" in " ".join(page.context["form"].errors["online_full"])
    assert not DossierReport.objects.filter(commune__code="31564", month__year=2024).exists()
    data["online_partial"] = "1"
    done = client.post("/dossiers/31564/2024-02/", data)
    assert done.status_code == 302 and done["Location"] == "/dossiers/31564/?year=2024"
    report = DossierReport.objects.get(commune__code="31564", month__year=2024)
    assert (report.online_full, report.online_partial, report.updated_by.username) == (
        8,
        1,
        "officer_anmy",
    )
    negative = client.post("/dossiers/31564/2024-03/", dict(data, received="-2"))
    assert negative.status_code == 400 and negative.context["form"].errors["received"]


def test_the_template_round_trips_through_preview_and_confirm(client):
    login(client, "officer_anmy")
    template = client.get("/dossiers/31564/template.xlsx", {"year": 2024})
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["Mã xã", "Tên xã", "Tháng (YYYY-MM)"]
    assert sheet["A2"].value == "31564" and sheet["C13"].value == "2024-12"
    for row, received in ((2, 300), (3, 250)):
        for column, value in zip("DFGH", (received, received - 5, 5, 0), strict=True):
            sheet[f"{column}{row}"] = value
    buffer = io.BytesIO()  # the ten months not filled in stay as the template gave them
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "thang-1-2.xlsx"
    preview = client.post("/dossiers/31564/upload/", {"file": buffer})
    assert preview.status_code == 200
    assert (preview.context["preview"].created, preview.context["preview"].updated) == (2, 0)
    assert not DossierReport.objects.filter(commune__code="31564", month__year=2024).exists()
    assert any("Đã bỏ qua 10 dòng" in n for n in preview.context["preview"].notices)
    token = preview.context["token"]
    done = client.post(f"/dossiers/31564/upload/{token}/confirm/")
    assert done.status_code == 302 and done["Location"] == "/dossiers/31564/?year=2024"
    assert DossierReport.objects.filter(commune__code="31564", month__year=2024).count() == 2
    assert client.post(f"/dossiers/31564/upload/{token}/confirm/").status_code == 404


def _upload(client, book, name):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return client.post("/dossiers/31564/upload/", {"file": buffer})


def test_the_template_comes_with_the_stored_months_and_goes_back_unchanged(client):
    login(client, "officer_anmy")
    template = client.get("/dossiers/31564/template.xlsx", {"year": 2022})
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    received = [row[3] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert sum(received) == 3517  # the twelve stored months of 2022, as entered
    preview = _upload(client, book, "mau-2022.xlsx")
    assert preview.status_code == 200
    result = preview.context["preview"]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 12)


def test_problems_name_the_column_as_the_file_heads_it(client):
    login(client, "officer_anmy")
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/dossiers/31564/template.xlsx", {"year": 2024}).content)
    )
    for column, value in zip("DFGH", ("ba trăm", 0, 0, 0), strict=True):
        book.active[f"{column}2"] = value
    page = _upload(client, book, "sai.xlsx")
    assert page.status_code == 400
    [problem] = page.context["problems"]
    assert (problem.row, problem.column, problem.column_label) == (
        2,
        "received",
        "Tiếp nhận trong kỳ",
    )
    assert "Tiếp nhận trong kỳ" in page.content.decode()


def test_a_bad_file_lists_every_problem_on_the_page_and_writes_nothing(client):
    login(client, "officer_anmy")
    content = (
        "commune_code,month,received,resolved_early,resolved_on_time,resolved_late\n"
        "31564,2024-05,10,10,0,0\n31561,2024-05,10,10,0,0\n31564,2024-06,x,1,0,0\n"
    )
    upload = io.BytesIO(content.encode())
    upload.name = "sai.csv"
    page = client.post("/dossiers/31564/upload/", {"file": upload})
    assert page.status_code == 400
    assert [(p.row, p.column) for p in page.context["problems"]] == [
        (3, "commune_code"),
        (4, "received"),
    ]
    assert page.context["problems"][0].message
    assert not DossierReport.objects.filter(commune__code="31564", month__year=2024).exists()


def test_years_are_written_without_a_thousands_separator(client):
    html = login(client, "officer_anmy").get("/dossiers/31564/", {"year": 2023}).content.decode()
    assert "2.023" not in html and "?year=2023" in html and '<option value="2023" selected>' in html


def test_the_month_form_groups_every_counter_once(client):
    """The channel apart from the online level, and the outcomes one-stop exports bring (#17)."""
    login(client, "officer_anmy")
    client.cookies["django_language"] = "en"
    html = client.get("/dossiers/31564/2024-05/").content.decode()
    for legend in ("Outcome", "Received by channel", "By the procedure&#x27;s online level"):
        assert f"<legend>{legend}</legend>" in html
    for name in COUNTER_FIELDS:
        assert html.count(f'name="{name}"') == 1, name
    sent = {"received": "20", "resolved_early": "5", "resolved_on_time": "5", "resolved_late": "0"}
    sent.update(received_in_person="12", received_online="6", postal="2", awaiting_supplement="3")
    sent.update(returned="2", suspended="1", other_outcome="1")
    assert client.post("/dossiers/31564/2024-05/", sent).status_code == 302
    report = DossierReport.objects.get(commune__code="31564", month="2024-05-01")
    assert (report.received_online, report.awaiting_supplement, report.other_outcome) == (6, 3, 1)
    # 12 + 6 + 3 by post = 21 received by channel, more than the 20 received.
    refused = client.post("/dossiers/31564/2024-05/", dict(sent, postal="3"))
    assert refused.status_code == 400
    assert "received in person, online and by post (21) exceed received (20)" in html_of(refused)

    # The year's table shows them: 6 received online; 3 + 2 + 1 + 1 = 7 other outcomes, each
    # named in the cell's title.
    year = client.get("/dossiers/31564/", {"year": 2024})
    may = next(m for m in year.context["months"] if m["month"].month == 5)
    assert may["other"] == 7
    row = html_of(year).split('<td class="strong">05/2024</td>')[1].split("</tr>")[0]
    cells = re.findall(r"<td class=\"num[^\"]*\"[^>]*>([^<]*)</td>", row)
    assert cells[:2] == ["20", "6"]  # received, of which online
    title = "Awaiting supplements: 3; Returned or withdrawn: 2; Suspended: 1; Other outcome: 1"
    assert f'title="{title}">7</td>' in row


def html_of(response) -> str:
    return response.content.decode()
