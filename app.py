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

from facilitation import create_app  # noqa: E402
from facilitation.serving import limit_messages, serve  # noqa: E402

app = create_app(SOCKETIO_ASYNC_MODE="gevent")
limit_messages(app.config["MAX_SOCKET_MESSAGE_BYTES"])  # also under gunicorn, which imports this module

# Objects made at start-up live for the whole run: keep full collections from walking them again
# and again (they made the latency tail at 1000 participants).
gc.collect()
gc.freeze()

if __name__ == "__main__":
    serve(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        access_log=os.environ.get("ACCESS_LOG", "0") == "1",
    )
