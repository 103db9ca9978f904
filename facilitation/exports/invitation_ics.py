"""A meeting invitation as iCalendar (RFC 5545 with iTIP, RFC 5546): METHOD:REQUEST for an invitation or
an update, METHOD:CANCEL when the invitee is taken off the meeting.

The UID is stable for the meeting and the person, and SEQUENCE rises with each change, so a calendar
updates (or removes) the event it already holds instead of adding another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

from . import plain


@dataclass(frozen=True)
class CalendarInvite:
    """What the calendar part says: the meeting, who organises it and who is asked."""

    method: str
    uid: str
    sequence: int
    stamp: datetime
    start: datetime
    end: datetime
    summary: str
    description: str
    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str
    #: the invitee's own join link (not given in a cancellation)
    url: str | None = None
    #: REQ-PARTICIPANT, or OPT-PARTICIPANT for an observer
    attendee_role: str = "REQ-PARTICIPANT"


def _address(email: str, name: str, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(" ".join(plain(name).split()))
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def invitation_calendar(invite: CalendarInvite) -> bytes:
    """The calendar part of an invitation, update or cancellation."""
    cal = Calendar()
    cal.add("prodid", "-//Common Ground//Meeting invitation//EN")
    cal.add("version", "2.0")
    cal.add("method", invite.method)
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", invite.stamp.astimezone(UTC))
    event.add("dtstart", invite.start.astimezone(UTC))
    event.add("dtend", invite.end.astimezone(UTC))
    event.add("summary", " ".join(plain(invite.summary).split()))
    event.add("description", plain(invite.description))
    event.add("organizer", _address(invite.organizer_email, invite.organizer_name))
    cancelled = invite.method == "CANCEL"
    event.add(
        "attendee",
        _address(invite.attendee_email, invite.attendee_name, ROLE=invite.attendee_role,
                 PARTSTAT="NEEDS-ACTION", RSVP="FALSE" if cancelled else "TRUE"),
    )
    if invite.url and not cancelled:
        event.add("url", invite.url)
        event.add("location", invite.url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical()
