"""Configuration, read from environment variables.

One base class holds every setting with its default; the development, testing and production
variants change only what differs. ``config_for(name)`` picks one by name (``LEERKRING_ENV``).
"""
import os
from datetime import timedelta

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
INSECURE_DEFAULT_KEY = "dev-only-insecure-key"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_KEY)
    # Empty means: SQLite file in the instance folder (set up in create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    # Connections per process: enough for the server's concurrency (threads in the embedded
    # default, greenlets with gevent); past size + overflow a request waits DB_POOL_TIMEOUT
    # seconds for one and is then answered 503 (never a 500, never half a minute).
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": True,
        "pool_size": int(os.environ.get("DB_POOL_SIZE", "10")),
        "max_overflow": int(os.environ.get("DB_MAX_OVERFLOW", "20")),
        "pool_timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }
    REDIS_URL = os.environ.get("REDIS_URL", "")
    HOST = os.environ.get("HOST", "127.0.0.1")
    PORT = int(os.environ.get("PORT", "5000"))

    # Sessions and cookies (DESIGN.md security baseline).
    SESSION_COOKIE_NAME = "leerkring_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = timedelta(days=int(os.environ.get("SESSION_DAYS", "14")))
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Forms
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, which expires on its own
    WTF_CSRF_CHECK_DEFAULT = False  # checked in security.py, which exempts Bearer API calls
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    # Languages: Dutch first, English complete.
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Europe/Amsterdam")
    LANGUAGES = ("nl", "en")

    # Rate limits (Flask-Limiter); storage is Redis when REDIS_URL is set.
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: the limiter counts in this process's memory meanwhile, with the same limits
    # (Flask-Limiter logs the switch, checks Redis again with growing pauses of up to about half a
    # minute, and goes back to it); an error in the limiter never fails the request itself.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_REDIS_TIMEOUT = float(os.environ.get("RATELIMIT_REDIS_TIMEOUT", "1"))
    # Database out of reach: 503 with this Retry-After (seconds).
    UNAVAILABLE_RETRY_AFTER = int(os.environ.get("UNAVAILABLE_RETRY_AFTER", "30"))
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 10 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 10 minutes")
    # A browser that logged in to an account is not held back by that account's limit for this
    # long (community/auth/known_browser.py), so strangers cannot lock the owner out.
    KNOWN_BROWSER_DAYS = int(os.environ.get("KNOWN_BROWSER_DAYS", "180"))
    REGISTER_LIMIT_PER_ADDRESS = os.environ.get("REGISTER_LIMIT_PER_ADDRESS", "10 per hour")
    # The learning-culture scan's open link and code form (per address).
    SCAN_LIMIT_PER_ADDRESS = os.environ.get("SCAN_LIMIT_PER_ADDRESS", "60 per hour")
    SCAN_CODE_LIMIT_PER_ADDRESS = os.environ.get("SCAN_CODE_LIMIT_PER_ADDRESS", "30 per 10 minutes")
    # The @mention autocomplete asks while one types (per user).
    PEOPLE_SEARCH_LIMIT = os.environ.get("PEOPLE_SEARCH_LIMIT", "120 per minute")

    # Live updates. "threading" for the embedded default, "gevent" in production.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "leerkring")
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host (0 = none). Then
    # per-address limits count each visitor, not the proxy.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # Background jobs (community.jobs): "sqlite" (a file in the instance folder), "redis" (the
    # default when REDIS_URL is set) or "immediate" (tests). Workers: threads per consumer.
    JOBS_STORE = os.environ.get("JOBS_STORE", "")
    JOBS_WORKERS = int(os.environ.get("JOBS_WORKERS", "2"))
    # Mail (community/mail). No MAIL_SERVER (the embedded default): mails are kept in the outbox
    # an admin reads (Admin > Mail) instead of being sent. MAIL_USE_STARTTLS upgrades a plain
    # connection (port 587); MAIL_USE_TLS connects with TLS from the start (port 465).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_STARTTLS = env_bool("MAIL_USE_STARTTLS", True)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Leerkring <noreply@leerkring.localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "15"))
    # Sent mail is deleted after this many days (a nightly job); waiting and failed mail stays.
    MAIL_RETENTION_DAYS = int(os.environ.get("MAIL_RETENTION_DAYS", "30"))
    # The hour (0-23, Europe/Amsterdam local time, summer and winter) the daily and weekly
    # digests go out.
    DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "7"))
    # The site's address as people reach it, for the links in mails. Never taken from a request's
    # Host header (a forged one would put someone else's site in a password-reset link).
    BASE_URL = os.environ.get("BASE_URL", "")
    # "Forgot password": requests per IP address and per e-mail address typed.
    RESET_LIMIT_PER_ADDRESS = os.environ.get("RESET_LIMIT_PER_ADDRESS", "10 per hour")
    RESET_LIMIT_PER_ACCOUNT = os.environ.get("RESET_LIMIT_PER_ACCOUNT", "3 per hour")
    # Changing the login address: requests (each sends a mail) per account.
    EMAIL_CHANGE_LIMIT = os.environ.get("EMAIL_CHANGE_LIMIT", "5 per hour")
    # Searches per signed-in user, the page /zoeken and GET /api/v1/search together.
    SEARCH_LIMIT_PER_USER = os.environ.get("SEARCH_LIMIT_PER_USER", "60 per minute")
    # Retention (README "Retention", the privacy page): the hourly retention job deletes, after
    # this many days, live-update log rows; notifications once read (unread ones after the
    # second period); invitations after they expired or were revoked; data exports.
    EVENT_RETENTION_DAYS = int(os.environ.get("EVENT_RETENTION_DAYS", "14"))
    NOTIFICATION_RETENTION_DAYS = int(os.environ.get("NOTIFICATION_RETENTION_DAYS", "90"))
    UNREAD_NOTIFICATION_RETENTION_DAYS = int(os.environ.get("UNREAD_NOTIFICATION_RETENTION_DAYS", "365"))
    INVITATION_RETENTION_DAYS = int(os.environ.get("INVITATION_RETENTION_DAYS", "30"))
    EXPORT_RETENTION_DAYS = int(os.environ.get("EXPORT_RETENTION_DAYS", "7"))
    # The privacy statement's version (/privacy): registration records which one was accepted.
    # Raise it when the statement changes in substance.
    PRIVACY_VERSION = "2026-12"

    # Anti-abuse (README "Moderation"): reports per member per hour; posts (discussions, replies,
    # cases) per member per minute and per hour, stricter for accounts younger than a day;
    # the same text twice within a few minutes is refused; new accounts may add few links.
    REPORTS_PER_HOUR = int(os.environ.get("REPORTS_PER_HOUR", "10"))
    POSTS_PER_MINUTE = int(os.environ.get("POSTS_PER_MINUTE", "6"))
    POSTS_PER_HOUR = int(os.environ.get("POSTS_PER_HOUR", "60"))
    NEW_ACCOUNT_POSTS_PER_MINUTE = int(os.environ.get("NEW_ACCOUNT_POSTS_PER_MINUTE", "4"))
    NEW_ACCOUNT_POSTS_PER_HOUR = int(os.environ.get("NEW_ACCOUNT_POSTS_PER_HOUR", "20"))
    NEW_ACCOUNT_HOURS = int(os.environ.get("NEW_ACCOUNT_HOURS", "24"))
    NEW_ACCOUNT_LINKS_MAX = int(os.environ.get("NEW_ACCOUNT_LINKS_MAX", "2"))
    DUPLICATE_POST_MINUTES = int(os.environ.get("DUPLICATE_POST_MINUTES", "5"))

    # OpenAPI document (flask-smorest)
    API_TITLE = "Leerkring API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    PASSWORD_MIN_LENGTH = 10
    PASSWORD_MAX_LENGTH = 256
    SEED_DEMO_PASSWORD = os.environ.get("SEED_DEMO_PASSWORD", "leerkring-demo")


