"""Socket events read their link and meeting as records (services.records), and the clock's commands
read and write their rows so, past the ORM: the same checks on the link and its account, the same
writes, event and audit entry as the ORM's path (the JSON API's), and a record that refuses what it has
no column for."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from facilitation.extensions import db
from facilitation.models import AccessLink, AgendaItem, AuditEntry, Meeting, MeetingEvent, User, utcnow
from facilitation.services import pipeline, records
from tests.conftest import events_of, sign_in


def command(sc, name, **args):
    return sc.emit("command", {"name": name, "args": args}, callback=True)


def statements(app) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, sql, *rest: seen.append(sql))
    return seen


def staff_chair(app, meeting, staff, sockets):
    """The meeting's chair link made the staff account's own (as when it prepares a meeting signed in),
    connected from a browser signed in as that account; and the link's token."""
    with app.app_context():
        db.session.execute(update(AccessLink).where(AccessLink.token == meeting["chair"]).values(user_id=staff["id"]))
        db.session.commit()
    http = app.test_client()
    assert sign_in(http, staff["email"]).status_code in (302, 303)
    return sockets(meeting["chair"], flask_client=http), meeting["chair"]


def last_seq(app, meeting_id: int) -> int:
    with app.app_context():
        return db.session.get(Meeting, meeting_id).last_seq


def test_the_clock_over_a_socket_works_on_records_and_records_each_command_whole(app, meeting, sockets, staff):
    (chair, _), parent = staff_chair(app, meeting, staff, sockets), sockets(meeting["participants"][0])
    assert command(chair, "clock.start_meeting")["ok"]
    seen = statements(app)
    ack = command(chair, "clock.extend", seconds=120)
    assert ack["ok"], ack
    # Read as records (the link with its participant's name, its account and its meeting in one statement,
    # then the agenda), written as one UPDATE of the columns that changed, then the event's rows.
    reads = [sql for sql in seen if sql.lstrip().startswith("SELECT")]
    assert len(reads) == 2 and "p_name" in reads[0] and "FROM agenda_items" in reads[1]
    updates = [sql for sql in seen if sql.startswith("UPDATE agenda_items")]
    assert len(updates) == 1 and "extended_seconds" in updates[0] and "title" not in updates[0]
    assert [sql for sql in seen if sql.startswith("UPDATE meetings")] == ["UPDATE meetings SET last_seq=? WHERE meetings.id = ?"]
    shown = events_of(parent)[-1]
    assert shown["seq"] == ack["seq"] and shown["type"] == "clock.extend"
    with app.app_context():
        current = db.session.get(Meeting, meeting["id"])
        item = db.session.get(AgendaItem, current.current_item_id)
        assert item.extended_seconds == 120
        assert item.run_started_at is not None and item.run_started_at.tzinfo is not None
        assert current.last_seq == ack["seq"]
        logged = db.session.scalars(
            select(MeetingEvent).where(MeetingEvent.meeting_id == meeting["id"], MeetingEvent.seq == ack["seq"])
        ).one()
        assert next(i for i in logged.data["items"] if i["id"] == item.id)["extended_seconds"] == 120
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.meeting_id == meeting["id"], AuditEntry.action == "clock.extend")
        ).one()
        assert audit.actor == f"{staff['name']} (Chair)" and audit.user_id == staff["id"]
        assert audit.after == {"current_item_id": item.id, "seconds": 120}
    # A command that changes the meeting itself writes its next seq in the same UPDATE.
    del seen[:]
    assert command(chair, "clock.next_item")["ok"]
    moved = [sql for sql in seen if sql.startswith("UPDATE meetings")]
    assert len(moved) == 1 and "current_item_id" in moved[0] and "last_seq" in moved[0]


def test_the_clock_on_records_and_on_orm_objects_leaves_the_same_record(app, make_meeting, sockets, api):
    """One meeting run over the socket (records), one over the API (ORM): the same rows and events."""
    over_socket, over_api = make_meeting(), make_meeting(child_ref="CD-2")
    chair = sockets(over_socket["chair"])
    steps = [("clock.start_meeting", {}), ("clock.extend", {"seconds": 300}), ("clock.pause", {}),
             ("clock.resume", {}), ("clock.next_item", {}), ("clock.skip_item", {}), ("clock.defer_item", {}),
             ("clock.previous_item", {}), ("clock.end_meeting", {})]  # fmt: skip
    for name, args in steps:
        assert command(chair, name, **args)["ok"], name
        status, body = api(over_api["chair"], over_api["id"], name, **args)
        assert status == 200, body

    def state(meeting_id):
        meeting = db.session.get(Meeting, meeting_id)
        items = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position))
        positions = {i.id: i.position for i in items}
        rows = [
            (i.position, i.title, i.status, i.deferred, i.visits, i.extended_seconds, i.version, i.started_at is None)
            for i in db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position))
        ]
        kinds = [e.type for e in db.session.scalars(select(MeetingEvent).where(MeetingEvent.meeting_id == meeting_id).order_by(MeetingEvent.seq))]
        return meeting.status, positions.get(meeting.current_item_id), meeting.last_seq, rows, kinds

    with app.app_context():
        assert state(over_socket["id"]) == state(over_api["id"])
        assert state(over_socket["id"])[0] == "ended"


