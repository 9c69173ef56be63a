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


@register()
def pdf_font_installed(app_configs, **kwargs):
    from core.pdf import FontMissing, font_files

    try:
        font_files()
    except FontMissing as exc:
        return [
            Warning(
                str(exc),
                hint="Debian/Ubuntu: apt-get install fonts-dejavu-core. The annex and scorecard "
                "PDFs answer 503 until a font is found.",
                id="cchc.W010",
            )
        ]
    return []
