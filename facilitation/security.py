"""Web security: response headers and the Content Security Policy, caching of private pages, CSRF
protection for forms and rate limits on pages. (The allowance of socket events per connection is
realtime.flood.)

What each measure is for, and the test that proves it, is in docs/security.md.
"""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs

from flask import Flask, current_app, jsonify, render_template, request
from flask.sessions import SessionInterface
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import socketio
from .services import security_events

#: Forms that POST carry `csrf_token` (a hidden field) and JavaScript sends the X-CSRFToken header.
csrf = CSRFProtect()

#: Limits by client address. Views apply them with `@limiter.limit(lambda: current_app.config[...])`,
#: read at request time so that each app's configuration counts. One object serves every app built
#: in a process (tests build many); its storage is set again by each `init_app`.
limiter = Limiter(
    key_func=get_remote_address,
    # A sliding window: the 31st join within any 60 seconds is refused, not only within a clock minute.
    strategy="moving-window",
    headers_enabled=True,  # X-RateLimit-* on limited routes, and Retry-After on a refusal
    # If Redis is unreachable, count in this process rather than fail the page.
    in_memory_fallback_enabled=True,
    swallow_errors=True,
)

#: The policy for every page. Nothing inline: scripts and styles come from our own static files
#: (JSON data blocks, <script type="application/json">, are not run and need no allowance).
#: 'self' in connect-src also covers ws:// and wss:// on our own host and port (CSP level 3,
#: which Chromium follows): the Socket.IO connection needs nothing more.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def policy_with_form_targets(origins: list[str]) -> str:
    """The policy for a page whose forms may lead on to other sites (the sign-in page: the school's provider)."""
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", "form-action 'self' " + " ".join(origins))


#: Set on every response unless the view set the header itself (room pages, minutes exports).
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Meeting links carry their secret token in the path: never send it on to another site.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"

#: Where Flask-SocketIO mounts the Socket.IO server (its default path).
SOCKET_IO_PATH = "/socket.io/"

#: Path arguments that are secret links (meeting links, calendar feeds): a page at such a URL is private.
LINK_ARGUMENTS = frozenset({"token", "feed_token"})


class SecureResponses:
    """WSGI middleware around everything the server answers: Flask's pages and the Socket.IO server
    that Flask-SocketIO mounts in front of them, which answers without Flask.

    Every response gets the security headers it does not set itself (`HEADERS`, and
    Strict-Transport-Security over HTTPS); Socket.IO's answers are never stored; a Socket.IO POST
    longer than MAX_SOCKET_MESSAGE_BYTES is refused from its Content-Length before its body is read.
    """

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        socket_io = environ.get("PATH_INFO", "").startswith(SOCKET_IO_PATH)
        https = environ.get("wsgi.url_scheme") in ("https", "wss") or str(self.config.get("PUBLIC_URL", "")).startswith(
            "https://"
        )

        def start(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            extra = [(name, value) for name, value in HEADERS.items() if name.lower() not in present]
            if https and "strict-transport-security" not in present:
                extra.append(("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
            if socket_io:
                # Polling answers carry the room's events: personal data no cache may keep.
                if "cache-control" not in present:
                    extra.append(("Cache-Control", "no-store"))
                if status.startswith("405") and "allow" not in present:
                    extra.append(("Allow", "GET, POST, OPTIONS"))
            return start_response(status, list(headers) + extra, exc_info)

        if socket_io and environ.get("REQUEST_METHOD") == "POST" and self._too_long(environ):
            _close_polling_session(environ)
            return _too_large(start)
        return self.wsgi_app(environ, start)

    def _too_long(self, environ) -> bool:
        """Whether a Socket.IO POST body exceeds the message limit; a body sent without a length is
        read up to the limit only, and handed on already read."""
        limit = int(self.config["MAX_SOCKET_MESSAGE_BYTES"])
        length = environ.get("CONTENT_LENGTH")
        if length:
            # engine.io checks this too, but then closes the session and waits for a poll that never
            # comes to collect the close: the POST hung for as long as the client kept it open.
            return not length.isdigit() or int(length) > limit
        body = environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            return True
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))  # engine.io reads exactly Content-Length bytes
        return False


def _close_polling_session(environ) -> None:
    """Close the session an oversized message was sent on, as a WebSocket's is closed, without waiting."""
    sid = parse_qs(environ.get("QUERY_STRING", "")).get("sid", [""])[0]
    server = getattr(socketio.server, "eio", None)
    session = server.sockets.get(sid) if server is not None and sid else None
    if session is not None and not session.upgraded:  # a WebSocket session is no polling POST's to close
        # engine.io's own disconnect() waits for a poll to collect the close: from a POST that may never come.
        session.close(wait=False, reason=server.reason.TRANSPORT_ERROR)
        server.sockets.pop(sid, None)


def _too_large(start_response):
    body = b"Message too large.\n"
    start_response(
        "413 Request Entity Too Large",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),  # what is left of the body is not worth a kept-alive connection
        ],
    )
    return [body]


