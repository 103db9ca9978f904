"""Commands that write the meeting's record: decisions, actions, disagreements, positions, attendance."""

from __future__ import annotations

from typing import Any

from .. import queries, schemas
from ..domain import access, routes
from ..domain import registers as rules
from ..domain.errors import InvalidValue, NotFound
from ..domain.meetings import AGENCIES
from ..domain.minutes.reports import NOTICE_KINDS
from ..extensions import db
from ..models import Action, Decision, Disagreement, Participant, Position
from .evidence import check_answered_views, check_citations
from .pipeline import Change, Forbidden, check_version, command


def _entry(change: Change, model, entry_id: int, what: str):
    row = db.session.get(model, entry_id)
    if row is None or row.meeting_id != change.meeting.id or row.deleted_at is not None:
        raise NotFound(f"There is no such {what} in this meeting.", field=f"{what.split()[0]}_id")
    if getattr(row, "confidential", False) and not access.sees_confidential(change.link.role):
        # The same answer as for no entry: a confidential entry's existence is not revealed.
        raise NotFound(f"There is no such {what} in this meeting.", field=f"{what.split()[0]}_id")
    return row


def _mark_confidential(row, args) -> None:
    """Apply a `confidential` flag the command sent (record: always; edit: when given)."""
    if getattr(args, "confidential", None) is not None:
        row.confidential = args.confidential


def _participant(change: Change, participant_id: int | None, field: str) -> Participant | None:
    if participant_id is None:
        return None
    p = db.session.get(Participant, participant_id)
    if p is None or p.meeting_id != change.meeting.id or p.removed_at is not None:
        raise NotFound("There is no such participant in this meeting.", field=field)
    return p


def _agenda_item(change: Change, item_id: int | None) -> int | None:
    if item_id is None:
        return None
    if not any(i.id == item_id for i in change.items):
        raise NotFound("There is no such agenda item in this meeting.", field="agenda_item_id")
    return item_id


def _default_item(change: Change, args) -> int | None:
    """Entries are filed under the item named, or else the item the meeting is on."""
    if "agenda_item_id" in args.model_fields_set:
        return _agenda_item(change, args.agenda_item_id)
    return change.meeting.current_item_id


def agency_of(p: Participant) -> str:
    return p.agency_name or AGENCIES.get(p.agency, p.agency)


def delete_entry(change: Change, row, version: int, collection: str, entity: str, view) -> None:
    """Delete an entry of the record (it stays in the audit trail): checked against the version it was
    based on, dropped from the room's `collection`, audited as `<collection>.delete` with what it said."""
    before = view(row)
    check_version(row, version, before)
    row.deleted_at = change.now
    change.drop(collection, row.id)
    change.audit(f"{collection}.delete", entity, row.id, before, None)


def _merged(args, row, fields: list[str]) -> dict[str, Any]:
    """The row's values with those the command sent (sent-as-null clears optional fields)."""
    return {f: getattr(args, f) if f in args.model_fields_set else getattr(row, f) for f in fields}


# ---------------------------------------------------------------- decisions

DECISION_FIELDS = [
    "agenda_item_id",
    "text",
    "reasons",
    "evidence",
    "options_considered",
    "status",
    "dissenter_ids",
    "disagreement_id",
    "review_date",
    "cited_document_ids",
    "notice",
    "other_factors",
    "answers_view_ids",
    "answers_recorded_views",
]


