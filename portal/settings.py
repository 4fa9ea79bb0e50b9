"""Settings for the portal, read from the environment (django-environ).

The defaults make a development machine work with no configuration: an embedded SQLite file and
DEBUG on. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# Django's technical 404/500 pages instead of the portal's (opt-in, with DEBUG on only).
DEBUG_ERROR_PAGES = env.bool("DEBUG_ERROR_PAGES", default=False)

# A fixed key is acceptable only for local development; production must bring its own.
_DEV_SECRET_KEY = "dev-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
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
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "bootstrap",
    "simple_history",
    "axes",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # From the kernel up: each app imports only the ones listed before it (.importlinter).
    "core",
    "jobs",
    "divisions",
    "compliance",
    "committees",
    "facilities",
    "funding",
    "grassroots",
    "elections",
    "governance",
    "surveys",
    "supervision",
    "demo",
    "portal",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.StripNulQueryMiddleware",
    "core.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # With DEBUG on (make run), 404 and 500 still answer with the portal's Chinese pages;
    # DEBUG_ERROR_PAGES=1 brings back Django's technical pages for a developer.
    "core.middleware.PortalErrorPagesMiddleware",
    # Answers 503 (in Chinese) when the database is unreachable; see also handler500.
    "core.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if env.bool("PORTAL_COUNT_QUERIES", default=False):  # the benchmark's queries per request
    MIDDLEWARE.insert(0, "core.middleware.QueryCountMiddleware")

ROOT_URLCONF = "portal.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections: opening a PostgreSQL connection per request costs ~30 ms here.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Rendered dashboard fragments (keyed by roll-up generation, so never stale for long): in each
# process by default; CACHE_URL (e.g. redis://cache:6379/1) shares them between app servers.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Background jobs (issue 17): Django's tasks API with the database backend — the queue is a
# table in the portal's own database; `manage.py db_worker` runs them, on any machine that
# reaches the database (workers claim rows with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A running job that has not reported progress for this long lost its worker: it is queued
# again (up to JOBS_MAX_ATTEMPTS runs in all), then marked failed.
JOBS_STALE_AFTER = env.int("JOBS_STALE_AFTER", default=300)
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=2)
# Finished jobs, their result files and queue rows are deleted after this many days
# (`manage.py jobs_maintain`, also run by cron).
JOBS_RESULT_DAYS = env.int("JOBS_RESULT_DAYS", default=7)
# A roster upload larger than this (bytes; ~200 rows) is imported by a worker, not in the request.
ROSTER_JOB_BYTES = env.int("ROSTER_JOB_BYTES", default=20_000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one user name from
# one address, that pair is locked out for AXES_COOLOFF_TIME. Keyed on the pair so that an
# attacker cannot lock a colleague out from another machine by guessing their user name.
AUTHENTICATION_BACKENDS = [
    "core.auth.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.auth.lockout_response"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
FORMAT_MODULE_PATH = ["portal.formats"]  # thousands grouped as in money and findings: 2,500 户
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # STATIC_STORAGE lets a server run with DEBUG off without collectstatic's two minutes
        # (the load and fault tests do: they fetch pages, not static files).
        "BACKEND": env.str(
            "STATIC_STORAGE",
            default=(
                "django.contrib.staticfiles.storage.StaticFilesStorage"
                if DEBUG
                else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            ),
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No script of the portal reads a cookie: both stay out of reach of JavaScript.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (core.middleware.ContentSecurityPolicyMiddleware): everything from
# the portal itself, no inline script or style, no framing. data: images are Bootstrap's icons.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Uploaded files (core.uploads): the largest accepted file, in bytes.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

PAGE_SIZE = 50

# E-mail (the daily reminder digest, `manage.py send_reminders`): printed to the console in
# development; production sets EMAIL_URL, e.g. smtp+tls://user:password@mail.example:587.
vars().update(
    env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")
# Where the portal is reached, for links in e-mails.
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")

# Beyond one machine (README, "Deploying beyond one machine"). Both are optional: without them
# every query goes to DATABASE_URL and the cache is each process's own memory.
# A streaming read replica: safe requests read from it, writes and everything outside web
# requests use the primary, and a client that wrote reads from the primary for
# REPLICA_PIN_SECONDS afterwards (core/dbrouter.py).
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # The test runner must not create (or flush) a database on a read-only standby.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.dbrouter.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "core.dbrouter.ReplicaPinMiddleware",
    )
# A shared cache (e.g. redis://cache:6379/1) for every app server; sessions are then read from
# it and written through to the database, so a login survives a cache restart.
# (CACHES above reads CACHE_URL.)
if env.str("CACHE_URL", default=""):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Findings' intervals that ended more than this many years ago are deleted by
# `manage.py prune_findings` (None: keep everything, the default).
FINDINGS_RETENTION_YEARS: int | None = None
# The data-exchange API (api/, README "The API"): tokens or a session (with CSRF for writes).
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenMayWrite",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.permissions.PerTokenThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "社区居委会规范化管理平台数据交换接口 · Community portal data-exchange API",
    "DESCRIPTION": "每个令牌以其所有者的管辖范围和角色访问;范围外的记录一律 404。"
    " · Every token acts with its owner's jurisdiction and role; outside it is a 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "kind": each gets its own, stable, enum name.
    "ENUM_NAME_OVERRIDES": {
        "CommunityKindEnum": "divisions.models.Community.Kind",
        "OrganizationKindEnum": "committees.models.Organization.Kind",
        "FacilityKindEnum": "facilities.models.Facility.Kind",
        "MeetingKindEnum": "governance.models.Meeting.Kind",
        "ElectionKindEnum": "elections.models.Election.Kind",
        "AllocationSourceEnum": "funding.models.Allocation.Source",
        "MembershipSourceEnum": "committees.models.Membership.Source",
        "ExpenditureCategoryEnum": "funding.models.Expenditure.Category",
        "DisclosureCategoryEnum": "governance.models.Disclosure.Category",
    },
}
