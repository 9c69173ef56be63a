"""The decision's annex: the published ranking in the layout provinces publish (order, unit,
points per area, total, index, band, rank), under the decision's number and date."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.workbooks import append_row
from scoring.models import Area, Publication, Result, localized


def annex_rows(publication: Publication) -> tuple[list[Area], list[Result]]:
    """The framework's areas and the group's results in the annex's order: by ranking group,
    then rank, then code (three queries)."""
    areas = list(Area.objects.filter(framework=publication.framework).order_by("position"))
    results = list(
        Result.objects.filter(framework=publication.framework, period=publication.period)
        .select_related("unit", "ranking_group")
        .prefetch_related("area_results")
        .order_by("ranking_group__position", "rank", "unit__code")
    )
    for result in results:
        points = {ar.area_id: ar.points for ar in result.area_results.all()}
        result.area_points = [points.get(area.pk) for area in areas]
        result.earned = result.total_points + result.bonus_points - result.penalty_points
    return areas, results


def annex_title(publication: Publication) -> str:
    return _("Annex to Decision No. %(number)s of %(date)s of %(issuer)s") % {
        "number": publication.decision_number,
        "date": publication.decision_date.strftime("%d/%m/%Y"),
        "issuer": publication.framework.issuer.name,
    }


def annex_workbook(publication: Publication) -> bytes:
    areas, results = annex_rows(publication)
    book = Workbook()
    sheet = book.active
    sheet.title = publication.period.code
    append_row(sheet, [annex_title(publication)])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(
        sheet,
        [
            _("Results of the administrative reform index %(period)s (framework %(code)s)")
            % {"period": publication.period.label, "code": publication.framework.code}
        ],
    )
    grouped = any(r.ranking_group_id for r in results)
    headers = [
        _("No."),
        _("Unit"),
        *([_("Ranking group")] if grouped else []),
        *[f"{_('Area')} {a.code}" for a in areas],
        _("Total points"),
        _("Index (%)"),
        _("Band"),
        _("Rank"),
    ]
    append_row(sheet, [])
    append_row(sheet, headers)
    for cell in sheet[4]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0B5394")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for order, result in enumerate(results, start=1):
        group = localized(result.ranking_group) if result.ranking_group else ""
        append_row(
            sheet,
            [
                order,
                result.unit.name,
                *([group] if grouped else []),
                *[float(p) if p is not None else None for p in result.area_points],
                float(result.earned),
                float(result.index_percent),
                result.band_label,
                result.rank,
            ],
        )
    index_column = 3 + (1 if grouped else 0) + len(areas) + 1
    for row in sheet.iter_rows(min_row=5, min_col=index_column, max_col=index_column):
        row[0].number_format = "0." + "0" * publication.framework.precision
    widths = [6, 30, *([16] if grouped else []), *[9] * len(areas), 10, 10, 14, 7]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C5"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "4:4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
