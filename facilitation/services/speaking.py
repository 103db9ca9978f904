"""The speaking queue's commands: a participant raises a hand, writes a question or comment, asks for a
break or withdraws one of theirs; the chair or a note-taker marks a request answered.

Each request travels in events under `speaking_requests`, to the chair, note-takers and the asker's
own sockets only (realtime.broadcast, queries.for_role); the rules are in domain.speaking.
"""

from __future__ import annotations

from sqlalchemy import select

from .. import queries, schemas
from ..domain import speaking as rules
from ..domain.errors import NotFound
from ..extensions import db
from ..models import SpeakingRequest
from .pipeline import Change, Forbidden, command

ADDED, UPDATED = "speaking_request.added", "speaking_request.updated"


def _asker(change: Change) -> int:
    """The participant a link speaks for (participant links only reach here, by the permission table)."""
    if change.link.participant_id is None:
        raise Forbidden("Only a participant's own link can do that.")
    return change.link.participant_id


def _add(change: Change, kind: str, text: str | None) -> dict:
    participant_id = _asker(change)
    waiting = list(
        db.session.scalars(
            select(SpeakingRequest.kind).where(
                SpeakingRequest.participant_id == participant_id, SpeakingRequest.status == rules.WAITING
            )
        )
    )
    text = rules.check_request(kind, text, change.meeting.status, waiting)
    row = SpeakingRequest(
        meeting_id=change.meeting.id,
        participant_id=participant_id,
        kind=kind,
        text=text,
        item_id=change.meeting.current_item_id,
        status=rules.WAITING,
        created_at=change.now,
        version=1,
    )
    db.session.add(row)
    db.session.flush()
    change.put("speaking_requests", row)
    change.audit(f"queue.{kind}", "speaking_request", row.id, None, queries.speaking_request_view(row))
    return {"request_id": row.id}


def _request(change: Change, request_id: int) -> SpeakingRequest:
    row = db.session.get(SpeakingRequest, request_id)
    if row is None or row.meeting_id != change.meeting.id:
        raise NotFound("There is no such request in this meeting.", field="request_id")
    return row


@command("queue.raise_hand", schemas.NoArgs, "Raise a hand to speak (participants; while the meeting is live)", event=ADDED)
def raise_hand(change: Change, args: schemas.NoArgs) -> dict:
    """A participant raises their hand; one hand at a time."""
    return _add(change, rules.HAND, None)


@command("queue.ask", schemas.AskArgs, "Send the chair a written question or comment (participants; before or during the meeting)", event=ADDED)
def ask(change: Change, args: schemas.AskArgs) -> dict:
    """A participant writes a question or a comment to the chair."""
    return _add(change, args.kind, args.text)


@command("queue.ask_break", schemas.NoArgs, "Ask the chair for a break (participants; while the meeting is live)", event=ADDED)
def ask_break(change: Change, args: schemas.NoArgs) -> dict:
    """A participant asks the chair for a pause."""
    return _add(change, rules.BREAK, None)


@command("queue.withdraw", schemas.SpeakingRequestArgs, "Withdraw your own request while it waits (lower a hand)", event=UPDATED)
def withdraw(change: Change, args: schemas.SpeakingRequestArgs) -> None:
    """A participant lowers their hand or takes back a question still waiting."""
    row = _request(change, args.request_id)
    if row.participant_id != _asker(change):
        # The same answer as for no request: someone else's request is not theirs to see.
        raise NotFound("There is no such request in this meeting.", field="request_id")
    rules.check_withdraw(row.status)
    _close(change, row, rules.WITHDRAWN, "queue.withdraw")


@command("queue.answer", schemas.SpeakingRequestArgs, "Mark a request to speak answered (chair, note-takers)", event=UPDATED)
def answer(change: Change, args: schemas.SpeakingRequestArgs) -> None:
    """The chair or a note-taker marks a hand, question, comment or break request answered."""
    row = _request(change, args.request_id)
    rules.check_answer(row.status)
    row.answered_at = change.now
    _close(change, row, rules.ANSWERED, "queue.answer")


def _close(change: Change, row: SpeakingRequest, status: str, action: str) -> None:
    before = queries.speaking_request_view(row)
    row.status = status
    row.version += 1
    change.put("speaking_requests", row)
    change.audit(action, "speaking_request", row.id, before, queries.speaking_request_view(row))
