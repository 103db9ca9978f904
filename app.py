"""Entry point: serve Common Ground with gevent's WSGI server and WebSocket handler."""

from gevent import monkey

monkey.patch_all()

try:  # PostgreSQL through psycopg2 must yield to other greenlets while it waits
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()
except ImportError:  # pragma: no cover
    pass

import gc  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402

from facilitation import create_app  # noqa: E402

app = create_app(SOCKETIO_ASYNC_MODE="gevent")

# Objects made at start-up live for the whole run: keep full collections from walking them again
# and again (they made the latency tail at 1000 participants). Gunicorn imports this module too.
gc.collect()
gc.freeze()


def listener(host: str, port: int) -> socket.socket:
    """A listening socket with TCP_NODELAY, which accepted connections inherit on Linux.

    Without it Nagle's algorithm holds small acknowledgements back for tens of milliseconds.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def serve(host: str | None = None, port: int | None = None) -> None:
    """Run the server until interrupted."""
    from gevent.pywsgi import WSGIServer
    from geventwebsocket.handler import WebSocketHandler

    host = host or os.environ.get("HOST", "127.0.0.1")
    port = port or int(os.environ.get("PORT", "5000"))
    quiet = os.environ.get("ACCESS_LOG", "0") != "1"
    server = WSGIServer(listener(host, port), app, handler_class=WebSocketHandler, log=None if quiet else "default")
    print(f"Common Ground serving on http://{host}:{port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve()
