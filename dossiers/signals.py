from django.dispatch import Signal

# Sent inside the writing transaction after monthly statistics were created or replaced, with
# `commune_ids` and `months` (first days). Dossiers never imports scoring: scoring listens.
statistics_changed = Signal()
