"""Writes the bad-input corpus next to this file. Run it again after changing a case:

    .venv/bin/python tests/data/bad/build.py

Large cases (100,000 rows, an oversized file, a zip bomb) are built by the test itself, so
the repository stays small.
"""

import datetime
import io
import json
import unicodedata
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
HEADER = "commune_code,month,received,resolved_early,resolved_on_time,resolved_late"
GOOD = "31564,2023-05,10,2,7,1"


def csv(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEAD = HEADER.split(",")
# name → (content, expected: status, column or None, words the message must contain)
CASES = {
    "utf8-bom.csv": (b"\xef\xbb\xbf" + csv(HEADER, GOOD), (200, None, "")),
    "utf16-le.csv": (("\ufeff" + HEADER + "\n" + GOOD + "\n").encode("utf-16-le"), (200, None, "")),
    "windows-1258.csv": (
        # Windows-1258 writes Vietnamese as base letters plus combining tone marks.
        unicodedata.normalize("NFD", HEADER + ",ghi_chú\n31564,2023-05,10,2,7,1,Xã An Mỹ\n").encode(
            "cp1258"
        ),
        (400, None, "UTF-8"),
    ),
    "semicolon-excel-vn.csv": (
        csv(HEADER.replace(",", ";"), GOOD.replace(",", ";")),
        (200, None, ""),
    ),
    "excel-date-month.xlsx": (
        xlsx([HEAD, [31564, datetime.datetime(2023, 5, 1), 10, 2, 7, 1]]),
        (200, None, ""),
    ),
    "text-in-number.csv": (csv(HEADER, "31564,2023-05,mười,2,7,1"), (400, "received", "")),
    "formula-in-number.csv": (
        csv(HEADER, "31564,2023-05,=SUM(A1:A9),2,7,1"),
        (400, "received", ""),
    ),
    "formula-in-number.xlsx": (
        xlsx([HEAD, [31564, "2023-05", "=1+1", 2, 7, 1]]),
        (400, "received", ""),
    ),
    "negative.csv": (csv(HEADER, "31564,2023-05,-10,2,7,1"), (400, "received", "")),
    "decimal.csv": (csv(HEADER, "31564,2023-05,10.5,2,7,1"), (400, "received", "")),
    "decimal-comma.csv": (csv(HEADER, '31564,2023-05,"10,5",2,7,1'), (400, "received", "")),
    "huge-number.csv": (
        csv(HEADER, "31564,2023-05,99999999999999999999,2,7,1"),
        (400, "received", ""),
    ),
    "empty.csv": (b"", (400, None, "")),
    "blank-lines.csv": (b"\n\n\n", (400, None, "")),
    "header-only.csv": (csv(HEADER), (400, None, "")),
    "missing-received.csv": (
        csv(
            "commune_code,month,resolved_early,resolved_on_time,resolved_late",
            "31564,2023-05,2,7,1",
        ),
        (400, "received", ""),
    ),
    "missing-month.csv": (
        csv(
            "commune_code,received,resolved_early,resolved_on_time,resolved_late", "31564,10,2,7,1"
        ),
        (400, "month", ""),
    ),
    "unknown-column.csv": (csv(HEADER + ",ghi_chu", GOOD + ",xin chào"), (200, None, "ghi_chu")),
    "duplicate-rows.csv": (csv(HEADER, GOOD, GOOD), (400, None, "")),
    "unknown-commune.csv": (csv(HEADER, "99999,2023-05,10,2,7,1"), (400, "commune_code", "")),
    "district-code.csv": (csv(HEADER, "943,2023-05,10,2,7,1"), (400, "commune_code", "")),
    "other-commune.csv": (csv(HEADER, "31561,2023-05,10,2,7,1"), (400, "commune_code", "")),
    "future-month.csv": (csv(HEADER, "31564,2099-05,10,2,7,1"), (400, "month", "")),
    "month-13.csv": (csv(HEADER, "31564,2023-13,10,2,7,1"), (400, "month", "")),
    "month-text.csv": (csv(HEADER, "31564,tháng năm,10,2,7,1"), (400, "month", "")),
    "resolved-above-available.csv": (csv(HEADER, "31564,2023-05,10,20,7,1"), (400, None, "")),
    "old-excel.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, (400, None, ".xls")),
    "pdf-renamed.xlsx": (b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", (400, None, "")),
    "zip-not-workbook.xlsx": (b"PK\x05\x06" + b"\x00" * 18, (400, None, "")),
    "truncated.xlsx": (xlsx([HEAD, [31564, "2023-05", 10, 2, 7, 1]])[:300], (400, None, "")),
    "image-renamed.csv": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, (400, None, "")),
    "html-in-code.csv": (
        csv(HEADER, "<script>alert(1)</script>,2023-05,10,2,7,1"),
        (400, "commune_code", ""),
    ),
    "formula-in-code.csv": (
        csv(HEADER, '=HYPERLINK("http://x"),2023-05,10,2,7,1'),
        (400, "commune_code", ""),
    ),
    "nul-bytes.csv": (csv(HEADER, "31564\x00,2023-05,10,2,7,1"), (400, None, "")),
    "unclosed-quote.csv": (csv(HEADER, '31564,"2023-05,10,2,7,1'), (400, None, "")),
    "wrong-extension.txt.exe": (csv(HEADER, GOOD), (400, None, "")),
    "json-instead.csv": (b'[{"commune_code": "31564"}]', (400, None, "")),
    "many-errors.csv": (
        csv(HEADER, "31564,2023-05,-1,x,7,1", "99999,2023-13,1,1,1,1"),
        (400, None, ""),
    ),
    "xlsx-empty-sheet.xlsx": (xlsx([]), (400, None, "")),
    "xlsx-header-only.xlsx": (xlsx([HEAD]), (400, None, "")),
}


def main():
    manifest = {}
    for name, (content, (status, column, words)) in CASES.items():
        (HERE / name).write_bytes(content)
        manifest[name] = {"status": status, "column": column, "words": words}
    (HERE / "cases.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(CASES)} files written")


if __name__ == "__main__":
    main()
