from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("PAR index scoring")

    def ready(self):
        from scoring import receivers  # noqa: F401  (connects to dossiers' statistics_changed)
