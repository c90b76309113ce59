"""Django settings, read from the environment.

CIVWATCH_HOME      folder for the SQLite database and uploaded files
                   (default: $XDG_DATA_HOME/civwatch, i.e. ~/.local/share/civwatch)
DATABASE_URL       e.g. postgres://user@host/db; default: SQLite at $CIVWATCH_HOME/civwatch.sqlite3
CIVWATCH_SECRET_KEY  required in production (CIVWATCH_DEBUG unset)
CIVWATCH_DEBUG     "1" for development
CIVWATCH_ALLOWED_HOSTS  comma-separated, default "127.0.0.1,localhost"
CIVWATCH_HASH_KEY  secret for the keyed hashes of evidence shown to the public (core.digests)
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
HOME = Path(
    os.environ.get("CIVWATCH_HOME")
    or Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "civwatch"
)

DEBUG = os.environ.get("CIVWATCH_DEBUG", "") in {"1", "true", "yes"}
SECRET_KEY = os.environ.get("CIVWATCH_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("CIVWATCH_REQUIRE_SECRET_KEY"):
        raise ImproperlyConfigured("Set CIVWATCH_SECRET_KEY in the environment.")
    # Without a configured key, sessions last only as long as the process: fine for the demo.
    SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CIVWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "civwatch.core",
    "civwatch.entities",
    "civwatch.registers",
    "civwatch.screening",
    "civwatch.jobs",
    "civwatch.accounts",
    "civwatch.cases",
    "civwatch.evidence",
    "civwatch.sanctions",
    "civwatch.accountability",
    "civwatch.intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "civwatch.urls"
WSGI_APPLICATION = "civwatch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{HOME / 'civwatch.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only for `civwatch collectstatic` in production; WhiteNoise serves from the apps otherwise.
STATIC_ROOT = os.environ.get("CIVWATCH_STATIC_ROOT") or None
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = HOME / "media"

LOGIN_URL = "admin:login"

# The public sees a hash of evidence content only keyed with this secret (civwatch.core.digests);
# unset, no evidence hash is published. Short keys are refused: the key is all that stands
# between a guessed quote and its confirmation.
CIVWATCH_HASH_KEY = os.environ.get("CIVWATCH_HASH_KEY", "")
if CIVWATCH_HASH_KEY and len(CIVWATCH_HASH_KEY) < 32:
    raise ImproperlyConfigured("CIVWATCH_HASH_KEY must be at least 32 characters long.")

# The organisation that submits sanction dossiers (printed on each dossier).
CIVWATCH_ORGANISATION_NAME = os.environ.get("CIVWATCH_ORGANISATION_NAME", "")
CIVWATCH_ORGANISATION_CONTACT = os.environ.get("CIVWATCH_ORGANISATION_CONTACT", "")

# Personal data never goes to logs: we log events and ids, never names or request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CIVWATCH_LOG_LEVEL", "WARNING")},
}
