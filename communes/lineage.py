"""Loading the lineage of units (which old units each new unit took in), all or nothing."""

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit, Level, Merge, UnitLineage
from communes.services import UnitListError

COLUMNS = (
    "new_province_code",
    "new_province_name",
    "new_commune_code",
    "new_commune_name",
    "old_commune_code",
    "old_commune_name",
    "merge_type",
)
# The reform's day: new units are valid from it, old ones until the day before.
REFORM_DAY = datetime.date(2025, 7, 1)


@dataclass
class LineageLoadStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # old codes that are not loaded units


def _communes_on(day: datetime.date) -> dict[str, int]:
    return dict(
        AdministrativeUnit.objects.filter(level=Level.COMMUNE)
        .valid_on(day)
        .values_list("code", "pk")
    )


def lineage_load(
    *, path: Path, day: datetime.date = REFORM_DAY, provinces: set[str] | None = None
) -> LineageLoadStats:
    """Load a lineage file (the columns of data/lineage_2025-07_communes.csv).

    New codes name units valid on `day`, old codes units valid the day before. A malformed row
    or an unknown new code refuses the whole file with its row number; an old code that is not
    a loaded unit (communes merged before the list was drawn, island districts) is skipped and
    reported. Loading the same file twice changes nothing. With `provinces`, only the rows of
    those new provinces are read (a portal that serves one province loads only its units).
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise UnitListError(
                [_("row 1: the columns %(columns)s are missing") % {"columns": ", ".join(missing)}]
            )
        rows = [
            (number, row)
            for number, row in enumerate(reader, start=2)
            if provinces is None or (row.get("new_province_code") or "").strip() in provinces
        ]
    new_units = _communes_on(day)
    old_units = _communes_on(day - datetime.timedelta(days=1))
    problems, stats, wanted = [], LineageLoadStats(), {}
    for number, row in rows:
        new_code = (row.get("new_commune_code") or "").strip()
        old_code = (row.get("old_commune_code") or "").strip()
        merge = (row.get("merge_type") or "").strip()
        if not new_code or not old_code:
            problems.append(_("row %(row)d: a commune code is empty") % {"row": number})
            continue
        if merge not in Merge.values:
            problems.append(
                _("row %(row)d: merge_type '%(merge)s' is neither full nor partial")
                % {"row": number, "merge": merge[:20]}
            )
            continue
        if new_code not in new_units:
            problems.append(
                _("row %(row)d: no commune %(code)s is valid on %(day)s; load the unit list first")
                % {"row": number, "code": new_code, "day": day.isoformat()}
            )
            continue
        if old_code not in old_units:
            stats.skipped.append(old_code)
            continue
        wanted[(new_units[new_code], old_units[old_code])] = merge
    if problems:
        raise UnitListError(problems)
    with transaction.atomic():
        existing = {
            (link.successor_id, link.predecessor_id): link
            for link in UnitLineage.objects.filter(successor_id__in={s for s, _p in wanted})
        }
        to_create, to_update = [], []
        for (successor, predecessor), merge in wanted.items():
            link = existing.get((successor, predecessor))
            if link is None:
                to_create.append(
                    UnitLineage(successor_id=successor, predecessor_id=predecessor, merge=merge)
                )
            elif link.merge != merge:
                link.merge = merge
                to_update.append(link)
            else:
                stats.unchanged += 1
        UnitLineage.objects.bulk_create(to_create, batch_size=2000)
        UnitLineage.objects.bulk_update(to_update, ["merge"], batch_size=2000)
    stats.created, stats.updated = len(to_create), len(to_update)
    return stats
