"""The speaking queue in the live room: a participant's raised hand, question or break request reaches
the chair, the note-takers and that participant's own sockets only, live, in replays and snapshots;
refusals change nothing."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.conftest import events_of
from tests.realtime.conftest import add_note_taker_and_observer

QUESTION = "Will the speech therapy continue over the summer?"


@pytest.fixture
def room(app, client, meeting, api, sockets):
    """Chair, note-taker, the parent (two devices), the EP, an observer and the screen, in a live meeting."""
    note_token, notes_client, observer = add_note_taker_and_observer(app, client, meeting, api)
    status, started = api(meeting["chair"], meeting["id"], "clock.start_meeting")
    assert status == 200, started
    conns = {
        "chair": sockets(meeting["chair"]),
        "note_taker": sockets(note_token, notes_client),
        "parent": sockets(meeting["participants"][0]),
        "parent_phone": sockets(meeting["participants"][0]),
        "psychologist": sockets(meeting["participants"][1]),
        "observer": sockets(observer),
        "screen": sockets(meeting["screen"]),
    }
    for sc in conns.values():
        assert sc.is_connected()
        events_of(sc)
    return {**meeting, "conns": conns}


def send(sc, name, command_id=None, **args) -> dict:
    return sc.emit("command", {"id": command_id or uuid.uuid4().hex, "name": name, "args": args}, callback=True)


def ok(sc, name, **args) -> dict:
    ack = send(sc, name, **args)
    assert ack["ok"], ack
    return ack


def snapshot(sc) -> dict:
    ack = sc.emit("sync", {}, callback=True)
    assert ack["ok"], ack
    return ack["snapshot"]


SEES_ALL = ("chair", "note_taker")
SEES_OWN = ("parent", "parent_phone")
SEES_NONE = ("psychologist", "observer", "screen")


def test_a_raised_hand_reaches_the_chair_note_takers_and_the_parents_own_sockets_only(room):
    ack = ok(room["conns"]["parent"], "queue.raise_hand")
    for who, sc in room["conns"].items():
        [event] = events_of(sc)
        assert event["seq"] == ack["seq"]  # everyone's sequence moves on: nobody sees a gap
        if who in SEES_ALL + SEES_OWN:
            assert event["type"] == "speaking_request.added"
            [request] = event["data"]["speaking_requests"]
            assert request["id"] == ack["request_id"]
            assert (request["kind"], request["status"], request["text"]) == ("hand", "waiting", None)
            assert request["item_id"] == event["data"]["meeting"]["current_item_id"] is not None
        else:
            assert event["type"] == "private"
            assert set(event["data"]) == {"meeting"}


def test_a_written_question_never_reaches_another_participant_the_observer_or_the_screen(room):
    ok(room["conns"]["parent"], "queue.ask", kind="question", text=QUESTION)
    for who, sc in room["conns"].items():
        raw = json.dumps(events_of(sc))
        assert (QUESTION in raw) == (who in SEES_ALL + SEES_OWN), who


def test_each_participant_sees_only_their_own_requests_in_the_snapshot(room):
    ok(room["conns"]["parent"], "queue.ask", kind="comment", text=QUESTION)
    ok(room["conns"]["psychologist"], "queue.raise_hand")
    kinds = {who: sorted(r["kind"] for r in snapshot(sc)["speaking_requests"]) for who, sc in room["conns"].items()}
    assert kinds["chair"] == kinds["note_taker"] == ["comment", "hand"]
    assert kinds["parent"] == kinds["parent_phone"] == ["comment"]
    assert kinds["psychologist"] == ["hand"]
    assert kinds["observer"] == kinds["screen"] == []


def test_a_replay_after_reconnecting_gives_each_link_what_it_would_have_received_live(room):
    before = snapshot(room["conns"]["chair"])["seq"]
    ok(room["conns"]["parent"], "queue.ask", kind="question", text=QUESTION)
    hand = ok(room["conns"]["psychologist"], "queue.raise_hand")
    ok(room["conns"]["chair"], "queue.answer", request_id=hand["request_id"])
    replays = {}
    for who, sc in room["conns"].items():
        ack = sc.emit("sync", {"last_seq": before}, callback=True)
        assert ack["ok"] and [e["seq"] for e in ack["events"]] == [before + 1, before + 2, before + 3], who
        replays[who] = ack["events"]
    assert [e["type"] for e in replays["chair"]] == ["speaking_request.added", "speaking_request.added", "speaking_request.updated"]
    assert [e["type"] for e in replays["parent"]] == ["speaking_request.added", "private", "private"]
    assert replays["parent"][0]["data"]["speaking_requests"][0]["text"] == QUESTION
    assert [e["type"] for e in replays["psychologist"]] == ["private", "speaking_request.added", "speaking_request.updated"]
    assert replays["psychologist"][2]["data"]["speaking_requests"][0]["status"] == "answered"
    for who in ("observer", "screen"):
        assert [e["type"] for e in replays[who]] == ["private"] * 3
        assert "speaking_requests" not in json.dumps(replays[who])


def test_the_chair_marks_a_question_answered_and_the_parent_sees_it(room):
    asked = ok(room["conns"]["parent"], "queue.ask", kind="question", text=QUESTION)
    ok(room["conns"]["note_taker"], "queue.answer", request_id=asked["request_id"])
    [_, answered] = events_of(room["conns"]["parent_phone"])
    [request] = answered["data"]["speaking_requests"]
    assert answered["type"] == "speaking_request.updated"
    assert (request["status"], request["version"]) == ("answered", 2) and request["answered_at"]
    ack = send(room["conns"]["chair"], "queue.answer", request_id=asked["request_id"])
    assert ack["error"]["code"] == "already_answered"


def test_a_participant_lowers_their_own_hand_and_can_raise_it_again(room):
    parent = room["conns"]["parent"]
    hand = ok(parent, "queue.raise_hand")
    assert send(parent, "queue.raise_hand")["error"]["code"] == "already_waiting"
    ok(parent, "queue.withdraw", request_id=hand["request_id"])
    assert send(parent, "queue.withdraw", request_id=hand["request_id"])["error"]["code"] == "already_withdrawn"
    assert send(room["conns"]["chair"], "queue.answer", request_id=hand["request_id"])["error"]["code"] == "already_withdrawn"
    ok(parent, "queue.raise_hand")
    statuses = [r["status"] for r in snapshot(room["conns"]["chair"])["speaking_requests"]]
    assert statuses == ["withdrawn", "waiting"]


def test_a_break_request_reaches_the_chair(room):
    ok(room["conns"]["psychologist"], "queue.ask_break")
    [event] = events_of(room["conns"]["chair"])
    assert event["data"]["speaking_requests"][0]["kind"] == "break"


REFUSALS = [
    ("observer", "queue.raise_hand", {}, "forbidden"),
    ("screen", "queue.raise_hand", {}, "forbidden"),
    ("observer", "queue.ask", {"kind": "question", "text": "Hi"}, "forbidden"),
    ("screen", "queue.ask_break", {}, "forbidden"),
    ("chair", "queue.raise_hand", {}, "forbidden"),
    ("parent", "queue.answer", {"request_id": 1}, "forbidden"),
    ("observer", "queue.answer", {"request_id": 1}, "forbidden"),
    ("parent", "queue.ask", {"kind": "question", "text": "x" * 1001}, "invalid"),
    ("parent", "queue.ask", {"kind": "question", "text": "   "}, "invalid"),
    ("parent", "queue.ask", {"kind": "question"}, "invalid"),
    ("parent", "queue.ask", {"kind": "hand", "text": "Hi"}, "invalid"),
    ("parent", "queue.ask", {"kind": "question", "text": 5}, "invalid"),
    ("parent", "queue.ask", {"kind": ["question"], "text": "Hi"}, "invalid"),
    ("parent", "queue.ask", {"kind": "question", "text": "Hi", "participant_id": 2}, "invalid"),
    ("parent", "queue.raise_hand", {"text": "Hi"}, "invalid"),
    ("parent", "queue.withdraw", {"request_id": "1"}, "invalid"),
    ("parent", "queue.withdraw", {"request_id": 2**40}, "invalid"),
    ("chair", "queue.answer", {"request_id": 0}, "invalid"),
    ("chair", "queue.answer", {"request_id": 999_999}, "not_found"),
    ("chair", "queue.answer", {}, "invalid"),
]


@pytest.mark.parametrize(("who", "name", "args", "code"), REFUSALS, ids=[f"{w}-{n}-{c}-{i}" for i, (w, n, a, c) in enumerate(REFUSALS)])
def test_refused_requests_change_nothing(room, who, name, args, code):
    before = snapshot(room["conns"]["chair"])
    ack = send(room["conns"][who], name, **args)
    assert not ack["ok"] and ack["error"]["code"] == code, ack
    after = snapshot(room["conns"]["chair"])
    assert (after["seq"], after["speaking_requests"]) == (before["seq"], before["speaking_requests"])
    for sc in room["conns"].values():
        assert events_of(sc) == []


def test_another_participants_request_cannot_be_withdrawn_and_is_not_revealed(room):
    hand = ok(room["conns"]["parent"], "queue.raise_hand")
    for sc in room["conns"].values():
        events_of(sc)
    ack = send(room["conns"]["psychologist"], "queue.withdraw", request_id=hand["request_id"])
    assert ack["error"]["code"] == "not_found"  # the same answer as for a request that does not exist
    assert snapshot(room["conns"]["chair"])["speaking_requests"][0]["status"] == "waiting"
    assert all(events_of(sc) == [] for sc in room["conns"].values())


def test_a_retried_command_is_applied_once(room):
    parent = room["conns"]["parent"]
    first = send(parent, "queue.ask", command_id="ask-1", kind="question", text=QUESTION)
    again = send(parent, "queue.ask", command_id="ask-1", kind="question", text=QUESTION)
    assert first == again and first["ok"]
    assert len(snapshot(room["conns"]["chair"])["speaking_requests"]) == 1
    assert len(events_of(room["conns"]["chair"])) == 1


def test_a_question_sent_before_the_meeting_starts_waits_but_a_hand_cannot_be_raised(app, meeting, sockets):
    parent = sockets(meeting["participants"][0])
    ack = ok(parent, "queue.ask", kind="question", text=QUESTION)
    refused = send(parent, "queue.raise_hand")
    assert refused["error"]["code"] == "not_started"
    [request] = snapshot(sockets(meeting["chair"]))["speaking_requests"]
    assert (request["id"], request["item_id"], request["status"]) == (ack["request_id"], None, "waiting")


def test_a_request_from_another_meeting_cannot_be_answered_or_withdrawn_here(room, make_meeting, client, sockets):
    other = make_meeting(title="Another child's review", child_ref="ZZ-9")
    r = client.post(
        f"/api/v1/meetings/{other['id']}/commands/participants.add",
        json={"name": "Other Parent", "role": "parent", "agency": "family"},
        headers={"Authorization": f"Bearer {other['chair']}"},
    )
    elsewhere = sockets(r.get_json()["join_path"].rsplit("/", 1)[1])
    asked = ok(elsewhere, "queue.ask", kind="comment", text="In the other meeting")
    for who, name in (("chair", "queue.answer"), ("parent", "queue.withdraw")):
        ack = send(room["conns"][who], name, request_id=asked["request_id"])
        assert ack["error"]["code"] == "not_found", ack
    assert snapshot(room["conns"]["chair"])["speaking_requests"] == []
    assert all(events_of(sc) == [] for sc in room["conns"].values())
    assert snapshot(sockets(other["chair"]))["speaking_requests"][0]["status"] == "waiting"
