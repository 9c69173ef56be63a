"""Writes for administrative units and memberships."""

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit, Level, Membership, Role, kind_of
from communes.selectors import unit_by_code
from core.db import analyze_after_load

THREE_TIER_COLUMNS = [
    "province_code",
    "province_name",
    "district_code",
    "district_name",
    "commune_code",
    "commune_name",
]
TWO_TIER_COLUMNS = ["province_code", "province_name", "commune_code", "commune_name"]
CODE_LENGTHS = {"province_code": 2, "district_code": 3, "commune_code": 5}


class UnitListError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class UnitLoadStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    by_level: dict = field(default_factory=dict)


@dataclass
class _Wanted:
    level: str
    code: str
    name: str
    parent_code: str | None


def _read_unit_list(path: Path, provinces: set[str] | None) -> list[_Wanted]:
    """Parse and check a unit list; every problem is reported with its row number."""
    problems: list[str] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if header[: len(THREE_TIER_COLUMNS)] == THREE_TIER_COLUMNS:
            tiers = 3
        elif header[: len(TWO_TIER_COLUMNS)] == TWO_TIER_COLUMNS:
            tiers = 2
        else:
            raise UnitListError(
                [
                    _("Row 1: the header must be %(three)s or %(two)s.")
                    % {"three": ",".join(THREE_TIER_COLUMNS), "two": ",".join(TWO_TIER_COLUMNS)}
                ]
            )
        wanted: dict[tuple[str, str], _Wanted] = {}
        for row_number, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            if provinces and row["province_code"] not in provinces:
                continue
            row_ok = True
            for column, length in CODE_LENGTHS.items():
                if column not in row:
                    continue
                value = row[column]
                if not (value.isdigit() and len(value) == length):
                    problems.append(
                        _(
                            "Row %(row)d, column %(column)s: '%(value)s' is not a "
                            "%(length)d-digit code."
                        )
                        % {"row": row_number, "column": column, "value": value, "length": length}
                    )
                    row_ok = False
            for column in header:
                if column.endswith("_name") and not row.get(column):
                    problems.append(
                        _("Row %(row)d, column %(column)s: the name is empty.")
                        % {"row": row_number, "column": column}
                    )
                    row_ok = False
            if not row_ok:
                continue
            items = [_Wanted(Level.PROVINCE, row["province_code"], row["province_name"], None)]
            if tiers == 3:
                items.append(
                    _Wanted(
                        Level.DISTRICT,
                        row["district_code"],
                        row["district_name"],
                        row["province_code"],
                    )
                )
                commune_parent = row["district_code"]
            else:
                commune_parent = row["province_code"]
            items.append(
                _Wanted(Level.COMMUNE, row["commune_code"], row["commune_name"], commune_parent)
            )
            for item in items:
                key = (item.level, item.code)
                seen = wanted.get(key)
                if seen is None:
                    wanted[key] = item
                elif (seen.name, seen.parent_code) != (item.name, item.parent_code):
                    problems.append(
                        _("Row %(row)d: code %(code)s appears with another name or parent.")
                        % {"row": row_number, "code": item.code}
                    )
    if problems:
        raise UnitListError(problems)
    return list(wanted.values())


