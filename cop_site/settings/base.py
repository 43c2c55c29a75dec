"""Settings shared by every environment; values that differ come from the environment."""

import os
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "cop_site",
    "communities",
    "library",
    "newsletters",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cop_site.security.ContentSecurityPolicyMiddleware",
    "cop_site.security.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx: answer htmx requests with a fragment
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cop_site.database.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "cop_site.urls"
WSGI_APPLICATION = "cop_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "communities.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
# How long a request waits for a row another transaction has locked before giving up (cop_site/database.py).
if "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={int(os.environ.get('DATABASE_LOCK_TIMEOUT_MS', '5000'))}"
    )
    # Parameters sent apart from the SQL, so that a query a connection runs again is prepared (psycopg prepares it on
    # its second run) and, after PostgreSQL's first five custom plans, planned once: planning was 5-13 ms of the
    # member home (docs/scale-out.md). DATABASE_PREPARED_STATEMENTS=false turns preparing off, for a connection pooler
    # that can't keep prepared statements (PgBouncer before 1.21).
    DATABASES["default"]["OPTIONS"].update(
        server_side_binding=True,
        prepare_threshold=2 if os.environ.get("DATABASE_PREPARED_STATEMENTS", "true").lower() != "false" else None,
    )
# Covering indexes (the library listing's INCLUDE columns) are a PostgreSQL speed-up; SQLite builds them without the
# extra columns, which is all the embedded default needs, so its warning about that is not shown.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's and allauth's sign-in, loading the signed-in user with what every page asks of them in one query.
AUTHENTICATION_BACKENDS = [
    "cop_site.auth_backend.ModelBackend",
    "cop_site.auth_backend.AuthenticationBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Shared decks and their slide images: never served directly, only through permission-checked views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Email: EMAIL_URL such as smtp://user:pass@host:587/?tls=True, console: or dummy:.
_email = dj_email_url.parse(os.environ.get("EMAIL_URL", "console:"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Practice Exchange <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# One node's URL, or a cluster's nodes' URLs joined by commas (requests go round them, past any that is down).
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
# Replicas of the search index at most: none while there is one node, up to this many as nodes join; or "all".
ELASTICSEARCH_REPLICAS = os.environ.get("ELASTICSEARCH_REPLICAS", "1")
SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "cop-site")
# The cache every process shares (see CACHES below): a Redis server's URL, such as redis://127.0.0.1:6379/0.
REDIS_URL = os.environ.get("REDIS_URL", "")
# A Redis server for the task queue instead of the database; not the cache's Redis, which may evict keys.
TASKS_REDIS_URL = os.environ.get("TASKS_REDIS_URL", "")

# Background work: the database queue, drained by `manage.py db_worker` (started by `make run`); with
# TASKS_REDIS_URL, an RQ queue drained by `manage.py rqworker --job-class django_tasks_rq.Job` (docs/scale-out.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if TASKS_REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # RQ stops a job still running after this long: the time after which a deck counts as abandoned (see below).
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 15 * 60}}

# Accounts (django-allauth): email is the login; browsing works before verification, posting needs it.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "cop_site.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "optional"  # except sign-up, which waits for it: cop_site.accounts.SignupView
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "cop_site.accounts.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Practice Exchange] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = os.environ.get("SITE_PROTOCOL", "http")
LOGIN_REDIRECT_URL = "member_home"  # /my/; a safe `next=` still wins
LOGIN_URL = "account_login"

# Rate-limit counters (ours and allauth's), case-study submission keys, Wagtail's site root paths, image renditions
# and redirect imports. Each process has its own local-memory cache unless REDIS_URL names one they all share, as
# several worker processes or servers need (docs/scale-out.md).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

# Browser-enforced limits, in every environment so tests and `make run` meet the policy production sends.
# No inline script or style anywhere on the public site: behaviour lives in static files, data in json_script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# The Wagtail admin (editors and staff only) ships inline scripts and style attributes in its own templates and
# widgets, frames its own previews and shows uploaded images as blob: URLs; these directives replace the ones above
# under CONTENT_SECURITY_POLICY_ADMIN_PREFIXES only (see cop_site/security.py and SECURITY.md).
CONTENT_SECURITY_POLICY_ADMIN_DIRECTIVES = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "frame-src": [SELF],
    "frame-ancestors": [SELF],
}
CONTENT_SECURITY_POLICY_ADMIN_PREFIXES = ("/admin/",)
# A page previewed in the admin is framed by the editor, and a roundup's email preview is inline-styled HTML;
# scripts stay as strict as on the live page.
CONTENT_SECURITY_POLICY_PREVIEW_DIRECTIVES = {
    "style-src": [SELF, UNSAFE_INLINE],
    "frame-ancestors": [SELF],
}
# Features no page of ours uses; a script that slipped in still cannot reach them.
PERMISSIONS_POLICY = {
    feature: [] for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "publickey-credentials-get", "screen-wake-lock", "usb", "xr-spatial-tracking",
    )
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

WAGTAIL_SITE_NAME = "Practice Exchange"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "pptx"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The admin shows initials, not Gravatar pictures: no member's email hash goes to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# A facilitator's approval of a case study publishes it, though facilitators have no page permissions.
WAGTAIL_FINISH_WORKFLOW_ACTION = "library.workflow_finish.publish_workflow_state"

# Uploads: avatars are images, checked by Pillow; a hard cap keeps requests small.
AVATAR_MAX_BYTES = 2 * 1024 * 1024
DECK_MAX_BYTES = int(os.environ.get("DECK_MAX_BYTES", 50 * 1024 * 1024))
# Work done on one deck is bounded whatever its size: text from at most this many pages, this many characters.
DECK_TEXT_MAX_PAGES = 300
DECK_TEXT_MAX_CHARS = 200_000
DECK_PREVIEW_PAGES = 12
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
# Abuse limits (cop_site/ratelimit.py): a member may post at most this many times a minute, and so on.
FORUM_POSTS_PER_MINUTE = 6
FORUM_FLAGS_PER_HOUR = 10
LIBRARY_UPLOADS_PER_HOUR = 10
# Per user and per IP address; autocomplete asks as the user types, so it may ask more often.
SEARCH_REQUESTS_PER_MINUTE = 60
SEARCH_SUGGESTIONS_PER_MINUTE = 120

# Roundup sending: attempts before giving up on a recipient, seconds before the first retry (doubled for each
# further one), and seconds after which a claimed or handed-out delivery counts as lost and is taken up again.
ROUNDUP_MAX_ATTEMPTS = 5
ROUNDUP_RETRY_BACKOFF = 300
ROUNDUP_CLAIM_TIMEOUT = 15 * 60
ROUNDUP_REQUEUE_AFTER = 15 * 60

# Deck processing: seconds after which a deck still "being processed" counts as abandoned by a worker that died,
# and how many runs a deck gets before it is marked failed rather than taken up again.
DECK_PROCESSING_TIMEOUT = 15 * 60
DECK_MAX_ATTEMPTS = 3

# Seconds after which a notification email claimed by a run that never finished is taken over by another.
NOTIFICATION_CLAIM_TIMEOUT = 10 * 60

# Local hour at which run_periodic sends the daily notification digests.
DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "7"))