def _clean_decision(change: Change, v: dict, old: list | None = None, old_views: list | None = None) -> dict:
    v["text"] = rules.clean_text(v["text"], "text", "The decision", rules.TEXT, required=True)
    v["reasons"] = rules.clean_text(v["reasons"], "reasons", "The reasons", rules.LONG_TEXT)
    v["evidence"] = rules.clean_text(v["evidence"], "evidence", "The evidence", rules.TEXT)
    v["options_considered"] = rules.clean_text(
        v["options_considered"], "options_considered", "The options considered", rules.LONG_TEXT
    )
    v["dissenter_ids"] = list(v["dissenter_ids"] or [])
    rules.check_decision(v["status"], v["dissenter_ids"], v["disagreement_id"])
    for pid in v["dissenter_ids"]:
        _participant(change, pid, "dissenter_ids")
    if v["disagreement_id"] is not None:
        _entry(change, Disagreement, v["disagreement_id"], "disagreement")
    rules.check_review_date(v["review_date"], change.meeting_day)
    v["cited_document_ids"] = _cited(change, v["cited_document_ids"], old)
    if v["notice"] is not None and v["notice"] not in NOTICE_KINDS:
        raise InvalidValue("Say whether the decision proposes or refuses an action.", field="notice")
    v["other_factors"] = rules.clean_text(v["other_factors"], "other_factors", "The other factors", rules.LONG_TEXT)
    # like citations: checked when they change, so a view withdrawn since does not block other edits
    if list(v["answers_view_ids"] or []) != list(old_views or []):
        v["answers_view_ids"] = check_answered_views(change, v["answers_view_ids"]) or None
    v["answers_recorded_views"] = bool(v["answers_recorded_views"])
    return v


def _cited(change: Change, ids: list | None, old: list | None) -> list | None:
    """Documents cited: checked when they change (a document removed since stays out of the views)."""
    if list(ids or []) == list(old or []):
        return old
    return check_citations(change, ids) or None


@command("decisions.record", schemas.RecordDecisionArgs, "Record a decision (under the current item by default)")
def record_decision(change: Change, args: schemas.RecordDecisionArgs) -> dict:
    """Record a decision with reasons, evidence, options rejected, status and dissent."""
    values = {f: getattr(args, f) for f in DECISION_FIELDS}
    values["agenda_item_id"] = _default_item(change, args)
    values = _clean_decision(change, values)
    row = Decision(meeting_id=change.meeting.id, version=1, created_at=change.now, **values)
    _mark_confidential(row, args)
    db.session.add(row)
    db.session.flush()
    change.put("decisions", row)
    change.audit("decisions.record", "decision", row.id, None, queries.decision_view(row))
    return {"decision_id": row.id}


@command("decisions.update", schemas.UpdateDecisionArgs, "Edit a decision (stale versions get a conflict)")
def update_decision(change: Change, args: schemas.UpdateDecisionArgs) -> None:
    """Edit a decision from the version the editor saw."""
    row = _entry(change, Decision, args.decision_id, "decision")
    before = queries.decision_view(row)
    check_version(row, args.version, before)
    values = _merged(args, row, DECISION_FIELDS)
    if "agenda_item_id" in args.model_fields_set:
        _agenda_item(change, args.agenda_item_id)
    if "status" in args.model_fields_set and args.status != rules.AGREED_WITH_DISSENT and "dissenter_ids" not in args.model_fields_set:
        values["dissenter_ids"] = []
    values = _clean_decision(change, values, row.cited_document_ids, row.answers_view_ids)
    for f, v in values.items():
        setattr(row, f, v)
    _mark_confidential(row, args)
    row.version += 1
    change.put("decisions", row)
    change.audit("decisions.update", "decision", row.id, before, queries.decision_view(row))


@command("decisions.delete", schemas.DecisionArgs, "Delete a decision (it stays in the audit trail)")
def delete_decision(change: Change, args: schemas.DecisionArgs) -> None:
    """Delete a decision; the audit trail keeps what it said."""
    delete_entry(change, _entry(change, Decision, args.decision_id, "decision"), args.version, "decisions", "decision", queries.decision_view)


# ---------------------------------------------------------------- actions

ACTION_FIELDS = [
    "agenda_item_id",
    "what",
    "owner_participant_id",
    "owner_name",
    "owner_agency",
    "due_date",
    "follow_up_date",
    "need",
    "cited_document_ids",
]


