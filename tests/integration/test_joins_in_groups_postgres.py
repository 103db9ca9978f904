"""Attendance taken in groups on PostgreSQL (services.attendance, services.group_commit): each
meeting's joins in a group are one transaction with the meeting's row locked (FOR UPDATE), two
meetings' joins at once are written, each under its own lock, and each connection returns once its
participant's attendance is committed. Real threads and a temporary PostgreSQL database."""

from __future__ import annotations

from sqlalchemy import select

from facilitation import queries
from facilitation.extensions import db
from facilitation.models import AuditEntry
from facilitation.services import attendance
from tests.conftest import app_with
from tests.realtime.test_joins_in_groups import join, live_meeting
from tests.realtime.test_socket_rows_in_groups import at_once


def test_two_meetings_joining_at_once_on_postgresql_are_recorded_each_under_its_own_lock(tmp_path, postgres_url):
    with app_with(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url, SOCKET_ROWS_GATHER_SECONDS=0.05) as app:
        (a, a_tokens), (b, b_tokens) = live_meeting(app, 4), live_meeting(app, 4, chair="senco@other.test")
        with app.app_context():
            join(app, a_tokens[0])  # a burst has begun
        tokens = a_tokens[1:] + b_tokens
        outcomes = at_once(app, len(tokens), lambda i: join(app, tokens[i]))
        assert all(kind == "returned" for kind, _ in outcomes), outcomes
        assert all(committed == "remote" for _, (_, committed) in outcomes)  # committed when each returned
        events = [outcome.event for _, (outcome, _) in outcomes if outcome is not None]
        assert 2 <= len(events) < len(tokens)  # an event per meeting for each group, fewer than the joins
        joined = sorted(p["id"] for e in events for p in e["data"]["participants"])
        with app.app_context():
            expected = sorted(queries.live_link(t).participant_id for t in tokens)
            assert joined == expected  # every join in exactly one event
            for meeting_id, count in ((a, 4), (b, 4)):
                audits = db.session.scalars(
                    select(AuditEntry).where(AuditEntry.meeting_id == meeting_id, AuditEntry.action == attendance.JOINED)
                ).all()
                assert len(audits) == count
