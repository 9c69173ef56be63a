"""Statistics straight from the one-stop software (#17): the export's own layout, read through
the mapping an administrator chose; expected values worked out by hand in the comments."""

import datetime
import importlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.test import APIClient

from dossiers.export_import import export_import
from dossiers.exports import STANDARD_COLUMNS, standard_mapping, title_month
from dossiers.metrics import METRICS, rate
from dossiers.models import DossierReport, ExportMapping, UnitNameAlias
from tests.dossiers.export_workbook import export_workbook
from tests.factories import CommuneFactory, MembershipFactory

pytestmark = pytest.mark.django_db
OCTOBER = datetime.date(2026, 10, 1)

# Tổng số, Kỳ trước, Trong kỳ, Qua mạng, Trước hạn, Đúng hạn, Quá hạn, Trong hạn, Quá hạn (đang),
# Chờ bổ sung, Trả lại/Xin rút, Tạm dừng.
# An Mỹ: 20 carried over, 80 at the desk and 20 online: 100 received, 120 in all; 60 + 25 + 5
# resolved, 10 + 5 pending, 8 + 4 + 1 otherwise: 118 of the 120.
AN_MY = [120, 20, 80, 20, 60, 25, 5, 10, 5, 8, 4, 1]
# Hòa Tú: nothing carried over, 45 + 5 = 50 received; 40 early, 6 on time, 1 late, 3 pending.
HOA_TU = [50, 0, 45, 5, 40, 6, 1, 3, 0, 0, 0, 0]
# The third, named by its code: "1.234" written with a thousands dot.
BY_CODE = ["1.300", 66, "1.234", 0, "1.200", 80, 0, 20, 0, 0, 0, 0]


@pytest.fixture
def units(district):
    an_my = CommuneFactory(parent=district, name="Xã An Mỹ")
    hoa_tu = CommuneFactory(parent=district, name="Xã Hòa Tú")
    third = CommuneFactory(parent=district, name="Phường 1")
    return an_my, hoa_tu, third


@pytest.fixture
def appraiser(district):
    """Whoever imports a district's export: an administrator of the district (appraisers read
    statistics, they do not write them)."""
    return MembershipFactory(unit=district, role="admin").user


def stored_count(district):
    return DossierReport.objects.filter(commune__parent=district).count()


@pytest.fixture
def mapping():
    """The layout the portal ships (the migration's): "trong kỳ" leaves out online."""
    return standard_mapping()


def workbook(units, an_my="Xã An Mỹ", hoa_tu="Xa Hoa Tu", **kwargs):
    _an_my, _hoa_tu, third = units
    return export_workbook(
        [(an_my, AN_MY), (hoa_tu, HOA_TU), (f"{third.name} ({third.code})", BY_CODE)], **kwargs
    )


def test_an_export_imports_as_it_comes_once_a_name_is_confirmed(
    units, mapping, appraiser, district
):
    an_my, hoa_tu, third = units
    content = workbook(units)
    first = export_import(
        file_name="thong-ke.xlsx", content=content, mapping=mapping, user=appraiser
    )
    # "Xa Hoa Tu" matches Xã Hòa Tú only without diacritics: a person confirms it; nothing is
    # written meanwhile.
    assert not first.ok and stored_count(district) == 0
    assert [(p.row, p.text, p.unit_code) for p in first.to_confirm] == [
        (9, "Xa Hoa Tu", hoa_tu.code)
    ]
    assert [(p.row, p.column_label) for p in first.problems] == [(9, "Đơn vị")]
    result = export_import(
        file_name="thong-ke.xlsx",
        content=content,
        mapping=mapping,
        user=appraiser,
        confirmed=["Xa Hoa Tu"],
    )
    assert result.ok, result.problems
    assert (result.created, result.updated) == (3, 0)
    stored = {r.commune_id: r for r in DossierReport.objects.filter(month=OCTOBER)}
    a = stored[an_my.pk]
    # Received = trong kỳ 80 + qua mạng 20; the channel kept apart from the online level.
    assert (a.received, a.carried_over, a.received_online, a.online_full, a.online_partial) == (
        100,
        20,
        20,
        0,
        0,
    )
    assert (a.resolved_early, a.resolved_on_time, a.resolved_late) == (60, 25, 5)
    assert (a.pending_on_time, a.pending_overdue) == (10, 5)
    assert (a.awaiting_supplement, a.returned, a.suspended, a.other_outcome) == (8, 4, 1, 0)
    assert stored[hoa_tu.pk].received == 50
    # "1.234" is 1,234 dossiers; with the 66 carried over, the printed 1,300.
    assert stored[third.pk].received == 1234 and stored[third.pk].resolved_early == 1200
    # The channel rate reads the channel: 20 of 100 received online.
    assert rate(METRICS["online_channel_rate"], a.counters()) == 20
    assert rate(METRICS["returned_rate"], a.counters()) == 4
    # The name is remembered for this mapping: the next export goes through without asking.
    alias = UnitNameAlias.objects.get(mapping=mapping)
    assert (alias.text, alias.unit_id, alias.confirmed_by_id) == (
        "xa hoa tu",
        hoa_tu.pk,
        appraiser.pk,
    )
    again = export_import(
        file_name="thong-ke.xlsx", content=content, mapping=mapping, user=appraiser
    )
    assert again.ok and again.unchanged == 3