def _clean_action(change: Change, v: dict, *, due_changed: bool, old: list | None = None) -> dict:
    v["cited_document_ids"] = _cited(change, v["cited_document_ids"], old)
    v["what"] = rules.clean_text(v["what"], "what", "What will be done", rules.TEXT, required=True)
    v["owner_name"] = rules.clean_text(v["owner_name"], "owner_name", "The owner's name", rules.NAME)
    v["need"] = rules.clean_text(v["need"], "need", "The need or outcome", rules.SHORT_TEXT)
    owner = _participant(change, v["owner_participant_id"], "owner_participant_id")
    agency = rules.clean_text(v["owner_agency"], "owner_agency", "The owner's agency", rules.NAME)
    if agency is None and owner is not None:
        agency = agency_of(owner)
    v["owner_agency"] = agency
    rules.check_owner(v["owner_participant_id"], v["owner_name"], agency)
    rules.check_action_dates(v["due_date"], v["follow_up_date"], change.meeting_day, change.today, due_changed=due_changed)
    return v


@command("actions.record", schemas.RecordActionArgs, "Record an action: what, owner and agency, due and follow-up dates")
def record_action(change: Change, args: schemas.RecordActionArgs) -> dict:
    """Record an action owned by a participant or a named person, with their agency."""
    values = {f: getattr(args, f) for f in ACTION_FIELDS}
    values["agenda_item_id"] = _default_item(change, args)
    values = _clean_action(change, values, due_changed=True)
    row = Action(meeting_id=change.meeting.id, status="open", version=1, created_at=change.now, **values)
    _mark_confidential(row, args)
    db.session.add(row)
    db.session.flush()
    change.put("actions", row)
    change.audit("actions.record", "action", row.id, None, queries.action_view(row))
    return {"action_id": row.id}


@command("actions.update", schemas.UpdateActionArgs, "Edit an action (stale versions get a conflict)")
def update_action(change: Change, args: schemas.UpdateActionArgs) -> None:
    """Edit an action from the version the editor saw; a new owner needs a new confirmation."""
    row = _entry(change, Action, args.action_id, "action")
    before = queries.action_view(row)
    check_version(row, args.version, before)
    values = _merged(args, row, ACTION_FIELDS)
    if "agenda_item_id" in args.model_fields_set:
        _agenda_item(change, args.agenda_item_id)
    # Naming a participant clears a free-text name and the other way round, unless both were sent.
    if "owner_participant_id" in args.model_fields_set and args.owner_participant_id and "owner_name" not in args.model_fields_set:
        values["owner_name"] = None
    if "owner_name" in args.model_fields_set and args.owner_name and "owner_participant_id" not in args.model_fields_set:
        values["owner_participant_id"] = None
    owner_changed = (values["owner_participant_id"], values["owner_name"]) != (row.owner_participant_id, row.owner_name)
    if owner_changed and "owner_agency" not in args.model_fields_set:
        values["owner_agency"] = None
    values = _clean_action(change, values, due_changed=values["due_date"] != row.due_date, old=row.cited_document_ids)
    for f, v in values.items():
        setattr(row, f, v)
    if owner_changed:
        row.confirmed_at = None
    _mark_confidential(row, args)
    row.version += 1
    change.put("actions", row)
    change.audit("actions.update", "action", row.id, before, queries.action_view(row))


@command("actions.delete", schemas.ActionArgs, "Delete an action (it stays in the audit trail)")
def delete_action(change: Change, args: schemas.ActionArgs) -> None:
    """Delete an action; the audit trail keeps what it said."""
    delete_entry(change, _entry(change, Action, args.action_id, "action"), args.version, "actions", "action", queries.action_view)


@command("actions.confirm", schemas.ConfirmActionArgs, "The action's owner confirms it from their own screen")
def confirm_action(change: Change, args: schemas.ConfirmActionArgs) -> None:
    """The owner (a participant) confirms they take the action on."""
    row = _entry(change, Action, args.action_id, "action")
    if change.link.participant_id is None or row.owner_participant_id != change.link.participant_id:
        raise Forbidden("Only the action's owner can confirm it.")
    if row.confirmed_at is not None:
        return None
    before = queries.action_view(row)
    row.confirmed_at = change.now
    row.version += 1
    change.put("actions", row)
    change.audit("actions.confirm", "action", row.id, before, queries.action_view(row))


