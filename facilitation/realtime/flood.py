"""Flood control for sockets: each connection has an allowance of events (a token bucket); events over
it are refused and change nothing, and a connection that stays over it is disconnected.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import current_app, request, session

from ..extensions import socketio
from ..services import security_events


@dataclass
class TokenBucket:
    """An allowance of `burst` events, refilled at `rate` per second; notes how long it has been overdrawn."""

    rate: float
    burst: float
    tokens: float
    updated: float
    #: when the current run of refusals began; refusals less than QUIET_GAP apart belong to one run
    flooding_since: float | None = None
    last_refusal: float | None = None

    #: a pause this long between refusals ends a run of flooding
    QUIET_GAP = 2.0

    @classmethod
    def full(cls, rate: float, burst: float, now: float) -> TokenBucket:
        return cls(rate=rate, burst=burst, tokens=burst, updated=now)

    def take(self, now: float) -> bool:
        """Spend one event's allowance; False when there is none left."""
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        if self.last_refusal is None or now - self.last_refusal > self.QUIET_GAP:
            self.flooding_since = now
        self.last_refusal = now
        return False

    def flooding_for(self, now: float) -> float:
        """Seconds of unbroken refusals so far (0 when not flooding)."""
        if self.flooding_since is None or self.last_refusal is None or now - self.last_refusal > self.QUIET_GAP:
            return 0.0
        return now - self.flooding_since


# Kept in process memory, keyed by the connection's sid: a socket lives in exactly one server process
# for its whole life (nginx's ip_hash keeps polling on it), so no other process needs to see its count.
# This is not meeting state (design rule 1): losing it on a restart only gives everyone a full allowance.
_buckets: dict[str, TokenBucket] = {}
_buckets_lock = threading.Lock()

RATE_LIMITED_MESSAGE = "Too many messages in a short time; this one was not applied. Please slow down."


def refuse_flood(sid: str, now: float | None = None) -> dict | None:
    """Count one socket event of a connection: None to let it through, or the refusal to answer with.

    Called first for every event a client sends. A connection that stays over its allowance for
    SOCKET_FLOOD_DISCONNECT_SECONDS is disconnected.
    """
    config = current_app.config
    rate = float(config.get("SOCKET_EVENTS_PER_SECOND", 20))
    if rate <= 0:
        return None  # switched off
    now = time.monotonic() if now is None else now
    with _buckets_lock:
        bucket = _buckets.get(sid)
        if bucket is None:
            bucket = _buckets[sid] = TokenBucket.full(rate, float(config.get("SOCKET_EVENT_BURST", 40)), now)
        if bucket.take(now):
            return None
        flooding = bucket.flooding_for(now)
    # Logged and counted per minute, not per event (services.security_events), so a flood stays cheap.
    who = {"link_id": session.get("link_id"), "meeting_id": session.get("meeting_id"), "address": request.remote_addr}
    if flooding >= float(config.get("SOCKET_FLOOD_DISCONNECT_SECONDS", 5)):
        security_events.record("flood_disconnect", **who, detail="socket")
        forget_socket(sid)
        socketio.server.disconnect(sid, namespace="/")
    else:
        security_events.record("rate_limited", **who, detail="socket")
    return {"ok": False, "error": {"code": "rate_limited", "message": RATE_LIMITED_MESSAGE}}


def forget_socket(sid: str) -> None:
    """A connection has gone: drop its allowance."""
    with _buckets_lock:
        _buckets.pop(sid, None)
