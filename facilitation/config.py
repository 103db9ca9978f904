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
    MAX_CONTENT_LENGTH = 256 * 1024
    #: A reconnecting client further behind than this gets a fresh snapshot instead of a replay.
    REPLAY_LIMIT = 500
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"


class TestConfig(Config):
    """Tests: a database given by the fixture, threading mode for the in-process test client."""

    ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SOCKETIO_ASYNC_MODE = "threading"
    SOCKETIO_MESSAGE_QUEUE = None
    PUBLIC_URL = "http://localhost"