# ---------------------------------------------------------------- disagreements and positions

NEXT_STEP_FIELDS = [
    "resolved",
    "resolution",
    "about",
    "next_step",
    "next_step_owner_participant_id",
    "next_step_owner_name",
    "next_step_agency",
    "follow_up_date",
]


def _new_position(change: Change, disagreement: Disagreement, p: schemas.PositionInput) -> Position:
    party = _participant(change, p.participant_id, "participant_id")
    party_name = rules.clean_text(p.party_name, "party_name", "The party's name", rules.NAME)
    if party is None and not party_name:
        raise InvalidValue("Say whose position this is: a participant or a named party.", field="participant_id")
    if party is not None and party_name:
        raise InvalidValue("Give either a participant or a name, not both.", field="party_name")
    agency = rules.clean_text(p.agency, "agency", "The agency", rules.NAME) or (agency_of(party) if party else None)
    if not agency:
        raise InvalidValue("Say which agency this party speaks for.", field="agency")
    position = Position(
        disagreement_id=disagreement.id,
        participant_id=p.participant_id,
        party_name=party_name,
        agency=agency,
        view=rules.clean_text(p.view, "view", "The position", rules.LONG_TEXT, required=True),
        evidence=rules.clean_text(p.evidence, "evidence", "The evidence", rules.TEXT),
        cited_document_ids=check_citations(change, p.cited_document_ids) or None,
        version=1,
        created_at=change.now,
    )
    disagreement.positions.append(position)
    return position


@command("disagreements.record", schemas.RecordDisagreementArgs, "Record a disagreement, with any positions already stated")
def record_disagreement(change: Change, args: schemas.RecordDisagreementArgs) -> dict:
    """Record a disagreement's topic and the positions stated so far."""
    row = Disagreement(
        meeting_id=change.meeting.id,
        agenda_item_id=_default_item(change, args),
        topic=rules.clean_text(args.topic, "topic", "The topic", rules.TEXT, required=True),
        resolved=False,
        confidential=args.confidential,
        version=1,
        created_at=change.now,
    )
    db.session.add(row)
    db.session.flush()
    for p in args.positions:
        _new_position(change, row, p)
    db.session.flush()
    change.put("disagreements", row)
    change.audit("disagreements.record", "disagreement", row.id, None, queries.disagreement_view(row))
    return {"disagreement_id": row.id, "position_ids": [p.id for p in row.positions]}


@command("disagreements.update", schemas.UpdateDisagreementArgs, "Edit a disagreement: topic, resolved, next step, owner, follow-up")
def update_disagreement(change: Change, args: schemas.UpdateDisagreementArgs) -> None:
    """Change the topic, record a resolution, or agree the next step on the ladder with its owner and date."""
    row = _entry(change, Disagreement, args.disagreement_id, "disagreement")
    before = queries.disagreement_view(row)
    check_version(row, args.version, before)
    if "agenda_item_id" in args.model_fields_set:
        row.agenda_item_id = _agenda_item(change, args.agenda_item_id)
    if args.topic is not None:
        row.topic = rules.clean_text(args.topic, "topic", "The topic", rules.TEXT, required=True)
    _mark_confidential(row, args)
    v = _merged(args, row, NEXT_STEP_FIELDS)
    if v["resolved"] is None:
        v["resolved"] = False
    v["resolution"] = rules.clean_text(v["resolution"], "resolution", "The resolution", rules.LONG_TEXT)
    v["next_step_owner_name"] = rules.clean_text(v["next_step_owner_name"], "next_step_owner_name", "The owner's name", rules.NAME)
    owner = _participant(change, v["next_step_owner_participant_id"], "next_step_owner_participant_id")
    agency = rules.clean_text(v["next_step_agency"], "next_step_agency", "The owner's agency", rules.NAME)
    if agency is None and owner is not None:
        agency = agency_of(owner)
    v["next_step_agency"] = agency
    rules.check_next_step(
        v["resolved"], v["next_step"], v["next_step_owner_participant_id"], v["next_step_owner_name"], v["follow_up_date"], change.meeting_day
    )
    dates = _route_dates(change, args, row, v["about"], v["next_step"])
    if v["resolved"] and not row.resolved:
        row.resolved_at = change.now
    elif not v["resolved"]:
        row.resolved_at = None
    for f, value in v.items():
        setattr(row, f, value)
    row.route_dates = {event: day.isoformat() for event, day in sorted(dates.items())} or None
    row.version += 1
    change.put("disagreements", row)
    change.audit("disagreements.update", "disagreement", row.id, before, queries.disagreement_view(row))


