"""Attendance taken from a participant's link connecting, interpreted items' time scale, and items that
keep their history through Go to: over the real socket handlers, the pipeline and the minutes."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

from facilitation.extensions import db
from facilitation.models import AuditEntry
from facilitation.services import pipeline
from tests.conftest import events_of


def command(sc, cmd, **args):
    return sc.emit("command", {"name": cmd, "args": args}, callback=True)


def snapshot(sc) -> dict:
    return sc.emit("sync", {}, callback=True)["snapshot"]


def person(snap: dict, name: str) -> dict:
    return next(p for p in snap["participants"] if p["name"] == name)


def item_titled(snap: dict, title: str) -> dict:
    return next(i for i in snap["items"] if i["title"] == title)


# ---------------------------------------------------------------- attendance from joining


def test_a_participant_who_connects_during_the_meeting_is_shown_to_the_chair_as_joined_remotely_to_confirm(meeting, sockets, app):
    chair = sockets(meeting["chair"])
    assert command(chair, "clock.start_meeting")["ok"]
    chair.get_received()
    parent = sockets(meeting["participants"][0])
    (event,) = events_of(chair)
    assert event["type"] == "attendance.joined"
    (sam,) = event["data"]["participants"]
    assert sam["name"] == "Sam Parent"
    assert sam["attendance"] == "remote" and sam["attendance_confirmed"] is False and sam["joined_at"]
    assert events_of(parent)[-1]["seq"] == event["seq"], "the joiner's own page is told too"
    with app.app_context():
        audit = db.session.query(AuditEntry).filter_by(action="attendance.joined", entity_id=sam["id"]).one()
        assert audit.before["attendance"] == "expected" and audit.after["attendance"] == "remote"

    # A reconnect (or a second tab) writes nothing and sends nothing.
    seq = snapshot(chair)["seq"]
    parent.disconnect()
    again = sockets(meeting["participants"][0])
    assert events_of(chair) == []
    assert snapshot(again)["seq"] == seq
    assert person(snapshot(chair), "Sam Parent")["joined_at"] == sam["joined_at"]

    # The chair confirms with attendance.set: the same attendance, now confirmed.
    reply = command(chair, "attendance.set", participant_id=sam["id"], attendance="remote")
    assert reply["ok"], reply
    confirmed = person(snapshot(chair), "Sam Parent")
    assert confirmed["attendance"] == "remote" and confirmed["attendance_confirmed"] is True


def test_participants_connected_when_the_meeting_starts_are_marked_in_the_start_event(meeting, sockets):
    chair = sockets(meeting["chair"])
    sockets(meeting["participants"][1])  # Dr Eve Psych has her page open before the start
    assert events_of(chair) == [] or all(e["type"] != "attendance.joined" for e in events_of(chair))
    assert person(snapshot(chair), "Dr Eve Psych")["attendance"] == "expected", "nothing is taken before the start"
    chair.get_received()
    reply = command(chair, "clock.start_meeting")
    (event,) = events_of(chair)
    assert event["seq"] == reply["seq"] and event["type"] == "clock.start_meeting"
    assert [(p["name"], p["attendance"], p["attendance_confirmed"]) for p in event["data"]["participants"]] == [
        ("Dr Eve Psych", "remote", False)
    ]
    assert person(snapshot(chair), "Sam Parent")["attendance"] == "expected", "Sam is not connected"


@pytest.mark.parametrize("recorded", ["in_room", "apologies", "absent"])
def test_joining_never_overrides_what_the_chair_recorded(meeting, sockets, recorded):
    chair = sockets(meeting["chair"])
    sam = person(snapshot(chair), "Sam Parent")
    assert command(chair, "attendance.set", participant_id=sam["id"], attendance=recorded)["ok"]
    assert command(chair, "clock.start_meeting")["ok"]
    seq = snapshot(chair)["seq"]
    chair.get_received()
    sockets(meeting["participants"][0])
    assert events_of(chair) == []
    after = person(snapshot(chair), "Sam Parent")
    assert snapshot(chair)["seq"] == seq
    assert (after["attendance"], after["attendance_confirmed"], after["joined_at"]) == (recorded, True, None)


def test_the_screen_and_staff_links_connecting_record_no_attendance(meeting, sockets):
    chair = sockets(meeting["chair"])
    assert command(chair, "clock.start_meeting")["ok"]
    seq = snapshot(chair)["seq"]
    sockets(meeting["screen"])
    sockets(meeting["chair"])
    assert snapshot(chair)["seq"] == seq


# ---------------------------------------------------------------- interpreted meetings


def test_the_chair_scales_several_items_in_one_step_and_the_projected_end_moves(meeting, sockets):
    chair = sockets(meeting["chair"])
    before = snapshot(chair)
    first, second = before["items"][0], before["items"][1]
    chair.get_received()
    reply = command(chair, "agenda.scale_time", item_ids=[first["id"], second["id"]], time_scale=150)
    assert reply["ok"], reply
    (event,) = events_of(chair)
    assert [i["time_scale"] for i in event["data"]["items"]] == [150, 150]
    extra = (first["allocated_seconds"] + second["allocated_seconds"]) // 2
    assert event["data"]["meeting"]["allocation"]["total_seconds"] == before["meeting"]["allocation"]["total_seconds"] + extra
    moved = datetime.fromisoformat(event["data"]["meeting"]["projected_end"]) - datetime.fromisoformat(before["meeting"]["projected_end"])
    assert moved.total_seconds() == extra


@pytest.mark.parametrize("value", [90, 310, 130, "x", True, None, 1.5])
def test_a_time_scale_out_of_range_or_of_the_wrong_type_is_refused_and_changes_nothing(meeting, sockets, value):
    chair = sockets(meeting["chair"])
    before = snapshot(chair)
    item = before["items"][0]
    for name, args in (
        ("agenda.scale_time", {"item_ids": [item["id"]], "time_scale": value}),
        ("agenda.update_item", {"item_id": item["id"], "version": item["version"], "time_scale": value}),
        ("agenda.add_item", {"title": "Extra", "minutes": 5, "time_scale": value}),
    ):
        if value is None and name == "agenda.update_item":
            continue  # null means "leave as it is" there
        reply = command(chair, name, **args)
        assert reply["ok"] is False, (name, value)
        assert "time_scale" in reply["error"].get("fields", {}), reply
    after = snapshot(chair)
    assert after["seq"] == before["seq"] and after["items"] == before["items"]


def test_a_participant_s_language_and_interpreter_are_kept_and_a_language_too_long_is_refused(meeting, sockets):
    chair = sockets(meeting["chair"])
    sam = person(snapshot(chair), "Sam Parent")
    reply = command(chair, "participants.update", participant_id=sam["id"], version=sam["version"], language="Polish", needs_interpreter=True)
    assert reply["ok"], reply
    sam = person(snapshot(chair), "Sam Parent")
    assert (sam["language"], sam["needs_interpreter"]) == ("Polish", True)
    before = snapshot(chair)
    for cmd, args in (
        ("participants.update", {"participant_id": sam["id"], "version": sam["version"], "language": "P" * 61}),
        ("participants.add", {"name": "Ana", "role": "parent", "agency": "family", "language": "P" * 61}),
        ("participants.update", {"participant_id": sam["id"], "version": sam["version"], "needs_interpreter": "yes"}),
    ):
        reply = command(chair, cmd, **args)
        assert reply["ok"] is False and reply["error"]["fields"], reply
    after = snapshot(chair)
    assert after == {**before, "server_now": after["server_now"]}


# ---------------------------------------------------------------- items keep their history in the minutes


class Clock:
    """The pipeline's clock, moved on by hand: the meeting's minutes pass in no time."""

    def __init__(self):
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self):
        return self.now

    def at(self, minutes: int) -> None:
        self.now = self.start + timedelta(minutes=minutes)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    fake.start = fake.now
    monkeypatch.setattr(pipeline, "utcnow", fake)
    return fake


def row_of(text: str, title: str) -> str:
    """The agenda table's row (Markdown or HTML) of the item titled `title`."""
    rows = text.split("<tr>") if "<tr>" in text else text.splitlines()
    names = (title, html.escape(title, quote=False).replace("'", "&#39;"))
    return next(r.split("</tr>")[0] for r in rows if any(n in r for n in names) and ("|" in r or "<td" in r))


