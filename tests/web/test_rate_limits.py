"""Rate limits on pages, counted per client address (Flask-Limiter)."""

from __future__ import annotations

import uuid

import pytest

from facilitation import create_app
from facilitation.config import Config, TestConfig
from facilitation.extensions import db
from facilitation.security import rate_limit_storage


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_the_31st_join_in_a_minute_from_one_address_is_refused_and_another_address_is_not(client, meeting):
    url = f"/join/{meeting['participants'][0]}"
    for n in range(30):
        assert client.get(url, **from_address("192.0.2.10")).status_code == 200, n
    refused = client.get(url, **from_address("192.0.2.10"))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    html = refused.get_data(as_text=True)
    assert "Too many requests" in html and "Traceback" not in html
    assert refused.headers["Content-Security-Policy"]
    # Someone else, at another address, joins as usual.
    assert client.get(url, **from_address("192.0.2.11")).status_code == 200
    # The limit counts joins from an address, whichever link: another link from the same address is refused too.
    assert client.get(f"/join/{meeting['participants'][1]}", **from_address("192.0.2.10")).status_code == 429


def test_over_the_limit_a_client_asking_for_json_gets_json(client, meeting):
    url = f"/join/{meeting['participants'][0]}"
    for _ in range(30):
        client.get(url, **from_address("192.0.2.20"))
    r = client.get(url, headers={"Accept": "application/json"}, **from_address("192.0.2.20"))
    assert r.status_code == 429 and r.headers["Retry-After"]
    assert r.get_json()["ok"] is False and r.get_json()["error"]["code"] == "rate_limited"


def test_unknown_links_count_against_the_limit_so_links_cannot_be_guessed_quickly(client, meeting):
    for n in range(30):
        assert client.get(f"/join/{n:043d}", **from_address("192.0.2.30")).status_code == 404
    assert client.get(f"/join/{meeting['participants'][0]}", **from_address("192.0.2.30")).status_code == 429


def test_other_pages_of_the_meeting_are_not_held_up_by_the_join_limit(client, meeting):
    for _ in range(31):
        client.get(f"/join/{meeting['participants'][0]}", **from_address("192.0.2.40"))
    assert client.get(f"/chair/{meeting['chair']}", **from_address("192.0.2.40")).status_code == 200
    assert (
        client.get(
            f"/api/v1/meetings/{meeting['id']}",
            headers={"Authorization": f"Bearer {meeting['chair']}"},
            **from_address("192.0.2.40"),
        ).status_code
        == 200
    )


def test_the_join_limit_is_read_from_the_configuration(tmp_path):
    app = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}", JOIN_RATE_LIMIT="2 per minute"
    )
    with app.app_context():
        db.create_all()
    client = app.test_client()
    assert [client.get(f"/join/{'x' * 43}").status_code for _ in range(3)] == [404, 404, 429]


def test_the_defaults_are_30_joins_and_10_sign_ins_a_minute():
    assert Config.JOIN_RATE_LIMIT == "30 per minute" and Config.LOGIN_RATE_LIMIT == "10 per minute"


@pytest.mark.parametrize(
    ("config", "storage"),
    [
        ({}, "memory://"),
        ({"SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0"}, "redis://127.0.0.1:6379/0"),
        ({"SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:6379/0", "RATELIMIT_STORAGE_URI": "memory://"}, "memory://"),
        ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2"}, "redis://127.0.0.1:6379/2"),
    ],
)
def test_limits_are_kept_in_the_socket_io_redis_when_there_is_one_unless_configured(config, storage):
    assert rate_limit_storage(config) == storage


def test_limits_kept_in_redis_hold_across_server_processes(tmp_path):
    """Two apps on one Redis stand for two processes: joins on one count on the other."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    # An address of this run's own (IPv6 documentation range): counts left by earlier runs cannot interfere.
    address = {"environ_base": {"REMOTE_ADDR": f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"}}
    settings = dict(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
        JOIN_RATE_LIMIT="3 per minute",
    )
    first_app = create_app(TestConfig, **settings)
    with first_app.app_context():
        db.create_all()
    first = first_app.test_client()
    assert [first.get(f"/join/{'x' * 43}", **address).status_code for _ in range(3)] == [404] * 3
    # A second process starts: a fresh app with its own connection to the same Redis.
    second = create_app(TestConfig, **settings).test_client()
    assert second.get(f"/join/{'x' * 43}", **address).status_code == 429
    keys = redis.Redis.from_url("redis://127.0.0.1:6379/15").keys(f"*{address['environ_base']['REMOTE_ADDR']}*")
    assert keys, "the counts are in Redis"
