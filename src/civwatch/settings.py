"""Django settings, read from the environment.

CIVWATCH_HOME      folder for the SQLite database and uploaded files
                   (default: $XDG_DATA_HOME/civwatch, i.e. ~/.local/share/civwatch)
DATABASE_URL       e.g. postgres://user@host/db; default: SQLite at $CIVWATCH_HOME/civwatch.sqlite3
CIVWATCH_SECRET_KEY  required whenever CIVWATCH_DEBUG is off
CIVWATCH_DEBUG     "1" for development
CIVWATCH_RELEASES  folder of the open-data releases the site serves
                   (default: $CIVWATCH_HOME/releases)
CIVWATCH_ALLOWED_HOSTS  comma-separated, default "127.0.0.1,localhost"
CIVWATCH_HASH_KEY  secret for the keyed hashes of evidence shown to the public (core.digests)
CIVWATCH_INDEX_FILES  folder of the screening index files the worker writes, or "off"
                   (default: $CIVWATCH_HOME/index)
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def _whole_number(name: str, default: int, minimum: int = 1) -> int:
    """A whole-number setting from the environment; a bad value names the variable."""
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw.strip() else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}.")
    return value


PACKAGE_DIR = Path(__file__).resolve().parent
HOME = Path(
    os.environ.get("CIVWATCH_HOME")
    or Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "civwatch"
)

DEBUG = os.environ.get("CIVWATCH_DEBUG", "") in {"1", "true", "yes"}
SECRET_KEY = os.environ.get("CIVWATCH_SECRET_KEY", "")
if not SECRET_KEY:
    # A random key per process would break sessions across server workers and restarts:
    # outside development the key must come from the environment (scripts/demo sets one).
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set CIVWATCH_SECRET_KEY in the environment (50 random characters, e.g. "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "or CIVWATCH_DEBUG=1 for development."
        )
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
    # Before django_tasks_db: its `db_worker` command is replaced by ours, which also
    # recovers jobs whose worker died (civwatch.jobs.recovery).
    "civwatch.jobs",
    "django_tasks",
    "django_tasks_db",
    "civwatch.core",
    "civwatch.entities",
    "civwatch.registers",
    "civwatch.screening",
    "civwatch.accounts",
    "civwatch.cases",
    "civwatch.evidence",
    "civwatch.sanctions",
    "civwatch.accountability",
    "civwatch.intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "civwatch.core.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lets audit events name the request's user (docs/audit.md).
    "civwatch.core.audit.AuditMiddleware",
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

# Every form laid out alike: label above the input, help text and errors under it.
FORM_RENDERER = "civwatch.core.forms.FormRenderer"

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
    # Connections are kept (60 s, as for PostgreSQL): opening one and running the PRAGMAs
    # cost about a millisecond of every request, a third of the /match API's overhead
    # (docs/benchmarks.md). In autocommit no read transaction stays open between requests,
    # so a kept connection sees every commit. `civwatch serve` closes the master's
    # connections before forking its workers.

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
# How evidence files are written and read (civwatch.evidence.storage); a class path, not an
# operator's setting: tests put a subclass here whose disk fills up.
CIVWATCH_EVIDENCE_STORAGE = "civwatch.evidence.storage.EvidenceStorage"


# The public sees a hash of evidence content only keyed with this secret (civwatch.core.digests);
# unset, no evidence hash is published. Short keys are refused: the key is all that stands
# between a guessed quote and its confirmation.
CIVWATCH_HASH_KEY = os.environ.get("CIVWATCH_HASH_KEY", "")
if CIVWATCH_HASH_KEY and len(CIVWATCH_HASH_KEY) < 32:
    raise ImproperlyConfigured("CIVWATCH_HASH_KEY must be at least 32 characters long.")

# The organisation that submits sanction dossiers (printed on each dossier).
CIVWATCH_ORGANISATION_NAME = os.environ.get("CIVWATCH_ORGANISATION_NAME", "")
CIVWATCH_ORGANISATION_CONTACT = os.environ.get("CIVWATCH_ORGANISATION_CONTACT", "")

# A running job's worker renews its lease a few times per lease; a job not renewed within
# CIVWATCH_JOB_LEASE_SECONDS lost its worker and is retried or failed (docs/operations.md).
CIVWATCH_JOB_LEASE_SECONDS = _whole_number("CIVWATCH_JOB_LEASE_SECONDS", 30)

# The screening index of every list is built by the background worker after a list changes
# and written here; web processes load it instead of building it (civwatch.screening.
# index_file). CIVWATCH_INDEX_FILES=off: every process builds its own, as without a worker.
_index_files = os.environ.get("CIVWATCH_INDEX_FILES", "")
CIVWATCH_INDEX_FILES = None if _index_files == "off" else Path(_index_files or HOME / "index")

# Personal data never goes to logs: we log events and ids, never names or request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CIVWATCH_LOG_LEVEL", "WARNING")},
}


# --- Sign-in, second factor and sessions (civwatch.accounts; docs/accounts.md) ------------
# Kept in one block so that the rest of this file can change independently.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "axes"]
# OTP right after authentication (it gives request.user.is_verified()); our guard after the
# messages middleware (it ends idle sessions with a message, and holds editors without a
# verified second factor at enrolment); axes last, so that it can replace the response of
# a locked-out attempt with the lockout page.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "civwatch.accounts.middleware.SessionGuardMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("civwatch.accounts.context.identity")
# The footer names the sources of the page it is on (registers/provenance.py).
TEMPLATES[0]["OPTIONS"]["context_processors"].append("civwatch.registers.provenance.page_sources")
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt while the user or the address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "accounts:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# Failed attempts (wrong password or wrong second-factor code) counted per user name and,
# separately, per address: either reaching the limit locks sign-in for the cool-off time.
CIVWATCH_LOCKOUT_FAILURES = _whole_number("CIVWATCH_LOCKOUT_FAILURES", 20)
CIVWATCH_LOCKOUT_MINUTES = _whole_number("CIVWATCH_LOCKOUT_MINUTES", 30)
# Proxies in front of civwatch that append to X-Forwarded-For (0: clients connect directly).
# Behind a proxy the address would otherwise be the proxy's, and one attacker would lock
# every user out.
CIVWATCH_PROXY_COUNT = _whole_number("CIVWATCH_PROXY_COUNT", 0, minimum=0)
AXES_FAILURE_LIMIT = CIVWATCH_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = datetime.timedelta(minutes=CIVWATCH_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "civwatch.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "civwatch.accounts.security.client_address"
# Axes would log user names and addresses: personal data stays out of logs.
AXES_CLIENT_STR_CALLABLE = "civwatch.accounts.security.client_for_logs"
# Successful sign-ins go to the audit log (Django's signals); axes keeps only failures.
AXES_DISABLE_ACCESS_LOG = True

# Signed-in users are the organisation's staff: a session ends after this many minutes
# without a request, and in any case after CIVWATCH_SESSION_MAX_HOURS.
CIVWATCH_IDLE_TIMEOUT_MINUTES = _whole_number("CIVWATCH_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_AGE = _whole_number("CIVWATCH_SESSION_MAX_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Shown next to the code in authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("CIVWATCH_OTP_ISSUER", "civwatch")


# --- Operations (issue 10: production server, TLS, Content-Security-Policy; docs/operations.md)
# Kept in one block so that other settings changes merge cleanly around it.

# `civwatch serve` (gunicorn): processes and threads per process. Two workers with four
# threads each keep both cores of a small server busy while one request waits on the database.
CIVWATCH_WORKERS = _whole_number("CIVWATCH_WORKERS", 2)
CIVWATCH_THREADS = _whole_number("CIVWATCH_THREADS", 4)

# Behind TLS (a reverse proxy terminating HTTPS and setting X-Forwarded-Proto).
HTTPS = os.environ.get("CIVWATCH_HTTPS", "") in {"1", "true", "yes"}
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _whole_number("CIVWATCH_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Sent so that `check --deploy` is clean; joining the browsers' preload list is a separate,
    # deliberate submission at hstspreload.org (docs/operations.md).
    SECURE_HSTS_PRELOAD = os.environ.get("CIVWATCH_HSTS_PRELOAD", "1") in {"1", "true", "yes"}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS += ["csp"]
# After SecurityMiddleware, so every response (static files included) carries the policy.
MIDDLEWARE.insert(MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware"),
                  "csp.middleware.CSPMiddleware")  # fmt: skip
# Every script and style comes from our own static files: no inline code, no third parties.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Hashed and compressed static files when they have been collected (production,
# `civwatch collectstatic` with CIVWATCH_STATIC_ROOT); the apps' folders otherwise.
if STATIC_ROOT:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    WHITENOISE_USE_FINDERS = False
    # Source maps (megabytes, beside the API docs' scripts) are fetched only by a developer's
    # browser tools: compressing them with brotli was most of collectstatic's minute.
    from whitenoise.compress import Compressor

    WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")


# --- Mail and open letters (civwatch.letters; docs/letters.md, docs/operations.md) --------
# Kept in one block so that other settings changes merge cleanly around it.
INSTALLED_APPS += ["civwatch.letters"]


def parse_email_url(url: str, home: Path) -> dict:
    """Django's e-mail settings from one URL (CIVWATCH_EMAIL_URL):

    smtp://[user:password@]host[:port]   SMTP (port 25 by default), STARTTLS with ?tls=1
    smtps://[user:password@]host[:port]  SMTP over TLS (port 465 by default)
    file:///path/to/folder               each message written to a file there (the demo)
    empty                                files in $CIVWATCH_HOME/mail: nothing is sent, and
                                         nothing goes to the console, whose output is logged
    User and password are percent-decoded (an @ in a password is written %40).
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url.strip():
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(home / "mail")}  # fmt: skip
    parts = urlsplit(url.strip())
    if parts.scheme == "file":
        if not parts.path or parts.netloc:
            raise ImproperlyConfigured("CIVWATCH_EMAIL_URL: write a folder as file:///path.")
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": unquote(parts.path)}  # fmt: skip
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(
            "CIVWATCH_EMAIL_URL must look like smtp://host:port, smtps://host:port or "
            "file:///folder."
        )
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise ImproperlyConfigured("CIVWATCH_EMAIL_URL: the port must be a number.") from None
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp" and query.get("tls", ["0"])[0] in {"1", "true"},
        "EMAIL_TIMEOUT": 20,
    }


