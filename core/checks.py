"""Deployment checks (`manage.py check --deploy`) for steps a person can forget."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.staticfiles, deploy=True)
def static_files_collected(app_configs, **kwargs):
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if settings.DEBUG or manifest.exists():
        return []
    return [
        Warning(
            "Static files have not been collected: pages work, but styles and scripts are "
            "served uncompressed and without long cache lifetimes.",
            hint="Run `python manage.py collectstatic --noinput` after each update.",
            id="cchc.W001",
        )
    ]
