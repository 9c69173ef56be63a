"""Display helpers every page may use: {% load portal %}."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def percent(value, decimals=2) -> str:
    """A percent as Vietnamese documents write it: 93,61% (93.61% in English), no space."""
    if value is None or value == "":
        return "–"
    return f"{floatformat(value, decimals)}%"
