"""Settings for newsdesk, all driven by the environment (see .env.example)."""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key and not key.startswith("django-insecure") and len(key) >= 32:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of 32+ characters when DEBUG is off "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
        )
    # Local development: one random key per checkout, kept out of git, so sessions survive
    # restarts without anybody committing a key.
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",  # login lockout (newsdesk/auth.py)
    "csp",  # Content-Security-Policy (newsdesk/middleware.py)
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "articles",
    "annotations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (django-csp, with the per-path relaxations) and
    # Permissions-Policy; a request body over NEWSDESK_MAX_REQUEST_BYTES is a 413; a lost
    # database during a view is a clean 503 (see newsdesk/middleware.py).
    "newsdesk.middleware.CSPMiddleware",
    "newsdesk.middleware.PermissionsPolicyMiddleware",
    "newsdesk.middleware.RequestSizeLimitMiddleware",
    "newsdesk.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves static files itself (after collectstatic); runserver does it in DEBUG.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "newsdesk.urls"
WSGI_APPLICATION = "newsdesk.wsgi.application"

_TEMPLATE_LOADERS = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
if not DEBUG:
    _TEMPLATE_LOADERS = [("django.template.loaders.cached.Loader", _TEMPLATE_LOADERS)]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # template_partials wraps the loaders itself; listing them here keeps APP_DIRS off.
            # Listing loaders also drops Django's default cached loader: without it every
            # request parsed its templates again (a third of an htmx write, manage.py bench).
            # DEBUG keeps reading the files, so edited templates show without a restart.
            "loaders": [("template_partials.loader.Loader", _TEMPLATE_LOADERS)],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'newsdesk.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's default random_page_cost (4.0) prices an index lookup as a spinning disk
    # would. On SSDs, or with the working set in RAM, the planner then chose a sequential scan
    # of all claims to join a thousand spans to them: the workspace query took 16 ms instead
    # of 6, and grew with the archive (bench). 1.1 is the usual SSD value; PG_RANDOM_PAGE_COST
    # changes it, and an empty value leaves the server's (a pooler such as PgBouncer may
    # refuse startup options: set it on the database there, see docs/deployment.md).
    _page_cost = os.environ.get("PG_RANDOM_PAGE_COST", "1.1").strip()
    if _page_cost:
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = " ".join(
            filter(None, [_options.get("options"), f"-c random_page_cost={float(_page_cost)}"])
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is the single-user default: persistent connections buy nothing there.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # Hashed names need `collectstatic`; DEBUG and the test run serve plain names.
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Tests and `make run` serve files straight from the finders, no collectstatic needed.
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Uploads: the importer enforces its own per-file limits; these bound the request itself.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 200)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A body without files (API JSON, form fields) and the number of form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 2000)
# Any request body, files included (the reverse proxy should refuse the same; see
# docs/deployment.md): a 413 before Django reads it.
NEWSDESK_MAX_REQUEST_BYTES = env_int("NEWSDESK_MAX_REQUEST_BYTES", 256 * 1024 * 1024)

# --- newsdesk ---------------------------------------------------------------------------
# Limits on what one import accepts (bytes / members); over a limit the file fails alone.
NEWSDESK_IMPORT_MAX_BYTES = env_int("NEWSDESK_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
NEWSDESK_ZIP_MAX_MEMBERS = env_int("NEWSDESK_ZIP_MAX_MEMBERS", 1000)
NEWSDESK_ZIP_MAX_BYTES = env_int("NEWSDESK_ZIP_MAX_BYTES", 100 * 1024 * 1024)
# Regular expressions for whole lines the importer drops as boilerplate (matched
# case-insensitively against the stripped line). None means articles.importing's defaults.
NEWSDESK_BOILERPLATE_PATTERNS = None
# Run the suggesters (annotations.suggesting.article_suggest) on every newly imported article,
# in the import's transaction: it arrives with suggested quotes, mentions and claims.
NEWSDESK_SUGGEST_ON_IMPORT = env_bool("NEWSDESK_SUGGEST_ON_IMPORT", False)

# --- security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Django's sessions, read from the cache and written through to the database: with Redis a
# signed-in request reads its session without touching PostgreSQL, and nothing is lost when
# the cache is emptied.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    # HTTPS only; behind the reverse proxy, X-Forwarded-Proto says whether the client used it
    # (so the proxy must set that header, and gunicorn must not be reachable around it).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS: start lower (SECURE_HSTS_SECONDS=3600) on a first deployment, then raise it.
    # "preload" only offers the domain to browsers' preload lists; it joins one only when
    # submitted at hstspreload.org. Set SECURE_HSTS_INCLUDE_SUBDOMAINS=false if other hosts
    # of the domain still speak plain HTTP.
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# The one setting for the reverse proxies in front of the app (0: clients connect directly).
# The client address is then the entry the last proxy appended to X-Forwarded-For; with 0
# the header is ignored. DRF's throttles (REST_FRAMEWORK["NUM_PROXIES"] below) and axes'
# lockout (newsdesk.auth.client_ip) both read it, so a forged header dodges neither.
NUM_PROXIES = env_int("NUM_PROXIES", 0)

# Content-Security-Policy (django-csp). Strict: this origin only, no inline script, no eval,
# no plugins, no framing; the per-path relaxations are in newsdesk/middleware.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login lockout (django-axes; newsdesk/auth.py): failed sign-ins per username and per client
# address within the window lock further attempts on the site login, the admin login and
# POST /api/auth/token/ alike. Each failure restarts the window; a successful sign-in clears
# the username's count. Attempts live in the database (axes' tables), so every worker and
# every machine counts together.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked sign-in before a password check
    "newsdesk.auth.SessionUserBackend",  # ModelBackend, loading a session's roles with its user
]
NEWSDESK_LOGIN_FAILURES_PER_USER = env_int("NEWSDESK_LOGIN_FAILURES_PER_USER", 10)
NEWSDESK_LOGIN_FAILURES_PER_ADDRESS = env_int("NEWSDESK_LOGIN_FAILURES_PER_ADDRESS", 50)
NEWSDESK_LOGIN_LOCKOUT_SECONDS = env_int("NEWSDESK_LOGIN_LOCKOUT_SECONDS", 15 * 60)
AXES_HANDLER = "newsdesk.auth.LockoutHandler"  # axes' database handler, a limit per parameter
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = NEWSDESK_LOGIN_FAILURES_PER_USER
AXES_COOLOFF_TIME = dt.timedelta(seconds=NEWSDESK_LOGIN_LOCKOUT_SECONDS)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "newsdesk.auth.client_ip"  # the address DRF's throttles see
AXES_LOCKOUT_CALLABLE = "newsdesk.auth.lockout_response"  # 429: a page, or JSON under /api/

