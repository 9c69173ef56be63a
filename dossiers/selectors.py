import datetime

from dossiers.metrics import COUNTER_LABELS, METRICS, OTHER_OUTCOMES, rate
from dossiers.models import DossierReport


def year_table(commune, year: int) -> list[dict]:
    """The twelve months of a year for one commune, entered or not, with their two key rates."""
    reports = {
        r.month: r
        for r in DossierReport.objects.filter(commune=commune, month__year=year).select_related(
            "updated_by"
        )
    }
    today = datetime.date.today().replace(day=1)
    months = []
    for number in range(1, 13):
        month = datetime.date(year, number, 1)
        report = reports.get(month)
        counters = report.counters() if report else None
        months.append(
            {
                "month": month,
                "report": report,
                "future": month > today,
                "on_time": rate(METRICS["on_time_rate"], counters) if counters else None,
                "online": rate(METRICS["online_rate"], counters) if counters else None,
                # Awaiting supplements, returned, suspended, other: one column, each in its title.
                "other": sum(counters[n] for n in OTHER_OUTCOMES) if counters else None,
                "other_parts": [(COUNTER_LABELS[n], counters[n]) for n in OTHER_OUTCOMES]
                if counters
                else [],
            }
        )
    return months