#: Route dates outside these years are refused: the holiday calendars hold none for them.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _check_route_dates(dates: dict, today) -> None:
    for event, day in dates.items():
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise InvalidValue(f"Give a date between {FIRST_YEAR} and {LAST_YEAR}.", field=f"route_dates.{event}")
        if day > today:
            raise InvalidValue(
                f"The date {day:%d %b %Y} is in the future; give the date on the letter or the day it happened.", field=f"route_dates.{event}"
            )


def preview_route(meeting, args: schemas.RoutePreviewArgs, today) -> dict:
    """What a route says for the dates typed in the chair's form, checked as a save would check them; nothing is kept."""
    _check_route_dates(args.route_dates, today)
    routes.check_route(meeting.meeting_type, args.about, args.next_step, args.route_dates)
    return queries.route_preview(meeting.meeting_type, args.about, args.next_step, args.route_dates, args.follow_up_date, today)


def _route_dates(change: Change, args: schemas.UpdateDisagreementArgs, row: Disagreement, about, next_step) -> dict:
    """The route's start dates: as sent, or (not sent) those kept that the route still asks for."""
    meeting_type = change.meeting.meeting_type
    if "route_dates" in args.model_fields_set:
        dates = dict(args.route_dates or {})
        _check_route_dates(dates, change.today)
    else:
        dates = queries.route_dates_of(row.route_dates)
        route = routes.find_route(meeting_type, next_step)
        keep = {asked.event for asked in routes.asks_for(route, about)} if route else set()
        dates = {event: day for event, day in dates.items() if event in keep}
    routes.check_route(meeting_type, about, next_step, dates)
    return dates


@command("disagreements.reflect", schemas.ReflectOnDisagreementArgs, "Schedule or record the reflective review after a disagreement was resolved")
def reflect_on_disagreement(change: Change, args: schemas.ReflectOnDisagreementArgs) -> None:
    """Schedule the short review of how a resolved disagreement went, then record what worked and what to do differently."""
    row = _entry(change, Disagreement, args.disagreement_id, "disagreement")
    before = queries.disagreement_view(row)
    check_version(row, args.version, before)
    sent = args.model_fields_set
    when = args.reflection_date if "reflection_date" in sent else row.reflection_date
    worked = rules.clean_text(args.what_worked, "what_worked", "What worked", rules.TEXT) if "what_worked" in sent else row.reflection_worked
    differently = (
        rules.clean_text(args.do_differently, "do_differently", "What to do differently", rules.TEXT)
        if "do_differently" in sent else row.reflection_differently
    )
    rules.check_reflection(row.resolved, when, bool(worked or differently), change.meeting_day, change.today)
    row.reflection_date, row.reflection_worked, row.reflection_differently = when, worked, differently
    row.reflected_at = change.now if (worked or differently) else None
    row.version += 1
    change.put("disagreements", row)
    change.audit("disagreements.reflect", "disagreement", row.id, before, queries.disagreement_view(row))


@command("disagreements.delete", schemas.DisagreementArgs, "Delete a disagreement (it stays in the audit trail)")
def delete_disagreement(change: Change, args: schemas.DisagreementArgs) -> None:
    """Delete a disagreement recorded in error; the audit trail keeps it."""
    delete_entry(change, _entry(change, Disagreement, args.disagreement_id, "disagreement"), args.version, "disagreements", "disagreement", queries.disagreement_view)


