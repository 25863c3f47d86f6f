"""Configuration classes, read from the environment.

`create_app` picks one from `LMS_ENV` (development, test, production) unless it is given one.
"""

import os
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development only


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "SQLite in the instance folder", resolved by create_app once the
    # instance path is known.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # A pooled connection idle this long is checked before use (see ping_idle_connections).
    DATABASE_PING_AFTER_IDLE_SECONDS = float(
        os.environ.get("DATABASE_PING_AFTER_IDLE_SECONDS", "5")
    )
    # SQLite: how long a writing request waits for another's write lock before a 503.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "10000"))
    # The platform's public address: the xAPI actor's homePage and the default base of
    # activity ids. Changing it after statements exist breaks the link between them.
    LMS_BASE_URL = os.environ.get("LMS_BASE_URL", "http://localhost:5000").rstrip("/")
    XAPI_ACTIVITY_BASE = os.environ.get("XAPI_ACTIVITY_BASE")
    XAPI_PLATFORM = "Parcours"
    # An outside LRS that receives a copy of every stored statement (None: no forwarding).
    XAPI_FORWARD_URL = os.environ.get("XAPI_FORWARD_URL") or None
    XAPI_FORWARD_USERNAME = os.environ.get("XAPI_FORWARD_USERNAME")
    XAPI_FORWARD_PASSWORD = os.environ.get("XAPI_FORWARD_PASSWORD")
    XAPI_FORWARD_BATCH = int(os.environ.get("XAPI_FORWARD_BATCH", "100"))
    # How long a worker trusts an LRS client it has checked (0: check every request). A
    # client deactivated on the admin page is refused by every worker within this delay.
    CLIENT_CACHE_SECONDS = float(os.environ.get("LRS_CLIENT_CACHE_SECONDS", "5"))
    COURSES_DIR = os.environ.get("LMS_COURSES_DIR", str(ROOT / "courses"))
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")
    # Where the accessibility statement tells people to report a barrier (RGAA: a contact).
    ACCESSIBILITY_CONTACT = os.environ.get(
        "ACCESSIBILITY_CONTACT", "accessibilite@parcours.localhost"
    )
    # Relative to the lms package (the app's root path), so an installed package finds its
    # catalogs too. The compiled .mo files are committed: see docs/translations.md.
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    PLATFORM_NAME = os.environ.get("LMS_PLATFORM_NAME", "Parcours")
    # "file" writes each message as an .eml file into MAIL_FILE_DIR (default: the instance
    # folder's mail/); "smtp" sends through MAIL_SERVER.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1") not in {"0", "false", "no"}
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Parcours <no-reply@parcours.localhost>")
    # Uploaded resource files, outside the web root (default: instance/uploads).
    UPLOADS_DIR = os.environ.get("UPLOADS_DIR")
    UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
    # The largest request body any route reads (a 413 past it): an upload and the form
    # around it. The package import raises it for its own route (views/packages.py).
    MAX_CONTENT_LENGTH = int(
        os.environ.get("MAX_CONTENT_LENGTH", str(UPLOAD_MAX_BYTES + 10 * 1024 * 1024))
    )
    # Private signing keys of the Open Badges credentials (default: instance/keys).
    CERTIFICATE_KEYS_DIR = os.environ.get("CERTIFICATE_KEYS_DIR")
    # Rate limits (Flask-Limiter); production should point the storage at a shared server.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute;300 per hour")
    # Personal data (lms.privacy): a learner's account inactive for ACCOUNT_RETENTION_DAYS is
    # warned by e-mail, then erased RETENTION_WARNING_DAYS later if still inactive.
    ACCOUNT_RETENTION_DAYS = int(os.environ.get("ACCOUNT_RETENTION_DAYS", str(3 * 365)))
    RETENTION_WARNING_DAYS = int(os.environ.get("RETENTION_WARNING_DAYS", "30"))
    # Who answers for the personal data, shown on the privacy page.
    PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "L'association qui édite Parcours")
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "dpo@parcours.localhost")
    # Login: failed attempts per account (whatever the address they come from) and every
    # attempt per address; requests that send mail (password reset, registration) per address
    # and per account (no mail bombing). Flask-Limiter syntax, ";" between limits.
    LOGIN_RATE_LIMIT_ACCOUNT = os.environ.get(
        "LOGIN_RATE_LIMIT_ACCOUNT", "5 per minute;20 per hour"
    )
    LOGIN_RATE_LIMIT_IP = os.environ.get("LOGIN_RATE_LIMIT_IP", "30 per minute;200 per hour")
    RESET_RATE_LIMIT_IP = os.environ.get("RESET_RATE_LIMIT_IP", "5 per minute;30 per hour")
    RESET_RATE_LIMIT_ACCOUNT = os.environ.get("RESET_RATE_LIMIT_ACCOUNT", "3 per hour")
    # How long a registration confirmation link stays valid, in seconds.
    REGISTRATION_MAX_AGE = int(os.environ.get("REGISTRATION_MAX_AGE", str(2 * 24 * 3600)))
    # How long a password reset link stays valid, in seconds.
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))
    # Strict-Transport-Security max-age (seconds); None sends no header (see ProdConfig).
    HSTS_MAX_AGE: int | None = None
    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Argon2id cost, per RFC 9106's second recommended option (64 MiB, 3 passes).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # Logs (lms.core.request_log): "json" (one object per line), "text", or "" to leave
    # logging as the host configured it.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    # How many reverse proxies stand in front of the app and set X-Forwarded-For/-Proto/-Host
    # (and X-Request-ID). 0: none, the headers are ignored, as a client could forge them; rate
    # limits then count per proxy address, not per client.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))