@pytest.mark.parametrize("withdrawn", ["revoked", "signed_out_elsewhere", "account_turned_off"])
def test_a_withdrawn_chair_is_refused_on_the_records_path_and_nothing_changes(app, meeting, sockets, staff, withdrawn):
    chair, token = staff_chair(app, meeting, staff, sockets)
    assert command(chair, "clock.start_meeting")["ok"]
    before = last_seq(app, meeting["id"])
    with app.app_context():
        link = db.session.scalar(select(AccessLink).where(AccessLink.token == token))
        assert link.user_id == staff["id"]
        if withdrawn == "revoked":
            link.revoked_at = utcnow()
        elif withdrawn == "signed_out_elsewhere":
            db.session.execute(update(User).where(User.id == link.user_id).values(session_version=User.session_version + 1))
        else:
            db.session.execute(update(User).where(User.id == link.user_id).values(active=False))
        db.session.commit()
    ack = command(chair, "clock.extend", seconds=60)
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorised"
    assert last_seq(app, meeting["id"]) == before


def test_a_record_takes_only_its_columns_and_notes_only_real_changes(app, meeting):
    with app.app_context():
        link_id = db.session.scalar(select(AccessLink.id).where(AccessLink.token == meeting["chair"]))
        connection = db.session.connection()
        room = records.read_room(connection, link_id)
        items = records.load_items(connection, room.meeting.id)
        assert room.link.user is room.account and room.link.participant is None
        assert room.meeting.scheduled_start.tzinfo is not None
        item = items[0]
        with pytest.raises(AttributeError):
            item.meeting = room.meeting  # a relationship: records have none
        item.title = item.title  # the same value: nothing to write
        assert item.changed() == ()
        item.extended_seconds = 90
        item.version += 1
        assert item.changed() == ("extended_seconds", "version")
        records.write(connection, items)
        assert item.changed() == ()
        db.session.commit()
        assert db.session.get(AgendaItem, item.id).extended_seconds == 90


def test_a_record_whose_row_is_gone_is_an_error_as_in_the_flush(app, meeting):
    from sqlalchemy import delete
    from sqlalchemy.orm.exc import StaleDataError

    with app.app_context():
        connection = db.session.connection()
        items = records.load_items(connection, meeting["id"])
        connection.execute(delete(AgendaItem.__table__).where(AgendaItem.__table__.c.id == items[-1].id))
        items[-1].extended_seconds = 60
        with pytest.raises(StaleDataError):
            records.write(connection, items)
        db.session.rollback()


def test_records_given_for_a_command_that_needs_the_orm_are_read_again_as_objects(app, meeting):
    """Only the commands declared with records=True take records; any other reads its rows as objects."""
    assert pipeline.works_on_records("clock.extend") and not pipeline.works_on_records("decisions.record")
    with app.app_context():
        link_id = db.session.scalar(select(AccessLink.id).where(AccessLink.token == meeting["chair"]))
        pipeline.begin_write()
        room = records.read_room(db.session.connection(), link_id)
        outcome = pipeline.execute(room.link, "decisions.record", {"text": "Keep the plan as it is"}, locked=room.meeting)
        assert outcome.result["ok"] and outcome.event["data"]["decisions"][0]["text"] == "Keep the plan as it is"
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "decisions.record")).one()
        assert audit.link_id == link_id


def test_a_sync_reads_its_link_and_meeting_as_records_without_locking_the_meeting(app, meeting, sockets):
    from sqlalchemy.dialects import postgresql

    parent = sockets(meeting["participants"][0])
    seen = statements(app)
    answer = parent.emit("sync", {}, callback=True)
    assert answer["ok"] and answer["snapshot"]["viewer"]["role"] == "participant"
    assert "p_name" in seen[0] and "meetings.last_seq" in seen[0]
    # On PostgreSQL only a command's read locks the meeting's row; a sync or a clock probe never waits on it.
    rendered = {key: str(query.compile(dialect=postgresql.dialect())) for key, query in records._READ_ROOM.items()}
    assert "FOR UPDATE OF meetings" in rendered[True, True]
    assert "FOR UPDATE" not in rendered[True, False] and "FOR UPDATE" not in rendered[False, False]
