import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")

app = Celery("cchc_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def conf_set(**values) -> None:
    """Change Celery settings at run time (tests, the bench). Celery 5.6 looks a setting up by
    its CELERY_-prefixed name, which Django's settings hold, before the plain name, so a plain
    `app.conf.task_always_eager = …` would be ignored there; both names are set."""
    for name, value in values.items():
        app.conf[name] = value
        app.conf[f"CELERY_{name.upper()}"] = value
