"""Entry point: serve Common Ground with gevent's WSGI server and WebSocket handler."""

import gevent
from gevent import monkey

# gevent keeps, for every greenlet, the stack that spawned it (for debugging tools): a few KiB per
# participant and a stack walk per socket event. Not needed in a server.
gevent.config.track_greenlet_tree = False
monkey.patch_all()

try:  # PostgreSQL through psycopg2 must yield to other greenlets while it waits
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()
except ImportError:  # pragma: no cover
    pass

import os  # noqa: E402

from facilitation import allowed_origins, create_app  # noqa: E402
from facilitation.services import socket_sessions  # noqa: E402
from facilitation.serving import accept_origins, limit_messages, serve, steady_garbage_collection  # noqa: E402

app = create_app(SOCKETIO_ASYNC_MODE="gevent")
if not app.config.get("SOCKETIO_MESSAGE_QUEUE"):
    # Without a message queue this is the only process serving sockets, so every socket on record is
    # left over from a run killed before its sockets closed: forget them, or they would count against
    # the caps on sockets per link and per address when everyone reconnects.
    with app.app_context():
        socket_sessions.forget_all()
# Both also under gunicorn, which imports this module and serves with the same handler.
limit_messages(app.config["MAX_SOCKET_MESSAGE_BYTES"])
accept_origins(allowed_origins(app))

steady_garbage_collection()  # full collections on our schedule, not in the middle of a broadcast

if __name__ == "__main__":
    serve(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        access_log=os.environ.get("ACCESS_LOG", "0") == "1",
    )
