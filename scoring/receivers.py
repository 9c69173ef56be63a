"""Scoring listens to the apps it depends on; they never import scoring."""

from django.dispatch import receiver

from dossiers.signals import statistics_changed
from scoring.rankings.selectors import groups_using_statistics
from scoring.rankings.services import groups_mark_dirty


@receiver(statistics_changed)
def _statistics_changed(sender, commune_ids, months, **kwargs):
    groups_mark_dirty(groups_using_statistics(commune_ids, months), trigger="dossiers")
