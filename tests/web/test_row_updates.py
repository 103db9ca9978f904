"""A command's changed rows written as plain UPDATEs (services.row_updates), on a real SQLite database:
what they write is what the unit of work would have written, and anything more than changed columns of
loaded rows is left whole to the flush."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, event, inspect, select
from sqlalchemy.orm.exc import StaleDataError

from facilitation.extensions import db
from facilitation.models import AgendaItem, Meeting, MeetingEvent
from facilitation.services.row_updates import write_changed_rows


def statements(app):
    """The SQL statements the app's engine runs from now on (a list that fills as they run)."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda conn, cursor, sql, *rest: seen.append(sql))
    return seen


def first_item(meeting_id: int) -> AgendaItem:
    return db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)).first()


def test_changed_columns_of_loaded_rows_are_written_and_the_rows_are_left_clean(app, meeting):
    started = datetime(2026, 12, 6, 10, 30, 15, tzinfo=UTC)
    seen = statements(app)
    with app.app_context():
        meeting_row = db.session.get(Meeting, meeting["id"])
        item = first_item(meeting["id"])  # both loaded before anything changes (a query would flush first)
        item_id, extended = item.id, item.extended_seconds
        item.extended_seconds += 120
        item.run_started_at = started
        item.version += 1
        meeting_row.current_item_id = item_id
        del seen[:]
        assert write_changed_rows(db.session()) is True
        updates = [sql for sql in seen if sql.startswith("UPDATE")]
        assert len(updates) == 2  # one per row, only the columns that changed
        assert "extended_seconds" in updates[0] and "title" not in updates[0]
        assert "current_item_id" in updates[1] and "title" not in updates[1]
        assert not inspect(item).modified and not inspect(meeting_row).modified
        del seen[:]
        db.session.flush()
        assert seen == []  # the flush found nothing left to write
        db.session.commit()
    with app.app_context():  # read afresh: the values, time zone and all, as the unit of work writes them
        item = db.session.get(AgendaItem, item_id)
        assert item.extended_seconds == extended + 120
        assert item.run_started_at == started and item.run_started_at.tzinfo is not None
        assert db.session.get(Meeting, meeting["id"]).current_item_id == item_id


def test_a_new_row_leaves_every_write_to_the_flush(app, meeting):
    seen = statements(app)
    with app.app_context():
        item = first_item(meeting["id"])
        item.extended_seconds += 60
        db.session.add(MeetingEvent(meeting_id=meeting["id"], seq=10_000, type="test", data={}, created_at=datetime.now(UTC)))
        del seen[:]
        assert write_changed_rows(db.session()) is False
        assert seen == [] and inspect(item).modified  # nothing written, the change still waiting
        db.session.flush()
        assert any(sql.startswith("UPDATE agenda_items") for sql in seen)
        assert any(sql.startswith("INSERT INTO meeting_events") for sql in seen)


def test_a_deleted_row_leaves_every_write_to_the_flush(app, meeting):
    with app.app_context():
        items = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting["id"])).all()
        items[0].extended_seconds += 60
        db.session.delete(items[-1])
        assert write_changed_rows(db.session()) is False
        assert inspect(items[0]).modified


def test_a_row_gone_from_the_database_is_an_error_as_in_the_flush(app, meeting):
    with app.app_context():
        item = first_item(meeting["id"])
        db.session.execute(delete(AgendaItem.__table__).where(AgendaItem.__table__.c.id == item.id))
        item.extended_seconds += 60
        with pytest.raises(StaleDataError):
            write_changed_rows(db.session())
        db.session.rollback()


def test_a_clock_command_is_recorded_whole_over_the_api(app, meeting, api):
    """The pipeline's path: the item's change, the meeting's seq, the event and the audit entry, one commit."""
    status, started = api(meeting["chair"], meeting["id"], "clock.start_meeting")
    assert status == 200, started
    status, extended = api(meeting["chair"], meeting["id"], "clock.extend", seconds=120)
    assert status == 200, extended
    with app.app_context():
        current = db.session.get(Meeting, meeting["id"])
        item = db.session.get(AgendaItem, current.current_item_id)
        assert item.extended_seconds == 120
        assert current.last_seq == extended["seq"]
        logged = db.session.scalars(select(MeetingEvent).where(MeetingEvent.meeting_id == meeting["id"], MeetingEvent.seq == extended["seq"])).one()
        assert logged.type == "clock.extend"
        shown = next(i for i in logged.data["items"] if i["id"] == item.id)
        assert shown["extended_seconds"] == 120
