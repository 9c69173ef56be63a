"""The decision's annex as a printable PDF: A4 landscape, the decision's number, date and issuer,
then one line per unit in rank order (each ranking group under its own heading)."""

from itertools import groupby

from django.utils.translation import gettext as _

from core.pdf import Document, number, points
from scoring.models import Publication, localized
from scoring.rankings.annex import annex_rows, annex_title


def annex_pdf(publication: Publication) -> bytes:
    areas, results = annex_rows(publication)
    framework = publication.framework
    title = annex_title(publication)
    pdf = Document(title)
    pdf.heading(title)
    pdf.line_of_text(
        _("Results of the administrative reform index %(period)s (framework %(code)s)")
        % {"period": publication.period.label, "code": framework.code},
        align="C",
    )
    if publication.signer:
        pdf.line_of_text(_("Signed by: %(signer)s") % {"signer": publication.signer}, align="C")
    pdf.ln(3)

    area_width = 13 if len(areas) <= 10 else 10
    fixed = [9, *[area_width] * len(areas), 15, 16, 24, 14]
    unit_width = pdf.epw - sum(fixed)
    size = pdf.fitting_size([r.unit.name for r in results], unit_width)
    headings = [
        _("No."),
        _("Unit"),
        *[f"{_('Area')} {a.code}" for a in areas],
        _("Total"),
        _("Index (%)"),
        _("Band"),
        _("Rank"),
    ]
    widths = [fixed[0], unit_width, *fixed[1:]]
    aligns = ["C", "L", *["R"] * len(areas), "R", "R", "L", "C"]
    order = 0
    for group, members in groupby(results, key=lambda r: r.ranking_group):
        members = list(members)
        if group is not None:
            pdf.line_of_text(
                _("Ranking group: %(group)s (%(count)s units)")
                % {"group": localized(group), "count": len(members)},
                bold=True,
                size=10,
            )
        rows = []
        for result in members:
            order += 1
            rows.append(
                [
                    order,
                    result.unit.name,
                    *[points(p) if p is not None else "–" for p in result.area_points],
                    points(result.earned),
                    number(result.index_percent, framework.precision),
                    result.band_label,
                    result.rank,
                ]
            )
        pdf.grid(headings, rows, widths, aligns=aligns, size=size)
        pdf.ln(4)
    if not results:
        pdf.line_of_text(_("No unit was ranked."))
    return pdf.output_bytes()