def _own_only(change: Change, permission: str, participant_id: int | None) -> None:
    """A participant may act only for themselves where the permission says so."""
    if change.link.role == access.PARTICIPANT and permission in access.OWN_ONLY:
        if participant_id != change.link.participant_id:
            raise Forbidden("You can only add or change your own position.")


@command("positions.add", schemas.AddPositionArgs, "Add a party's position to a disagreement (participants: their own)")
def add_position(change: Change, args: schemas.AddPositionArgs) -> dict:
    """Add a position: the chair for anyone, a participant for themselves."""
    row = _entry(change, Disagreement, args.disagreement_id, "disagreement")
    if change.link.role == access.PARTICIPANT and "participant_id" not in args.model_fields_set:
        args = args.model_copy(update={"participant_id": change.link.participant_id})
    _own_only(change, "positions.add", args.participant_id)
    if change.link.role == access.PARTICIPANT and args.party_name:
        raise Forbidden("You can only add your own position.")
    before = queries.disagreement_view(row)
    position = _new_position(change, row, args)
    row.version += 1
    db.session.flush()
    change.put("disagreements", row)
    change.audit("positions.add", "disagreement", row.id, before, queries.disagreement_view(row))
    return {"position_id": position.id}


def _position(change: Change, position_id: int) -> tuple[Position, Disagreement]:
    position = db.session.get(Position, position_id)
    if position is None or position.deleted_at is not None:
        raise NotFound("There is no such position in this meeting.", field="position_id")
    row = db.session.get(Disagreement, position.disagreement_id)
    if row is None or row.meeting_id != change.meeting.id or row.deleted_at is not None:
        raise NotFound("There is no such position in this meeting.", field="position_id")
    return position, row


@command("positions.update", schemas.UpdatePositionArgs, "Correct a position (participants: their own)")
def update_position(change: Change, args: schemas.UpdatePositionArgs) -> None:
    """Correct a position's words, evidence or agency, from the version the editor saw."""
    position, row = _position(change, args.position_id)
    _own_only(change, "positions.update", position.participant_id)
    before = queries.disagreement_view(row)
    check_version(position, args.version, queries.position_view(position))
    if args.view is not None:
        position.view = rules.clean_text(args.view, "view", "The position", rules.LONG_TEXT, required=True)
    if "evidence" in args.model_fields_set:
        position.evidence = rules.clean_text(args.evidence, "evidence", "The evidence", rules.TEXT)
    if args.agency is not None:
        position.agency = rules.clean_text(args.agency, "agency", "The agency", rules.NAME, required=True)
    if "cited_document_ids" in args.model_fields_set:
        position.cited_document_ids = _cited(change, args.cited_document_ids, position.cited_document_ids)
    position.version += 1
    row.version += 1
    change.put("disagreements", row)
    change.audit("positions.update", "disagreement", row.id, before, queries.disagreement_view(row))


@command("positions.delete", schemas.PositionArgs, "Withdraw a position recorded in error (it stays in the audit trail)")
def delete_position(change: Change, args: schemas.PositionArgs) -> None:
    """Remove a position from the disagreement; the audit trail keeps it."""
    position, row = _position(change, args.position_id)
    check_version(position, args.version, queries.position_view(position))
    before = queries.disagreement_view(row)
    position.deleted_at = change.now
    row.version += 1
    change.put("disagreements", row)
    change.audit("positions.delete", "disagreement", row.id, before, queries.disagreement_view(row))


# ---------------------------------------------------------------- attendance


@command("attendance.set", schemas.SetAttendanceArgs, "Record a participant's attendance")
def set_attendance(change: Change, args: schemas.SetAttendanceArgs) -> None:
    """In the room, remote, apologies or absent; arrived late / left early."""
    participant = _participant(change, args.participant_id, "participant_id")
    rules.check_attendance(args.attendance, args.arrived_late, args.left_early)
    before = queries.participant_view(participant)
    participant.attendance = args.attendance
    participant.arrived_late = args.arrived_late
    participant.left_early = args.left_early
    participant.attendance_confirmed = True
    participant.version += 1
    change.put("participants", participant)
    change.audit("attendance.set", "participant", participant.id, before, queries.participant_view(participant))
