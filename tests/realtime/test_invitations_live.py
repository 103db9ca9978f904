"""Invitations in the live room: the chair invites over the socket, the message goes out after the commit
and the chair's console hears of it (and of the delivery) with no address or reply in the event; a reply
from the invitee's own socket reaches the chair, and a language for the interpreter reaches everyone."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from facilitation.extensions import db
from facilitation.models import OutboxMessage, ParticipantEmail
from tests.conftest import events_of


def send(sc, name, **args) -> dict:
    return sc.emit("command", {"id": uuid.uuid4().hex, "name": name, "args": args}, callback=True)


def invitations(client, meeting) -> dict:
    r = client.get(f"/api/v1/meetings/{meeting['id']}/invitations", headers={"Authorization": f"Bearer {meeting['chair']}"})
    assert r.status_code == 200, r.get_json()
    return {p["name"]: p for p in r.get_json()["people"]}


def test_an_invitation_is_sent_after_the_commit_and_the_reply_reaches_the_chair_live(app, client, meeting, sockets):
    chair, parent, screen = sockets(meeting["chair"]), sockets(meeting["participants"][0]), sockets(meeting["screen"])
    for sc in (chair, parent, screen):
        events_of(sc)
    ack = send(chair, "invitations.send", participant_id=1, email="sam@family.example")
    assert ack["ok"], ack
    with app.app_context():
        assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == ["sam@family.example"]
        assert db.session.get(ParticipantEmail, 1).email == "sam@family.example"
    seen = events_of(chair)
    assert [e["type"] for e in seen] == ["invitations.send", "invitations.delivery"]
    assert all(e["data"]["invitations_changed"] for e in seen)
    on_screen = events_of(screen)
    assert [e["type"] for e in on_screen] == ["invitations.send", "invitations.delivery"]
    assert "sam@family.example" not in str(on_screen)  # the address stays with the chair
    assert invitations(client, meeting)["Sam Parent"]["state"] == "invited"

    ack = send(parent, "invitations.reply", response="accepted", interpreter_language="Polish", note="We will come together")
    assert ack["ok"] and ack["invitation"]["reply"] == "accepted"
    [event] = events_of(chair)
    assert event["type"] == "invitations.reply" and event["data"]["invitations_changed"]
    assert event["data"]["participants"][0]["language"] == "Polish" and event["data"]["participants"][0]["needs_interpreter"]
    assert "We will come together" not in str(events_of(screen))  # the note is for the chair, read from the API
    person = invitations(client, meeting)["Sam Parent"]
    assert person["state"] == "accepted" and person["reply_note"] == "We will come together"


def test_an_invitee_answers_only_for_themselves_and_the_screen_cannot_answer(app, client, meeting, sockets):
    parent, screen = sockets(meeting["participants"][0]), sockets(meeting["screen"])
    ack = send(screen, "invitations.reply", response="accepted")
    assert not ack["ok"] and ack["error"]["code"] == "forbidden"
    ack = send(parent, "invitations.reply", response="declined", participant_id=2)  # no way to name someone else
    assert not ack["ok"] and "participant_id" in ack["error"]["fields"]
    assert invitations(client, meeting)["Dr Eve Psych"]["reply"] is None
    ack = send(parent, "invitations.send", participant_id=2)
    assert not ack["ok"] and ack["error"]["code"] == "forbidden"
