"""Settings for the CCHC portal, read from the environment (and a local `.env`).

With nothing set the portal runs on SQLite under `var/` with Celery tasks executed eagerly, so a
fresh machine needs no services. Every variable is documented in `.env.example`.
"""

import datetime
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
# Official unit lists and the 2025 lineage, shipped with the repository (see data/README.md).
DATA_DIR = BASE_DIR / "data"

env = environ.Env()
# Variables already in the environment win over the file, so CI and containers can override it.
environ.Env.read_env(os.environ.get("ENV_FILE", BASE_DIR / ".env"), overwrite=False)

# Off unless asked for: `make run` and `make test` ask; a server never inherits it from a file.
DEBUG = env.bool("DJANGO_DEBUG", default=False)

DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-only"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])


def _weak_secret_key(key: str) -> bool:
    """Django's own deploy check (security.W009): short, repetitive, a published example or
    the development key would let anyone forge sessions and password-reset links."""
    placeholder = key.startswith(("django-insecure", "change-me", "changeme"))
    return placeholder or len(key) < 50 or len(set(key)) < 5


if DEBUG:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    # A production start-up without these would either be insecure or answer 400 to everyone.
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    if _weak_secret_key(SECRET_KEY):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is a placeholder or too weak (at least 50 characters, not the "
            "development key); make one with: python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_htmx",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "core",
    "communes",
    "dossiers",
    "scoring",
    "notices",
]
# The demo (seed_demo and its data) is for development and trials: installed with DEBUG on, or
# when DJANGO_DEMO says so (the docker-compose trial stack); never needed in production.
DEMO = env.bool("DJANGO_DEMO", default=DEBUG)
if DEMO:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cchc_portal.middleware.LanguageMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "cchc_portal.middleware.PortalNotFoundPageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "scoring.rankings.middleware.RankingDeferredNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses sign-ins (pages, admin, API token) for a while after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Lock the account from that address only: one office's typos do not lock out the others.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# No inline scripts anywhere: htmx and the portal's own script come from /static/. Inline
# style attributes stay allowed (the admin and a few bar widths use them); they run no code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "cchc_portal.urls"
WSGI_APPLICATION = "cchc_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cchc_portal.context.portal",
                "notices.context.notice_count",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'cchc.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
# A connection kept between requests is checked before reuse: the first request after the
# database restarted (or a proxy dropped idle connections) reconnects instead of answering 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # Safe for a small office on the embedded default: WAL lets readers go on while one writes;
    # IMMEDIATE transactions take the write lock when they start, so two saves queue behind the
    # busy timeout instead of one failing with "database is locked" half-way through.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
    }
    # Tests on SQLite use a file, not memory, so the browser tests' server threads and the test
    # share one database through separate connections, as people do on the real thing.
    # One file per test process, so two runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["cchc_portal.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Without `collectstatic` a strict manifest makes every page answer 500; this one links
        # the plain names and WhiteNoise serves them from the apps (see below).
        "BACKEND": "core.storage.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# WhiteNoise also serves what collectstatic has not gathered (slower, not compressed): a
# forgotten step is a warning of `manage.py check --deploy`, never a broken portal.
WHITENOISE_USE_FINDERS = True

# Mail (password reset). Unset: printed on the console. For example
# EMAIL_URL=smtp+tls://user:password@smtp.example.gov.vn:587
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Where links in e-mails point (the address people open the portal at).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cổng CCHC <no-reply@localhost>")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_HOURS", default=24) * 3600

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.CleanJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Token first: an anonymous call then answers 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.TokenClientThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": "core.api.metadata.PlainMetadata",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
}
# Requests per user and minute for systems calling with a token (browser sessions are not
# throttled); and attempts per client and minute at the token endpoint.
API_TOKEN_RATE = env.str("API_TOKEN_RATE", default="600/min")
API_AUTH_RATE = env.str("API_AUTH_RATE", default="20/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "CCHC portal API",
    "DESCRIPTION": "Monthly one-stop-shop statistics, PAR index scores and rankings. "
    "Units are named by their official codes; a unit outside your scope answers 404.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Two choice sets are called "kind": a unit's (xã, phường…) and a period's (year, half…).
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "communes.models.Kind",
        "PeriodKindEnum": "scoring.models.periods.PeriodKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cchc_portal.schema.document_error_responses",
        "cchc_portal.schema.document_ranking_status_header",
        "cchc_portal.schema.document_parameter_shapes",
    ],
}
# A month for every commune of the three-tier list as JSON is about 3 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=20 * 1024 * 1024)
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
# PDFs (the decision's annex, scorecards) embed a font with Vietnamese letters: by default DejaVu
# Sans from the system (core/pdf.py); these name other TrueType files.
PDF_FONT_REGULAR = env.str("PDF_FONT_REGULAR", default="")
PDF_FONT_BOLD = env.str("PDF_FONT_BOLD", default="")
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# Statistics files above this size are read by a worker while the page shows the progress (a
# month of a whole district is a few kilobytes; a month of every commune about 600 KB).
IMPORT_BACKGROUND_BYTES = env.int("IMPORT_BACKGROUND_BYTES", default=256 * 1024)
# Uploaded files waiting for a confirmation are deleted after this many hours.
IMPORT_PREVIEW_HOURS = env.int("IMPORT_PREVIEW_HOURS", default=24)

# --- Cache ------------------------------------------------------------------------------------
# Rankings kept between requests (scoring.rankings.kept) and the API's throttle counters. Unset:
# each process's own memory, which is correct (a kept ranking's key holds the state of its
# results); CACHE_URL=redis://… lets the web workers share what they built and count together.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Celery -----------------------------------------------------------------------------------
# No broker configured: run tasks in-process, so the embedded default needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # recompute is idempotent, so a redelivery is harmless
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A frozen Redis must not hang a save for minutes: fail fast and let the sweep catch up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "visibility_timeout": 600,
    "max_retries": 1,
}
CELERY_BEAT_SCHEDULE = {
    "sweep-dirty-rankings": {
        "task": "scoring.tasks.sweep_dirty_rankings",
        "schedule": env.float("RANKING_SWEEP_SECONDS", default=60.0),
    },
    "purge-import-files": {"task": "dossiers.tasks.purge_import_files", "schedule": 3600.0},
    # Reminders of deadlines in 3 days; sent once per unit and date, so hourly is harmless.
    "deadline-reminders": {"task": "scoring.tasks.deadline_reminders", "schedule": 3600.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # fontTools reports every glyph it keeps when a PDF embeds its font.
        "fontTools": {"level": "WARNING"},
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=10) * 3600  # a working day
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Production sits behind a TLS proxy; the compose file turns these off for plain-HTTP
    # trials on localhost.
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits every subdomain of the province's domain to HTTPS for good: the
        # domain's owner decides that, not this application.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Exports made by the admin (django-import-export) write user text as text, never a formula.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
