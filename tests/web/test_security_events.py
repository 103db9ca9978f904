"""Security events over HTTP: a failed CSRF check, a rate-limit hit, a refused token or role and failed
sign-ins each leave one structured log line (no names, no typed text) and are counted for administrators.

The socket side (refused connections, forbidden socket commands, the caps on sockets) is tested against a
live server in tests/realtime/test_security_events_live.py.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from facilitation.extensions import db
from facilitation.models import SecurityEvent, utcnow
from facilitation.services import security_events
from tests.conftest import add_staff, app_with, sign_in

LOGGER = "facilitation.security"


def lines(caplog) -> list[dict]:
    """The security log's lines so far, parsed (each must be one JSON object)."""
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == LOGGER]


def totals(app) -> dict[str, tuple[int, int]]:
    with app.app_context():
        return {row["kind"]: (row["day"], row["week"]) for row in security_events.totals()}


@pytest.fixture(autouse=True)
def capture(caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    return caplog


@pytest.fixture
def one_minute(monkeypatch):
    """Events counted within one minute (a test straddling a minute's end would count two rows)."""
    moment = datetime(2026, 12, 4, 10, 30, 5, tzinfo=UTC)
    monkeypatch.setattr(security_events, "utcnow", lambda: moment)


def test_a_form_posted_without_its_csrf_token_is_logged_and_counted(tmp_path, caplog):
    with app_with(tmp_path, WTF_CSRF_ENABLED=True) as app:
        client = app.test_client()
        staff = add_staff(app)
        r = client.post("/login", data={"email": staff["email"], "password": staff["password"]}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
        assert r.status_code == 400
        [line] = [x for x in lines(caplog) if x["security_event"] == "csrf_failed"]
        assert line["address"] == "198.51.100.7" and line["detail"] == "accounts.login"
        # What the person typed is not in the log: neither the e-mail address nor the password.
        assert staff["email"] not in caplog.text and staff["password"] not in caplog.text
        assert totals(app)["csrf_failed"] == (1, 1)


def test_a_rate_limit_hit_is_logged_once_a_minute_and_every_hit_is_counted(tmp_path, caplog, one_minute):
    with app_with(tmp_path, JOIN_RATE_LIMIT="2 per minute", SECURITY_EVENTS_FLUSH_SECONDS=3600) as app:
        client = app.test_client()
        for n in range(7):
            r = client.get(f"/join/{n:043d}", environ_base={"REMOTE_ADDR": "198.51.100.8"})
            assert r.status_code == (404 if n < 2 else 429), n
        # Five refusals: one line and one row written at once; the four repeats wait in memory...
        assert [(x["security_event"], x["address"], x["detail"]) for x in lines(caplog)] == [("rate_limited", "198.51.100.8", "room.join")]
        assert totals(app)["rate_limited"] == (1, 1)
        # ...and are added to the same row in one write, with one line saying how many.
        with app.app_context():
            security_events.flush()
        assert totals(app)["rate_limited"] == (5, 5)
        assert lines(caplog)[-1]["repeated"] == 4
        with app.app_context():
            assert [(e.kind, e.count) for e in security_events.recent()] == [("rate_limited", 5)]


def test_a_flood_of_refusals_costs_one_write_per_key_and_minute(app, caplog, one_minute):
    """Many refusals of one kind from one address: one row; many addresses: at most KEYS_PER_MINUTE rows."""
    with app.test_request_context():
        for _ in range(500):
            security_events.record("forbidden", link_id=7, meeting_id=3, address="203.0.113.1", detail="clock.next_item")
        for n in range(security_events.KEYS_PER_MINUTE + 100):
            security_events.record("connection_refused", address=f"2001:db8::{n:x}", detail="bad_link")
        security_events.flush()
        rows = security_events.recent(limit=1000)
    forbidden = [e for e in rows if e.kind == "forbidden"]
    refused = [e for e in rows if e.kind == "connection_refused"]
    assert [e.count for e in forbidden] == [500]
    # Rotating addresses does not make a row each: past the limit they are folded into one key without an address.
    assert len(refused) == security_events.KEYS_PER_MINUTE + 1
    assert sum(e.count for e in refused) == security_events.KEYS_PER_MINUTE + 100
    assert [e.detail for e in refused if e.address is None] == ["many_keys"]
    assert totals(app)["forbidden"] == (500, 500)
    # A line for each key's first event and one for each key's repeats, not one per event.
    assert len(lines(caplog)) == 1 + security_events.KEYS_PER_MINUTE + 1 + 2


def test_a_command_the_role_may_not_send_over_the_api_is_logged_with_the_link_not_the_person(client, app, meeting, api, caplog):
    status, body = api(meeting["participants"][0], meeting["id"], "decisions.record", text="Private words about the family")
    assert status == 403 and body["error"]["code"] == "forbidden"
    [line] = [x for x in lines(caplog) if x["security_event"] == "forbidden"]
    assert line["detail"] == "decisions.record" and line["meeting_id"] == meeting["id"]
    assert isinstance(line["link_id"], int) and line["address"] == "127.0.0.1"
    assert "Private words" not in caplog.text and "Sam Parent" not in caplog.text
    # A bad token, and a good token on another meeting's id (answered as "no such meeting"), are logged too.
    assert api("not-a-token", meeting["id"], "clock.next_item")[0] == 401
    assert api(meeting["chair"], meeting["id"] + 1, "clock.next_item")[0] == 404
    kinds = [(x["security_event"], x["detail"]) for x in lines(caplog)]
    assert ("unauthorised", "clock.next_item") in kinds and ("forbidden", "other_meeting") in kinds
    assert totals(app)["forbidden"] == (2, 2) and totals(app)["unauthorised"] == (1, 1)


def test_failed_sign_ins_and_a_lockout_are_logged_by_account_id_never_by_the_email_typed(client, app, staff, caplog):
    sign_in(client, "nobody@school.test", "wrong password here")
    for _ in range(app.config["LOGIN_LOCKOUT_FAILURES"]):
        sign_in(client, staff["email"], "a wrong password again")
    got = [(x["security_event"], x.get("user_id"), x["detail"]) for x in lines(caplog)]
    assert got[0] == ("sign_in_failed", None, "unknown_account")
    assert ("sign_in_failed", staff["id"], "wrong_password") in got
    assert ("account_locked", staff["id"], "failed_sign_ins") in got
    assert "nobody@school.test" not in caplog.text and staff["email"] not in caplog.text and "wrong password" not in caplog.text
    with app.app_context():
        security_events.flush()  # the repeated wrong passwords, counted in memory until now
    counts = totals(app)
    assert counts["sign_in_failed"][0] == 1 + app.config["LOGIN_LOCKOUT_FAILURES"] and counts["account_locked"] == (1, 1)


def test_behind_a_trusted_proxy_the_logged_address_is_the_client_s(tmp_path, caplog):
    with app_with(tmp_path, TRUSTED_PROXIES=1, WTF_CSRF_ENABLED=True) as app:
        app.test_client().post("/login", data={}, headers={"X-Forwarded-For": "192.0.2.99"}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert [x["address"] for x in lines(caplog)] == ["192.0.2.99"]


def test_the_administration_page_shows_the_counts_per_kind(client, app, api, meeting):
    for _ in range(3):
        api(meeting["participants"][0], meeting["id"], "clock.next_item")
    with app.app_context():
        security_events.flush()
    add_staff(app, "admin@school.test", "Ms Admin", "admin")
    sign_in(client, "admin@school.test")
    html = client.get("/admin/security").get_data(as_text=True)
    row = html.split('data-kind="forbidden"', 1)[1].split("</tr>", 1)[0]
    assert "<td>3</td><td>3</td>" in row
    assert 'data-kind="too_many_connections"' in html  # every kind is listed, with 0 when there were none
    assert "refusals in the last 24 hours" in client.get("/admin/").get_data(as_text=True)


def test_the_security_page_is_for_administrators_only(client, app, staff):
    assert client.get("/admin/security").status_code in (302, 303)
    sign_in(client, staff["email"])
    assert client.get("/admin/security").status_code == 403


def test_purge_expired_deletes_the_security_log_s_counts_past_their_retention_and_keeps_the_rest(tmp_path):
    def kept_addresses(app):
        with app.app_context():
            return sorted(e.address for e in db.session.query(SecurityEvent))

    with app_with(tmp_path, SECURITY_LOG_RETENTION_DAYS=90) as app:
        now = utcnow().replace(second=0, microsecond=0)
        with app.app_context():
            for days, address in ((400, "203.0.113.1"), (91, "203.0.113.2"), (89, "203.0.113.3"), (0, "203.0.113.4")):
                db.session.add(SecurityEvent(kind="sign_in_failed", minute=now - timedelta(days=days), address=address, detail="wrong_password"))
            db.session.commit()
        runner = app.test_cli_runner()
        dry = runner.invoke(args=["purge-expired", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "Security log: 90 days" in dry.output and "2 rows would be deleted" in dry.output
        assert len(kept_addresses(app)) == 4
        one = runner.invoke(args=["purge-expired", "--organisation", "main"])
        assert one.exit_code == 0 and "Security log" not in one.output  # the deployment's log, not one organisation's
        done = runner.invoke(args=["purge-expired"])
        assert done.exit_code == 0, done.output
        assert "2 rows deleted" in done.output
        assert kept_addresses(app) == ["203.0.113.3", "203.0.113.4"]
        app.config["SECURITY_LOG_RETENTION_DAYS"] = 0
        forever = runner.invoke(args=["purge-expired", "--now", (now - timedelta(days=1)).isoformat()])
        assert "kept without limit" in forever.output and kept_addresses(app) == ["203.0.113.3", "203.0.113.4"]
