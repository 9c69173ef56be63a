"""Reads behind the ranking dashboard and the unit profile: a fixed number of queries each,
whatever the number of units, and chart geometry computed here so templates only draw."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, F, Max

from dossiers.metrics import METRICS, rate
from dossiers.models import DossierReport
from scoring.models import (
    Area,
    AreaResult,
    Band,
    Framework,
    Period,
    RankingGroup,
    Result,
    Score,
    localized,
)
from scoring.rankings.area_lift import area_lifts
from scoring.rankings.choices import Choice
from scoring.rankings.index_rule import CENT, points_for_index
from scoring.rankings.lineage import Lineage, unit_lineage
from scoring.rankings.selectors import (
    changes_pending_since,
    group_key,
    group_sizes,
    latest_run,
    ranking_rows,
)

HEAT_STEPS = (90, 80, 70, 50)  # ≥ 90 best … < 50 worst


def heat_class(percent) -> str:
    if percent is None:
        return "heat-none"
    for index, threshold in enumerate(HEAT_STEPS):
        if percent >= threshold:
            return f"heat-{index}"
    return f"heat-{len(HEAT_STEPS)}"


@dataclass
class Dashboard:
    framework: Framework
    period: Period
    ranking_group: RankingGroup | None
    ranking_groups: list  # Choice per group, when the framework ranks in groups by kind
    rows: list
    areas: list
    area_averages: list
    bands: list
    as_of: datetime.datetime | None
    pending_since: datetime.datetime | None
    provisional: bool
    published: bool
    closest_up: list = field(default_factory=list)  # (row, band, points), fewest points first
    closest_down: list = field(default_factory=list)  # (row, band, margin), smallest first
    area_lifts: list = field(default_factory=list)  # AreaLift, the most to give first


def ranking_group_chosen(framework: Framework, code):
    """(the chosen ranking group or None, choices): a framework that ranks its units in groups
    by kind shows one group at a time, the first unless another is asked for. `code` may be a
    callable, asked only when the framework has groups (finding the viewer's own costs
    queries that most frameworks, ranking all units together, need not pay)."""
    # In position order (the model's); the selectors' frameworks come with theirs.
    groups = list(framework.ranking_groups.all())
    if not groups:
        return None, []
    if callable(code):
        code = code()
    chosen = next((g for g in groups if g.code == code), groups[0])
    return chosen, [Choice(g.code, localized(g), g == chosen) for g in groups]


def ranking_group_of(framework: Framework, period: Period, unit_codes) -> str | None:
    """The code of the ranking group the first of these units is ranked in, if any."""
    if not unit_codes:
        return None
    found = dict(
        Result.objects.filter(framework=framework, period=period, unit__code__in=unit_codes)
        .exclude(ranking_group=None)
        .values_list("unit__code", "ranking_group__code")
    )
    return next((found[c] for c in unit_codes if c in found), None)


def group_bands(framework: Framework, ranking_group: RankingGroup | None) -> list[Band]:
    """The bands a ranking group's units are placed in: its own, else the framework's."""
    if ranking_group is not None:
        own = list(Band.objects.filter(ranking_group=ranking_group).order_by("-min_percent"))
        if own:
            return own
    return list(
        Band.objects.filter(framework=framework, ranking_group__isnull=True).order_by(
            "-min_percent"
        )
    )


def ranking_dashboard(
    user, framework: Framework, period: Period, ranking_group_code: str | None = None
) -> Dashboard:
    # A group's ranking is public within the portal: whoever may read its framework (the caller
    # chose it from Framework.objects.visible_to) sees every row, and the group's averages are
    # over the whole group whatever the viewer's own scope.
    ranking_group, choices = ranking_group_chosen(framework, ranking_group_code)
    dashboard = ranking_table(framework, period, ranking_group, choices)
    run = latest_run(framework, period)
    dashboard.as_of = run.finished_at if run else None
    dashboard.pending_since = changes_pending_since(framework, period)
    return dashboard


def ranking_table(
    framework: Framework, period: Period, ranking_group: RankingGroup | None, choices=()
) -> Dashboard:
    """The ranking of a group as every reader sees it alike (as_of and pending_since left
    for the caller): rows, area averages, units per band."""
    rows = list(ranking_rows(framework, period, ranking_group))
    areas = list(Area.objects.filter(framework=framework).order_by("position"))
    bands = group_bands(framework, ranking_group)
    band_index = {b.pk: i for i, b in enumerate(bands)}
    counts = {b.pk: 0 for b in bands}
    for row in rows:
        row.movement = row.previous_rank - row.rank if row.previous_rank and row.rank else None
        row.earned = row.total_points + row.bonus_points - row.penalty_points
        row.band_class = f"band-{band_index.get(row.band_id, 'none')}"
        row.cells = [(ar.percent, heat_class(ar.percent)) for ar in row.area_results.all()]
        if row.band_id in counts:
            counts[row.band_id] += 1
    widest = max(counts.values(), default=0) or 1
    band_bars = [
        {
            "label": localized(b, "label"),
            "min": b.min_percent,
            "count": counts[b.pk],
            "width": round(100 * counts[b.pk] / widest),
            "css": f"band-{i}",
        }
        for i, b in enumerate(bands)
    ]
    averages = []
    for index, area in enumerate(areas):
        # Over the units that were assessed in the area (an optional area left out is not 0).
        values = [
            row.cells[index][0]
            for row in rows
            if len(row.cells) > index and row.cells[index][0] is not None
        ]
        mean = sum(values, Decimal(0)) / len(values) if values else None
        averages.append((area, mean, heat_class(mean)))
    closest_up, closest_down = band_margins(rows, bands, framework.precision)
    return Dashboard(
        area_lifts=area_lifts(rows, areas),
        closest_up=closest_up,
        closest_down=closest_down,
        framework=framework,
        period=period,
        ranking_group=ranking_group,
        ranking_groups=list(choices),
        rows=rows,
        areas=areas,
        area_averages=averages,
        bands=band_bars,
        as_of=None,
        pending_since=None,
        provisional=any(r.provisional for r in rows),
        published=bool(rows) and not any(r.provisional for r in rows),
    )


CLOSEST = 5  # units shown on each side


def band_margins(rows, bands: list[Band], precision: int) -> tuple[list, list]:
    """The units closest to moving up a band (the points they lack) and to dropping out of
    theirs (the points they may lose and stay), as the engine rounds the index."""
    up, down = [], []
    for row in rows:
        if not row.max_points:
            continue
        above = [b for b in bands if b.min_percent > row.index_percent]  # highest first
        if above:
            needed = points_for_index(above[-1].min_percent, row.max_points, precision)
            up.append((row, localized(above[-1], "label"), max(needed - row.earned, CENT)))
        held = next((b for b in bands if b.min_percent <= row.index_percent), None)
        if held is not None and held.min_percent > 0:
            floor = points_for_index(held.min_percent, row.max_points, precision)
            down.append((row, localized(held, "label"), max(row.earned - floor, Decimal(0))))
    up.sort(key=lambda item: (item[2], item[0].rank or 0))
    down.sort(key=lambda item: (item[2], item[0].rank or 0))
    return up[:CLOSEST], down[:CLOSEST]


def line_chart(
    points: list[tuple[str, float | None]],
    *,
    width=560,
    height=180,
    low=0.0,
    high=100.0,
    invert=False,
) -> dict:
    """SVG geometry for a small line chart: x labels, a polyline and its dots."""
    pad_x, pad_y = 36, 26  # room above the top value for its label, even at phone text size
    step = (width - 2 * pad_x) / max(len(points) - 1, 1)
    span = (high - low) or 1
    dots = []
    for index, (label, value) in enumerate(points):
        x = pad_x + index * step
        if value is None:
            dots.append({"x": round(x, 1), "y": None, "label": label, "value": None})
            continue
        share = (float(value) - low) / span
        y = pad_y + (share if invert else 1 - share) * (height - 2 * pad_y)
        dots.append({"x": round(x, 1), "y": round(y, 1), "label": label, "value": value})
    line = " ".join(f"{d['x']},{d['y']}" for d in dots if d["y"] is not None)
    grid = (
        [
            {"y": round(pad_y + (1 - (g - low) / span) * (height - 2 * pad_y), 1), "value": g}
            for g in (low, (low + high) / 2, high)
        ]
        if not invert
        else []
    )
    return {"width": width, "height": height, "dots": dots, "line": line, "grid": grid}


@dataclass
class Profile:
    unit: object
    results: list
    latest: Result | None
    area_rows: list
    weakest: list
    index_chart: dict
    rank_chart: dict
    months: list
    monthly_chart: dict
    lineage: Lineage


def latest_result(unit) -> Result | None:
    """The unit's result of the latest period (the profile's "now")."""
    return (
        Result.objects.filter(unit=unit)
        .select_related("period", "framework")
        .order_by("period__end", "-period__start")
        .last()
    )


def unit_profile(unit) -> Profile:
    results = list(
        Result.objects.filter(unit=unit)
        .select_related("period", "framework__issuer", "ranking_group")
        .order_by("period__end", "-period__start")
    )
    # Each result with the size of its ranking, for "rank 10/15".
    sizes = group_sizes(results)
    for result in results:
        result.group_size = sizes.get(group_key(result), 0)
    for result in results:
        result.earned = result.total_points + result.bonus_points - result.penalty_points
    annual = [r for r in results if r.period.kind == "year"]
    latest = results[-1] if results else None
    area_rows, weakest = [], []
    if latest is not None:
        own = {ar.area_id: ar for ar in AreaResult.objects.filter(result=latest)}
        group = dict(
            AreaResult.objects.filter(
                result__framework=latest.framework,
                result__period=latest.period,
                result__ranking_group=latest.ranking_group_id,
            )
            .values_list("area_id")
            .annotate(avg=Avg("percent"))
        )
        for area in Area.objects.filter(framework=latest.framework).order_by("position"):
            mine = own.get(area.pk)
            area_rows.append(
                {
                    "area": area,
                    "percent": mine.percent if mine else None,
                    "points": mine.points if mine else None,
                    "average": group.get(area.pk),
                    "css": heat_class(mine.percent if mine else None),
                }
            )
        weakest = list(
            Score.objects.filter(
                assessment_id=latest.assessment_id, sub_criterion__kind="criterion"
            )
            .select_related("sub_criterion__area")
            .annotate(lost=F("sub_criterion__max_points") - F("points"))
            .filter(lost__gt=0)
            .order_by("-lost", "sub_criterion__position")[:6]
        )
    index_chart = line_chart([(r.period.code, r.index_percent) for r in annual], low=40)
    worst_rank = max((r.rank or 1 for r in annual), default=1)
    rank_chart = line_chart(
        [(r.period.code, r.rank) for r in annual],
        low=1,
        high=max(worst_rank, 2),
        invert=True,
        height=120,
    )
    months = _monthly_rates(unit)
    monthly_chart = line_chart([(m["label"], m["on_time"]) for m in months])
    # The same axes for both rates: on time (first line) and online (second line).
    monthly_chart["second"] = line_chart([(m["label"], m["online"]) for m in months])["line"]
    return Profile(
        unit=unit,
        results=results[::-1],
        latest=latest,
        area_rows=area_rows,
        weakest=weakest,
        index_chart=index_chart,
        rank_chart=rank_chart,
        months=months,
        monthly_chart=monthly_chart,
        lineage=unit_lineage(unit, results),
    )


def _monthly_rates(unit, count=24) -> list[dict]:
    last = DossierReport.objects.filter(commune=unit).aggregate(last=Max("month"))["last"]
    if last is None:
        return []
    months_before = last.year * 12 + last.month - 1 - (count - 1)
    first = datetime.date(months_before // 12, months_before % 12 + 1, 1)
    reports = DossierReport.objects.filter(commune=unit, month__gte=first).order_by("month")
    months = []
    for report in reports:
        counters = report.counters()
        on_time = rate(METRICS["on_time_rate"], counters)
        online = rate(METRICS["online_rate"], counters)
        months.append(
            {
                "label": f"{report.month:%m/%Y}",
                "month": report.month,
                "received": report.received,
                "on_time": on_time,
                "online": online,
            }
        )
    return months
