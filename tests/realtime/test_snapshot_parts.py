"""The parts of a snapshot shared by every connection of a meeting at one seq (queries.SnapshotParts):
a command shows at once, confidential entries never reach a role that may not see them whichever
audience read first, the purge's detachments show at once, and a write outside the commands shows
within SNAPSHOT_CACHE_SECONDS (this module's app keeps parts for half a second)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from facilitation import queries
from facilitation.extensions import db
from facilitation.models import Meeting, Participant, utcnow
from facilitation.services import data_protection
from tests.conftest import app_with

MAX_AGE = 0.5


@pytest.fixture
def app(tmp_path):
    with app_with(tmp_path, SNAPSHOT_CACHE_SECONDS=MAX_AGE) as app:
        yield app


def cmd(sc, name, /, **args):
    ack = sc.emit("command", {"name": name, "args": args}, callback=True)
    assert ack["ok"], ack
    return ack


def snap(sc):
    return sc.emit("sync", {}, callback=True)["snapshot"]


def test_connections_at_one_seq_share_the_record_and_a_command_shows_in_the_next_sync(meeting, sockets):
    chair, parent, psych = (sockets(t) for t in (meeting["chair"], *meeting["participants"]))
    first, second = snap(parent), snap(psych)
    assert first["seq"] == second["seq"]
    for part in ("items", "participants", "decisions", "actions"):
        assert first[part] == second[part]
    assert second["viewer"]["participant_id"] != first["viewer"]["participant_id"]
    cmd(chair, "decisions.record", text="Weekly speech and language sessions")
    cmd(chair, "participants.add", name="Ms Class Teacher", role="class_teacher", agency="school")
    after = snap(psych)
    assert after["seq"] == first["seq"] + 2
    assert [d["text"] for d in after["decisions"]] == ["Weekly speech and language sessions"]
    assert "Ms Class Teacher" in [p["name"] for p in after["participants"]]


@pytest.mark.parametrize("chair_first", [True, False])
def test_a_confidential_entry_reaches_only_the_roles_that_see_it_whoever_syncs_first(meeting, sockets, chair_first):
    chair, parent, screen = sockets(meeting["chair"]), sockets(meeting["participants"][0]), sockets(meeting["screen"])
    cmd(chair, "decisions.record", text="Referral to the child health team", confidential=True)
    cmd(chair, "decisions.record", text="Reading support every morning")
    order = [chair, parent, screen] if chair_first else [parent, screen, chair]
    seen = {id(sc): [d["text"] for d in snap(sc)["decisions"]] for sc in order}
    assert seen[id(chair)] == ["Referral to the child health team", "Reading support every morning"]
    assert seen[id(parent)] == seen[id(screen)] == ["Reading support every morning"]


def test_the_purge_detaches_a_later_meeting_s_carried_outcome_and_the_next_sync_shows_it(app, make_meeting, sockets):
    start = datetime.now(UTC).replace(microsecond=0)
    earlier = make_meeting(
        child_ref="AB-1",
        scheduled_start=(start - timedelta(days=3000)).isoformat(),
        scheduled_end=(start - timedelta(days=3000) + timedelta(hours=1)).isoformat(),
    )
    cmd(sockets(earlier["chair"]), "outcomes.add", text="Read a book aloud")
    later = make_meeting(child_ref="AB-1")
    chair = sockets(later["chair"])
    cmd(chair, "outcomes.carry_forward")
    (carried,) = snap(chair)["outcomes"]
    assert carried["carried_from_id"] is not None
    with app.app_context():
        m = db.session.get(Meeting, earlier["id"])
        m.started_at, m.ended_at = m.scheduled_start, m.scheduled_end
        db.session.commit()
        summary = data_protection.purge_expired(utcnow(), by="tests")
    assert summary.meeting_ids == [earlier["id"]]
    (kept,) = snap(chair)["outcomes"]  # the seq has not moved; the purge forgot the shared parts
    assert kept["text"] == "Read a book aloud" and kept["carried_from_id"] is None


def test_a_write_outside_the_commands_shows_within_the_configured_seconds(app, meeting, sockets):
    parent = sockets(meeting["participants"][0])
    before = snap(parent)
    with app.app_context():
        db.session.execute(update(Participant).where(Participant.name == "Sam Parent").values(name="Sam Renamed"))
        db.session.commit()
    same_seq = snap(parent)
    assert same_seq["seq"] == before["seq"]
    time.sleep(MAX_AGE + 0.1)
    names = [p["name"] for p in snap(parent)["participants"]]
    assert "Sam Renamed" in names and "Sam Parent" not in names
    # within the window the parts read before are what is shown (what connected clients show too)
    assert [p["name"] for p in same_seq["participants"]] == [p["name"] for p in before["participants"]]


def test_the_cache_keeps_a_bounded_number_of_parts_and_forgets_the_oldest():
    parts = queries.SnapshotParts(size=2)
    for seq in (1, 2, 3):
        parts.put((7, seq, True), 0.0, {"seq": seq})
    assert parts.get((7, 1, True), 0.0, 5) is None
    assert parts.get((7, 3, True), 0.0, 5) == {"seq": 3}
    assert parts.get((7, 3, True), 6.0, 5) is None  # older than the configured seconds
    parts.clear()
    assert parts.get((7, 2, True), 0.0, 5) is None


def test_requests_to_speak_at_one_seq_reach_the_chair_all_and_each_participant_only_their_own(meeting, sockets):
    chair, parent, psych, screen = (sockets(t) for t in (meeting["chair"], *meeting["participants"], meeting["screen"]))
    cmd(chair, "clock.start_meeting")
    cmd(parent, "queue.raise_hand")
    cmd(psych, "queue.raise_hand")
    chair_view = snap(chair)  # the chair's sync builds the meeting's parts at this seq first
    assert len(chair_view["speaking_requests"]) == 2
    mine = {sc: snap(sc) for sc in (parent, psych, screen)}
    assert {s["seq"] for s in mine.values()} == {chair_view["seq"]}
    for sc in (parent, psych):
        own = mine[sc]["viewer"]["participant_id"]
        assert [r["participant_id"] for r in mine[sc]["speaking_requests"]] == [own]
    assert mine[screen]["speaking_requests"] == []