def test_trong_ky_that_leaves_out_online_is_caught_by_the_printed_total(
    units, mapping, appraiser, district
):
    """The same export through a mapping that believes "trong kỳ" includes online: An Mỹ's
    received would be 80 and 20 + 80 ≠ 120; nothing is written."""
    mapping.in_period_includes_online = True
    mapping.save()
    result = export_import(
        file_name="thong-ke.xlsx",
        content=workbook(units, hoa_tu="Xã Hòa Tú"),
        mapping=mapping,
        user=appraiser,
    )
    assert not result.ok and stored_count(district) == 0
    [total] = [p for p in result.problems if p.row == 8 and p.column == "total"]
    assert total.column_label == "Tiếp nhận / Tổng số"
    assert "the total 120 is not carried over 20 + received 80 = 100" in str(total.message)
    assert "“trong kỳ” includes the dossiers received online" in str(total.message)


def test_the_month_comes_from_the_title_or_from_the_person(units, mapping, appraiser):
    content = workbook(units, hoa_tu="Xã Hòa Tú", title="Từ ngày 01/09/2026 đến ngày 30/09/2026")
    result = export_import(file_name="x.xlsx", content=content, mapping=mapping, user=appraiser)
    assert result.ok and set(
        DossierReport.objects.filter(commune__in=units).values_list("month", flat=True)
    ) == {datetime.date(2026, 9, 1)}
    mismatch = export_import(
        file_name="x.xlsx", content=content, mapping=mapping, user=appraiser, month=OCTOBER
    )
    assert [str(p.message) for p in mismatch.problems] == [
        "the title says 09/2026 but 10/2026 was chosen"
    ]
    quarter = workbook(units, title="Từ ngày 01/07/2026 đến ngày 30/09/2026")
    refused = export_import(file_name="x.xlsx", content=quarter, mapping=mapping, user=appraiser)
    assert "statistics are imported a whole month at a time" in str(refused.problems[0].message)
    untitled = workbook(units, hoa_tu="Xã Hòa Tú", title="Báo cáo")
    asked = export_import(file_name="x.xlsx", content=untitled, mapping=mapping, user=appraiser)
    assert [str(p.message) for p in asked.problems] == [
        "The title does not state the month: choose it."
    ]
    chosen = export_import(
        file_name="x.xlsx", content=untitled, mapping=mapping, user=appraiser, month=OCTOBER
    )
    assert chosen.ok and chosen.created == 3


