from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Development only: the demo data set and `seed_demo` (see settings.DEMO)."""

    name = "demo"
    verbose_name = _("Demo data")
