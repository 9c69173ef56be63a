"""Printable A4 documents (the decision's annex, a unit's scorecard) with fpdf2.

Vietnamese needs a font that has its letters (ơ, ư, ạ, ễ…) embedded in the file, so the text
prints and reads back the same everywhere. We use DejaVu Sans from the operating system
(Debian's fonts-dejavu-core: the Dockerfile and CI install it; most desktops have it), or the
files settings.PDF_FONT_REGULAR / PDF_FONT_BOLD name.
"""

from pathlib import Path

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

FAMILY = "DejaVu"
# Where the operating systems we know keep DejaVu Sans.
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu-sans-fonts",  # Fedora
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",  # Arch
    "/usr/local/share/fonts",
    "/opt/homebrew/share/fonts",
    str(Path.home() / "Library/Fonts"),
)
HEADING_FILL = (11, 83, 148)
ZEBRA_FILL = (242, 246, 250)


class FontMissing(Exception):
    """No font with Vietnamese letters was found: PDFs cannot be made on this server."""


def font_files() -> tuple[Path, Path]:
    """(regular, bold) font files; FontMissing when neither settings nor the system has them."""
    regular = getattr(settings, "PDF_FONT_REGULAR", "")
    bold = getattr(settings, "PDF_FONT_BOLD", "")
    if regular:
        return Path(regular), Path(bold or regular)
    for folder in FONT_DIRS:
        found = Path(folder) / "DejaVuSans.ttf"
        if found.is_file():
            bold_file = found.with_name("DejaVuSans-Bold.ttf")
            return found, bold_file if bold_file.is_file() else found
    raise FontMissing(
        _(
            "No font with Vietnamese letters is installed on the server: install the "
            "fonts-dejavu-core package or set PDF_FONT_REGULAR."
        )
    )


def number(value, decimals: int = 2) -> str:
    """A number as the active language writes it: 90,92 and 3.517 in Vietnamese."""
    if value is None:
        return "–"
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def points(value) -> str:
    """Points as the pages show them: 4,5 or 4 (no trailing zeros)."""
    if value is None:
        return ""
    from scoring.points import format_points

    return format_points(value)


class Document(FPDF):
    """An A4 page (landscape by default) in DejaVu Sans, with the page number in each footer."""

    def __init__(self, title: str, *, landscape: bool = True):
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        regular, bold = font_files()
        self.add_font(FAMILY, "", str(regular))
        self.add_font(FAMILY, "B", str(bold))
        self.set_title(title)
        self.set_creator("CCHC portal")
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=14)
        self.set_font(FAMILY, size=9)
        self.add_page()

    def footer(self):
        self.set_y(-10)
        self.set_font(FAMILY, size=8)
        self.set_text_color(90)
        self.cell(
            0,
            5,
            _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
            align="C",
        )
        self.set_text_color(0)

    def heading(self, text: str, *, size: float = 13, align: str = "C"):
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, size=9)

    def line_of_text(self, text: str, *, size: float = 9, bold: bool = False, align="L"):
        self.set_font(FAMILY, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, size=9)

    def fitting_size(self, texts, width: float, *, size: float = 9, smallest: float = 6) -> float:
        """The largest font size up to `size` at which every text fits on one line of `width`
        (so a row stays one line, as the annex's readers and text extractors expect)."""
        longest = max(texts, key=lambda t: self.get_string_width(t), default="")
        while size > smallest:
            self.set_font(FAMILY, size=size)
            if self.get_string_width(longest) + 2 <= width:
                break
            size -= 0.5
        self.set_font(FAMILY, size=9)
        return size

    def grid(self, headings, rows, widths, *, aligns=None, size: float = 9, line_height=None):
        """A table with its headings repeated on every page and light banding."""
        self.set_font(FAMILY, size=size)
        aligns = aligns or ["L"] * len(widths)
        with self.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            text_align=aligns,
            line_height=line_height or size * 0.55,
            headings_style=FontFace(emphasis="BOLD", color=255, fill_color=HEADING_FILL),
            cell_fill_color=ZEBRA_FILL,
            cell_fill_mode="ROWS",
            repeat_headings=1,
            padding=1,
        ) as table:
            for row_cells in [headings, *rows]:
                row = table.row()
                for text in row_cells:
                    row.cell(str(text))
        self.set_font(FAMILY, size=9)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
