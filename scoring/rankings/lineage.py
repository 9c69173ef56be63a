"""A unit's place in the July 2025 mergers, for its page: the old communes it took in with their
results over the years, the baseline its first ranked period is compared with, and for an old
commune the new unit(s) it went into. A fixed number of queries whatever the history's length."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from communes.models import Merge
from scoring.models import PeriodKind, Result
from scoring.rankings.selectors import group_key, group_sizes


@dataclass
class Predecessor:
    unit: object
    merge: str
    cells: list  # per year of `Lineage.years`: the result of that year or None


@dataclass
class Lineage:
    predecessors: list = field(default_factory=list)
    successors: list = field(default_factory=list)  # (unit, merge)
    years: list = field(default_factory=list)  # years with a predecessor's annual result
    # The mean index of the `full` predecessors in the last year any of them was ranked: what
    # the new unit's first ranked year is compared with, since it has no rank of its own before.
    baseline: Decimal | None = None
    baseline_year: int | None = None
    baseline_units: int = 0
    first_result: Result | None = None
    movement: Decimal | None = None  # first_result's index − baseline, in percentage points

    @property
    def shown(self) -> bool:
        return bool(self.predecessors or self.successors)


def unit_lineage(unit, own_results) -> Lineage:
    """`own_results`: the unit's results, as the profile read them (any order)."""
    lineage = Lineage(
        successors=[
            (link.successor, link.merge)
            for link in unit.successor_links.select_related("successor").order_by("successor__code")
        ]
    )
    links = list(unit.predecessor_links.select_related("predecessor").order_by("predecessor__code"))
    if not links:
        return lineage
    results = list(
        Result.objects.filter(
            unit_id__in=[link.predecessor_id for link in links],
            period__kind=PeriodKind.YEAR,
            period__end__lt=unit.valid_from,
        ).select_related("period", "framework")
    )
    sizes = group_sizes(results)
    by_unit_year = {}
    for result in results:
        result.group_size = sizes.get(group_key(result), 0)
        by_unit_year[(result.unit_id, result.period.year)] = result
    lineage.years = sorted({r.period.year for r in results})
    lineage.predecessors = [
        Predecessor(
            unit=link.predecessor,
            merge=link.merge,
            cells=[by_unit_year.get((link.predecessor_id, year)) for year in lineage.years],
        )
        for link in links
    ]
    _baseline(lineage, unit, links, by_unit_year, own_results)
    return lineage


def _baseline(lineage, unit, links, by_unit_year, own_results) -> None:
    full = [link.predecessor_id for link in links if link.merge == Merge.FULL]
    years = [year for (unit_id, year) in by_unit_year if unit_id in full]
    if not years:
        return
    lineage.baseline_year = max(years)
    indices = [
        by_unit_year[(unit_id, lineage.baseline_year)].index_percent
        for unit_id in full
        if (unit_id, lineage.baseline_year) in by_unit_year
    ]
    lineage.baseline_units = len(indices)
    mean = sum(indices, Decimal(0)) / len(indices)
    lineage.baseline = mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    annual = sorted(
        (r for r in own_results if r.period.kind == PeriodKind.YEAR), key=lambda r: r.period.end
    )
    if annual:
        lineage.first_result = annual[0]
        lineage.movement = annual[0].index_percent - lineage.baseline
