"""Small display helpers for the scoring pages."""

import re

from django import template

from dossiers.metrics import METRICS
from scoring.assessments.sheets import points_text
from scoring.models import AssessmentStatus
from scoring.models import localized as localized_text

register = template.Library()

STATUS_CSS = {
    AssessmentStatus.OPEN: "open",
    AssessmentStatus.SUBMITTED: "warn",
    AssessmentStatus.RETURNED: "bad",
    AssessmentStatus.APPRAISED: "ok",
}


@register.filter
def dom_id(code) -> str:
    """A sub-criterion code as part of an element id: "3.2" → "3-2" (a dot would read as a
    class in the selectors htmx targets)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", str(code))


@register.filter
def points(value) -> str:
    """Points in the active language's style without trailing zeros: 3,5 · 4 · 1,25."""
    return points_text(value)


@register.filter
def localized(obj, field="name") -> str:
    """{{ area|localized }}, {{ band|localized:"label" }}: English on English pages if given."""
    return localized_text(obj, field)


@register.filter
def status_css(status) -> str:
    return STATUS_CSS.get(status, "open")


@register.filter
def metric_label(name) -> str:
    metric = METRICS.get(name)
    return str(metric.label) if metric else name
