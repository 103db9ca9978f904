"""Who may do what in a meeting: one table, default deny."""

from __future__ import annotations

CHAIR, NOTE_TAKER, PARTICIPANT, OBSERVER, SCREEN = "chair", "note_taker", "participant", "observer", "screen"
#: The roles a meeting link can carry. Chair and note-taker links belong to staff; participant and
#: observer links are invitations for people without accounts; the screen is the room's projector.
LINK_ROLES = (CHAIR, NOTE_TAKER, PARTICIPANT, OBSERVER, SCREEN)
#: Roles whose links are invitations: they expire after the organisation's invite period.
INVITE_ROLES = frozenset({PARTICIPANT, OBSERVER})
#: Roles that see entries marked confidential (e.g. health detail) wherever they travel: the room's
#: events, snapshots and replays, the API, pages and exports. Nobody else is sent them, with one
#: exception (sees_own_confidential): the owner of a confidential action sees that action on what is
#: addressed to them alone (their actions page, the API, their reminders and calendar feed), since
#: nobody can carry out an action they are not told of; never in the shared room or the minutes.
CONFIDENTIAL_READERS = frozenset({CHAIR, NOTE_TAKER})

#: Staff accounts. An administrator manages accounts and the organisation's settings and sees every
#: meeting; a chair (a SENCO) prepares and chairs meetings; a note-taker records in meetings they
#: are given a link to.
ADMIN, STAFF_CHAIR, STAFF_NOTE_TAKER = "admin", "chair", "note_taker"
ACCOUNT_ROLES = {ADMIN: "Administrator", STAFF_CHAIR: "Chair (SENCO)", STAFF_NOTE_TAKER: "Note-taker"}
#: Account roles that may prepare meetings.
MEETING_MAKERS = frozenset({ADMIN, STAFF_CHAIR})

_RECORDERS = frozenset({CHAIR, NOTE_TAKER})
_READERS = frozenset({CHAIR, NOTE_TAKER, PARTICIPANT, OBSERVER, SCREEN})

