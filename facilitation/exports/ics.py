"""Due and follow-up dates as iCalendar (RFC 5545): a meeting's minutes (the whole meeting or one
owner; the whole meeting's also carries its statutory dates), and an owner's subscription feed from the
action log.

All-day events that do not block time (TRANSP:TRANSPARENT). Each event's UID is stable: in the
minutes' calendar its SEQUENCE is the minutes' version number, in a feed the action's version, so
importing amended minutes or refreshing a feed updates the events already in someone's calendar
instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from ..domain import minutes as m
from ..domain.bidi import isolate
from ..domain.dates import uk_date
from . import plain
from .text import route_lines, statutory_what

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
    where = f"{mt.title} ({mt.child_ref}), {uk_date(mt.day)}. Minutes version {minutes.stamp.number}, {'approved' if minutes.is_approved else 'draft'}."
    out = []
    for a in minutes.actions:
        if owner and a.owner_key != owner:
            continue
        detail = f"{a.ref}: {a.what}\nOwner: {a.owner} ({a.agency})\nDue: {uk_date(a.due_date)}\nFollow-up: {uk_date(a.follow_up_date)}"
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
        route = "\n".join(route_lines(g))
        detail = f"{g.ref}: {g.topic}\nNext step: {g.next_step_label}\nOwner: {g.owner} ({g.agency})\nFollow-up: {uk_date(g.follow_up_date)}\n{route}\n\n{where}"
        out.append(_event(minutes, f"disagreement-{g.id}-follow-up", g.follow_up_date, f"Follow up disagreement: {g.topic} ({g.owner}, {g.agency})", detail, ["Disagreement", "Follow-up"]))
        for r in g.route_dates:
            mark = "" if r.verified else " (unverified)"
            what = f"{r.title}{mark}: {g.topic}"
            about = f"{g.ref}: {g.topic}\n{r.title} ({r.who}), {r.rule_id}{mark}\nSource: {r.source or 'see the rule'}\nA latest date computed from the rule: this is not legal advice.\n\n{where}"
            out.append(_event(minutes, f"disagreement-{g.id}-{r.rule_id}", r.day, what, about, ["Disagreement", "Statutory"]))
    if not owner:  # the law's steps are the meeting's, not one owner's
        out += [_statutory_event(minutes, s, where) for s in minutes.statutory_dates if s.rule_id]
    if minutes.next_review_date:
        out.append(_event(minutes, "next-review", minutes.next_review_date, f"Next review: {mt.title} ({mt.child_ref})", f"The next review meeting.\n\n{where}", ["Review"]))
    return out


def _statutory_event(minutes: m.Minutes, s: m.StatutoryDate, where: str) -> Event:
    """A statutory step as an all-day event; its UID is the meeting's and the rule's, so a re-import updates it."""
    detail = (
        f"{statutory_what(s)}\nWho must act: {s.who}\nRule: {s.rule_id}\nSource: {', '.join(s.sources)}\n"
        f"{m.STATUTORY_NOTICE}\n\n{where}"
    )
    return _event(minutes, f"statutory-{s.rule_id}", s.day, f"Statutory: {s.text}", detail, ["Statutory"])


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


# ---------------------------------------------------------------- an owner's feed from the action log


@dataclass(frozen=True)
class DatedAction:
    """An active action as a feed shows it, with the meeting that agreed it."""

    id: int
    what: str
    agency: str
    due_date: date
    follow_up_date: date
    #: the action's version: a refreshed feed updates the events instead of adding new ones
    version: int
    meeting_title: str
    meeting_type: str
    meeting_day: date
    child_ref: str


#: How often a subscribed calendar should fetch the feed again.
FEED_REFRESH = timedelta(hours=1)


def render_feed(name: str, actions: Iterable[DatedAction], now: datetime, domain: str) -> bytes:
    """A subscription feed: one all-day event per due date and per follow-up date."""
    cal = Calendar()
    cal.add("prodid", "-//Common Ground//Action log//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-published-ttl", vDuration(FEED_REFRESH))
    cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    stamp = now.astimezone(UTC)
    for a in actions:
        # typed values go into lines of ours: printable, and their direction controls kept to themselves
        full, agency, agreed_at, child = (isolate(plain(v)) for v in (a.what, a.agency, a.meeting_title, a.child_ref))
        what = full if len(a.what) <= 80 else isolate(plain(a.what)[:79]) + "…"
        details = (
            f"{full}\n\nOwner's agency: {agency}\n"
            f"Agreed at: {agreed_at} ({a.meeting_type}), {uk_date(a.meeting_day)}\nChild: {child}\n"
            f"Due {uk_date(a.due_date)}; follow-up {uk_date(a.follow_up_date)}"
        )
        for kind, day, title in (
            ("due", a.due_date, f"Due: {what} (child {child})"),
            ("follow-up", a.follow_up_date, f"Follow-up: {what} (child {child})"),
        ):
            event = Event()
            event.add("uid", f"action-{a.id}-{kind}@{domain}")
            event.add("dtstamp", stamp)
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            event.add("summary", title)
            event.add("description", details)
            event.add("categories", [agency])
            event.add("transp", "TRANSPARENT")
            event.add("sequence", a.version)
            cal.add_component(event)
    return cal.to_ical()