def units_load(
    *,
    path: Path,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    provinces: set[str] | None = None,
    close_missing: bool = False,
) -> UnitLoadStats:
    """Load an official unit list as it stands from `valid_from` (to `valid_to`, if given).

    A unit whose code, name and parent are unchanged keeps its row; a changed one gets a new
    version and the old one is closed the day before. Loading the same file twice changes nothing.
    With `close_missing`, units still open at `valid_from` that the list no longer names are
    closed (the list is then taken as complete, as an official list after a reform is).
    """
    if valid_to is not None and valid_to < valid_from:
        raise UnitListError([_("--valid-to must not be before --valid-from.")])
    wanted = _read_unit_list(Path(path), provinces)
    stats = UnitLoadStats()
    day_before = valid_from - datetime.timedelta(days=1)
    with transaction.atomic():
        current: dict[tuple[str, str], AdministrativeUnit] = {}
        for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
            items = [w for w in wanted if w.level == level]
            stats.by_level[level] = len(items)
            existing: dict[str, list[AdministrativeUnit]] = {}
            for unit in AdministrativeUnit.objects.filter(level=level).select_related("parent"):
                existing.setdefault(unit.code, []).append(unit)
            to_create, to_update = [], []
            for item in items:
                parent = current.get(_parent_key(level, item)) if item.parent_code else None
                versions = existing.get(item.code, [])
                same_start = next((u for u in versions if u.valid_from == valid_from), None)
                open_before = next(
                    (
                        u
                        for u in versions
                        if u.valid_from < valid_from
                        and (u.valid_to is None or u.valid_to >= valid_from)
                    ),
                    None,
                )
                target = same_start
                if target is None and open_before is not None:
                    if open_before.name == item.name and open_before.parent_id == (
                        parent.pk if parent else None
                    ):
                        target = open_before  # the same unit, continuing
                    else:
                        open_before.valid_to = day_before
                        to_update.append(open_before)
                        stats.closed += 1
                if target is None:
                    unit = AdministrativeUnit(
                        code=item.code,
                        name=item.name,
                        level=level,
                        kind=kind_of(item.name, level),
                        parent=parent,
                        valid_from=valid_from,
                        valid_to=valid_to,
                    )
                    to_create.append(unit)
                    current[(level, item.code)] = unit
                    continue
                # Without --valid-to, an end set by a later list stays: reloading an old list
                # must not reopen units a reform has closed.
                new_valid_to = valid_to if valid_to is not None else target.valid_to
                changed = (
                    target.name != item.name
                    or target.kind != kind_of(item.name, level)
                    or target.parent_id != (parent.pk if parent else None)
                    or target.valid_to != new_valid_to
                )
                if changed:
                    target.name = item.name
                    target.kind = kind_of(item.name, level)
                    target.parent = parent
                    target.valid_to = new_valid_to
                    to_update.append(target)
                    stats.updated += 1
                else:
                    stats.unchanged += 1
                current[(level, item.code)] = target
            AdministrativeUnit.objects.bulk_create(to_create, batch_size=2000)
            AdministrativeUnit.objects.bulk_update(
                to_update, ["name", "kind", "parent", "valid_to"], batch_size=2000
            )
            stats.created += len(to_create)
        if close_missing:
            kept = [u.pk for u in current.values()]
            stale = (
                AdministrativeUnit.objects.valid_on(valid_from)
                .filter(valid_from__lt=valid_from)
                .exclude(pk__in=kept)
            )
            stats.closed += stale.update(valid_to=day_before)
        analyze_after_load({AdministrativeUnit: stats.created + stats.updated + stats.closed})
    return stats


def _parent_key(level: str, item: _Wanted) -> tuple[str, str]:
    if level == Level.DISTRICT:
        return (Level.PROVINCE, item.parent_code)
    parent_level = Level.DISTRICT if len(item.parent_code) == 3 else Level.PROVINCE
    return (parent_level, item.parent_code)


class MembershipError(Exception):
    pass


def member_add(
    *,
    username: str,
    unit_code: str,
    role: str,
    password: str | None = None,
    on: datetime.date | None = None,
) -> tuple[Membership, bool]:
    """Create the user if needed and give them `role` on the unit the code names on `on`
    (without it: today's unit, or the latest version). Returns (membership, created)."""
    if role not in Role.values:
        raise MembershipError(
            _("Unknown role '%(role)s'. Roles: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    unit = unit_by_code(unit_code, on=on)
    if unit is None:
        if on is not None:
            raise MembershipError(
                _("No unit had the code '%(code)s' on %(day)s.")
                % {"code": unit_code, "day": on.isoformat()}
            )
        raise MembershipError(_("No unit has the code '%(code)s'.") % {"code": unit_code})
    user_model = get_user_model()
    with transaction.atomic():
        user, user_created = user_model.objects.get_or_create(username=username)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        elif user_created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if role == Role.ADMIN and not user.is_staff:
            user.is_staff = True  # admins use the Django admin as the fallback UI
            user.save(update_fields=["is_staff"])
        membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    return membership, created