globals().update(parse_email_url(os.environ.get("CIVWATCH_EMAIL_URL", ""), HOME))
DEFAULT_FROM_EMAIL = os.environ.get("CIVWATCH_EMAIL_FROM", "civwatch@localhost")
# A signature's confirmation link works this many hours, once.
CIVWATCH_LETTER_CONFIRM_HOURS = _whole_number("CIVWATCH_LETTER_CONFIRM_HOURS", 72)

# --- People forced abroad (issue 13, civwatch.exiles; docs/exiles.md) -----------------------
# Kept in one block so that other settings changes merge cleanly around it.
INSTALLED_APPS += ["civwatch.exiles"]
# Each exile file's data key lives here, outside the database and outside backups, so that
# erasing a file (deleting its key) also makes the copies in older backups unreadable.
CIVWATCH_EXILE_KEYS = Path(os.environ.get("CIVWATCH_EXILE_KEYS") or HOME / "exile-keys")
# A closed file is erased this many days after it was closed (unless on legal hold).
CIVWATCH_EXILE_RETENTION_DAYS = _whole_number("CIVWATCH_EXILE_RETENTION_DAYS", 365)
# Public figures: a count below this is shown as "fewer than N" so nobody can be singled out.
CIVWATCH_SUPPRESSION_THRESHOLD = _whole_number("CIVWATCH_SUPPRESSION_THRESHOLD", 5)
# The helpline: a request is acknowledged within CIVWATCH_HELPLINE_ACK_MINUTES; one still
# unanswered is escalated after CIVWATCH_HELPLINE_ESCALATE_MINUTES and again after
# CIVWATCH_HELPLINE_ESCALATE_AGAIN_MINUTES (minutes since it was received).
CIVWATCH_HELPLINE_ACK_MINUTES = _whole_number("CIVWATCH_HELPLINE_ACK_MINUTES", 120)
CIVWATCH_HELPLINE_ESCALATE_MINUTES = _whole_number("CIVWATCH_HELPLINE_ESCALATE_MINUTES", 60)
CIVWATCH_HELPLINE_ESCALATE_AGAIN_MINUTES = _whole_number(
    "CIVWATCH_HELPLINE_ESCALATE_AGAIN_MINUTES", 90
)
# A closed helpline request is erased (its key destroyed) by `civwatch exiles purge` this
# many days after it was closed.
CIVWATCH_HELPLINE_RETENTION_DAYS = _whole_number("CIVWATCH_HELPLINE_RETENTION_DAYS", 90)

