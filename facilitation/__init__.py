"""Common Ground: the live meeting room for multi-agency SEND reviews."""

from __future__ import annotations

import os
import secrets
from functools import partial
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import event
from werkzeug.routing import IntegerConverter

from . import assets, json_input, security
from .config import INSTANCE, ROOT, Config
from .extensions import db, migrate, socketio
from .schemas import MAX_ID


class CommonGround(Flask):
    """Flask, but a Socket.IO event's request context matches no route.

    Flask-SocketIO runs each socket event in a request context made from the socket's handshake
    (`/socket.io/...`, a path the Socket.IO server answers before Flask's routes are reached). Flask
    would match that path against every route for each event and keep the "not found" it raises:
    about 0.02 ms an event for nothing, as no socket handler builds URLs or reads the matched route.
    """

    def create_url_adapter(self, request):
        if request is not None and request.environ.get("PATH_INFO", "").startswith(SOCKETIO_PATH):
            return None
        return super().create_url_adapter(request)


#: where the Socket.IO server is mounted (Flask-SocketIO's default)
SOCKETIO_PATH = "/socket.io/"


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the app: config, database, socket handlers, message queue, blueprints, CLI."""
    app = CommonGround(
        __name__,
        instance_path=str(INSTANCE),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    # Path ids out of the database's range are "not found" (404), never an overflow (500); before
    # any blueprint, so that every `<int:...>` rule uses it.
    app.url_map.converters["int"] = IdConverter
    app.config.from_object(config or Config)
    app.config.update(overrides)
    app.json = json_input.JsonProvider(app)  # a nesting limit on what clients send
    app.json.sort_keys = False
    assets.init_app(app)  # versioned static URLs, long caching, gzip for JS and CSS
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV"] == "production":
            raise RuntimeError("SECRET_KEY must be set in production.")
        app.config["SECRET_KEY"] = _development_secret()

    # JSON columns (events, audit entries, command outcomes: several per command) written by orjson
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "json_serializer": json_input.compact_text,
        **(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}),
    }
    db.init_app(app)
    _configure_sqlite(app)
    migrate.init_app(app, db, directory=str(ROOT / "facilitation" / "migrations"))
    # Imported here rather than at the top: Python runs this file before any module of the package,
    # and importing the pure domain (the unit tests, the benchmarks) should not load every blueprint.
    from . import auth, cli
    from .api import bp as api_bp
    from .realtime import connections  # noqa: F401  (importing it registers the socket handlers)
    from .services import single_sign_on
    from .views import accounts, actions, admin, data_protection, deployment, errors, meetings, minutes, room
    from .views import single_sign_on as single_sign_on_views

    auth.init_app(app)
    single_sign_on.init_app(app)

    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        channel=app.config["SOCKETIO_CHANNEL"],
        cors_allowed_origins=allowed_origins(app),
        max_http_buffer_size=app.config["MAX_SOCKET_MESSAGE_BYTES"],
        ping_interval=app.config["SOCKET_PING_SECONDS"],
        ping_timeout=app.config["SOCKET_PING_TIMEOUT_SECONDS"],
        json=json_input.SocketJson,
    )
    from .realtime.broadcast import SocketPacket

    socketio.server.packet_class = SocketPacket  # JSON made once per packet (realtime.broadcast)
    security.init_app(app)  # headers and CSP, CSRF, rate limits: docs/security.md (after sockets: ProxyFix wraps them)
    # The JSON API authenticates with `Authorization: Bearer <link or API token>`: a page on another site
    # cannot make the browser add that header, so there is no cross-site request to forge, and API clients
    # have no form to take a CSRF token from. An API request that relies on a signed-in session cookie
    # instead is still checked (security._csrf_for_cookie_api_requests).
    security.csrf.exempt(api_bp)

    app.register_blueprint(accounts.bp)
    app.register_blueprint(single_sign_on_views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(data_protection.bp)
    app.register_blueprint(deployment.bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(room.bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(actions.bp)
    app.register_blueprint(minutes.bp)
    errors.register(app)
    cli.register(app)
    return app


class IdConverter(IntegerConverter):
    """`<int:...>` in a URL: a whole number from 0 up to the largest id the database holds."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's own parameter name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def allowed_origins(app: Flask) -> list[str]:
    """The explicit list of browser origins that may open a socket (never empty, never '*')."""
    origins = list(app.config.get("CORS_ALLOWED_ORIGINS") or [])
    if not origins:
        public = urlsplit(app.config["PUBLIC_URL"])
        origins.append(f"{public.scheme}://{public.netloc}")
        if public.hostname in ("127.0.0.1", "localhost"):
            port = f":{public.port}" if public.port else ""
            origins += [f"{public.scheme}://127.0.0.1{port}", f"{public.scheme}://localhost{port}"]
    return sorted(set(origins))


def _development_secret() -> str:
    """A random key kept in the instance folder, so development links survive restarts."""
    os.makedirs(INSTANCE, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


SQLITE_SYNCHRONOUS_LEVELS = ("NORMAL", "FULL", "EXTRA")


def _configure_sqlite(app: Flask) -> None:
    """SQLite: WAL, the configured sync level, foreign keys and a busy wait on every connection."""
    level = app.config.get("SQLITE_SYNCHRONOUS", "NORMAL")
    if level not in SQLITE_SYNCHRONOUS_LEVELS:
        raise RuntimeError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS_LEVELS)}, not {level!r}.")
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", partial(_sqlite_pragmas, synchronous=level))


def _sqlite_pragmas(dbapi_connection, connection_record, synchronous: str) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
