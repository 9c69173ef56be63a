"""Turn an uploaded CSV or XLSX file into header + numbered rows, with no judgement on content."""

import csv
import io
import zipfile
from dataclasses import dataclass

import openpyxl
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

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


# The most rows a file may hold: a month for every commune of the largest list is 10,035.
DEFAULT_MAX_ROWS = 50_000
# How often a long read reports its progress, in rows.
PROGRESS_EVERY = 2_000


def _grouped(number: int) -> str:
    return formats.number_format(number, force_grouping=True)


def too_many_rows(max_rows: int, found: str | None = None) -> UnreadableFile:
    """`found`: the count the file declares; by default "more than" the limit."""
    found = found or _("more than %(max)s") % {"max": _grouped(max_rows)}
    return UnreadableFile(
        _("The file has %(found)s rows; at most %(max)s can be imported at once.")
        % {"found": found, "max": _grouped(max_rows)}
    )


def _read_csv(content: bytes, max_rows: int, progress=None) -> Table:
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
        headers = next(reader, None)
        if headers is None:
            return Table(headers=[], rows=[])
        rows = []
        for number, cells in enumerate(reader, start=2):
            if number - 1 > max_rows:
                raise too_many_rows(max_rows)
            rows.append((number, cells))
            if progress and number % PROGRESS_EVERY == 0:
                progress(number - 1)
    except csv.Error as exc:
        raise UnreadableFile(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    return Table(headers=headers, rows=rows)


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


def _open_sheet(content: bytes, max_rows: int):
    """The workbook (read-only, streaming) and its active sheet, once no sheet holds more rows
    than `max_rows` (openpyxl parses a whole sheet just to open it when it declares no size)."""
    check_workbook(content)
    _refuse_long_sheets(content, max_rows)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        return book, book.active
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise UnreadableFile(
            _("The Excel workbook cannot be read: %(error)s") % {"error": exc}
        ) from exc


# "<row " or "<row>" (never "<rows…"), with or without a namespace prefix ("<x:row ").
ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")


def _refuse_long_sheets(content: bytes, max_rows: int) -> None:
    """Count the <row> elements of every sheet in its raw XML, decompressed in chunks: a
    sheet may declare no size, or less than it holds, and counting costs a thousand times less
    than parsing. The header row is one of them."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for member in archive.namelist():
            if not (member.startswith("xl/worksheets/") and member.endswith(".xml")):
                continue
            count, tail = 0, b""
            try:
                with archive.open(member) as source:
                    while chunk := source.read(1 << 20):
                        # A tag is 5 bytes: with the previous chunk's last 4 in front, one
                        # split across chunks is counted once, and none twice.
                        data = tail + chunk
                        count += sum(data.count(tag) for tag in ROW_TAGS)
                        tail = data[-4:]
                        if count - 1 > max_rows:
                            raise too_many_rows(max_rows)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise UnreadableFile(_("The Excel workbook is damaged.")) from exc


def _check_declared_rows(sheet, max_rows: int) -> None:
    """Refuse by the size the sheet declares (<dimension>), naming it."""
    try:
        declared = sheet.max_row
    except Exception:  # a malformed dimension: the count while reading still holds
        return
    if declared and declared - 1 > max_rows:
        raise too_many_rows(max_rows, _grouped(declared - 1))


def _read_xlsx(content: bytes, max_rows: int, progress=None) -> Table:
    book, sheet = _open_sheet(content, max_rows)
    try:
        _check_declared_rows(sheet, max_rows)
        rows_read = sheet.iter_rows(values_only=True)
        try:
            headers = next(rows_read, None)
            if headers is None:
                return Table(headers=[], rows=[])
            rows = []
            # A sheet may declare less than it holds: count while streaming and stop at the
            # limit, so memory and time stay bounded whatever the file claims.
            for number, cells in enumerate(rows_read, start=2):
                if number - 1 > max_rows:
                    raise too_many_rows(max_rows)
                rows.append((number, list(cells)))
                if progress and number % PROGRESS_EVERY == 0:
                    progress(number - 1)
        except UnreadableFile:
            raise
        except Exception as exc:
            raise UnreadableFile(
                _("The Excel workbook cannot be read: %(error)s") % {"error": exc}
            ) from exc
        return Table(headers=list(headers), rows=rows)
    finally:
        book.close()


def _kind(file_name: str) -> str:
    name = (file_name or "").lower()
    if name.endswith(".csv") or name.endswith(".txt"):
        return "csv"
    if name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith(".xls"):
        raise UnreadableFile(
            _("Old Excel files (.xls) are not supported. Save the file as .xlsx or CSV UTF-8.")
        )
    raise UnreadableFile(_("Upload a .csv or .xlsx file."))


def read_table(
    file_name: str, content: bytes, *, max_rows: int = DEFAULT_MAX_ROWS, progress=None
) -> Table:
    """The file's header and numbered rows; UnreadableFile when it is no table or holds more
    than `max_rows` rows. `progress(rows_read)` is called now and then during a long read."""
    if _kind(file_name) == "csv":
        return _read_csv(content, max_rows, progress)
    return _read_xlsx(content, max_rows, progress)


def table_precheck(file_name: str, content: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> None:
    """The checks that cost no reading of rows (kind, archive, declared size): a request can
    refuse at once what a background read would refuse later."""
    if _kind(file_name) == "csv":
        # Lines bound the rows from above (a quoted cell may span lines, which errs towards
        # refusing); counting them is a single pass in C.
        if content.count(b"\n") - 1 > max_rows + content.count(b"\n\n"):
            raise too_many_rows(max_rows)
        return
    if _kind(file_name) == "xlsx":
        book, sheet = _open_sheet(content, max_rows)
        try:
            _check_declared_rows(sheet, max_rows)
        finally:
            book.close()


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
