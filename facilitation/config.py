"""Configuration: defaults for the embedded set-up, overridden from the environment."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def _secret_key() -> str | None:
    """SECRET_KEY from the environment, or a key kept in the instance folder for development."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = INSTANCE / "secret_key"
    if path.exists():
        return path.read_text().strip()
    return None


def database_url(url: str) -> str:
    """PostgreSQL URLs use psycopg2 (which gevent can make cooperative through psycogreen)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


class Config:
    """Embedded defaults: SQLite in the instance folder, one process, no message queue."""

    ENV = os.environ.get("COMMON_GROUND_ENV", "development")
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'common-ground.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    #: SQLite's `PRAGMA synchronous` in WAL mode. NORMAL: a commit survives the server process
    #: being killed or restarted, and the file is never corrupted; a power cut or an operating-system
    #: crash can lose the last commits (those the OS had not yet written out). FULL also survives
    #: those, at the cost of an fsync per command that the whole server waits for (docs/deployment.md).
    SQLITE_SYNCHRONOUS = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").upper()
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or None
    #: Redis pub/sub channel; processes of one deployment share it, separate deployments must not.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "common-ground")
    #: Origins allowed to open a socket; None means "the origin this server is reached at".
    CORS_ALLOWED_ORIGINS = [
        o.strip() for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if o.strip()
    ]
    #: Where links printed by the CLI point.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}")
    #: Largest Socket.IO message accepted, in bytes.
    MAX_SOCKET_MESSAGE_BYTES = int(os.environ.get("MAX_SOCKET_MESSAGE_BYTES", 64 * 1024))
    #: Seconds a process keeps the shared parts of a meeting's snapshot at one seq (snapshots.SnapshotParts);
    #: 0 reads every snapshot afresh.
    SNAPSHOT_CACHE_SECONDS = float(os.environ.get("SNAPSHOT_CACHE_SECONDS", 5))
    MAX_CONTENT_LENGTH = 256 * 1024
    #: Largest document accepted into a meeting's evidence pack (PDF, DOCX, PNG, JPEG), in bytes; the
    #: upload route alone accepts a request body this large (plus the form's own bytes), every other
    #: request keeps MAX_CONTENT_LENGTH (docs/evidence-pack.md).
    DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))
    #: A reconnecting client further behind than this gets a fresh snapshot instead of a replay.
    REPLAY_LIMIT = int(os.environ.get("REPLAY_LIMIT", 500))

    # ------------------------------------------------------------ web security (docs/security.md)
    #: Cookies: never readable by scripts, not sent with cross-site requests, only over HTTPS when
    #: the deployment is public over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = PUBLIC_URL.startswith("https://")
    #: Over HTTPS the __Host- prefix makes browsers refuse the cookie unless it is Secure, for the whole
    #: site and for this host only: a neighbouring subdomain cannot plant a session (and CSRF token).
    SESSION_COOKIE_NAME = "__Host-session" if SESSION_COOKIE_SECURE else "session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    #: CSRF tokens for forms (Flask-WTF). A token lasts a working day, so a page left open through a
    #: long meeting still posts. The Referer check for HTTPS is off: pages send no Referer (their links
    #: carry secret tokens), and the token with SameSite cookies already stops cross-site forms.
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    WTF_CSRF_SSL_STRICT = False
    #: Rate limits (Flask-Limiter). Storage: memory:// (one process), or redis://...; unset means the
    #: Socket.IO Redis when there is one, so that a limit holds across processes.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or None
    #: GET /join/<token> per client address
    JOIN_RATE_LIMIT = os.environ.get("JOIN_RATE_LIMIT", "30 per minute")
    #: POST /login per client address
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    #: each single sign-on route (/sign-in/sso...) per client address: a school's staff arrive at once from
    #: one address, and each sign-in needs a state the provider's answer must match, so it is higher
    SSO_RATE_LIMIT = os.environ.get("SSO_RATE_LIMIT", "60 per minute")
    #: Proxies in front that set X-Forwarded-For/-Proto (1 behind one nginx); 0 trusts none.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))
    #: Socket events one connection may send: this many a second on average, SOCKET_EVENT_BURST at
    #: once; one over its allowance for SOCKET_FLOOD_DISCONNECT_SECONDS is disconnected. 0 switches off.
    SOCKET_EVENTS_PER_SECOND = float(os.environ.get("SOCKET_EVENTS_PER_SECOND", 20))
    SOCKET_EVENT_BURST = float(os.environ.get("SOCKET_EVENT_BURST", 40))
    SOCKET_FLOOD_DISCONNECT_SECONDS = float(os.environ.get("SOCKET_FLOOD_DISCONNECT_SECONDS", 5))
    #: Open sockets at once per link (a phone, a laptop and a tablet, and reconnects overlapping) and per
    #: client address (a school's network shows many people as one address); 0 switches a cap off.
    MAX_SOCKETS_PER_LINK = int(os.environ.get("MAX_SOCKETS_PER_LINK", 10))
    MAX_SOCKETS_PER_ADDRESS = int(os.environ.get("MAX_SOCKETS_PER_ADDRESS", 200))
    #: How often each server process stamps the rows of its open sockets as alive, and how old a
    #: stamp may get before any other process removes the rows (the process was killed outright), in
    #: seconds; a heartbeat of 0 turns it off (services.socket_sessions, realtime.liveness).
    SOCKET_HEARTBEAT_SECONDS = float(os.environ.get("SOCKET_HEARTBEAT_SECONDS", 10))
    SOCKET_STALE_SECONDS = float(os.environ.get("SOCKET_STALE_SECONDS", 60))
    #: engine.io's pings: one every SOCKET_PING_SECONDS, and a connection that has not answered within
    #: SOCKET_PING_TIMEOUT_SECONDS is closed (its client reconnects and catches up)
    SOCKET_PING_SECONDS = float(os.environ.get("SOCKET_PING_SECONDS", 10))
    SOCKET_PING_TIMEOUT_SECONDS = float(os.environ.get("SOCKET_PING_TIMEOUT_SECONDS", 10))
    #: Sockets opening or closing in a burst (a restart's reconnect storm) have their rows written in
    #: groups, one commit each, and participants joining a live meeting in a burst their attendance (one
    #: event per meeting for each group): the first of a group waits this many seconds for others to
    #: join it (services.group_commit); 0 writes whatever is waiting at once.
    SOCKET_ROWS_GATHER_SECONDS = float(os.environ.get("SOCKET_ROWS_GATHER_SECONDS", 0.01))
    #: Security events (services.security_events): repeats of one within a minute are added to its count
    #: this many seconds later, in one write, so that a flood of refusals is not a flood of writes.
    SECURITY_EVENTS_FLUSH_SECONDS = float(os.environ.get("SECURITY_EVENTS_FLUSH_SECONDS", 10))
    #: Days the security log's counts are kept (they hold client addresses and account ids: personal
    #: data kept no longer than it is useful); `flask purge-expired` deletes older ones. 0 keeps them.
    SECURITY_LOG_RETENTION_DAYS = int(os.environ.get("SECURITY_LOG_RETENTION_DAYS", 365))

    # ------------------------------------------------------------ staff accounts
    #: this many failed sign-ins in a row lock an account for LOGIN_LOCKOUT_MINUTES
    LOGIN_LOCKOUT_FAILURES = int(os.environ.get("LOGIN_LOCKOUT_FAILURES", 5))
    LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15))
    #: a signed-in session lasts this long without "remember me"; staff sign in again each day
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_HOURS", 12)) * 3600
    #: Single sign-on (services.single_sign_on): providers' discovery documents and keys are kept this
    #: long; a token with an unknown key id fetches the keys again, at most once per the second setting.
    OIDC_CACHE_SECONDS = int(os.environ.get("OIDC_CACHE_SECONDS", 3600))
    OIDC_JWKS_REFRESH_SECONDS = int(os.environ.get("OIDC_JWKS_REFRESH_SECONDS", 30))
    OIDC_HTTP_TIMEOUT = float(os.environ.get("OIDC_HTTP_TIMEOUT", 10))
    #: Issuers must be https://. OIDC_ALLOW_HTTP=1 allows http:// too: only for tests and development
    #: against a provider on this machine, never in production (tokens and secrets would go in clear).
    OIDC_ALLOW_HTTP = os.environ.get("OIDC_ALLOW_HTTP") == "1"

    # ------------------------------------------------------------ mail and reminders (action log)
    #: smtp, or outbox: messages kept in a table and shown at /actions/<chair token>/outbox
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if os.environ.get("SMTP_HOST") else "outbox")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Common Ground <no-reply@common-ground.local>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", 587))
    #: starttls, ssl (SMTPS, usually port 465) or none (a local relay)
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "starttls")
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", 20))
    #: a failed send is tried again by later runs, up to this many attempts in all
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 3))
    #: send invitations from the server process right after the chair's command (else only by
    #: `flask send-invitations`, which also retries failed sends)
    INVITATIONS_SEND_AT_ONCE = os.environ.get("INVITATIONS_SEND_AT_ONCE", "1") not in ("0", "false", "no")
    #: owners are reminded this many days before a due or follow-up date
    REMINDER_DAYS_BEFORE = int(os.environ.get("REMINDER_DAYS_BEFORE", 3))
    #: "overdue" reminders are sent up to this many days after the due date (a sender that was down catches up)
    REMINDER_CATCH_UP_DAYS = int(os.environ.get("REMINDER_CATCH_UP_DAYS", 14))
    #: the chairs' weekly digest goes out from this weekday (0 = Monday) and local hour on
    DIGEST_WEEKDAY = int(os.environ.get("DIGEST_WEEKDAY", 0))
    DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", 8))


class TestConfig(Config):
    """Tests: a database given by the fixture, threading mode for the in-process test client."""

    ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SOCKETIO_ASYNC_MODE = "threading"
    SOCKETIO_MESSAGE_QUEUE = None
    SOCKET_ROWS_GATHER_SECONDS = 0.0  # the in-process test client opens one socket at a time
    PUBLIC_URL = "http://localhost"
    # Forms in the existing tests post without a token; tests/web/test_security.py turns it on.
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = REMEMBER_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "session"
    RATELIMIT_STORAGE_URI = "memory://"
