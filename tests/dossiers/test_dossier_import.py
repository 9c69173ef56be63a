"""Monthly statistics imports: every rule refused with its row and column, all or nothing."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dossiers.columns import VIETNAMESE_HEADERS
from dossiers.models import DossierReport
from dossiers.services import dossier_file_import, dossier_reports_save
from tests.factories import CommuneFactory, MembershipFactory
from tests.helpers import dossier_row

pytestmark = pytest.mark.django_db

HEADER = (
    "commune_code,month,received,carried_over,resolved_early,resolved_on_time,"
    "resolved_late,pending_on_time,pending_overdue,online_full,online_partial,postal,"
    "digitized,apologies"
)


def csv_bytes(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode()


def good_line(code, month="2024-03"):
    return f"{code},{month},100,5,60,30,5,8,2,20,30,10,50,6"


def problems_of(result):
    return [(p.row, p.column) for p in result.problems]


def test_a_good_csv_creates_every_row(communes):
    content = csv_bytes(good_line(communes[0].code), good_line(communes[1].code, "2024-04"))
    result = dossier_file_import(file_name="march.csv", content=content)
    assert result.ok and (result.created, result.updated) == (2, 0)
    report = DossierReport.objects.get(commune=communes[0], month=datetime.date(2024, 3, 1))
    assert report.counters() == {
        "received": 100,
        "carried_over": 5,
        "resolved_early": 60,
        "resolved_on_time": 30,
        "resolved_late": 5,
        "pending_on_time": 8,
        "pending_overdue": 2,
        # Columns the file does not have are 0 (the channel and other outcomes, #17).
        "received_in_person": 0,
        "received_online": 0,
        "awaiting_supplement": 0,
        "returned": 0,
        "suspended": 0,
        "other_outcome": 0,
        "online_full": 20,
        "online_partial": 30,
        "postal": 10,
        "digitized": 50,
        "apologies": 6,
    }


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"received": "-3"}, "received", "negative"),
        ({"received": "12.5"}, "received", "whole number"),
        ({"received": "mười"}, "received", "not a number"),
        ({"received": "=A1+1"}, "received", "formula"),
        ({"received": "99999999999"}, "received", "larger than"),
        ({"resolved_late": ""}, "resolved_late", "required"),
        ({"month": "03/2024x"}, "month", "YYYY-MM"),
        ({"month": ""}, "month", "empty"),
        (
            {"online_full": "80", "online_partial": "20", "postal": "1"},
            "online_full,online_partial,postal",
            "exceed received",
        ),
        (
            {
                "received": "10",
                "carried_over": "0",
                "online_full": "0",
                "online_partial": "0",
                "postal": "0",
                "digitized": "0",
            },
            "resolved_early,resolved_on_time,resolved_late,pending_on_time,pending_overdue,"
            "awaiting_supplement,returned,suspended,other_outcome",
            "exceed carried over + received",
        ),
        ({"digitized": "106"}, "digitized", "exceed carried over + received"),
        ({"apologies": "8"}, "apologies", "exceed late dossiers"),
    ],
)
def test_each_cell_rule_is_refused_with_row_and_column_and_nothing_is_written(
    communes, cells, column, words
):
    values = dict(zip(HEADER.split(","), good_line(communes[1].code).split(","), strict=True))
    values.update(cells)
    bad = ",".join(values[c] for c in HEADER.split(","))
    content = csv_bytes(good_line(communes[0].code), bad)
    before = DossierReport.objects.count()
    result = dossier_file_import(file_name="bad.csv", content=content)
    assert problems_of(result) == [(3, column)]
    assert words in str(result.problems[0].message)
    assert DossierReport.objects.count() == before


def test_unknown_commune_district_code_and_invalid_month_are_refused(communes, district):
    closed = CommuneFactory(parent=district, valid_to=datetime.date(2023, 12, 31))
    content = csv_bytes(
        good_line("99999"),
        good_line(district.code),
        good_line(closed.code, "2024-01"),
        good_line(communes[0].code),
    )
    result = dossier_file_import(file_name="x.csv", content=content)
    messages = {p.row: str(p.message) for p in result.problems}
    assert problems_of(result) == [(2, "commune_code"), (3, "commune_code"), (4, "commune_code")]
    assert "no commune has the code 99999" in messages[2]
    assert "district code" in messages[3]
    assert "did not exist in 2024-01" in messages[4]
    assert not DossierReport.objects.filter(commune=communes[0]).exists()


def test_a_future_month_and_a_repeated_month_are_refused(communes):
    next_month = timezone.localdate().replace(day=28) + datetime.timedelta(days=5)
    content = csv_bytes(
        good_line(communes[0].code, f"{next_month:%Y-%m}"),
        good_line(communes[1].code),
        good_line(communes[1].code),
    )
    result = dossier_file_import(file_name="x.csv", content=content)
    assert problems_of(result) == [(2, "month"), (4, "month")]
    assert "future" in str(result.problems[0].message)
    assert "already in row 3" in str(result.problems[1].message)


def test_missing_required_columns_are_named(communes):
    content = csv_bytes(f"{communes[0].code},2024-03,10", header="commune_code,month,received")
    result = dossier_file_import(file_name="x.csv", content=content)
    assert problems_of(result) == [
        (1, "resolved_early"),
        (1, "resolved_on_time"),
        (1, "resolved_late"),
    ]


def test_missing_optional_columns_count_zero_and_unknown_columns_are_ignored_with_a_notice(
    communes,
):
    content = csv_bytes(
        f"{communes[0].code},2024-03,10,7,3,0,ghi chú",
        header="commune_code,month,received,resolved_early,resolved_on_time,resolved_late,note",
    )
    result = dossier_file_import(file_name="x.csv", content=content)
    assert result.ok and result.created == 1
    assert any("note" in n for n in result.notices)
    assert DossierReport.objects.get(commune=communes[0]).online_full == 0


def test_an_officer_cannot_write_another_commune(communes):
    officer = MembershipFactory(unit=communes[0], role="commune_officer").user
    content = csv_bytes(good_line(communes[0].code), good_line(communes[1].code))
    result = dossier_file_import(file_name="x.csv", content=content, user=officer)
    assert problems_of(result) == [(3, "commune_code")]
    assert not DossierReport.objects.filter(commune__in=communes).exists()
    ok = dossier_file_import(
        file_name="x.csv", content=csv_bytes(good_line(communes[0].code)), user=officer
    )
    assert ok.ok and ok.created == 1


def test_excel_semicolon_csv_with_bom_and_vietnamese_headers_is_accepted(communes):
    header = ";".join(VIETNAMESE_HEADERS[c] for c in HEADER.split(","))
    line = good_line(communes[0].code).replace(",", ";")
    content = "\ufeff".encode() + f"{header}\n{line}\n".encode()
    result = dossier_file_import(file_name="mau.csv", content=content)
    assert result.ok and result.created == 1


def _xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_numbers_dates_and_dropped_leading_zeros(communes, district):
    zero_led = CommuneFactory(parent=district, code="00777")
    content = _xlsx(
        [
            HEADER.split(","),
            [
                int(communes[0].code),
                datetime.datetime(2024, 3, 1),
                100,
                5,
                60,
                30,
                5,
                8,
                2,
                20,
                30,
                10,
                50,
                6,
            ],
            [777, "2024-03", 10.0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            [None] * 14,  # trailing blank rows are no data
        ]
    )
    result = dossier_file_import(file_name="thang3.xlsx", content=content)
    assert result.ok, result.problems
    assert DossierReport.objects.get(commune=zero_led).received == 10


def test_xlsx_errors_carry_the_spreadsheet_row(communes):
    content = _xlsx(
        [
            HEADER.split(","),
            [communes[0].code, "2024-03", 100, 5, 60, 30, 5, 8, 2, 20, 30, 10, 50, 6],
            [communes[1].code, "2024-03", 100, 5, 60, 30, 5, 8, 2, 20, 30, 10, 50, 60],
        ]
    )
    result = dossier_file_import(file_name="x.xlsx", content=content)
    assert problems_of(result) == [(3, "apologies")]


def test_unreadable_files_get_a_clear_message():
    assert "xlsx" in str(dossier_file_import(file_name="a.xlsx", content=b"%PDF-1.4").problems[0])
    assert ".xls" in str(dossier_file_import(file_name="a.xls", content=b"\xd0\xcf").problems[0])
    assert "UTF-8" in str(
        dossier_file_import(file_name="a.csv", content=b"\xff\x00\xe9").problems[0]
    )
    assert "empty" in str(dossier_file_import(file_name="a.csv", content=b"").problems[0])


def test_replacing_a_month_keeps_its_history(communes):
    officer = MembershipFactory(unit=communes[0], role="commune_officer").user
    row = dossier_row(communes[0].code, "2024-02", received=10, resolved_early=10)
    assert dossier_reports_save(records=[(2, row)], user=officer).ok
    row.update(received=12, resolved_early=11, resolved_late=1)
    result = dossier_reports_save(records=[(2, row)], user=officer)
    assert (result.created, result.updated) == (0, 1)
    report = DossierReport.objects.get(commune=communes[0], month=datetime.date(2024, 2, 1))
    assert report.received == 12
    history = list(report.history.order_by("history_date"))
    assert [
        (h.history_type, h.received, h.resolved_late, h.history_user, h.history_change_reason)
        for h in history
    ] == [("+", 10, 0, officer, "create"), ("~", 12, 1, officer, "replace")]
    # The same values again change nothing and add no history.
    again = dossier_reports_save(records=[(2, row)], user=officer)
    assert (again.updated, again.unchanged, report.history.count()) == (0, 1, 2)


def test_a_changed_reimport_changes_every_row(communes):
    """pitfalls.md: a composite key once updated only 2,000 of 10,000 rows silently."""
    lines = [good_line(c.code, f"2024-{m:02d}") for c in communes for m in range(1, 13)]
    assert dossier_file_import(file_name="a.csv", content=csv_bytes(*lines)).created == 48
    changed = [line.replace(",100,5,60,", ",101,5,61,") for line in lines]
    result = dossier_file_import(file_name="a.csv", content=csv_bytes(*changed))
    assert (result.created, result.updated) == (0, 48)
    assert set(
        DossierReport.objects.filter(commune__in=communes).values_list("received", flat=True)
    ) == {101}


def test_import_dossiers_command_reports_and_exits_1_on_errors(communes, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(good_line(communes[0].code)))
    call_command("import_dossiers", str(good), "--dry-run")
    assert "would have 1 created" in capsys.readouterr().out
    assert not DossierReport.objects.filter(commune=communes[0]).exists()
    call_command("import_dossiers", str(good))
    assert "1 created, 0 updated" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(good_line("99999")))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_dossiers", str(bad))
    assert "row 2, column commune_code" in capsys.readouterr().err


def test_two_unknown_columns_are_two_notices_not_a_repeated_column(communes):
    """Once reported as "the column appears twice": two columns the portal does not know are
    both ignored, each named, and the file imports."""
    content = csv_bytes(
        f"{communes[0].code},2024-03,10,7,3,0,a,b",
        header="commune_code,month,received,resolved_early,resolved_on_time,resolved_late,"
        "ghi chu,nguoi nhap",
    )
    result = dossier_file_import(file_name="x.csv", content=content)
    assert result.ok and result.created == 1, result.problems
    assert not any("twice" in str(p.message) for p in result.problems)
    assert [n for n in result.notices if "ghi chu" in n or "nguoi nhap" in n] == [
        n for n in result.notices if "not a known column" in n
    ]
    assert len([n for n in result.notices if "not a known column" in n]) == 2


def test_a_save_of_new_changed_and_repeated_months_writes_only_what_differs(communes):
    """Staged and compared in SQL (#16): each month counted once, only new and changed ones
    written with their history, and a dry run writes nothing."""
    old = [
        (2 + i, dossier_row(c.code, "2024-04", received=5, resolved_on_time=5))
        for i, c in enumerate(communes[:3])
    ]
    assert dossier_reports_save(records=old).ok
    stored = DossierReport.objects.filter(month=datetime.date(2024, 4, 1))
    stamps = dict(stored.values_list("commune__code", "updated_at"))
    records = [
        (2, dossier_row(communes[0].code, "2024-04", received=5, resolved_on_time=5)),
        (3, dossier_row(communes[1].code, "2024-04", received=6, resolved_on_time=6)),
        (4, dossier_row(communes[2].code, "2024-04", received=5, resolved_on_time=5)),
        (5, dossier_row(communes[3].code, "2024-04", received=2, resolved_late=2)),
    ]
    trial = dossier_reports_save(records=records, dry_run=True)
    assert (trial.created, trial.updated, trial.unchanged) == (1, 1, 2)
    assert stored.count() == 3 and dict(stored.values_list("commune__code", "updated_at")) == stamps
    saved = dossier_reports_save(records=records, reason="test")
    assert (saved.created, saved.updated, saved.unchanged) == (1, 1, 2)
    after = {r.commune.code: r for r in stored.select_related("commune")}
    assert (after[communes[1].code].received, after[communes[3].code].resolved_late) == (6, 2)
    assert [c.code for c in communes if after[c.code].updated_at != stamps.get(c.code)] == [
        communes[1].code,
        communes[3].code,
    ]
    history = DossierReport.history.filter(
        month=datetime.date(2024, 4, 1), history_change_reason="test"
    )
    assert sorted((h.commune_id, h.history_type, h.received) for h in history) == [
        (communes[1].pk, "~", 6),
        (communes[3].pk, "+", 2),
    ]
