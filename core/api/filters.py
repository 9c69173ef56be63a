"""Query filters in the shapes the schema documents."""

import django_filters
from django import forms


class WholeNumberFilter(django_filters.NumberFilter):
    """A year or a count: `?year=1.1` is an error to correct, not a filter matching nothing.
    (django-filter's NumberFilter reads decimals, while the schema says integer.)"""

    field_class = forms.IntegerField
