"""The statutory record in the live room: the chair or a note-taker records a step done or an exception,
every console hears that the timeline changed (and nothing of what it says), the timeline read again shows
met / late / the exception; observers and the screen cannot record; bad input changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from facilitation.extensions import db
from facilitation.models import AuditEntry, StatutoryRecord
from tests.conftest import events_of, local_today
from tests.realtime.conftest import add_note_taker_and_observer


@pytest.fixture
def room(app, client, meeting, api, sockets):
    """An EHCP annual review today: chair, a signed-in note-taker, the parent, an observer and the screen."""
    note_token, notes_client, observer = add_note_taker_and_observer(app, client, meeting, api)
    conns = {
        "chair": sockets(meeting["chair"]),
        "note_taker": sockets(note_token, notes_client),
        "parent": sockets(meeting["participants"][0]),
        "observer": sockets(observer),
        "screen": sockets(meeting["screen"]),
    }
    for sc in conns.values():
        assert sc.is_connected()
        events_of(sc)
    return {**meeting, "conns": conns}


def send(sc, name, **args) -> dict:
    return sc.emit("command", {"id": uuid.uuid4().hex, "name": name, "args": args}, callback=True)


def timeline(client, meeting) -> dict:
    r = client.get(f"/api/v1/meetings/{meeting['id']}/timeline", headers={"Authorization": f"Bearer {meeting['chair']}"})
    assert r.status_code == 200, r.get_json()
    return {item["rule_id"]: item for item in r.get_json()["items"]}


def test_a_step_recorded_done_reaches_every_console_as_a_change_and_reads_back_as_met(app, client, room):
    before = timeline(client, room)["ENG-AR-05"]  # invitations: two weeks before a meeting today
    assert before["status"] == "overdue" and before["record_text"] == ""
    sent = local_today() - timedelta(days=20)
    ack = send(room["conns"]["chair"], "statutory.record_done", rule_id="ENG-AR-05", done_on=sent.isoformat())
    assert ack["ok"], ack
    for name, sc in room["conns"].items():
        events = events_of(sc)
        assert [(e["type"], e["seq"]) for e in events] == [("statutory.record_done", ack["seq"])], name
        # the event says only that the timeline changed: observers and the screen may not read it
        assert events[0]["data"]["timeline_changed"] is True
        assert set(events[0]["data"]) == {"meeting", "timeline_changed"}, name
    after = timeline(client, room)["ENG-AR-05"]
    assert after["status"] == "met" and after["done_on"] == sent.isoformat()
    assert after["record_text"] == f"Met on {sent.day} {sent:%b %Y}"
    with app.app_context():
        audit = db.session.query(AuditEntry).filter_by(meeting_id=room["id"], action="statutory.record_done").one()
        assert audit.after["done_on"] == sent.isoformat() and "Chair" in audit.actor


def test_a_note_taker_records_an_exception_that_notes_the_reason_while_the_date_stands(client, room):
    ack = send(room["conns"]["note_taker"], "statutory.record_exception", rule_id="ENG-AR-08", exception="other",
               reason="The head teacher is on leave; the deputy will send the report")
    assert ack["ok"] and ack["effect"] == "notes", ack
    report = timeline(client, room)["ENG-AR-08"]
    assert report["exception"]["text"] == "Exception: another reason (recorded; the regulations set no exception for it) (date stands)"
    assert report["exception"]["reason"].startswith("The head teacher") and report["date"] == report["rule_date"]
    assert report["status"] in ("due", "due_soon")
    ack = send(room["conns"]["note_taker"], "statutory.undo", rule_id="ENG-AR-08", what="exception")
    assert ack["ok"], ack
    assert timeline(client, room)["ENG-AR-08"]["exception"] is None


@pytest.mark.parametrize("who", ["observer", "screen", "parent"])
def test_observers_the_screen_and_participants_cannot_record_a_step(app, room, who):
    ack = send(room["conns"][who], "statutory.record_done", rule_id="ENG-AR-05", done_on=local_today().isoformat())
    assert not ack["ok"] and ack["error"]["code"] == "forbidden"
    with app.app_context():
        assert db.session.query(StatutoryRecord).count() == 0
    assert all(events_of(sc) == [] for sc in room["conns"].values())


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"rule_id": "ENG-AR-05", "done_on": "tomorrow"}, "done_on"),
        ({"rule_id": "US-IEP-02", "done_on": "2026-01-05"}, "rule_id"),  # not a step of an annual review
        ({"rule_id": "ENG-AR-5", "done_on": "2026-01-05"}, "rule_id"),
        ({"rule_id": "ENG-AR-05", "done_on": "1850-01-05"}, "done_on"),
        ({"rule_id": "ENG-AR-05"}, "done_on"),
    ],
)
def test_a_bad_done_command_is_refused_naming_the_field_and_changes_nothing(app, room, args, field):
    ack = send(room["conns"]["chair"], "statutory.record_done", **args)
    assert not ack["ok"] and field in ack["error"]["fields"], ack
    with app.app_context():
        assert db.session.query(StatutoryRecord).count() == 0
    assert events_of(room["conns"]["chair"]) == []


def test_a_done_date_after_today_is_refused(room):
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    ack = send(room["conns"]["chair"], "statutory.record_done", rule_id="ENG-AR-08", done_on=tomorrow)
    assert not ack["ok"] and "done_on" in ack["error"]["fields"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        # the annual review report's rule allows no school-closure exception
        ({"rule_id": "ENG-AR-08", "exception": "school_closed", "reason": "Closed 5 weeks"}, "exception"),
        ({"rule_id": "ENG-AR-08", "exception": "holiday", "reason": "Closed"}, "exception"),
        ({"rule_id": "ENG-AR-08", "exception": "other", "reason": "   "}, "reason"),
        ({"rule_id": "ENG-AR-08", "exception": "other", "reason": "Ill", "days": 7}, "days"),
    ],
)
def test_a_bad_exception_is_refused_naming_the_field_and_changes_nothing(app, room, args, field):
    ack = send(room["conns"]["chair"], "statutory.record_exception", **args)
    assert not ack["ok"] and field in ack["error"]["fields"], ack
    with app.app_context():
        assert db.session.query(StatutoryRecord).count() == 0


def test_undoing_what_was_never_recorded_is_refused(room):
    ack = send(room["conns"]["chair"], "statutory.undo", rule_id="ENG-AR-05", what="done")
    assert not ack["ok"] and ack["error"]["code"] == "not_found" and "what" in ack["error"]["fields"]
