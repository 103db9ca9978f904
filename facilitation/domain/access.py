"""Who may do what in a meeting: one table, default deny."""

from __future__ import annotations

CHAIR, PARTICIPANT, SCREEN = "chair", "participant", "screen"
LINK_ROLES = (CHAIR, PARTICIPANT, SCREEN)

#: Every command and read a link can make, and the meeting roles allowed it. Anything missing
#: from this table is refused.
PERMISSIONS: dict[str, frozenset[str]] = {
    "meeting.read": frozenset({CHAIR, PARTICIPANT, SCREEN}),
    "meeting.update": frozenset({CHAIR}),
    "agenda.add_item": frozenset({CHAIR}),
    "agenda.update_item": frozenset({CHAIR}),
    "agenda.remove_item": frozenset({CHAIR}),
    "agenda.reorder": frozenset({CHAIR}),
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
    "decisions.record": frozenset({CHAIR}),
    "decisions.update": frozenset({CHAIR}),
    "decisions.delete": frozenset({CHAIR}),
    "actions.record": frozenset({CHAIR}),
    "actions.update": frozenset({CHAIR}),
    "actions.delete": frozenset({CHAIR}),
    "actions.confirm": frozenset({PARTICIPANT}),
    "disagreements.record": frozenset({CHAIR}),
    "disagreements.update": frozenset({CHAIR}),
    "disagreements.delete": frozenset({CHAIR}),
    "positions.add": frozenset({CHAIR, PARTICIPANT}),
    "positions.update": frozenset({CHAIR, PARTICIPANT}),
    "positions.delete": frozenset({CHAIR}),
    "attendance.set": frozenset({CHAIR}),
    "records.history": frozenset({CHAIR, PARTICIPANT}),
    # minutes (issue 4): anyone with a link reads and exports; participants answer for themselves
    "minutes.read": frozenset({CHAIR, PARTICIPANT, SCREEN}),
    "minutes.update_details": frozenset({CHAIR}),
    "minutes.circulate": frozenset({CHAIR}),
    "minutes.confirm": frozenset({PARTICIPANT}),
    "minutes.request_correction": frozenset({PARTICIPANT}),
    "minutes.approve": frozenset({CHAIR}),
    "minutes.amend": frozenset({CHAIR}),
    # the action log after the meeting (issue 5): owners record progress on their own actions,
    # anyone at the table may log support that did not happen
    "actions.record_progress": frozenset({CHAIR, PARTICIPANT}),
    "actions.report_missed": frozenset({CHAIR, PARTICIPANT}),
    "actions.set_owner_email": frozenset({CHAIR}),
    "meeting.set_chair_email": frozenset({CHAIR}),
    "actions.read_log": frozenset({CHAIR, PARTICIPANT}),
}

#: Permissions a participant holds only for their own entries (their position, their action).
OWN_ONLY: frozenset[str] = frozenset(
    {"actions.confirm", "positions.add", "positions.update", "actions.record_progress", "actions.read_log"}
)


def may(role: str, permission: str) -> bool:
    """True when the role is allowed the permission; unknown permissions are refused."""
    return role in PERMISSIONS.get(permission, frozenset())
