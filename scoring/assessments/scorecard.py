"""A unit's scorecard as a printable PDF (A4 portrait): every item with its maximum, self and
appraised points, the commune's explanation and the appraiser's reason, then bonus and penalty,
and the result (index, band, rank) when computed."""

from django.utils.translation import gettext as _

from core.pdf import Document, number, points
from scoring.assessments.sheets import assessment_sheet
from scoring.models import Adjustment, Assessment, Publication, Result


def _notes(score) -> str:
    parts = []
    if score.explanation.strip():
        parts.append(_("Commune: %(text)s") % {"text": score.explanation.strip()})
    if score.appraisal_reason.strip():
        parts.append(_("Appraiser: %(text)s") % {"text": score.appraisal_reason.strip()})
    return "\n".join(parts)


def scorecard_title(assessment: Assessment) -> str:
    return _("Administrative reform index scorecard %(period)s") % {
        "period": assessment.period.label
    }


def scorecard_pdf(assessment: Assessment) -> bytes:
    sheet = assessment_sheet(assessment)
    framework = assessment.framework
    result = Result.objects.filter(assessment=assessment).first()
    publication = Publication.objects.filter(framework=framework, period=assessment.period).first()
    title = scorecard_title(assessment)
    pdf = Document(title, landscape=False)
    pdf.heading(title)
    pdf.line_of_text(f"{assessment.unit.name} ({assessment.unit.code})", size=11, align="C")
    pdf.ln(2)
    pdf.line_of_text(
        _("Framework %(code)s of %(issuer)s · status: %(status)s")
        % {
            "code": framework.code,
            "issuer": framework.issuer.name,
            "status": assessment.get_status_display(),
        }
    )
    if publication:
        pdf.line_of_text(
            _("Published under decision %(number)s of %(date)s; the results are final.")
            % {
                "number": publication.decision_number,
                "date": publication.decision_date.strftime("%d/%m/%Y"),
            }
        )
    if result and result.computed_at:
        pdf.line_of_text(
            _(
                "Points %(points)s of %(max)s (bonus %(bonus)s, penalty %(penalty)s) · "
                "index %(index)s%% · band %(band)s · rank %(rank)s"
            )
            % {
                "points": points(result.total_points + result.bonus_points - result.penalty_points),
                "max": points(result.max_points),
                "bonus": points(result.bonus_points),
                "penalty": points(result.penalty_points),
                "index": number(result.index_percent, framework.precision),
                "band": result.band_label or "–",
                "rank": result.rank or "–",
            },
            bold=True,
        )
    pdf.ln(3)
    headings = [
        _("Code"),
        _("Item"),
        _("Max"),
        _("Self"),
        _("Appraised"),
        _("Explanation and reason"),
    ]
    widths = [13, 66, 11, 12, 16, 68]
    aligns = ["L", "L", "R", "R", "R", "L"]
    for area in sheet.areas:
        label = area.name if area.is_adjustment else f"{area.code}. {area.name}"
        pdf.line_of_text(
            _("%(area)s — self %(claimed)s, counted %(counted)s of %(max)s")
            % {
                "area": label,
                "claimed": points(area.claimed),
                "counted": points(area.in_effect),
                "max": points(area.max_points),
            },
            bold=True,
            size=10,
        )
        rows = [
            [
                row.sub.code,
                ("   " * row.sub.depth) + row.sub.name,
                points(row.sub.max_points),
                points(row.claimed),
                points(row.in_effect) if row.score.appraised_points is not None else "",
                _notes(row.score) or row.rule,
            ]
            for row in area.rows
        ]
        pdf.grid(headings, rows, widths, aligns=aligns, size=8)
        pdf.ln(3)
    recorded = list(Adjustment.objects.filter(assessment=assessment).order_by("kind", "created_at"))
    if recorded:
        pdf.line_of_text(_("Bonus and penalty decided by the appraisers"), bold=True, size=10)
        pdf.grid(
            [_("Kind"), _("Points"), _("Reason")],
            [[a.get_kind_display(), points(a.points), a.reason] for a in recorded],
            [30, 20, 136],
            aligns=["L", "R", "L"],
            size=8,
        )
    return pdf.output_bytes()
