"""The only settings module. Every knob is a ``VX_*`` environment variable (see .env.example)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from vungxanh.lib.env import (
    database_from_url,
    env_bool,
    env_date,
    env_days,
    env_int,
    env_list,
    env_secret,
    env_str,
)
from vungxanh.lib.privacy import make_private_dir

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent

# The demo runs on a laptop over plain http with a generated key; nothing else may.
DEMO = env_bool("VX_DEMO", default=False)
# The day the demo opens on (DESIGN §7: the Ninh Kiều working session, 23/09/2021): the
# default "as of" date of every page in the demo, and the day its data tells a story about.
VX_DEMO_DAY = env_date("VX_DEMO_DAY", "2021-09-23")
DEBUG = env_bool("VX_DEBUG", default=False)

DATA_DIR = Path(env_str("VX_DATA_DIR", str(BASE_DIR / "var"))).resolve()
# The database, the key, uploads (names, phones, ID numbers): this account's only.
make_private_dir(DATA_DIR)


def _secret_key() -> str:
    """Return VX_SECRET_KEY, or a random key kept in DATA_DIR/secret_key (created once)."""
    configured = env_secret("VX_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(50)
    # Created private, not chmod-ed after: no moment in which another account may read it.
    with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("VX_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("VX_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "vungxanh.lib",
    "vungxanh.accounts",
    "vungxanh.audit",
    "vungxanh.areas",
    "vungxanh.jobs",
    "vungxanh.imports",  # below the apps that import data: they register their kinds
    "vungxanh.surveillance",
    "vungxanh.risk",
    "vungxanh.lockdowns",
    "vungxanh.economy",
    "vungxanh.permits",
    "vungxanh.reopening",  # what establishments may do: reads levels, zones and permits
    "vungxanh.demo",
    "vungxanh.loop",  # above every app: it imports them, none imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vungxanh.lib.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vungxanh.lib.language.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "vungxanh.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vungxanh.urls"
WSGI_APPLICATION = "vungxanh.wsgi.application"

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
                "vungxanh.lib.context.site_context",
                "vungxanh.lib.asof.context",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("VX_DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"  # each person's first screen (areas/views.py home)
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: failures count per account (from any address) and per address (against
# any account); either reaching the limit pauses signing in (vungxanh/accounts/throttle.py).
AXES_FAILURE_LIMIT = env_int("VX_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("VX_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "vungxanh.accounts.throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "vungxanh.accounts.throttle.client_address"
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["vungxanh.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even when empty
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the package's static folders, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = DATA_DIR / "media"
# Uploads hold names, phone and ID numbers: this account's only (Django's default is 0o644).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Shared by every web process (import progress, job state): a folder, so no extra server.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# Secure defaults everywhere but the local demo, which is served over plain http.
SECURE_COOKIES = env_bool("VX_SECURE_COOKIES", default=not DEMO)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SESSION_COOKIE_AGE = env_int("VX_SESSION_HOURS", 12) * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("VX_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("VX_HSTS_SECONDS", 0 if DEMO else 3600)
# Behind a reverse proxy that terminates https, its X-Forwarded-Proto and X-Forwarded-For are
# believed; without one they come from the client, who could claim https or any address.
VX_BEHIND_PROXY = env_bool("VX_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if VX_BEHIND_PROXY else None

# Request lines and request warnings name URLs: personal query parameters (a search by
# name, phone or ID number) are redacted before any handler writes them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal": {"()": "vungxanh.lib.privacy.RedactPersonalQuery"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_personal"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_personal"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env_str("VX_LOG_LEVEL", "WARNING")},
}

# A street base map under the map outlines: the URL template of a tile server the deployment
# runs ({z}/{x}/{y}) and its attribution; empty = outlines only, no request to any outside host
# (checked by vungxanh/lib/tiles.py, vungxanh.E010).
VX_TILE_URL = env_str("VX_TILE_URL")
VX_TILE_ATTRIBUTION = env_str("VX_TILE_ATTRIBUTION")

# Page sizes for long lists.
VX_PAGE_SIZE = env_int("VX_PAGE_SIZE", 50)
PAGE_SIZE_OK = 10 <= VX_PAGE_SIZE <= 1000

# Plausible dates (vungxanh/domain/bounds.py): a reported fact (a case, a count, a decision)
# lies between VX_DATA_DATE_MIN and today + VX_DATA_DATE_MAX_DAYS_AHEAD days; a planned date
# (a zone's start, a testing round, a shift) up to VX_PLAN_DATE_MAX_DAYS_AHEAD days ahead.
VX_DATA_DATE_MIN = env_date("VX_DATA_DATE_MIN", "2019-12-01")
VX_DATA_DATE_MAX_DAYS_AHEAD = env_days("VX_DATA_DATE_MAX_DAYS_AHEAD", 0)
VX_PLAN_DATE_MAX_DAYS_AHEAD = env_days("VX_PLAN_DATE_MAX_DAYS_AHEAD", 366)

# Imports: the most a file may hold (bigger files are refused with a message naming the
# limit), the problems listed per column, the largest file checked inside a web request
# (larger ones are checked and imported as jobs; a job whose worker died is the jobs
# sweep's, see VX_JOB_STALE_SECONDS), and how long an upload waits for confirmation.
VX_IMPORT_MAX_BYTES = env_int("VX_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
VX_IMPORT_MAX_UNPACKED_BYTES = env_int("VX_IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
VX_IMPORT_MAX_ROWS = env_int("VX_IMPORT_MAX_ROWS", 1_000_000)
VX_IMPORT_MAX_COLUMNS = env_int("VX_IMPORT_MAX_COLUMNS", 200)
VX_IMPORT_MAX_CELLS = env_int("VX_IMPORT_MAX_CELLS", 20_000_000)
VX_IMPORT_PROBLEMS_PER_COLUMN = env_int("VX_IMPORT_PROBLEMS_PER_COLUMN", 100)
VX_IMPORT_INLINE_BYTES = env_int("VX_IMPORT_INLINE_BYTES", 2 * 1024 * 1024)
VX_UPLOAD_KEEP_MINUTES = env_int("VX_UPLOAD_KEEP_MINUTES", 60)

# Jobs: Celery on VX_BROKER_URL (redis://…, amqp://…), or the embedded filesystem transport
# under the data directory when empty. Job state lives in the database (vungxanh.jobs).
from vungxanh.jobs.broker import celery_settings  # noqa: E402

globals().update(
    celery_settings(
        env_str("VX_BROKER_URL"), DATA_DIR, eager=env_bool("VX_JOBS_EAGER", default=False)
    )
)
# Every change of data queues the loop (indicators, Rt, levels) by itself; off only for
# bulk loaders that run the loop once at their end.
VX_LOOP_AUTOMATIC = env_bool("VX_LOOP_AUTOMATIC", default=True)
# Tests only: run the loop inside the transaction that changed the data, instead of a job.
VX_LOOP_INLINE = env_bool("VX_LOOP_INLINE", default=False)
# A job on another host whose runner has not reported for this long is treated as dead.
VX_JOB_STALE_SECONDS = env_int("VX_JOB_STALE_SECONDS", 600)
