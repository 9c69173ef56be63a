"""The selectors of the ranking pages (which group, which period): what a user may choose is
kept per user and per state of the tables it comes from, so a page does not ask it again on
every request (a province leader reads dozens of frameworks, and finding them costs three
queries over the unit tree and the assessments)."""

from dataclasses import dataclass

from django.db import connection

from communes.models import AdministrativeUnit, Membership
from communes.selectors import memberships_of
from core.cache import cached, digest
from scoring.models import Assessment, Framework, Period, Result

TTL = 600
# What the choices are built from. Rows are added, almost never removed (units and assessments
# are protected; a framework deleted changes the count), so the newest id of each table tells a
# new state; a rename, or a unit moved, shows within TTL.
STAMP_COLUMNS = """(SELECT max(id) FROM {framework}), (SELECT count(*) FROM {framework}),
       (SELECT max(id) FROM {assessment}),
       (SELECT max(id) FROM {result}), (SELECT max(id) FROM {unit})"""
CHOICES_STAMP = f"SELECT {STAMP_COLUMNS}"
# The stamp and the caller's roles in one round trip (the ranking API asks both on every
# call): the stamp's row first (0), then a row per role (1).
STAMP_AND_ROLES = (
    f"SELECT 0, {STAMP_COLUMNS}, NULL, NULL UNION ALL "
    "SELECT 1, NULL, NULL, NULL, NULL, NULL, unit_id, role FROM {membership} WHERE user_id = %s"
)


@dataclass
class Choice:
    value: str
    label: str
    selected: bool


def group_choices(user, issuer_code: str | None, period_code: str | None, memberships=None):
    """(framework, period, issuer choices, period choices) for the dashboard's selectors.
    `memberships`: the user's, when the caller has read them already."""
    stamp = choices_stamp()
    frameworks = _readable_frameworks(user, memberships, stamp)
    issuers = {}
    for framework in frameworks:
        issuers.setdefault(framework.issuer.code, framework.issuer)
    if not issuers:
        return None, None, [], []
    if issuer_code not in issuers:
        # The newest ranking first: since July 2025 the province's own, not an old district's.
        newest = max(frameworks, key=lambda f: (f.year, -len(f.issuer.code), f.issuer.code))
        issuer_code = newest.issuer.code
    framework_ids = [f.pk for f in frameworks if f.issuer.code == issuer_code]
    periods = _ranked_periods(framework_ids, stamp)
    period = next((p for p in periods if p.code == period_code), periods[0] if periods else None)
    framework = None
    if period is not None:
        framework = next(
            f for f in frameworks if f.issuer.code == issuer_code and f.year == period.year
        )
    issuer_choices = [
        Choice(code, unit.name, code == issuer_code) for code, unit in issuers.items()
    ]
    period_choices = [Choice(p.code, p.label, p == period) for p in periods]
    return framework, period, issuer_choices, period_choices


def readable_framework_ids(user, stamp: str, who: str) -> frozenset[int]:
    """The ids of Framework.objects.visible_to(user), kept as the selectors keep them; `stamp`
    and `who` from stamp_and_who. The ranking API asks on every request: ids alone are kept
    for it, so a request does not unpickle dozens of frameworks to read their ids."""

    def build() -> frozenset[int]:
        return frozenset(f.pk for f in _readable_frameworks(user, None, stamp, who))

    return cached(f"choices:framework-ids:{who}:{stamp}", build, TTL)


TABLES = {
    "framework": Framework._meta.db_table,
    "assessment": Assessment._meta.db_table,
    "result": Result._meta.db_table,
    "unit": AdministrativeUnit._meta.db_table,
    "membership": Membership._meta.db_table,
}


def choices_stamp() -> str:
    """The state of the tables choices are made from, for keys of what is kept from them."""
    with connection.cursor() as cursor:
        cursor.execute(CHOICES_STAMP.format(**TABLES))
        return _stamp(cursor.fetchone())


def stamp_and_who(user) -> tuple[str, str]:
    """(choices_stamp, what the frameworks the user may read follow from) in one query, for a
    caller that has not read the user's memberships (the API needs no more of them)."""
    with connection.cursor() as cursor:
        cursor.execute(STAMP_AND_ROLES.format(**TABLES), [user.pk])
        rows = cursor.fetchall()
    stamp = next(row[1:6] for row in rows if row[0] == 0)
    roles = [(row[6], row[7]) for row in rows if row[0] == 1]
    return _stamp(stamp), _roles_key(user, roles)


def _stamp(values) -> str:
    return ".".join(str(value or 0) for value in values)


def _who(user, memberships) -> str:
    if memberships is None:
        memberships = memberships_of(user)
    return _roles_key(user, [(m.unit_id, m.role) for m in memberships])


def _roles_key(user, roles) -> str:
    """What the frameworks a user may read follow from: the roles they hold and where."""
    return "all" if user.is_superuser else digest(user.pk, sorted(roles))


def _readable_frameworks(user, memberships, stamp: str, who: str | None = None) -> list:
    """Framework.objects.visible_to(user), issuers with them, in the selectors' order."""
    who = who or _who(user, memberships)

    def build() -> list:
        # Without the stored document: a province leader sees dozens of frameworks (every old
        # district's), and DISTINCT over their JSON made this the page's slowest query.
        return list(
            Framework.objects.visible_to(user)
            .defer("document")
            .select_related("issuer")
            # Kept with them: the dashboard shows the chosen framework's groups on every
            # request. A group added or renamed in the admin shows within TTL, as a unit
            # renamed does.
            .prefetch_related("ranking_groups")
            .order_by("issuer__code", "-year")
        )

    return cached(f"choices:frameworks:{who}:{stamp}", build, TTL)


def _ranked_periods(framework_ids: list[int], stamp: str) -> list:
    """The periods these frameworks have results for, the latest first."""

    def build() -> list:
        return list(
            Period.objects.filter(results__framework_id__in=framework_ids)
            .distinct()
            .order_by("-end", "start")
        )

    return cached(f"choices:periods:{digest(sorted(framework_ids))}:{stamp}", build, TTL)