class DevelopmentConfig(Config):
    DEBUG = False  # the Werkzeug debugger stays off even in development; use logs


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "")
    RATELIMIT_STORAGE_URI = "memory://"
    # Limits stay on in tests (so the mechanism is exercised) but high; tests that check a
    # limit lower it for their duration.
    LOGIN_LIMIT_PER_ADDRESS = "10000 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "10000 per minute"
    REGISTER_LIMIT_PER_ADDRESS = "10000 per minute"
    RESET_LIMIT_PER_ADDRESS = RESET_LIMIT_PER_ACCOUNT = EMAIL_CHANGE_LIMIT = SEARCH_LIMIT_PER_USER = "10000 per minute"
    PEOPLE_SEARCH_LIMIT = "10000 per minute"
    REDIS_URL = ""
    MAIL_SERVER = ""  # the outbox; tests of SMTP start their own server (tests/mailserver.py)
    BASE_URL = "http://leerkring.test"
    POSTS_PER_MINUTE = POSTS_PER_HOUR = 10000
    NEW_ACCOUNT_POSTS_PER_MINUTE = NEW_ACCOUNT_POSTS_PER_HOUR = 10000
    NEW_ACCOUNT_LINKS_MAX = 10000
    DUPLICATE_POST_MINUTES = 0
    PASSWORD_HASH_FAST = True  # cheaper argon2 parameters so the suite stays quick
    # Jobs run right after the commit that queues them (tests of the queue itself use the real
    # SQLite and Redis storages with a consumer: tests/test_jobs.py).
    JOBS_STORE = "immediate"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")

    @classmethod
    def check(cls):
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == INSECURE_DEFAULT_KEY or len(key) < 32:
            raise RuntimeError(
                "Production needs SECRET_KEY set to a random value of at least 32 characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name=None):
    name = name or os.environ.get("LEERKRING_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown LEERKRING_ENV {name!r}; choose one of {sorted(CONFIGS)}")