def test_an_item_left_through_go_to_keeps_its_entries_and_time_and_the_minutes_never_call_it_not_reached(meeting, sockets, client, clock):
    chair = sockets(meeting["chair"])
    items = snapshot(chair)["items"]
    one, two, three = items[0], items[1], items[2]
    sam = person(snapshot(chair), "Sam Parent")
    clock.at(0)
    assert command(chair, "clock.start_meeting")["ok"]
    clock.at(4)
    assert command(chair, "clock.goto_item", item_id=three["id"])["ok"]
    due = {"due_date": "2099-01-10", "follow_up_date": "2099-01-20"}
    for cmd, args in (
        ("decisions.record", {"text": "Keep the 1:1 support each morning", "status": "agreed"}),
        ("actions.record", {"what": "Share the SALT report", "owner_participant_id": sam["id"], **due}),
        ("actions.record", {"what": "Book the next review", "owner_name": "Office", "owner_agency": "School", **due}),
        ("disagreements.record", {"topic": "Hours of support in section F"}),
    ):
        reply = command(chair, cmd, **args)
        assert reply["ok"], reply
    clock.at(11)
    assert command(chair, "clock.goto_item", item_id=one["id"])["ok"]
    snap = snapshot(chair)
    left = item_titled(snap, three["title"])
    assert (left["status"], left["visits"], left["actual_seconds"]) == ("left", 1, 7 * 60)
    assert item_titled(snap, one["title"])["visits"] == 2
    clock.at(13)
    assert command(chair, "clock.next_item")["ok"]
    assert snapshot(chair)["meeting"]["current_item_id"] == two["id"], "Next goes on to the item not yet opened"
    clock.at(20)
    assert command(chair, "clock.end_meeting")["ok"]
    snap = snapshot(chair)
    assert [item_titled(snap, i["title"])["status"] for i in (one, two, three)] == ["done", "done", "left"]
    assert item_titled(snap, one["title"])["actual_seconds"] == 6 * 60, "4 minutes, then 2 more on return"

    markdown = client.get(f"/minutes/{meeting['chair']}/export/md").get_data(as_text=True)
    page = client.get(f"/minutes/{meeting['chair']}/export/html").get_data(as_text=True)
    for text in (markdown, page):
        row = row_of(text, three["title"])
        assert "Discussed, not finished (7 min)" in row and "Not reached" not in row, row
        assert "6 min" in row_of(text, one["title"])
        for entry in ("Keep the 1:1 support each morning", "Share the SALT report", "Book the next review", "Hours of support in section F"):
            assert entry in text
    section = markdown.split(three["title"])[-1]
    assert "Keep the 1:1 support each morning" in section, "the entries stay filed under item 3"


