"""Serving under gevent: a TCP_NODELAY listener, WebSocket upgrades only for allowed origins,
WebSocket frames with a size limit, and full garbage collections at times the server chooses.

gevent-websocket reads a whole frame into memory before anyone can look at it, so engine.io's
message limit alone would let a client make the server buffer hundreds of megabytes. Frames are
checked here against the limit from their header, before their payload is read.
"""

from __future__ import annotations

import gc
import socket
import sys
import time

import gevent
from engineio import packet as _eio_packet
from engineio import socket as _eio_socket
from gevent.pywsgi import WSGIServer
from geventwebsocket import handler as _handler
from geventwebsocket.exceptions import ProtocolError, WebSocketError
from geventwebsocket.websocket import MSG_SOCKET_DEAD, Header, WebSocket


class RawFrame(bytes):
    """Bytes already framed for the WebSocket (the rest of a broadcast frame): written as they are."""


class RawPacket:
    """A queued engine.io packet whose encoding is a RawFrame (see BoundedWebSocket.send)."""

    __slots__ = ("frame",)

    def __init__(self, frame: bytes):
        self.frame = RawFrame(frame)

    def encode(self) -> RawFrame:
        """The frame itself."""
        return self.frame


def unmask(payload: bytes, mask: bytes) -> bytes:
    """A client frame's payload XORed with its 4-byte mask (RFC 6455 5.3), as one integer operation:
    gevent-websocket's own loop runs in Python byte by byte (about 5 ms for a 64 KiB message)."""
    n = len(payload)
    key = mask * (n // 4) + mask[: n % 4]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


class BoundedWebSocket(WebSocket):
    """A WebSocket that refuses any message larger than `max_message_bytes`, frames included."""

    #: set from MAX_SOCKET_MESSAGE_BYTES at start-up; Socket.IO framing adds a few bytes
    max_message_bytes = 64 * 1024 + 1024

    def read_frame(self):
        header = Header.decode_header(self.stream)
        if header.opcode in (self.OPCODE_TEXT, self.OPCODE_BINARY):
            self._message_bytes = 0
        if header.opcode in (self.OPCODE_TEXT, self.OPCODE_BINARY, self.OPCODE_CONTINUATION):
            self._message_bytes = getattr(self, "_message_bytes", 0) + header.length
            if self._message_bytes > self.max_message_bytes:
                raise ProtocolError("message too big")
        elif header.length > 125:  # control frames are at most 125 bytes (RFC 6455 5.5)
            raise ProtocolError("control frame too big")
        if header.flags:
            raise ProtocolError
        if not header.length:
            return header, b""
        payload = self.raw_read(header.length)
        if len(payload) != header.length:
            raise ProtocolError("unexpected end of frame")
        if header.mask:
            payload = unmask(payload, header.mask)
        return header, payload

    def send(self, message, binary=None):
        """Send a message as one frame; a RawFrame is written as it is."""
        if type(message) is RawFrame:
            if self.closed:
                raise WebSocketError(MSG_SOCKET_DEAD)
            try:
                self.raw_write(message)
            except OSError:
                self.current_app.on_close(MSG_SOCKET_DEAD)
                raise WebSocketError(MSG_SOCKET_DEAD) from None
            return
        super().send(message, binary)

    @staticmethod
    def text_frame(text: str) -> bytes:
        """A whole (unmasked, final) text frame carrying `text`, as a server sends it."""
        payload = text.encode()
        return Header.encode_header(True, WebSocket.OPCODE_TEXT, b"", len(payload), 0) + payload

    @staticmethod
    def idle(sock) -> bool:
        """Whether engine.io's writer for this connection (`sock`, whose `direct_ws` this is) waits on an
        empty queue: nothing is being written or waiting to be, so a frame written now overtakes none."""
        return sock.writer_waiting and not sock.closed and not sock.queue.qsize()

    def send_now(self, sock, frame: bytes, packet) -> None:
        """Write `frame` while the connection is `idle`, without waiting: what the socket does not take at
        once goes on the queue for engine.io's writer. When it takes none of it (the socket is full, or
        broken), `packet`, the same message, goes on the queue instead, as engine.io would put it there,
        and the writer deals with the socket as it would have. A client that stopped answering pings gets
        nothing: engine.io closes its connection, as its own send would."""
        if not sock.check_ping_timeout():
            return
        written = self.write_now(frame)
        if written == len(frame):
            return
        sock.queue.put(self.rest(frame, written) if written > 0 else packet)

    def write_now(self, frame: bytes) -> int:
        """Write as much of `frame` as the socket takes without waiting: the bytes written, -1 if broken.

        Only while engine.io's writer for this connection waits on an empty queue (`idle`), so that no
        other write is under way: the broadcast (realtime.broadcast) and `_send` below.
        """
        if self.closed:
            return -1
        try:
            return self.handler.socket._sock.send(frame)
        except BlockingIOError:
            return 0
        except OSError:
            return -1

    @staticmethod
    def rest(frame: bytes, written: int) -> RawPacket:
        """The unwritten rest of a frame, as a packet for engine.io's writer to send next."""
        return RawPacket(frame[written:])


# The handler (ours and gunicorn's GeventWebSocketWorker) builds its sockets from this name.
_handler.WebSocket = BoundedWebSocket

_eio_websocket_handler = _eio_socket.Socket._websocket_handler


def _websocket_handler(self, ws):
    """engine.io's WebSocket loop, keeping the connection's BoundedWebSocket on the engine.io socket
    (`direct_ws`) so that a broadcast can write its one encoded frame straight to it.

    Only a connection that opened as a WebSocket gets one: one upgraded from long-polling may still
    have a polling request waiting on its queue, so it keeps the queue.
    """
    sock = getattr(ws, "_sock", None)
    self.direct_ws = sock if isinstance(sock, BoundedWebSocket) and not self.connected else None
    try:
        return _eio_websocket_handler(self, ws)
    finally:
        self.direct_ws = None


_eio_poll = _eio_socket.Socket.poll
_eio_send = _eio_socket.Socket.send
_eio_schedule_ping = _eio_socket.Socket.schedule_ping


class _SentOnce:
    """A packet handed to engine.io's WebSocket writer, let go of as soon as it is encoded.

    The writer's loop variable keeps the last packet it sent until the next one comes, which for
    most connections is the answer to their `sync`: a whole snapshot kept per open connection.
    """

    __slots__ = ("packet",)

    def __init__(self, packet):
        self.packet = packet

    def encode(self, *args, **kwargs):
        """The packet's encoding; the packet itself is dropped."""
        packet, self.packet = self.packet, None
        return packet.encode(*args, **kwargs)


def _poll(self):
    """engine.io's wait for packets to send, noting meanwhile that the writer is idle (`writer_waiting`)."""
    self.writer_waiting = True
    try:
        packets = _eio_poll(self)
    finally:
        self.writer_waiting = False
    # Once upgraded, only the WebSocket writer polls (a polling request gets a NOOP without polling).
    return [_SentOnce(p) for p in packets] if self.upgraded else packets


def _send(self, pkt):
    """engine.io's send of one message (the answer to a socket event, a message to this connection alone)
    written straight to an idle WebSocket, as the broadcast writes its frames: the queue, the writer's
    wake-up and a switch of greenlets spared for each. A busy or long-polling connection, a binary
    packet, and engine.io's own packets take engine.io's path through the queue: its writer gives a
    connection up when nothing reaches its queue for a ping interval and a ping timeout, so the pings
    must keep going through it."""
    ws = self.direct_ws
    if ws is None or pkt.packet_type != _eio_packet.MESSAGE or pkt.binary or not ws.idle(self):
        return _eio_send(self, pkt)
    ws.send_now(self, ws.text_frame(pkt.encode()), pkt)


def _schedule_ping(self):
    """engine.io's next ping, from a timer on gevent's loop rather than a greenlet asleep for the
    whole ping interval: one greenlet (and its saved stack) fewer per open connection."""
    if self.server.async_mode != "gevent":  # a timer on gevent's loop only runs under gevent
        return _eio_schedule_ping(self)
    if self.last_ping:  # only if the previous ping was answered, as engine.io does
        self.last_ping = None
        self.ping_timer = gevent.get_hub().loop.timer(self.server.ping_interval)
        self.ping_timer.start(self.server.start_background_task, self._ping_now)


def _ping_now(self):
    """Send the ping that engine.io's own `_send_ping` sends after its sleep."""
    self.ping_timer = None
    if not self.closing and not self.closed:
        self.last_ping = time.time()
        self.send(_eio_packet.Packet(_eio_packet.PING))


_eio_socket.Socket.direct_ws = None  # until its WebSocket handler runs
_eio_socket.Socket.writer_waiting = False  # until its writer first waits for packets
_eio_socket.Socket._websocket_handler = _websocket_handler
_eio_socket.Socket.poll = _poll
_eio_socket.Socket.send = _send
_eio_socket.Socket.schedule_ping = _schedule_ping
_eio_socket.Socket._ping_now = _ping_now


class Handler(_handler.WebSocketHandler):
    """gevent's WSGI + WebSocket handler reading through a 2 KiB buffer instead of 8 KiB.

    The read buffer is allocated once per connection and lives as long as it does: with a
    thousand participants connected the default held 8 MiB of mostly empty buffers (about a tenth
    of the server's memory per participant). Socket.IO messages are small (a command is well
    under 1 KiB); a larger request body is simply read in more steps.
    """

    READ_BUFFER_BYTES = 2048

    #: browser origins whose WebSocket upgrades are accepted (set at start-up); None: no check here
    allowed_origins: frozenset[str] | None = None

    def __init__(self, sock, address, server, rfile=None):
        if rfile is None:
            rfile = sock.makefile("rb", self.READ_BUFFER_BYTES)
        super().__init__(sock, address, server, rfile)

    def upgrade_websocket(self):
        """Upgrade to a WebSocket only when the request's Origin, if it sends one, is allowed.

        gevent-websocket answers 101 before the app runs, so engine.io's Origin check came only after
        another site's page already held an open WebSocket. Refused here, the request goes on to the
        app as plain HTTP, where engine.io answers 400 for the origin and nothing is upgraded.
        """
        origin = self.environ.get("HTTP_ORIGIN")
        if origin and self.allowed_origins is not None and origin not in self.allowed_origins:
            return None
        return super().upgrade_websocket()


# Under gunicorn (docs/deployment.md) the worker class was imported before app.py loaded this
# module; its servers are made after, so they use the same handler.
_gunicorn_workers = sys.modules.get("geventwebsocket.gunicorn.workers")
if _gunicorn_workers is not None:
    _gunicorn_workers.GeventWebSocketWorker.wsgi_handler = Handler


def limit_messages(max_bytes: int) -> None:
    """Apply the configured message limit to WebSocket frames."""
    BoundedWebSocket.max_message_bytes = max_bytes + 1024


def accept_origins(origins) -> None:
    """Upgrade WebSockets only for these browser origins (the app's CORS_ALLOWED_ORIGINS)."""
    Handler.allowed_origins = frozenset(origins)


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


def serve(app, host: str, port: int, access_log: bool = False) -> None:
    """Run gevent's WSGI server with the WebSocket handler until interrupted."""
    limit_messages(app.config["MAX_SOCKET_MESSAGE_BYTES"])
    server = WSGIServer(listener(host, port), app, handler_class=Handler, log="default" if access_log else None)
    print(f"Common Ground serving on http://{host}:{port}/", flush=True)
    server.serve_forever()


#: how often the process runs a full garbage collection itself (automatic ones are switched off)
FULL_COLLECTION_SECONDS = 300


def steady_garbage_collection(every_seconds: float = FULL_COLLECTION_SECONDS) -> None:
    """Keep Python's full collections out of the way of live meetings.

    Objects made at start-up live for the whole run: they are frozen, so no collection walks them
    again. A full (generation 2) collection still walks every object made since, which with 2,200
    open sockets took 65 to 95 ms here, and CPython started one every few seconds under load: the
    whole server stands still meanwhile, and that made the latency tail of a busy process
    (benchmarks/room_fanout.py, many meetings). Young collections stay automatic (a few ms); full
    ones run every `every_seconds` from a background greenlet, so reference cycles are still
    reclaimed, and one pause of that size lands once in that time instead of every few seconds.
    """
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 1_000_000)  # generation 2 only when we say

    def collect_now_and_then() -> None:
        while True:
            gevent.sleep(every_seconds)
            gc.collect()

    gevent.spawn(collect_now_and_then)
