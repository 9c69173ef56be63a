"""The province overview: every ranking of a province's communes for a period, compared.

In the district years each district ranked its own communes; the overview sets the districts
side by side (average index, spread, best and weakest communes) with the province's best and
weakest communes and weakest areas. Since July 2025 the province ranks its communes itself,
and the same page compares its ranking groups. A new province (July 2025) reaches back through
the lineage: the district years of the old communes its communes took in.

A fixed number of queries whatever the province's size; the figures are computed from one read
of its results (579 rows for the three-tier Hà Nội).
"""

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

from django.db.models import Avg, Q

from communes.models import AdministrativeUnit, UnitLineage
from scoring.models import AreaResult, Period, Result, localized
from scoring.rankings.choices import Choice
from scoring.rankings.dashboards import heat_class

TOP = 5
TWO = Decimal("0.01")


@dataclass
class Ranking:
    """One ranking of the province's communes: a district's, or a ranking group's."""

    framework: object
    period: Period
    ranking_group: object
    label: str
    rows: list = field(default_factory=list)  # (index, unit name, unit code, rank)

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def average(self) -> Decimal:
        return (sum((r[0] for r in self.rows), Decimal(0)) / self.size).quantize(
            TWO, rounding=ROUND_HALF_UP
        )

    @property
    def lowest(self) -> Decimal:
        return min(r[0] for r in self.rows)

    @property
    def highest(self) -> Decimal:
        return max(r[0] for r in self.rows)

    @property
    def spread(self) -> Decimal:
        return self.highest - self.lowest

    @property
    def deviation(self) -> Decimal:
        """Standard deviation of the indices (population), in percentage points."""
        deviation = statistics.pstdev([float(r[0]) for r in self.rows])
        return Decimal(str(deviation)).quantize(TWO, rounding=ROUND_HALF_UP)

    @property
    def best(self):
        return max(self.rows, key=lambda r: (r[0], r[2]))

    @property
    def weakest(self):
        return min(self.rows, key=lambda r: (r[0], r[2]))

    @property
    def css(self) -> str:
        return heat_class(self.average)


@dataclass
class Overview:
    province: AdministrativeUnit
    period: Period | None
    periods: list
    rankings: list
    best: list
    weakest: list
    weak_areas: list
    district_era: bool
    communes: int
    provisional: bool = False
    precision: int = 2  # the most decimals any of its frameworks shows


def province_units(province: AdministrativeUnit):
    """Ids of the communes whose results belong to the province: its own and, for a province
    formed in July 2025, the old communes its communes took in."""
    own = AdministrativeUnit.objects.subtree_of([province.pk]).values("pk")
    earlier = UnitLineage.objects.filter(successor__in=own).values("predecessor_id")
    return Q(unit_id__in=own) | Q(unit_id__in=earlier)


def province_overview(province: AdministrativeUnit, period_code: str | None) -> Overview:
    scope = province_units(province)
    periods = list(
        Period.objects.filter(pk__in=Result.objects.filter(scope).values("period_id")).order_by(
            "-end", "start"
        )
    )
    period = next((p for p in periods if p.code == period_code), periods[0] if periods else None)
    overview = Overview(
        province=province,
        period=period,
        periods=[Choice(p.code, p.label, p == period) for p in periods],
        rankings=[],
        best=[],
        weakest=[],
        weak_areas=[],
        district_era=False,
        communes=0,
    )
    if period is None:
        return overview
    results = list(
        Result.objects.filter(scope, period=period)
        .select_related("framework__issuer", "ranking_group", "unit")
        .only(
            "index_percent",
            "rank",
            "provisional",
            "framework__issuer__name",
            "framework__issuer__code",
            "framework__issuer__level",
            "framework__code",
            "framework__precision",
            "framework__name",
            "framework__name_en",
            "ranking_group__code",
            "ranking_group__name",
            "ranking_group__name_en",
            "ranking_group__position",
            "unit__name",
            "unit__code",
            "unit__valid_from",
            "unit__valid_to",
        )
    )
    rankings: dict = {}
    everyone = []
    for result in results:
        key = (result.framework_id, result.ranking_group_id)
        if key not in rankings:
            label = result.framework.issuer.name
            if result.ranking_group is not None:
                label = localized(result.ranking_group)
            rankings[key] = Ranking(result.framework, period, result.ranking_group, label)
        row = (result.index_percent, result.unit.name, result.unit.code, result.rank)
        rankings[key].rows.append(row)
        everyone.append((*row, rankings[key].label, result.unit))
    overview.rankings = sorted(rankings.values(), key=lambda r: (-r.average, r.label))
    overview.district_era = any(r.framework.issuer.level == "district" for r in results)
    overview.communes = len(everyone)
    overview.provisional = any(r.provisional for r in results)
    overview.precision = max((r.framework.precision for r in results), default=2)
    everyone.sort(key=lambda r: (-r[0], r[2]))
    overview.best = everyone[:TOP]
    overview.weakest = everyone[::-1][:TOP] if len(everyone) > TOP else []
    overview.weak_areas = [
        {
            "code": area["area__code"],
            "name": localized(
                SimpleNamespace(name=area["area__name"], name_en=area["area__name_en"])
            ),
            "average": area["average"],
            "css": heat_class(area["average"]),
        }
        # Areas of the same code and name (every district used the sample framework) together.
        for area in AreaResult.objects.filter(
            result__in=Result.objects.filter(scope, period=period)
        )
        .values("area__code", "area__name", "area__name_en")
        .annotate(average=Avg("percent"))
        .order_by("average", "area__code")[:TOP]
    ]
    return overview
