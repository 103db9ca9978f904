"""Attendance taken in groups (services.attendance, services.group_commit): participants whose links
connect at about the same moment, as a meeting starts, are recorded together, one transaction and one
`attendance.joined` event per meeting for the group, with an audit entry each naming their own link;
each connection returns once its participant's attendance is committed. Real threads and a real
SQLite file here; the server under gevent does the same with greenlets."""

from __future__ import annotations

from sqlalchemy import select, text

from facilitation import queries
from facilitation.extensions import db
from facilitation.models import AuditEntry, MeetingEvent
from facilitation.services import attendance, records
from tests.conftest import add_staff, app_with, meeting_payload
from tests.realtime.test_socket_rows_in_groups import at_once


def live_meeting(app, participants: int, chair: str = "senco@school.test") -> tuple[int, list[str]]:
    """A started meeting with `participants` parents (prepared by a new staff account); its id and their link tokens."""
    client, staff = app.test_client(), add_staff(app, email=chair)
    made = client.post("/api/v1/meetings", json=meeting_payload(), headers={"Authorization": f"Bearer {staff['api_token']}"})
    meeting_id, chair = made.get_json()["meeting"]["id"], made.get_json()["tokens"]["chair"]
    tokens = []
    for i in range(participants):
        added = client.post(
            f"/api/v1/meetings/{meeting_id}/commands/participants.add",
            json={"name": f"Parent {i + 1}", "role": "parent", "agency": "family"},
            headers={"Authorization": f"Bearer {chair}"},
        )
        tokens.append(added.get_json()["join_path"].rsplit("/", 1)[1])
    started = client.post(f"/api/v1/meetings/{meeting_id}/commands/clock.start_meeting", json={}, headers={"Authorization": f"Bearer {chair}"})
    assert started.status_code == 200, started.get_json()
    return meeting_id, tokens


def attendance_committed(app, token_link_id: int) -> str | None:
    """The participant's attendance as everyone else reads it (a database connection of its own)."""
    with db.engine.connect() as other:
        return other.execute(
            text("SELECT p.attendance FROM participants p JOIN access_links l ON l.participant_id = p.id WHERE l.id = :id"),
            {"id": token_link_id},
        ).scalar_one()


def join(app, token: str):
    """What the connect handler does for a participant's link: returns (outcome, attendance once returned)."""
    link, status, now, _, _ = records.joining_link(db.session.connection(), token)
    outcome = attendance.link_connected(link, status, now)
    return outcome, attendance_committed(app, link.id)


def test_participants_joining_at_once_are_recorded_together_each_under_their_own_link(tmp_path):
    with app_with(tmp_path, SOCKET_ROWS_GATHER_SECONDS=0.05) as app:
        meeting_id, tokens = live_meeting(app, 13)
        with app.app_context():
            first, _ = join(app, tokens[0])  # a lone join is written at once, and a burst has begun
            seq_before = first.event["seq"]

        outcomes = at_once(app, 12, lambda i: join(app, tokens[i + 1]))

        assert all(kind == "returned" for kind, _ in outcomes), outcomes
        assert all(committed == "remote" for _, (_, committed) in outcomes)  # committed when each returned
        events = [outcome.event for _, (outcome, _) in outcomes if outcome is not None]
        assert 1 <= len(events) < 12  # an event per group, each returned to one of its connections
        assert sorted(e["seq"] for e in events) == list(range(seq_before + 1, seq_before + 1 + len(events)))
        joined = [p["name"] for e in events for p in e["data"]["participants"]]
        assert sorted(joined) == sorted(f"Parent {i}" for i in range(2, 14))
        with app.app_context():
            logged = db.session.scalars(
                select(MeetingEvent).where(MeetingEvent.meeting_id == meeting_id, MeetingEvent.seq > seq_before)
            ).all()
            assert [e.type for e in logged] == [attendance.JOINED] * len(events)
            audits = db.session.scalars(
                select(AuditEntry).where(AuditEntry.meeting_id == meeting_id, AuditEntry.action == attendance.JOINED)
            ).all()
            links = {queries.live_link(t).participant_id: queries.live_link(t).id for t in tokens}
            assert len(audits) == 13
            assert {a.entity_id: a.link_id for a in audits} == links  # each entry names the link that joined
            assert all(a.actor.endswith("(joined by their link)") for a in audits)


def test_a_participant_already_recorded_is_not_recorded_again_in_a_group(tmp_path):
    with app_with(tmp_path, SOCKET_ROWS_GATHER_SECONDS=0.05) as app:
        meeting_id, tokens = live_meeting(app, 3)
        with app.app_context():
            join(app, tokens[0])
        # the first parent again (recorded already), the second, and the third parent's link twice at once
        outcomes = at_once(app, 4, lambda i: join(app, tokens[min(i, 2)]))
        assert all(kind == "returned" for kind, _ in outcomes), outcomes
        joined = [p["name"] for _, (o, _) in outcomes if o is not None for p in o.event["data"]["participants"]]
        assert sorted(joined) == ["Parent 2", "Parent 3"]  # each once
        with app.app_context():
            audits = db.session.scalars(
                select(AuditEntry).where(AuditEntry.meeting_id == meeting_id, AuditEntry.action == attendance.JOINED)
            ).all()
            assert sorted(a.entity_id for a in audits) == sorted({queries.live_link(t).participant_id for t in tokens})


def test_a_meeting_whose_joins_cannot_be_written_fails_only_its_own_connections(tmp_path, monkeypatch):
    with app_with(tmp_path, SOCKET_ROWS_GATHER_SECONDS=0.05) as app:
        (_, a_tokens), (b, b_tokens) = live_meeting(app, 4), live_meeting(app, 4, chair="senco@other.test")
        with app.app_context():
            join(app, a_tokens[0])  # a burst has begun
        marked = attendance.mark_joined

        def refuse_b(change, participant):
            if change.meeting.id == b:
                raise RuntimeError("meeting b's database is unwell")
            return marked(change, participant)

        monkeypatch.setattr(attendance, "mark_joined", refuse_b)
        tokens = a_tokens[1:] + b_tokens[:3]
        outcomes = at_once(app, 6, lambda i: join(app, tokens[i]))
        assert [kind for kind, _ in outcomes[:3]] == ["returned"] * 3
        assert all(committed == "remote" for _, (_, committed) in outcomes[:3])
        assert [(kind, str(exc)) for kind, exc in outcomes[3:]] == [("raised", "meeting b's database is unwell")] * 3
        with app.app_context():
            for token in b_tokens:
                assert attendance_committed(app, queries.live_link(token).id) == "expected"  # nothing written for b
