"""Dossier counters and the rates derived from them: the one definition every rule reads.

The scoring engine turns these definitions into SQL, the validation into row checks and the pages
into labels, so a formula is written exactly once.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

COUNTER_FIELDS = (
    "received",
    "carried_over",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_on_time",
    "pending_overdue",
    "online_full",
    "online_partial",
    "postal",
    "digitized",
    "apologies",
    # As one-stop software exports them (#17): the channel a dossier came by, apart from the
    # procedure's online level above, and the outcomes besides resolved and pending.
    "received_in_person",
    "received_online",
    "awaiting_supplement",
    "returned",
    "suspended",
    "other_outcome",
)
REQUIRED_COUNTERS = ("received", "resolved_early", "resolved_on_time", "resolved_late")

COUNTER_LABELS = {
    "received": _("Received"),
    "carried_over": _("Carried over"),
    "resolved_early": _("Resolved early"),
    "resolved_on_time": _("Resolved on time"),
    "resolved_late": _("Resolved late"),
    "pending_on_time": _("Pending within deadline"),
    "pending_overdue": _("Pending overdue"),
    "online_full": _("Full online"),
    "online_partial": _("Partial online"),
    "postal": _("Public postal service"),
    "digitized": _("Digitised"),
    "apologies": _("Apology letters"),
    "received_in_person": _("Received in person"),
    "received_online": _("Received online (channel)"),
    "awaiting_supplement": _("Awaiting supplements"),
    "returned": _("Returned or withdrawn"),
    "suspended": _("Suspended"),
    "other_outcome": _("Other outcome"),
}

RESOLVED = ("resolved_early", "resolved_on_time", "resolved_late")
PENDING = ("pending_on_time", "pending_overdue")
LATE = ("resolved_late", "pending_overdue")
# Online level (full or partial online service) and postal: the measures the national rules
# rate. The channel a dossier was received by is another report's figure (RECEPTION).
CHANNELS = ("online_full", "online_partial", "postal")
RECEPTION = ("received_in_person", "received_online", "postal")
# Closed or held otherwise than resolved or pending: still out of carried over + received.
OTHER_OUTCOMES = ("awaiting_supplement", "returned", "suspended", "other_outcome")
AVAILABLE = ("carried_over", "received")

# How the month form groups the counters (every counter in exactly one group).
COUNTER_GROUPS = (
    (_("Dossiers"), ("carried_over", "received")),
    (_("Outcome"), RESOLVED + PENDING + OTHER_OUTCOMES),
    (_("Received by channel"), RECEPTION),
    (_("By the procedure's online level"), ("online_full", "online_partial")),
    (_("Other"), ("digitized", "apologies")),
)


@dataclass(frozen=True)
class Metric:
    """rate = 100 × Σ numerator ÷ Σ denominator over the months of a period.

    A zero denominator makes the rate not applicable, unless `when_nothing_to_count` gives the
    value to use instead (no late dossier means no apology was missing).
    """

    name: str
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    when_nothing_to_count: float | None = None
    counted: str = ""  # what the numerator counts, as advice names it ("online dossiers")


METRICS = {
    m.name: m
    for m in (
        Metric(
            "on_time_rate",
            _("On-time rate"),
            ("resolved_early", "resolved_on_time", "pending_on_time"),
            RESOLVED + PENDING,
            counted=_("dossiers on time"),
        ),
        Metric(
            "online_rate",
            _("Online rate"),
            ("online_full", "online_partial"),
            ("received",),
            counted=_("online dossiers"),
        ),
        Metric(
            "online_full_rate",
            _("Full-online rate"),
            ("online_full",),
            ("received",),
            counted=_("full-online dossiers"),
        ),
        Metric(
            "postal_rate",
            _("Postal rate"),
            ("postal",),
            ("received",),
            counted=_("postal dossiers"),
        ),
        Metric(
            "digitized_rate",
            _("Digitisation rate"),
            ("digitized",),
            ("received",),
            counted=_("digitised dossiers"),
        ),
        Metric(
            "apology_rate",
            _("Apology rate"),
            ("apologies",),
            LATE,
            when_nothing_to_count=100,
            counted=_("apology letters"),
        ),
        # By channel, not by online level: the share of dossiers that arrived over the
        # network, whatever the procedure's level (the one-stop software's "qua mạng").
        Metric(
            "online_channel_rate",
            _("Received-online rate (channel)"),
            ("received_online",),
            ("received",),
            counted=_("dossiers received online"),
        ),
        Metric(
            "returned_rate",
            _("Returned or withdrawn rate"),
            ("returned",),
            ("received",),
            counted=_("returned or withdrawn dossiers"),
        ),
    )
}


# A rate is a percent with two decimals, halves rounded away from zero: what SQL's ROUND does
# on exact numbers, so the engine (which computes rates in SQL with RATE_DECIMALS) and every
# page show the same 0.13 % for 1 of 800.
RATE_DECIMALS = 2
_RATE_STEP = Decimal(1).scaleb(-RATE_DECIMALS)


def rate(metric: Metric, sums: dict) -> Decimal | None:
    """The metric's rate for summed counters, or None when it is not applicable."""
    denominator = sum(sums.get(f) or 0 for f in metric.denominator)
    if denominator == 0:
        nothing = metric.when_nothing_to_count
        return None if nothing is None else Decimal(nothing).quantize(_RATE_STEP)
    numerator = sum(sums.get(f) or 0 for f in metric.numerator)
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(_RATE_STEP, ROUND_HALF_UP)


@dataclass(frozen=True)
class BoundRule:
    """Σ parts must not exceed Σ bound, within one monthly row."""

    parts: tuple[str, ...]
    bound: tuple[str, ...]
    message: str


BOUND_RULES = (
    BoundRule(
        CHANNELS,
        ("received",),
        _("online (full + partial) and postal dossiers (%(parts)s) exceed received (%(bound)s)"),
    ),
    BoundRule(
        RECEPTION,
        ("received",),
        _(
            "dossiers received in person, online and by post (%(parts)s) exceed received "
            "(%(bound)s)"
        ),
    ),
    BoundRule(
        RESOLVED + PENDING + OTHER_OUTCOMES,
        AVAILABLE,
        _(
            "resolved, pending and otherwise closed dossiers (%(parts)s) exceed carried over + "
            "received (%(bound)s)"
        ),
    ),
    BoundRule(
        ("digitized",),
        AVAILABLE,
        _("digitised dossiers (%(parts)s) exceed carried over + received (%(bound)s)"),
    ),
    BoundRule(
        ("apologies",),
        LATE,
        _(
            "apology letters (%(parts)s) exceed late dossiers, resolved late + pending overdue "
            "(%(bound)s)"
        ),
    ),
)


def bound_violations(values: dict) -> list[tuple[str, str]]:
    """(columns, message) for every bound rule the monthly counters break."""
    problems = []
    for rule in BOUND_RULES:
        parts = sum(values.get(f) or 0 for f in rule.parts)
        bound = sum(values.get(f) or 0 for f in rule.bound)
        if parts > bound:
            problems.append((",".join(rule.parts), rule.message % {"parts": parts, "bound": bound}))
    return problems
