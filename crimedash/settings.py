"""crimedash settings: one module, every value from the environment.

With no variables set it runs as a demo: SQLite file, Celery in-process,
local-memory cache. See README.md for the variables.
"""

from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from crimedash.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    redis_neighbour,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", "development", ("development", "test", "production"))
PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "dev-only-insecure-key-crimedash-not-for-production-use-0123456789"

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the site's host names when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",  # explicit admin registration: see crimedash/admin_modules.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "leaflet",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "ingestion",
    "analytics",
    "dashboards",
    "investigations",
    "demo",
]

MIDDLEWARE = [
    "crimedash.middleware.BadRequestMiddleware",
    "crimedash.request_memo.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionExpiryMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.middleware.AuditMiddleware",
    "crimedash.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "crimedash.urls"
WSGI_APPLICATION = "crimedash.wsgi.application"
ASGI_APPLICATION = "crimedash.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- data stores -----------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
# The demo's web server, worker and dispatch simulator share one SQLite file: WAL lets readers run beside the writer,
# IMMEDIATE takes the write lock when a transaction starts (a read lock upgraded later cannot wait and fails at once
# with "database is locked"), and the timeout makes a writer wait for another instead of failing.
SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
}
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if not USING_POSTGRES:  # a sqlite:/// DATABASE_URL too
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    # PostgreSQL's default 4 MB sent a page's grouping of 40,000 LSOA-month rows to an on-disk sort (90 of its 114
    # ms at 1 M incidents); 16 MB per sort keeps such reads in memory. Imports and refreshes set their own.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c work_mem=16MB".strip()

REDIS_URL = redis_url()
if REDIS_URL:
    # Redis unreachable: reads miss and writes are dropped (crimedash.cache), so pages, sessions and throttles go on.
    CACHES = {
        "default": {
            "BACKEND": "crimedash.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
    # sessions read from Redis, written through to the database (a Redis flush signs nobody out)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif env_str("DJANGO_CACHE_DIR"):
    # Without Redis, the demo's web server, worker and dispatch simulator share a cache through files, so a refresh
    # or a dispatch update in one process makes the kept pages of another stale (scripts/serve_demo.sh sets it).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": env_str("DJANGO_CACHE_DIR")}}  # fmt: skip
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "crimedash"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Celery ------------------------------------------------------------------
# REDIS_URL gives a real broker in the next Redis database after the cache's (redis://host/3: cache 3, broker and
# results 4), so a full or flushed cache never stalls the queues; CELERY_BROKER_URL may name another (make demo uses
# kombu's filesystem transport so a worker and beat run without Redis).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", redis_neighbour(REDIS_URL))
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", redis_neighbour(REDIS_URL) or None) or None
if REDIS_URL and CELERY_BROKER_URL.rstrip("/") == REDIS_URL.rstrip("/"):
    raise ImproperlyConfigured("CELERY_BROKER_URL must not be the cache's Redis database (REDIS_URL): use another.")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = BASE_DIR / "var" / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(_queue_dir), "data_folder_out": str(_queue_dir)}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3600, minimum=1)

# --- authentication and sessions ------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.CachedPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60, minimum=60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: 5 failures for one username within 15 minutes locks it until an admin releases it.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = None
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_FAILURE_WINDOW_MINUTES = env_int("AXES_FAILURE_WINDOW_MINUTES", 15, minimum=1)
AXES_VERBOSE = False
# Failures older than the window are forgotten before axes counts (accounts/lockout.py).
AXES_HANDLER = "accounts.lockout.WindowedLockoutHandler"
# The policy locks a username, not an address: staff share NAT addresses in stations. Addresses are throttled
# instead, at a higher limit (LOGIN_ADDRESS_FAILURE_LIMIT, accounts.views.CrimedashLoginView).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Two-factor: required for admins in production; TWO_FACTOR_REQUIRED_FOR_ALL extends it to every role.
TWO_FACTOR_REQUIRED_FOR_ADMINS = env_bool("TWO_FACTOR_REQUIRED_FOR_ADMINS", PRODUCTION)
TWO_FACTOR_REQUIRED_FOR_ALL = env_bool("TWO_FACTOR_REQUIRED_FOR_ALL", False)
OTP_TOTP_ISSUER = "crimedash"

# The force's legal minimum for keeping audit records; no purge, command or beat task may go below it.
AUDIT_RETENTION_FLOOR_DAYS = env_int("AUDIT_RETENTION_FLOOR_DAYS", 365, minimum=1)
AUDIT_RETENTION_DAYS = env_int(
    "AUDIT_RETENTION_DAYS", max(365, AUDIT_RETENTION_FLOOR_DAYS), minimum=AUDIT_RETENTION_FLOOR_DAYS
)

# API tokens stop working this many days after they are issued (an admin issues a new one).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30, minimum=1)

