"""Argument types shared by the management commands."""

import datetime

from django.core.management.base import CommandError


def day(value: str) -> datetime.date:
    """A YYYY-MM-DD argument, or a clear error."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date in YYYY-MM-DD form.") from exc
