"""Due and follow-up dates as an iCalendar file (RFC 5545), for the whole meeting or for one owner.

All-day events that do not block time (TRANSP:TRANSPARENT). Each event's UID is stable across
versions and its SEQUENCE is the minutes' version number, so importing amended minutes updates the
events already in someone's calendar instead of duplicating them.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

from icalendar import Calendar, Event

from ..domain import minutes as m
from . import plain

DOMAIN = "common-ground"


def _event(minutes: m.Minutes, uid: str, day: date, summary: str, description: str, categories: list[str]) -> Event:
    event = Event()
    event.add("uid", f"{uid}.meeting-{minutes.meeting.id}@{DOMAIN}")
    event.add("dtstamp", minutes.generated_at.astimezone(UTC))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", " ".join(plain(summary).split()))  # a title: one line
    event.add("description", plain(description))
    event.add("categories", categories)
    event.add("transp", "TRANSPARENT")
    event.add("sequence", minutes.stamp.number)
    event.add("status", "CONFIRMED" if minutes.is_approved else "TENTATIVE")
    return event


def events(minutes: m.Minutes, owner: str | None = None) -> list[Event]:
    """Every due date and follow-up date (of actions and of disagreements' next steps), and the next review."""
    mt = minutes.meeting
    where = f"{mt.title} ({mt.child_ref}), {m.uk_date(mt.day)}. Minutes version {minutes.stamp.number}, {'approved' if minutes.is_approved else 'draft'}."
    out = []
    for a in minutes.actions:
        if owner and a.owner_key != owner:
            continue
        detail = f"{a.ref}: {a.what}\nOwner: {a.owner} ({a.agency})\nDue: {m.uk_date(a.due_date)}\nFollow-up: {m.uk_date(a.follow_up_date)}"
        if a.need:
            detail += f"\nNeed or outcome: {a.need}"
        detail += f"\n\n{where}"
        out.append(_event(minutes, f"action-{a.id}-due", a.due_date, f"Due: {a.what} ({a.owner}, {a.agency})", detail, ["Action", "Due"]))
        out.append(_event(minutes, f"action-{a.id}-follow-up", a.follow_up_date, f"Follow up: {a.what} ({a.owner}, {a.agency})", detail, ["Action", "Follow-up"]))
    for g in minutes.disagreements:
        if g.resolved or not g.next_step or not g.follow_up_date:
            continue
        if owner and g.owner_key != owner:
            continue
        detail = f"{g.ref}: {g.topic}\nNext step: {g.next_step_label}\nOwner: {g.owner} ({g.agency})\nFollow-up: {m.uk_date(g.follow_up_date)}\n\n{where}"
        out.append(_event(minutes, f"disagreement-{g.id}-follow-up", g.follow_up_date, f"Follow up disagreement: {g.topic} ({g.owner}, {g.agency})", detail, ["Disagreement", "Follow-up"]))
    if minutes.next_review_date:
        out.append(_event(minutes, "next-review", minutes.next_review_date, f"Next review: {mt.title} ({mt.child_ref})", f"The next review meeting.\n\n{where}", ["Review"]))
    return out


def render(minutes: m.Minutes, owner: str | None = None) -> bytes:
    """The calendar as bytes; `owner` (an owner key, e.g. 'p12') keeps only that person's dates."""
    cal = Calendar()
    cal.add("prodid", "-//Common Ground//Minutes//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = f"{minutes.meeting.title} ({minutes.meeting.child_ref})"
    if owner:
        who = next((n for key, n, _ in minutes.owners() if key == owner), None)
        if who:
            name += f": dates for {who}"
    cal.add("x-wr-calname", plain(name))
    cal.add("x-wr-timezone", minutes.timezone)
    for event in events(minutes, owner):
        cal.add_component(event)
    return cal.to_ical()
