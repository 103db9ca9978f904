"""The evidence pack in the live room: the pack's commands reach every console as `evidence_changed` and
nothing of the pack (names, answers, documents); an upload over HTTP does the same; a decision citing a
confidential document carries it to the chair and note-takers only, in events, replays and snapshots;
refused commands change nothing; a retried command is applied once."""

from __future__ import annotations

import io
import json
import uuid

import pytest

from facilitation.extensions import db
from facilitation.models import Document, EvidenceRequest
from tests import sample_files
from tests.conftest import events_of
from tests.realtime.conftest import add_note_taker_and_observer

SECRET_NAME = "cardiology-letter.png"


@pytest.fixture
def room(app, client, meeting, api, sockets):
    """chair, a signed-in note-taker, the parent, the EP, an observer and the screen, connected."""
    note_token, notes_client, observer = add_note_taker_and_observer(app, client, meeting, api)
    conns = {
        "chair": sockets(meeting["chair"]),
        "note_taker": sockets(note_token, notes_client),
        "parent": sockets(meeting["participants"][0]),
        "ep": sockets(meeting["participants"][1]),
        "observer": sockets(observer),
        "screen": sockets(meeting["screen"]),
    }
    for sc in conns.values():
        assert sc.is_connected()
        events_of(sc)
    people = {p["name"]: p["id"] for p in client.get(f"/api/v1/meetings/{meeting['id']}", headers={"Authorization": f"Bearer {meeting['chair']}"}).get_json()["participants"]}
    return {**meeting, "conns": conns, "parent_id": people["Sam Parent"], "ep_id": people["Dr Eve Psych"]}


def send(sc, name, command_id=None, **args) -> dict:
    return sc.emit("command", {"id": command_id or uuid.uuid4().hex, "name": name, "args": args}, callback=True)


def upload(client, room, token, data, name, **fields):
    form = {"file": (io.BytesIO(data), name), **{k: str(v) for k, v in fields.items()}}
    r = client.post(f"/api/v1/meetings/{room['id']}/documents", data=form, headers={"Authorization": f"Bearer {token}"},
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_the_packs_commands_reach_every_console_as_a_change_and_nothing_of_the_pack(client, room):
    conns = room["conns"]
    ack = send(conns["chair"], "evidence.request", participant_id=room["ep_id"], what="Educational psychology advice")
    assert ack["ok"], ack
    asked = ack["request_id"]
    ack2 = send(conns["ep"], "evidence.answer", request_id=asked, answer="Needs a quiet workspace and visual timetable")
    assert ack2["ok"], ack2
    body = upload(client, room, room["participants"][1], sample_files.png(), SECRET_NAME, request_id=asked, confidential="true")
    for name, sc in conns.items():
        events = events_of(sc)
        assert [(e["type"], e["seq"]) for e in events] == [
            ("evidence.request", ack["seq"]), ("evidence.answer", ack2["seq"]), ("documents.upload", body["seq"])
        ], name
        for e in events:
            assert set(e["data"]) == {"meeting", "evidence_changed"}, name
        text = json.dumps(events)
        assert "psychology" not in text and "quiet workspace" not in text and SECRET_NAME not in text, name


def test_a_decision_citing_a_confidential_document_shows_that_citation_only_to_the_chair_and_note_takers(client, room):
    conns = room["conns"]
    secret = upload(client, room, room["chair"], sample_files.png(), SECRET_NAME, confidential="true")["document"]["id"]
    open_doc = upload(client, room, room["chair"], sample_files.pdf(), "ep-advice.pdf")["document"]["id"]
    for sc in conns.values():
        events_of(sc)
    ack = send(conns["chair"], "decisions.record", text="Keep the plan", cited_document_ids=[open_doc, secret])
    assert ack["ok"], ack
    for name, sc in conns.items():
        [event] = events_of(sc)
        assert event["seq"] == ack["seq"], name
        [decision] = event["data"]["decisions"]
        cited = [c["name"] for c in decision["citations"]]
        if name in ("chair", "note_taker"):
            assert cited == ["ep-advice.pdf", SECRET_NAME], name
        else:
            assert cited == ["ep-advice.pdf"], name
            assert SECRET_NAME not in json.dumps(sc.emit("sync", {}, callback=True)), name  # a fresh snapshot
            assert SECRET_NAME not in json.dumps(sc.emit("sync", {"last_seq": 0}, callback=True)), name  # a replay
    assert SECRET_NAME in json.dumps(conns["chair"].emit("sync", {"last_seq": 0}, callback=True))


@pytest.mark.parametrize("who", ["parent", "observer", "screen"])
def test_only_the_chair_asks_reminds_and_circulates(app, room, who):
    for name, args in (("evidence.request", {"participant_id": room["ep_id"], "what": "x"}), ("evidence.circulate", {})):
        ack = send(room["conns"][who], name, **args)
        assert not ack["ok"] and ack["error"]["code"] == "forbidden", (who, name)
    with app.app_context():
        assert db.session.query(EvidenceRequest).count() == 0
    assert all(events_of(sc) == [] for sc in room["conns"].values())


def test_a_participant_cannot_answer_another_persons_request_or_cite_a_forged_document(app, room):
    conns = room["conns"]
    asked = send(conns["chair"], "evidence.request", participant_id=room["ep_id"], what="EP advice")["request_id"]
    for sc in conns.values():
        events_of(sc)
    ack = send(conns["parent"], "evidence.answer", request_id=asked, answer="Not mine to give")
    assert not ack["ok"] and "request_id" in ack["error"]["fields"]
    ack = send(conns["chair"], "decisions.record", text="Keep the plan", cited_document_ids=[424242])
    assert not ack["ok"] and "cited_document_ids" in ack["error"]["fields"]
    assert all(events_of(sc) == [] for sc in conns.values())
    with app.app_context():
        assert db.session.get(EvidenceRequest, asked).answer is None
        assert db.session.query(Document).count() == 0


def test_a_retried_request_is_applied_once(app, room):
    command_id = uuid.uuid4().hex
    first = send(room["conns"]["chair"], "evidence.request", command_id=command_id, participant_id=room["ep_id"], what="EP advice")
    again = send(room["conns"]["chair"], "evidence.request", command_id=command_id, participant_id=room["ep_id"], what="EP advice")
    assert first == again and first["ok"]
    with app.app_context():
        assert db.session.query(EvidenceRequest).count() == 1