# The cache: throttle counts and sessions (read-through). It must be shared by every process
# that serves: Redis when REDIS_URL is set; otherwise, with DEBUG off, a table in the database
# (`manage.py createcachetable`, run by `make run`, `make bench`, the load test and the deploy
# steps); per-process memory only for DEBUG (runserver).
REDIS_URL = os.environ.get("REDIS_URL", "")
_MEMORY = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
if REDIS_URL:
    _SHARED = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsdesk"),
    }
elif DEBUG:
    _SHARED = _MEMORY
else:
    _SHARED = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "newsdesk_cache",
    }
CACHES = {
    "default": _SHARED,
    # The rendered workspace fragments ({% cache %} uses this alias). Their keys are digests
    # of everything they show (annotations/workspace.py), so a fragment never goes stale and
    # need not be shared: in Redis when there is one, else in each process's memory (a
    # database round trip per fragment would cost about what rendering saves).
    "template_fragments": _SHARED if REDIS_URL else {**_MEMORY, "LOCATION": "fragments"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
    # Session authentication enforces CSRF on writes.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "newsdesk.auth.TokenAuthentication",  # DRF's, loading the roles with the token's user
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Authenticated readers (viewers, editors) read; editors write.
    "DEFAULT_PERMISSION_CLASSES": ["newsdesk.api.EditorsWrite"],
    # JSON, and forms for the browsable API; JSON and form bodies are refused (413) past
    # DATA_UPLOAD_MAX_MEMORY_SIZE, as Django refuses form fields (multipart) past it.
    "DEFAULT_PARSER_CLASSES": [
        "newsdesk.api.JSONParser",
        "newsdesk.api.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "newsdesk.api.FilterBackend",
        "newsdesk.api.StableOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "newsdesk.api.PageNumberPagination",
    "PAGE_SIZE": 50,  # ?page_size= up to newsdesk.api.MAX_PAGE_SIZE (200)
    "DEFAULT_SCHEMA_CLASS": "newsdesk.api_views.AutoSchema",
    "EXCEPTION_HANDLER": "newsdesk.api.exception_handler",
    # Only the token endpoint is throttled (per address, and per username tried). The counts
    # live in the default cache, shared by every process (CACHES above).
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("API_AUTH_THROTTLE", "20/min"),
        "auth_username": os.environ.get("API_AUTH_USERNAME_THROTTLE", "10/min"),
    },
    # The throttles' client address: X-Forwarded-For only behind NUM_PROXIES proxies.
    "NUM_PROXIES": NUM_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Formats are negotiated with the Accept header only: an unknown ?format= would be a 404.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "newsdesk API",
    "DESCRIPTION": (
        "Articles, and the quotes, entity mentions and claims editors annotate in them. "
        "Authenticate with a session or with `Authorization: Token <key>` "
        "(POST username and password to /api/auth/token/). Members of `viewers` read, members "
        "of `editors` also write. Offsets count Unicode code points of the article body. "
        "Errors: 400 `{field: [messages]}` (or `non_field_errors`), other errors "
        "`{detail: message}`; a stale `version` on an update gives 409 with the current object."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are declared as JSON only: the form parsers serve the browsable API, and
    # client generators mishandle a body offered in three content types (issue 20).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # Swagger UI's assets come from drf-spectacular-sidecar: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "EntityKindEnum": "annotations.models.EntityKind",
        "SpanKindEnum": "annotations.models.SpanKind",
        "SpanStatusEnum": "annotations.models.SpanStatus",
        "VerdictEnum": "annotations.models.Verdict",
        "SuggestionDecisionEnum": "annotations.serializers.DECISION_CHOICES",
        "HistoryActionEnum": "annotations.models.HistoryAction",
    },
}