def test_next_after_go_to_comes_back_to_the_item_left_and_the_minutes_give_its_time_over_both_visits(meeting, sockets, client, clock):
    chair = sockets(meeting["chair"])
    items = snapshot(chair)["items"]
    clock.at(0)
    assert command(chair, "clock.start_meeting")["ok"]
    clock.at(3)
    assert command(chair, "clock.goto_item", item_id=items[1]["id"])["ok"]
    minute = 3
    while snapshot(chair)["meeting"]["current_item_id"] is not None:
        minute += 2
        clock.at(minute)
        assert command(chair, "clock.next_item")["ok"]
    first = item_titled(snapshot(chair), items[0]["title"])
    assert (first["status"], first["visits"], first["actual_seconds"]) == ("done", 2, 5 * 60)
    assert command(chair, "clock.end_meeting")["ok"]
    markdown = client.get(f"/minutes/{meeting['chair']}/export/md").get_data(as_text=True)
    assert "Not reached" not in markdown
    assert "5 min" in row_of(markdown, items[0]["title"])


def test_an_item_never_opened_with_nothing_under_it_is_still_not_reached(meeting, sockets, client):
    chair = sockets(meeting["chair"])
    items = snapshot(chair)["items"]
    assert command(chair, "clock.start_meeting")["ok"]
    assert command(chair, "clock.end_meeting")["ok"]
    markdown = client.get(f"/minutes/{meeting['chair']}/export/md").get_data(as_text=True)
    assert "Not reached" in row_of(markdown, items[-1]["title"])