def test_every_problem_names_the_exports_row_and_column(units, mapping, appraiser, district):
    other = CommuneFactory(name="Xã An Mỹ")  # another district's An Mỹ: not the appraiser's
    bad = list(AN_MY)
    bad[4] = "sáu mươi"  # Trước hạn
    content = export_workbook([("Xã An Mỹ", bad), ("Xã Không Có", HOA_TU), (other.code, HOA_TU)])
    result = export_import(file_name="x.xlsx", content=content, mapping=mapping, user=appraiser)
    found = [(p.row, p.column_label, str(p.message)) for p in result.problems]
    assert (8, "Đã xử lý / Trước hạn", "'sáu mươi' is not a number") in found
    assert (
        9,
        "Đơn vị",
        "no commune whose statistics you may enter is named “Xã Không Có”",
    ) in found
    assert (10, "Đơn vị", f"{other.code} is not a commune whose statistics you may enter") in found
    assert stored_count(district) == 0


def test_a_name_two_units_share_is_not_guessed(units, mapping, appraiser, district):
    CommuneFactory(parent=district, name="Xã An My")
    result = export_import(
        file_name="x.xlsx",
        content=workbook(units, an_my="An Mi", hoa_tu="Xã Hòa Tú"),
        mapping=mapping,
        user=appraiser,
    )
    [problem] = result.problems
    assert problem.row == 8 and "“An Mi” may be any of" in str(problem.message)
    assert result.to_confirm == []


def test_the_api_imports_an_export_with_the_chosen_mapping(units, mapping, appraiser, district):
    api = APIClient()
    api.force_authenticate(appraiser)
    api.cookies["django_language"] = "en"
    listed = api.get("/api/v1/export-mappings/").json()
    assert [m["name"] for m in listed] == [mapping.name]
    assert listed[0]["in_period_includes_online"] is False
    url = "/api/v1/dossier-reports/import-export/"

    def post(**extra):
        return api.post(
            url,
            {
                "file": SimpleUploadedFile("thong-ke.xlsx", workbook(units)),
                "mapping": mapping.pk,
                **extra,
            },
            format="multipart",
        )

    asked = post()
    assert asked.status_code == 400
    body = asked.json()
    assert body["to_confirm"] == [
        {"row": 9, "text": "Xa Hoa Tu", "unit_code": units[1].code, "unit_name": "Xã Hòa Tú"}
    ]
    assert body["errors"][0]["row"] == 9 and body["errors"][0]["column"] == "Đơn vị"
    checked = api.post(
        url + "?dry_run=1",
        {
            "file": SimpleUploadedFile("thong-ke.xlsx", workbook(units)),
            "mapping": mapping.name,
            "confirm": ["Xa Hoa Tu"],
        },
        format="multipart",
    )
    assert checked.status_code == 200, checked.content
    assert checked.json() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "dry_run": True,
        "month": "2026-10",
        "notices": [],
    }
    assert stored_count(district) == 0
    saved = post(confirm=["Xa Hoa Tu"])
    assert saved.status_code == 200 and saved.json()["created"] == 3
    assert DossierReport.objects.get(commune=units[0], month=OCTOBER).received == 100
    unknown = post(mapping="iGate")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["column"] == "mapping"


def test_another_units_officer_cannot_import_into_these_units(units, mapping):
    officer = MembershipFactory(unit=CommuneFactory(), role="commune_officer").user
    api = APIClient()
    api.force_authenticate(officer)
    api.cookies["django_language"] = "en"
    answer = api.post(
        "/api/v1/dossier-reports/import-export/",
        {
            "file": SimpleUploadedFile("x.xlsx", workbook(units, hoa_tu="Xã Hòa Tú")),
            "mapping": mapping.pk,
        },
        format="multipart",
    )
    assert answer.status_code == 400
    # Names outside one's units are never matched, so never revealed.
    messages = [e["message"] for e in answer.json()["errors"]]
    assert "no commune whose statistics you may enter is named “Xã An Mỹ”" in messages
    assert answer.json()["to_confirm"] == []
    assert not DossierReport.objects.filter(commune__in=units).exists()