#: Every command and read a link can make, and the meeting roles allowed it. Anything missing
#: from this table is refused.
PERMISSIONS: dict[str, frozenset[str]] = {
    "meeting.read": _READERS,
    "meeting.update": frozenset({CHAIR}),
    "agenda.add_item": frozenset({CHAIR}),
    "agenda.update_item": frozenset({CHAIR}),
    "agenda.remove_item": frozenset({CHAIR}),
    "agenda.reorder": frozenset({CHAIR}),
    "agenda.scale_time": frozenset({CHAIR}),
    "clock.start_meeting": frozenset({CHAIR}),
    "clock.pause": frozenset({CHAIR}),
    "clock.resume": frozenset({CHAIR}),
    "clock.extend": frozenset({CHAIR}),
    "clock.next_item": frozenset({CHAIR}),
    "clock.previous_item": frozenset({CHAIR}),
    "clock.goto_item": frozenset({CHAIR}),
    "clock.skip_item": frozenset({CHAIR}),
    "clock.defer_item": frozenset({CHAIR}),
    "clock.end_meeting": frozenset({CHAIR}),
    "participants.add": frozenset({CHAIR}),
    "participants.update": frozenset({CHAIR}),
    "participants.remove": frozenset({CHAIR}),
    "participants.read_links": frozenset({CHAIR}),
    "links.revoke": frozenset({CHAIR}),
    "links.reissue": frozenset({CHAIR}),
    "links.add_note_taker": frozenset({CHAIR}),
    # invitations by e-mail: the chair sends them and reads where each stands (the addresses with it);
    # each invitee answers through their own link, for themselves only
    "invitations.send": frozenset({CHAIR}),
    "invitations.send_all": frozenset({CHAIR}),
    "invitations.remind": frozenset({CHAIR}),
    "invitations.retry": frozenset({CHAIR}),
    "invitations.read": frozenset({CHAIR}),
    "invitations.reply": frozenset({PARTICIPANT, OBSERVER}),
    "decisions.record": _RECORDERS,
    "decisions.update": _RECORDERS,
    "decisions.delete": _RECORDERS,
    "actions.record": _RECORDERS,
    "actions.update": _RECORDERS,
    "actions.delete": _RECORDERS,
    "actions.confirm": frozenset({PARTICIPANT}),
    "disagreements.record": _RECORDERS,
    "disagreements.update": _RECORDERS,
    "disagreements.reflect": _RECORDERS,
    "disagreements.delete": _RECORDERS,
    "positions.add": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    "positions.update": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    "positions.delete": _RECORDERS,
    "attendance.set": _RECORDERS,
    "records.history": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    # minutes: anyone with a link reads and exports; participants answer for themselves
    "minutes.read": _READERS,
    "minutes.update_details": _RECORDERS,
    "minutes.circulate": frozenset({CHAIR}),
    "minutes.confirm": frozenset({PARTICIPANT}),
    "minutes.request_correction": frozenset({PARTICIPANT}),
    "minutes.answer_section": frozenset({PARTICIPANT}),
    "minutes.approve": frozenset({CHAIR}),
    "minutes.amend": frozenset({CHAIR}),
    # the action log after the meeting: owners record progress on their own actions,
    # anyone at the table may log support that did not happen
    "actions.record_progress": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    "actions.report_missed": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    "actions.set_owner_email": frozenset({CHAIR}),
    "meeting.set_chair_email": frozenset({CHAIR}),
    "actions.read_log": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    # the speaking queue: participants ask for themselves; the chair and note-takers answer
    "queue.raise_hand": frozenset({PARTICIPANT}),
    "queue.ask": frozenset({PARTICIPANT}),
    "queue.ask_break": frozenset({PARTICIPANT}),
    "queue.withdraw": frozenset({PARTICIPANT}),
    "queue.answer": _RECORDERS,
    # the meeting's statutory dates: the people who must act or be told (a parent's appeal and
    # representation dates among them); observers and the shared screen are not sent them
    "statutory.timeline": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    # what a disagreement's route says for dates typed in the form, before they are saved
    "routes.preview": _RECORDERS,
    # what the record says of each step (done on a date, an exception and its reason): the recorders;
    # the process dates the clocks start from (last evaluation, phase transfer): the chair, preparing
    "statutory.record_done": _RECORDERS,
    "statutory.record_exception": _RECORDERS,
    "statutory.undo": _RECORDERS,
    "statutory.set_process_dates": frozenset({CHAIR}),
    # the evidence pack before the meeting (domain.documents): the chair asks each invitee for their
    # advice or the child's views, reminds and circulates; an invitee answers their own requests and
    # uploads; everyone at the table reads what they may (their own, and the pack once circulated;
    # confidential documents only CONFIDENTIAL_READERS and their uploader). Not the screen or observers.
    "evidence.read": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    "evidence.request": frozenset({CHAIR}),
    "evidence.withdraw": frozenset({CHAIR}),
    "evidence.remind": frozenset({CHAIR}),
    "evidence.circulate": frozenset({CHAIR}),
    "evidence.answer": frozenset({PARTICIPANT}),
    "documents.upload": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    "documents.download": frozenset({CHAIR, NOTE_TAKER, PARTICIPANT}),
    "documents.delete": frozenset({CHAIR}),
    # the plan in the meeting: its outcomes and progress, the sections to amend (recorders; everyone with a
    # link reads them); the year group and preparation-for-adulthood areas change the agenda (the chair)
    "outcomes.add": _RECORDERS,
    "outcomes.carry_forward": _RECORDERS,
    "outcomes.update": _RECORDERS,
    "outcomes.delete": _RECORDERS,
    "outcomes.set_adulthood": frozenset({CHAIR}),
    "amendments.record": _RECORDERS,
    "amendments.update": _RECORDERS,
    "amendments.delete": _RECORDERS,
    # the statutory reports sent to each recipient, against their deadline: the chair
    "reports.record_sent": frozenset({CHAIR}),
    "reports.delete_sent": frozenset({CHAIR}),
    # a US IEP meeting's procedural safeguards offered and the parent's consent: the chair
    "reports.record_safeguards": frozenset({CHAIR}),
}

#: Permissions a participant holds only for their own entries (their position, their action).
OWN_ONLY: frozenset[str] = frozenset(
    {
        "actions.confirm",
        "positions.add",
        "positions.update",
        "actions.record_progress",
        "actions.read_log",
        "queue.raise_hand",
        "queue.ask",
        "queue.ask_break",
        "queue.withdraw",
        "invitations.reply",
        "evidence.answer",
    }
)
#: Roles that see every participant's requests to speak; a participant sees only their own, and
#: observers and the shared screen none (a quiet way to speak stays quiet).
QUEUE_READERS = frozenset({CHAIR, NOTE_TAKER})


def may(role: str, permission: str) -> bool:
    """True when the role is allowed the permission; unknown permissions are refused."""
    return role in PERMISSIONS.get(permission, frozenset())


def sees_confidential(role: str) -> bool:
    """True when the meeting role is sent entries marked confidential."""
    return role in CONFIDENTIAL_READERS


def sees_own_confidential(role: str, participant_id: int | None, owner_participant_id: int | None) -> bool:
    """True when a link may read a confidential action: a confidential reader, or the action's own
    owner (a participant link of that participant) on what is addressed to them alone."""
    if sees_confidential(role):
        return True
    return role == PARTICIPANT and participant_id is not None and participant_id == owner_participant_id


def sees_speaking_request(role: str, participant_id: int | None, asker_participant_id: int) -> bool:
    """True when a link is shown a request to speak: the chair and note-takers, or the asker's own link."""
    if role in QUEUE_READERS:
        return True
    return role == PARTICIPANT and participant_id is not None and participant_id == asker_participant_id