def session_cookie_rules(interface: SessionInterface) -> SessionInterface:
    """The app's session interface, except where the session cookie has no business.

    - Static responses never carry it. A static file is the same for everyone. Flask would refresh a
      signed-in person's session cookie on it (and add `Vary: Cookie`): a shared cache keeping a `public`
      file could then hand that cookie to others, and a browser would find its copy no longer matching
      once the cookie changed.
    - A socket's events after its connection do not read it again. Flask-SocketIO gives each event the
      copy of the session it took at connect (and that copy is what the handlers read), but Flask opens
      the cookie for every event before that copy replaces it: verifying and decoding it cost about
      0.04 ms an event for nothing (benchmarks/profile_server.py).
    """

    class SessionCookieRules(type(interface)):
        def open_session(self, app, request):
            if "saved_session" in request.environ:  # Flask-SocketIO's copy from connect (flask_socketio._handle_event)
                return self.make_null_session(app)
            return super().open_session(app, request)

        def save_session(self, app, session, response):
            if request.endpoint == "static":
                return None
            return super().save_session(app, session, response)

    wrapped = SessionCookieRules.__new__(SessionCookieRules)
    wrapped.__dict__.update(interface.__dict__)
    return wrapped


def init_app(app: Flask) -> None:
    """Install headers, CSRF protection, rate limits and their error pages on the app, and the security log."""
    security_events.init_app(app)
    app.session_interface = session_cookie_rules(app.session_interface)
    # Around the Socket.IO server too (mounted by now), so its answers get the same headers.
    app.wsgi_app = SecureResponses(app.wsgi_app, app.config)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind nginx the client's address and scheme arrive in X-Forwarded-For/-Proto; trusted only
        # from the number of proxies configured, or anyone could choose the address they are limited by.
        # Outermost, so that the headers above see the client's scheme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    app.config["RATELIMIT_STORAGE_URI"] = rate_limit_storage(app.config)
    # Separate deployments sharing one Redis keep separate counts (as they keep separate channels).
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config.get("SOCKETIO_CHANNEL", "common-ground"))
    limiter.init_app(app)  # before CSRF: a flood of refused forms still counts against its limit

    csrf.init_app(app)
    # The factory exempts the API blueprint from form CSRF tokens (it authenticates with bearer tokens);
    # an API request that relies on a signed-in session cookie instead is checked here.
    app.before_request(_csrf_for_cookie_api_requests)

    app.after_request(private_pages_are_not_stored)
    app.register_error_handler(CSRFError, csrf_refused)
    app.register_error_handler(RateLimitExceeded, too_many_requests)


def _csrf_for_cookie_api_requests() -> None:
    """An API request that changes something, with the session cookie and no bearer token (a signed-in
    browser preparing a meeting), needs the X-CSRFToken header like a form: cookies go with forged requests."""
    config = current_app.config
    if request.blueprint != "api" or not config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method not in config["WTF_CSRF_METHODS"]:
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    if config["SESSION_COOKIE_NAME"] in request.cookies:
        csrf.protect()


def rate_limit_storage(config) -> str:
    """Where rate-limit counts live: RATELIMIT_STORAGE_URI, else the Socket.IO Redis, else this process."""
    if config.get("RATELIMIT_STORAGE_URI"):
        return config["RATELIMIT_STORAGE_URI"]
    queue = config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    if queue.startswith(("redis://", "rediss://")):
        return queue  # several processes: a limit must hold across all of them
    return "memory://"


def private_pages_are_not_stored(response):
    """A page at a secret link's URL, or rendered for a signed-in account (its meetings' links, its
    API token, the administration), is kept in no browser or proxy cache: `Cache-Control: no-store`."""
    if request.endpoint == "static":
        return response  # the same file for everyone, sent without the session cookie (session_cookie_rules)
    private = bool(LINK_ARGUMENTS & set(request.view_args or ())) or current_user.is_authenticated
    if private and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def record_refusal(kind: str) -> None:
    """Log and count a refused HTTP request: the route, the client's address (after ProxyFix) and any account."""
    user_id = current_user.id if current_user.is_authenticated else None
    security_events.record(kind, user_id=user_id, address=request.remote_addr, detail=request.endpoint or "no_route")


def csrf_refused(exc: CSRFError):
    """A form sent without a valid CSRF token: refused with 400, nothing changed, and a page that says why."""
    record_refusal("csrf_failed")
    message = (
        "This form could not be accepted: it was sent without the security code of the page it came from, "
        "or the page was open too long. Nothing was changed. Go back, reload the page and try again."
    )
    if _wants_json():
        return jsonify({"ok": False, "error": {"code": "csrf_failed", "message": message}}), 400
    return render_template("errors/refused.html", title="This form could not be sent", message=message), 400


def too_many_requests(exc: RateLimitExceeded):
    """Over a rate limit: 429 with a plain page (or JSON) and Retry-After."""
    record_refusal("rate_limited")
    retry_after = 60
    current = limiter.current_limit
    if current is not None:
        retry_after = max(1, int(current.reset_at - time.time()))
    message = f"Too many requests from your address. Please wait {retry_after} seconds and try again."
    if _wants_json():
        response = jsonify({"ok": False, "error": {"code": "rate_limited", "message": message}})
    else:
        response = current_app.make_response(
            render_template("errors/refused.html", title="Too many requests", message=message)
        )
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response
