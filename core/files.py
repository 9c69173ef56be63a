"""Turn an uploaded CSV or XLSX file into header + numbered rows, with no judgement on content."""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from import_export.formats.base_formats import XLSX

from core.problems import Problem


class UnreadableFile(Exception):
    """The file cannot be read as a table at all."""


@dataclass
class Table:
    headers: list
    rows: list[tuple[int, list]]  # (row number as the spreadsheet shows it, cells)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _("The file is not UTF-8 text (byte %(pos)d). Save it as “CSV UTF-8” and try again.")
            % {"pos": exc.start + 1}
        ) from exc


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    if "\x00" in text:
        # No text table holds NUL characters, and PostgreSQL refuses them in any query.
        raise UnreadableFile(
            _("The file contains NUL characters (byte %(pos)d); it is not a text table.")
            % {"pos": text.index("\x00") + 1}
        )
    first_line = text.split("\n", 1)[0]
    # Excel with Vietnamese regional settings writes ';'-separated CSV.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise UnreadableFile(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    if not lines:
        return Table(headers=[], rows=[])
    return Table(headers=lines[0], rows=list(enumerate(lines[1:], start=2)))


# A workbook's XML compresses well, but not a thousandfold: more than this unpacked is a
# zip bomb meant to exhaust memory, refused before anything is unpacked.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024


def check_workbook(content: bytes) -> None:
    """Refuse, with UnreadableFile, anything that is not a plausible .xlsx archive."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise UnreadableFile(_("The file is not an Excel workbook (.xlsx)."))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(_("The Excel workbook is damaged.")) from exc
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise UnreadableFile(
            _("The workbook unpacks to more than %(mb)d MB and is refused.")
            % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise UnreadableFile(_("The file is not an Excel workbook (.xlsx)."))


def _read_xlsx(content: bytes) -> Table:
    check_workbook(content)
    try:
        dataset = XLSX().create_dataset(content)
    except StopIteration:
        return Table(headers=[], rows=[])
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise UnreadableFile(
            _("The Excel workbook cannot be read: %(error)s") % {"error": exc}
        ) from exc
    headers = list(dataset.headers or [])
    return Table(headers=headers, rows=[(i, list(r)) for i, r in enumerate(dataset, start=2)])


def read_table(file_name: str, content: bytes) -> Table:
    name = (file_name or "").lower()
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(content)
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".xls"):
        raise UnreadableFile(
            _("Old Excel files (.xls) are not supported. Save the file as .xlsx or CSV UTF-8.")
        )
    raise UnreadableFile(_("Upload a .csv or .xlsx file."))


def upload_size_problem(size: int) -> Problem | None:
    """Files are read whole into memory: refuse one above IMPORT_MAX_BYTES before reading it."""
    if size <= settings.IMPORT_MAX_BYTES:
        return None
    return Problem(
        None,
        "file",
        _("The file is %(size).1f MB; the limit is %(max).0f MB.")
        % {"size": size / 1e6, "max": settings.IMPORT_MAX_BYTES / 1e6},
    )
