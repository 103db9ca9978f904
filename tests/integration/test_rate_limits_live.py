"""Rate limits between live server processes (gevent, as deployed) that share the Socket.IO Redis."""

from __future__ import annotations

import socket
import uuid

import pytest
import requests

pytestmark = pytest.mark.live


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_joins_on_one_process_count_on_the_other_when_they_share_redis(live_server, tmp_path):
    if not redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    env = {
        "SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0",
        # A channel of this test's own: it is also the prefix of the rate-limit counts in Redis.
        "SOCKETIO_CHANNEL": f"cg-test-{uuid.uuid4().hex[:8]}",
        "JOIN_RATE_LIMIT": "5 per minute",
    }
    a = live_server(env=env, workdir=tmp_path)
    b = live_server(env=env, workdir=tmp_path, init=False)  # the same database, another process
    unknown = f"/join/{'x' * 43}"
    assert [requests.get(a.url + unknown, timeout=10).status_code for _ in range(5)] == [404] * 5
    refused = requests.get(b.url + unknown, timeout=10)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many requests" in refused.text
    assert refused.headers["Content-Security-Policy"].startswith("default-src 'self'")
