"""Several people in one meeting over Socket.IO: the chair acts, everyone sees it, in order."""

from __future__ import annotations

from tests.conftest import events_of


def command(sc, name, cid=None, **args):
    payload = {"name": name, "args": args}
    if cid:
        payload["id"] = cid
    return sc.emit("command", payload, callback=True)


def test_advancing_the_agenda_reaches_every_participant_and_the_screen(meeting, sockets):
    chair = sockets(meeting["chair"])
    screen = sockets(meeting["screen"])
    parent, ep = (sockets(t) for t in meeting["participants"])
    for sc in (chair, screen, parent, ep):
        sc.get_received()

    ack = command(chair, "clock.start_meeting", cid="c1")
    assert ack["ok"] is True and ack["seq"] >= 1
    ack2 = command(chair, "clock.next_item", cid="c2")
    assert ack2["seq"] == ack["seq"] + 1

    for sc in (chair, screen, parent, ep):
        events = events_of(sc)
        assert [e["seq"] for e in events] == [ack["seq"], ack2["seq"]]
        assert [e["type"] for e in events] == ["clock.start_meeting", "clock.next_item"]
        last = events[-1]["data"]
        current = last["meeting"]["current_item_id"]
        running = [i for i in last["items"] if i["id"] == current]
        assert running and running[0]["status"] == "running" and running[0]["ends_at"]


def test_a_participant_of_another_meeting_receives_nothing(meeting, make_meeting, sockets, client):
    other = make_meeting(title="Someone else's review", child_ref="ZZ-9")
    joined = client.post(
        f"/api/v1/meetings/{other['id']}/commands/participants.add",
        json={"name": "Pat Other-Parent", "role": "parent", "agency": "family"},
        headers={"Authorization": f"Bearer {other['chair']}"},
    )
    assert joined.status_code == 200, joined.get_json()
    outsider = sockets(joined.get_json()["join_path"].rsplit("/", 1)[1])
    outsider_screen = sockets(other["screen"])
    chair = sockets(meeting["chair"])
    parent = sockets(meeting["participants"][0])
    for sc in (outsider, outsider_screen, parent):
        sc.get_received()
    command(chair, "clock.start_meeting")
    command(chair, "clock.extend", seconds=120)
    command(chair, "decisions.record", text="Maintain the EHC plan")
    # A confidential entry goes out in two versions (full and redacted): neither leaves the meeting.
    assert command(chair, "decisions.record", text="Refer to the LADO", confidential=True)["ok"]
    sent = ["clock.start_meeting", "clock.extend", "decisions.record", "decisions.record"]
    assert [e["type"] for e in events_of(parent)] == sent
    assert events_of(outsider) == []
    assert events_of(outsider_screen) == []
    # Asking to catch up replays only their own meeting: their being added, nothing of the first.
    reply = outsider.emit("sync", {"last_seq": 0}, callback=True)
    assert [(e["type"], e["data"]["meeting"]["id"]) for e in reply["events"]] == [("participants.add", other["id"])]
    # They are listening: their own meeting's events do reach them.
    own = command(sockets(other["chair"]), "clock.start_meeting")
    assert [(e["type"], e["seq"]) for e in events_of(outsider)] == [("clock.start_meeting", own["seq"])]
    assert [e["type"] for e in events_of(outsider_screen)] == ["clock.start_meeting"]


def test_participants_and_the_screen_cannot_run_the_clock(meeting, sockets):
    screen = sockets(meeting["screen"])
    parent = sockets(meeting["participants"][0])
    chair = sockets(meeting["chair"])
    chair.get_received()
    for sc in (screen, parent):
        ack = command(sc, "clock.start_meeting")
        assert ack == {"ok": False, "error": {"code": "forbidden", "message": "Your role in this meeting does not allow that."}}
    assert events_of(chair) == []
    assert command(chair, "clock.start_meeting")["ok"]


def test_a_retried_command_is_applied_once(meeting, sockets):
    chair = sockets(meeting["chair"])
    command(chair, "clock.start_meeting", cid="start-1")
    first = command(chair, "clock.extend", cid="ext-1", seconds=60)
    again = command(chair, "clock.extend", cid="ext-1", seconds=60)
    assert first == again
    snap = chair.emit("sync", {}, callback=True)["snapshot"]
    current = next(i for i in snap["items"] if i["id"] == snap["meeting"]["current_item_id"])
    assert current["extended_seconds"] == 60
    assert snap["seq"] == first["seq"]


def test_a_retried_command_that_would_now_be_refused_still_gets_its_original_answer(meeting, sockets):
    """The retry of a pause that went through (its ack was lost) must not hear "already paused"."""
    chair = sockets(meeting["chair"])
    command(chair, "clock.start_meeting", cid="start-1")
    first = command(chair, "clock.pause", cid="pause-1")
    assert first["ok"] is True
    assert command(chair, "clock.pause", cid="pause-1") == first
    refused = command(chair, "clock.pause", cid="pause-2")  # a new pause is refused as it should be
    assert refused["ok"] is False
    assert chair.emit("sync", {}, callback=True)["snapshot"]["seq"] == first["seq"]


def test_a_client_that_missed_events_gets_exactly_those_in_order(meeting, sockets):
    chair = sockets(meeting["chair"])
    parent = sockets(meeting["participants"][0])
    seen = parent.emit("sync", {}, callback=True)["snapshot"]["seq"]
    parent.disconnect()
    seqs = [command(chair, name)["seq"] for name in ("clock.start_meeting", "clock.next_item", "clock.pause", "clock.resume")]
    back = sockets(meeting["participants"][0])
    reply = back.emit("sync", {"last_seq": seen}, callback=True)
    # and, last, their own joining: their link connected while the meeting is live
    assert [e["seq"] for e in reply["events"]] == [*seqs, seqs[-1] + 1]
    assert [e["type"] for e in reply["events"]] == [
        "clock.start_meeting", "clock.next_item", "clock.pause", "clock.resume", "attendance.joined"
    ]


def test_an_invalid_command_changes_nothing_and_says_why(meeting, sockets):
    chair = sockets(meeting["chair"])
    chair.get_received()
    before = chair.emit("sync", {}, callback=True)["snapshot"]
    ack = command(chair, "clock.next_item")
    assert ack["ok"] is False and ack["error"]["code"] == "not_started"
    assert "not started" in ack["error"]["message"]
    ack = command(chair, "clock.extend", seconds="five")
    assert ack["error"]["fields"] == {"seconds": "Must be a whole number."}
    assert events_of(chair) == []
    assert chair.emit("sync", {}, callback=True)["snapshot"] | {"server_now": None} == before | {"server_now": None}
