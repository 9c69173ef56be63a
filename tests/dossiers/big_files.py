# ruff: noqa: E501 - the package parts below keep the format's long names on one line
"""Workbooks and CSV files of a given size, built directly (openpyxl would take minutes to
write a million rows): the attacker's file of the holding-under-attack issue is one of them."""

import io
import zipfile

HEADER = ["commune_code", "month", "received", "resolved_early", "resolved_on_time"]
HEADER += ["resolved_late"]

# The package parts every workbook has (long names: the format's own).
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="So lieu" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _cell(column: str, row: int, value) -> str:
    if isinstance(value, int):
        return f'<c r="{column}{row}"><v>{value}</v></c>'
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{value}</t></is></c>'


def workbook(rows, *, total_rows: int | None = None, declare: bool | int = True) -> bytes:
    """An .xlsx whose first row is HEADER; `rows` are lists of values. `total_rows` pads with
    one-cell rows up to that many data rows (the million-row attack). `declare`: whether the
    sheet states its size (<dimension>), or the last row it claims."""
    letters = "ABCDEFGHIJKLMN"
    parts = []
    for number, values in enumerate([HEADER, *rows], start=1):
        cells = "".join(_cell(letters[i], number, v) for i, v in enumerate(values))
        parts.append(f'<row r="{number}">{cells}</row>')
    last = len(rows) + 1
    if total_rows:
        # Rows and cells may leave out their position: the padding compresses a thousandfold.
        parts.append("<row><c><v>1</v></c></row>" * (total_rows - len(rows)))
        last = total_rows + 1
    if declare is not True and declare is not False:
        last = declare
    dimension = f'<dimension ref="A1:F{last}"/>' if declare else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension}<sheetData>{''.join(parts)}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def month_rows(codes, months) -> list[list]:
    """One valid row per commune and month: 10 received, all early."""
    return [[code, month, 10, 10, 0, 0] for code in codes for month in months]


def csv_file(rows) -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()