def test_the_page_checks_asks_and_saves(units, mapping, appraiser, client):
    client.force_login(appraiser)
    client.cookies["django_language"] = "en"
    page = client.get("/dossiers/export/")
    assert page.status_code == 200 and mapping.name in page.content.decode()
    checked = client.post(
        "/dossiers/export/",
        {"mapping": mapping.pk, "file": SimpleUploadedFile("thong-ke.xlsx", workbook(units))},
    )
    assert checked.status_code == 400
    html = checked.content.decode()
    assert "Names written differently from the unit list" in html and "“Xa Hoa Tu”" in html
    token = checked.context["token"]
    again = client.post(
        "/dossiers/export/", {"mapping": mapping.pk, "token": token, "confirm": "Xa Hoa Tu"}
    )
    assert again.status_code == 200
    assert "3 months to add, 0 to replace, 0 unchanged" in again.content.decode()
    assert not DossierReport.objects.filter(commune__in=units).exists()
    saved = client.post(
        "/dossiers/export/",
        {"mapping": mapping.pk, "token": token, "confirm": "Xa Hoa Tu", "save": "1"},
        follow=True,
    )
    assert "3 months added, 0 replaced and 0 unchanged" in saved.content.decode()
    assert DossierReport.objects.filter(commune__in=units, month=OCTOBER).count() == 3


def test_the_page_is_not_there_for_readers(client, district):
    client.force_login(MembershipFactory(unit=district, role="leader").user)
    assert client.get("/dossiers/export/").status_code == 404