class DevConfig(Config):
    SECRET_KEY = Config.SECRET_KEY or DEV_SECRET_KEY


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    LMS_BASE_URL = "https://parcours.test"
    # pytest captures the log records; a handler of ours would only print them again.
    LOG_FORMAT = ""
    WTF_CSRF_ENABLED = False
    # The rate limit has its own test, which lowers it; other tests verify freely.
    VERIFY_RATE_LIMIT = "10000 per minute"
    LOGIN_RATE_LIMIT_ACCOUNT = LOGIN_RATE_LIMIT_IP = "10000 per minute"
    RESET_RATE_LIMIT_IP = RESET_RATE_LIMIT_ACCOUNT = "10000 per minute"
    # Cheap hashing keeps the suite fast; the scheme (argon2id) stays the same.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProdConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", str(365 * 24 * 3600)))

    @classmethod
    def check(cls, environ: Mapping[str, str] = os.environ) -> None:
        """Refuse to start, naming every setting missing or unfit for production."""
        problems = production_problems(environ)
        if problems:
            raise RuntimeError(
                "Production configuration refuses to start:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
            )


MIN_SECRET_KEY_LENGTH = 32


def production_problems(environ: Mapping[str, str]) -> list[str]:
    """What production cannot run without, as read from the environment."""
    problems = []
    secret = environ.get("SECRET_KEY", "")
    if not secret:
        problems.append(
            "SECRET_KEY is not set (signs sessions and forms; generate one with "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    elif secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY is too weak (the development key, or under {MIN_SECRET_KEY_LENGTH} "
            "characters)"
        )
    if not environ.get("DATABASE_URL"):
        problems.append("DATABASE_URL is not set (e.g. postgresql://user@host/parcours)")
    base_url = environ.get("LMS_BASE_URL", "")
    if not base_url:
        problems.append(
            "LMS_BASE_URL is not set (the platform's public address, e.g. "
            "https://parcours.example.org; xAPI ids are built from it)"
        )
    elif not base_url.startswith(("https://", "http://")):
        problems.append(f"LMS_BASE_URL is not an http(s) address: {base_url!r}")
    if environ.get("MAIL_BACKEND", "file") == "smtp":
        if not environ.get("MAIL_SERVER"):
            problems.append("MAIL_SERVER is not set (MAIL_BACKEND is smtp)")
        if not environ.get("MAIL_FROM"):
            problems.append("MAIL_FROM is not set (MAIL_BACKEND is smtp)")
        if environ.get("MAIL_USERNAME") and not environ.get("MAIL_PASSWORD"):
            problems.append("MAIL_PASSWORD is not set (MAIL_USERNAME is)")
    return problems


def production_warnings(environ: Mapping[str, str]) -> list[str]:
    """Settings production runs with, but probably should not."""
    warnings = []
    if environ.get("MAIL_BACKEND", "file") == "file":
        warnings.append(
            "MAIL_BACKEND is 'file': e-mails are written to files, not sent (set "
            "MAIL_BACKEND=smtp and MAIL_SERVER)"
        )
    if environ.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        warnings.append(
            "RATELIMIT_STORAGE_URI is memory://: each worker counts on its own, so limits are "
            "multiplied by the number of workers and servers (use redis:// or memcached://)"
        )
    return warnings


CONFIGS: dict[str, type[Config]] = {
    "development": DevConfig,
    "test": TestConfig,
    "production": ProdConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("LMS_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"LMS_ENV={name!r} is not one of: {', '.join(CONFIGS)}") from None


__all__ = [
    "Config",
    "DevConfig",
    "ProdConfig",
    "TestConfig",
    "config_from_env",
    "production_problems",
    "production_warnings",
]