# --- Citizens' initiatives (civwatch.initiatives; docs/initiatives.md) ---------------------
INSTALLED_APPS += ["civwatch.initiatives"]
# Pillow's debug messages print the EXIF values of every image it opens (GPS position, camera,
# owner's name): never below INFO, whatever CIVWATCH_LOG_LEVEL says (evidence uploads too).
LOGGING.setdefault("loggers", {})["PIL"] = {"level": "INFO"}
# A decided initiative's traces of its submitter (organisers' contact, questions and answers,
# receipt code, the attachments' originals with their metadata) are erased by `civwatch
# initiatives purge` this many days after both the decision and the action's date.
CIVWATCH_INITIATIVE_RETENTION_DAYS = _whole_number("CIVWATCH_INITIATIVE_RETENTION_DAYS", 180)

# Versioned open-data releases (docs/releases.md): `civwatch publish --output DIR` writes them;
# the site lists and serves the releases in this folder.
INSTALLED_APPS += ["civwatch.releases"]
CIVWATCH_RELEASES = Path(os.environ.get("CIVWATCH_RELEASES") or HOME / "releases")

# --- Watching the registers (issue 14, `civwatch watch`; docs/registers.md, "Watching") ----
# Kept in one block so that other settings changes merge cleanly around it.
# CIVWATCH_WATCH_<REGISTER>_URL: where each register is fetched from, the register's slug in
# capitals with "_" for "-" (CIVWATCH_WATCH_FOREIGN_AGENTS_URL -> foreign-agents).
CIVWATCH_WATCH_URLS = {
    name[len("CIVWATCH_WATCH_") : -len("_URL")].lower().replace("_", "-"): value.strip()
    for name, value in os.environ.items()
    if name.startswith("CIVWATCH_WATCH_") and name.endswith("_URL") and value.strip()
}
# A worker (`civwatch db_worker`) runs `civwatch watch` every this many minutes; 0: never
# (cron runs it instead, or nobody).
CIVWATCH_WATCH_EVERY_MINUTES = _whole_number("CIVWATCH_WATCH_EVERY_MINUTES", 0, minimum=0)
# A fetch that connects or waits for data longer than this fails ("timed out").
CIVWATCH_WATCH_TIMEOUT_SECONDS = _whole_number("CIVWATCH_WATCH_TIMEOUT_SECONDS", 60)
# A body larger than this is not a register table (the foreign-agents register is 0.5 MB).
CIVWATCH_WATCH_MAX_MEGABYTES = _whole_number("CIVWATCH_WATCH_MAX_MEGABYTES", 50)
# Who is mailed (CIVWATCH_EMAIL_URL) when a fetched snapshot is held or fetching starts failing.
CIVWATCH_WATCH_NOTIFY = [
    address.strip()
    for address in os.environ.get("CIVWATCH_WATCH_NOTIFY", "").split(",")
    if address.strip()
]