def test_an_administrator_sets_a_mapping_up_in_the_admin(admin_client):
    admin_client.cookies["django_language"] = "en"
    answer = admin_client.post(
        "/admin/dossiers/exportmapping/add/",
        {
            "name": "iGate Hậu Giang",
            "in_period_includes_online": "on",
            "note": "",
            "column_unit": "Tên đơn vị",
            "column_received": "Tiếp nhận mới",
            "column_resolved_early": "Sớm hạn",
            "column_resolved_on_time": "Đúng hạn",
            "column_resolved_late": "đúng hạn",  # the same header twice
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 200
    assert "“đúng hạn” already holds" in answer.content.decode()
    assert not ExportMapping.objects.filter(name="iGate Hậu Giang").exists()


def test_a_mapping_set_up_in_the_admin_reads_its_export(admin_client, units, district):
    answer = admin_client.post(
        "/admin/dossiers/exportmapping/add/",
        {
            "name": "iGate Hậu Giang",
            "note": "",
            "column_unit": "Đơn vị",
            "column_carried_over": "Tiếp nhận / Kỳ trước",
            "column_received": "Tiếp nhận/Trong kỳ",
            "column_received_online": "TIẾP NHẬN / QUA MẠNG",
            "column_resolved_early": "Đã xử lý / Trước hạn",
            "column_resolved_on_time": "Đã xử lý / Đúng hạn",
            "column_resolved_late": "Đã xử lý / Quá hạn",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-3000:]
    mapping = ExportMapping.objects.get(name="iGate Hậu Giang")
    assert mapping.columns["received"] == "Tiếp nhận/Trong kỳ" and "total" not in mapping.columns
    admin = MembershipFactory(unit=district, role="admin").user
    result = export_import(
        file_name="x.xlsx", content=workbook(units, hoa_tu="Xã Hòa Tú"), mapping=mapping, user=admin
    )
    # Headers matched whatever their case and spacing: An Mỹ's 80 + 20 online; the columns the
    # mapping leaves out (pending, awaiting supplements…) are 0.
    assert result.ok, result.problems
    report = DossierReport.objects.get(commune=units[0], month=OCTOBER)
    assert (report.received, report.received_online, report.awaiting_supplement) == (100, 20, 0)
    assert (report.pending_on_time, report.resolved_late) == (0, 5)


def test_the_command_imports_an_export_through_a_mapping(units, mapping, district, tmp_path):
    mapping.scope = district.parent  # the command has no user: names are looked for there
    mapping.save()
    path = tmp_path / "bang-thong-ke.xlsx"
    path.write_bytes(workbook(units))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_dossiers", str(path), "--mapping", mapping.name, stderr=errors)
    assert f"to confirm: --confirm 'Xa Hoa Tu' for Xã Hòa Tú ({units[1].code})" in errors.getvalue()
    out = io.StringIO()
    call_command(
        "import_dossiers", str(path), "--mapping", str(mapping.pk), "--confirm", "Xa Hoa Tu",
        stdout=out,
    )  # fmt: skip
    assert "3 created, 0 updated, 0 unchanged." in out.getvalue()
    assert DossierReport.objects.get(commune=units[0], month=OCTOBER).received == 100
    with pytest.raises(CommandError, match="No export mapping 'iGate'"):
        call_command("import_dossiers", str(path), "--mapping", "iGate")


def test_departments_and_districts_in_the_export_are_left_out(units, mapping, appraiser, district):
    """One-stop systems serve departments too; their rows are not communes' and say so."""
    content = export_workbook(
        [("Sở Tư pháp", HOA_TU), ("Xã An Mỹ", AN_MY), ("UBND huyện Kế Sách", HOA_TU),
         ("Xã Không Có", HOA_TU)]
    )  # fmt: skip
    result = export_import(file_name="x.xlsx", content=content, mapping=mapping, user=appraiser)
    # A row that says it is a commune must be one: "Xã Không Có" is refused, not left out.
    assert [(p.row, p.column) for p in result.problems] == [(11, "commune_code")]
    with translation.override("en"):
        ok = export_import(
            file_name="x.xlsx",
            content=export_workbook([("Sở Tư pháp", HOA_TU), ("Xã An Mỹ", AN_MY)]),
            mapping=mapping,
            user=appraiser,
        )
    assert ok.ok and ok.created == 1
    assert [str(n) for n in ok.notices] == [
        "Rows that name no commune were left out: 8 “Sở Tư pháp”."
    ]


def test_zero_printed_as_a_blank_or_a_dash_is_zero(units, mapping, appraiser, district):
    """Exports print zero as an empty cell or "-": Hòa Tú's row written that way stores the same
    figures as written with zeros. A blank total is no total, so nothing is checked against it."""
    an_my, hoa_tu, _third = units
    blanks = [50, None, 45, 5, 40, 6, 1, 3, "-", "", "–", None]
    # None resolved late, and the total left blank.
    no_late = [None, 0, 45, 5, 40, 7, "", 3, 0, 0, 0, 0]
    content = export_workbook([("Xã Hòa Tú", blanks), ("Xã An Mỹ", no_late)])
    result = export_import(file_name="x.xlsx", content=content, mapping=mapping, user=appraiser)
    assert result.ok, [str(p.message) for p in result.problems]
    fields = ["carried_over", "received", "received_online", "resolved_early", "resolved_on_time"]
    fields += ["resolved_late", "pending_on_time", "pending_overdue", "awaiting_supplement"]
    fields += ["returned", "suspended"]
    # Received = trong kỳ 45 + qua mạng 5; every blank or dash 0.
    stored = DossierReport.objects.values_list(*fields)
    assert list(stored.get(commune=hoa_tu, month=OCTOBER)) == [0, 50, 5, 40, 6, 1, 3, 0, 0, 0, 0]
    assert list(stored.get(commune=an_my, month=OCTOBER)) == [0, 50, 5, 40, 7, 0, 3, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("title", "month"),
    [
        ("Từ ngày 01/10/2026 đến ngày 31/10/2026", OCTOBER),
        ("(Từ 01/10/2026 - 31/10/2026)", OCTOBER),
        ("TỪ NGÀY 01/02/2026 ĐẾN NGÀY 28/02/2026", datetime.date(2026, 2, 1)),
        ("Kỳ báo cáo: Tháng 10 năm 2026", OCTOBER),
        ("Tháng 9/2026", datetime.date(2026, 9, 1)),
        ("Báo cáo tổng hợp", None),
    ],
)
def test_the_month_as_titles_write_it(title, month):
    assert title_month([(1, [None, title])], 1) == (month, "")


def test_the_shipped_mapping_is_the_one_the_migration_wrote():
    migration = importlib.import_module("dossiers.migrations.0003_export_mappings_and_channels")
    assert migration.STANDARD == STANDARD_COLUMNS
    assert standard_mapping().columns == STANDARD_COLUMNS