# Sign-in attempts refused from one address after this many failed logins within the window (any usernames).
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
LOGIN_ADDRESS_WINDOW_MINUTES = env_int("LOGIN_ADDRESS_WINDOW_MINUTES", 10, minimum=1)
# Enrolling a TOTP device needs a sign-in this recent, so a borrowed session cannot enrol the thief's phone.
TWO_FACTOR_ENROL_WITHIN_SECONDS = env_int("TWO_FACTOR_ENROL_WITHIN_SECONDS", 600, minimum=60)

# /health/ answers 503 when the last analytics refresh is older than this (beat refreshes hourly).
HEALTH_REFRESH_MAX_AGE_HOURS = env_int("HEALTH_REFRESH_MAX_AGE_HOURS", 25, minimum=1)

# --- email (password reset) --------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crimedash <noreply@localhost>")

# --- REST API --------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "crimedash.drf.BoundedLimitOffsetPagination",
    "DEFAULT_PARSER_CLASSES": [
        "crimedash.drf.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("API_THROTTLE_RATE", "6000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "crimedash API",
    "DESCRIPTION": "Crime, demand and investigation data, scoped to the caller's role and unit.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # several models have a `status` with their own choices: name each enum after its model
    "ENUM_NAME_OVERRIDES": {
        "ImportRunStatusEnum": "ingestion.models.ImportRun.Status",
        "DispatchStatusEnum": "ingestion.models.DispatchUpdate.Status",
        "InvestigationStatusEnum": "investigations.models.Investigation.Status",
    },
}

# --- deployment: the coverage model and plans sent to dispatch -----------------------

# Coverage: share of forecast demand within this travel time of a staged unit; the expected response time adds the
# dispatch delay. Travel time = straight-line km x detour / the speed of the BCU's area type (DEPLOYMENT_AREA_TYPES
# as "E09000033=urban,E06000001=rural"; unlisted BCUs are urban).
DEPLOYMENT_TARGET_MINUTES = env_int("DEPLOYMENT_TARGET_MINUTES", 8, minimum=1)
DEPLOYMENT_DISPATCH_DELAY_MINUTES = env_int("DEPLOYMENT_DISPATCH_DELAY_MINUTES", 2, minimum=0)
DEPLOYMENT_DETOUR_PERCENT = env_int("DEPLOYMENT_DETOUR_PERCENT", 130, minimum=100)
DEPLOYMENT_SPEEDS_KMH = {
    "urban": env_int("DEPLOYMENT_SPEED_URBAN_KMH", 25, minimum=1),
    "suburban": env_int("DEPLOYMENT_SPEED_SUBURBAN_KMH", 40, minimum=1),
    "rural": env_int("DEPLOYMENT_SPEED_RURAL_KMH", 60, minimum=1),
}
DEPLOYMENT_AREA_TYPES = dict(item.partition("=")[::2] for item in env_list("DEPLOYMENT_AREA_TYPES", []))
if not set(DEPLOYMENT_AREA_TYPES.values()) <= set(DEPLOYMENT_SPEEDS_KMH):
    raise ImproperlyConfigured("DEPLOYMENT_AREA_TYPES: each entry is CODE=urban, CODE=suburban or CODE=rural.")
# An accepted plan is POSTed here, signed with HMAC-SHA256 of the body under the secret; nothing is sent when unset.
DISPATCH_PLAN_URL = env_str("DISPATCH_PLAN_URL", "")
DISPATCH_PLAN_SECRET = env_str("DISPATCH_PLAN_SECRET", "")
if DISPATCH_PLAN_URL and not DISPATCH_PLAN_SECRET:
    raise ImproperlyConfigured("DISPATCH_PLAN_URL is set but DISPATCH_PLAN_SECRET is empty: plans must be signed.")
DISPATCH_PLAN_TIMEOUT_SECONDS = env_int("DISPATCH_PLAN_TIMEOUT_SECONDS", 10, minimum=1)

# --- internationalisation --------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- static files ------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = BASE_DIR / "var" / "media"

# Map tiles: a configurable URL; empty means a plain background with no tiles.
MAP_TILES_URL = env_str("MAP_TILES_URL", "")
LEAFLET_CONFIG = {
    "TILES": [("Streets", MAP_TILES_URL, {"attribution": env_str("MAP_TILES_ATTRIBUTION", "")})]
    if MAP_TILES_URL
    else [],
    "DEFAULT_CENTER": (51.51, -0.12),
    "DEFAULT_ZOOM": 11,
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

# Content-Security-Policy: scripts only from this site (no inline script); map tiles from MAP_TILES_URL's host.
_TILE_ORIGIN = "{0.scheme}://{0.netloc}".format(urlparse(MAP_TILES_URL.replace("{s}", "a"))) if MAP_TILES_URL else ""
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Plotly and Leaflet position their elements with style attributes
        f"img-src 'self' data: blob: {_TILE_ORIGIN}".strip(),
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- production hardening ----------------------------------------------------

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

DEMO_DATA_DIR = Path(env_str("DEMO_DATA_DIR", str(BASE_DIR / "demo-data")))
SHARED_DATA_DIR = Path(env_str("CRIMEDASH_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data")))
