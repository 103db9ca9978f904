"""How the renderers write the minutes: labels, line formats and clock times shared by HTML, Markdown,
PDF and DOCX, so every format shows the same words in the same order.

Presentation only: what the minutes say (the registers, the family summary, the statutory dates) is
decided in `facilitation.domain.minutes`; dates and people are written by its `uk_date` and `person_line`.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.minutes import (
    APPROVED,
    CIRCULATED,
    AgendaEntry,
    DisagreementEntry,
    FamilyDate,
    Minutes,
    StatutoryDate,
    citation_text,
    uk_date,
)
from ..domain.minutes.sign_off import sign_off_line

#: The attendance groups of `Minutes.attendance`, with their headings, in the order every format shows them.
ATTENDANCE_GROUPS = (
    ("present", "Present in the room"),
    ("remote", "Joined remotely"),
    ("apologies", "Apologies"),
    ("absent", "Did not attend"),
    ("not_recorded", "Attendance not recorded"),
)


#: The speaking queue's section: written questions and comments listed, hands and breaks counted.
QUESTIONS_TITLE = "Questions and comments from participants"
QUESTION_HEADINGS = ["Who", "Kind", "In their words", "Under item", "Answered"]


def has_questions(m: Minutes) -> bool:
    """True when the minutes have anything from the speaking queue to show."""
    return bool(m.questions or m.hands_raised or m.breaks_requested)


def question_rows(m: Minutes) -> list[list[str]]:
    """One row per question or comment: who, kind, their words, the item, answered or not."""
    return [[q.asker, q.kind_label, q.text, q.item_title or "Before the meeting", "Answered" if q.answered else "Not answered"] for q in m.questions]


def queue_counts_line(m: Minutes) -> str:
    """How many hands were raised and breaks asked for (counted, not listed one by one)."""
    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    return (
        f"Also from participants' own screens: {count(m.hands_raised, 'raised hand', 'raised hands')} and "
        f"{count(m.breaks_requested, 'request for a break', 'requests for a break')} (counted, not listed)."
    )


#: The statutory timeline's section (none for a meeting type without one), and its one line of caution.
STATUTORY_TITLE = "Statutory dates"
UNVERIFIED_MARK = "(unverified)"


def statutory_what(s: StatutoryDate) -> str:
    """The step's title, marked "(unverified)" when its rule or its counting is not verified."""
    return s.text if s.verified else f"{s.text} {UNVERIFIED_MARK}"


def statutory_line(s: StatutoryDate) -> str:
    """One dated step in one line: date, what, who must act, the rule and its sources."""
    when = uk_date(s.day, weekday=True)
    if not s.rule_id:  # minutes stored before the timeline: one date, its source as text
        return f"{s.text}: {when}, per {s.source}."
    return f"{when}: {statutory_what(s)}. Who must act: {s.who}. Rule {s.rule_id}, source: {', '.join(s.sources)}."


#: Who agreed with each section of the approved minutes, and who disagreed (domain.minutes.sign_off).
SIGN_OFF_TITLE = "Agreed section by section"


def sign_off_lines(m: Minutes) -> list[str]:
    """One line per section answered: who agreed, who disagreed."""
    return [sign_off_line(s) for s in m.stamp.sign_off]


#: The chair's easy-read version, exported beside the full family summary (before it).
EASY_READ_TITLE = "Easy read"


#: The family summary's statutory dates: heading and table columns, the same in every format.
FAMILY_DATES_TITLE = "Dates the law sets after this meeting"
FAMILY_DATES_HEADINGS = ["By", "What must happen", "Rule and source"]


def family_date_rule(fd: FamilyDate) -> str:
    """'Rule ENG-AR-08 (unverified, state timeframe OH)': the rule id and what the reader should know of it."""
    marks = [mark for mark in ("unverified" if not fd.verified else "",
                               f"state timeframe {fd.state_timeframe}" if fd.state_timeframe else "") if mark]
    return f"Rule {fd.rule_id}" + (f" ({', '.join(marks)})" if marks else "")


def family_date_row(fd: FamilyDate) -> list[str]:
    """One row of the statutory dates table: the date, the plain sentence, the rule and its source."""
    return [uk_date(fd.day, weekday=True), fd.text, f"{family_date_rule(fd)}: {fd.source}" if fd.source else family_date_rule(fd)]


def hhmm(value: datetime | None) -> str:
    """09:30; empty for None."""
    return value.strftime("%H:%M") if value else ""


def minutes_text(value: int | None) -> str:
    """'10 min'; empty for None."""
    return "" if value is None else f"{value} min"


def scale_text(time_scale: int) -> str:
    """150 -> 'x1.5', 100 -> 'x1'."""
    return f"x{time_scale / 100:g}"


def planned_text(item: AgendaEntry) -> str:
    """'10 min', '10 min x1.5 (15 min)' for an item given more time in proportion, '+ 5 min added'."""
    text = minutes_text(item.planned_minutes)
    if item.time_scale != 100:
        text += f" {scale_text(item.time_scale)} ({minutes_text(round(item.planned_minutes * item.time_scale / 100))})"
    return f"{text} + {item.extended_minutes} min added" if item.extended_minutes else text


def actual_text(item: AgendaEntry) -> str:
    """What the item took, with its clock times when it ran; never "Not reached" for an item discussed."""
    if item.status == "skipped":
        return "Skipped"
    if item.status == "left":
        return f"{item.status_label} ({minutes_text(item.actual_minutes or 0)})"
    if item.actual_minutes is None:
        return item.status_label if item.status == "pending" else "In progress"
    times = f" ({hhmm(item.started_at)}–{hhmm(item.ended_at)})" if item.started_at and item.ended_at else ""
    return f"{item.actual_minutes} min{times}"


def next_step_line(g: DisagreementEntry) -> str:
    """The agreed next step, its owner and follow-up date, in one line."""
    if g.resolved:
        return "Resolved" + (f": {g.resolution}" if g.resolution else "")
    if not g.next_step:
        return "Not resolved; next step not yet agreed"
    return f"Next step: {g.next_step_label}. {g.owner} ({g.agency}) follows up by {uk_date(g.follow_up_date)}"


def route_lines(g: DisagreementEntry) -> list[str]:
    """What the disagreement is about, the route's own words, its dated steps, any warning and whom to contact."""
    lines = [f"About: {g.about_label}."] if g.about_label else []
    if g.resolved:
        return lines
    if g.next_step and g.route_note:
        lines.append(g.route_note)
    for r in g.route_dates:
        mark = "" if r.verified else ", unverified"
        lines.append(f"{r.title} ({r.who}): by {uk_date(r.day)} ({r.rule_id}{mark}).")
    if g.route_missing:
        lines.append("Dates still needed for this route's time limits: " + "; ".join(g.route_missing) + ".")
    if g.follow_up_late:
        lines.append(f"Warning: {g.follow_up_late}")
    lines += [f"Contact: {line}" for line in g.contacts]
    return lines
    if g.route_note:
        lines.append(g.route_note)
    for r in g.route_dates:
        mark = "" if r.verified else ", unverified"
        lines.append(f"{r.title} ({r.who}): by {uk_date(r.day)} ({r.rule_id}{mark}).")
    if g.route_missing:
        lines.append("Dates still needed for this route's time limits: " + "; ".join(g.route_missing) + ".")
    if g.follow_up_late:
        lines.append(f"Warning: {g.follow_up_late}")
    lines += [f"Contact: {line}" for line in g.contacts]
    return lines


def title_line(m: Minutes) -> str:
    """The document's title."""
    return f"Minutes: {m.meeting.title}"


def stamp_line(m: Minutes) -> str:
    """Which version this is and where it stands, e.g. 'Version 2 · Approved 14 Mar 2027 by Chair'."""
    s = m.stamp
    if s.status == APPROVED:
        text = f"Version {s.number} · Approved {uk_date(s.approved_at)} {hhmm(s.approved_at)}"
        return text + (f" by {s.approved_by}" if s.approved_by else "")
    if s.status == CIRCULATED:
        return f"Version {s.number} · DRAFT circulated for checking ({uk_date(s.circulated_at)}, round {s.revision}); not yet approved"
    return f"Version {s.number} · DRAFT, not yet approved (generated {uk_date(m.generated_at)} {hhmm(m.generated_at)})"


def meeting_facts(m: Minutes) -> list[tuple[str, str]]:
    """The meeting's details as label/value pairs, in the order every format shows them."""
    d = m.meeting
    facts = [
        ("Meeting", d.title),
        ("Type", d.meeting_type_label),
        ("Child", d.child_ref),
        ("Date", uk_date(d.day, weekday=True)),
        ("Scheduled", f"{hhmm(d.scheduled_start)}–{hhmm(d.scheduled_end)}"),
    ]
    if d.started_at:
        facts.append(("Held", f"{hhmm(d.started_at)}–{hhmm(d.ended_at) if d.ended_at else 'still in progress'}"))
    facts.append(("Next review", uk_date(m.next_review_date) or "Not set"))
    if m.recommendation_label:
        facts.append(("Recommendation", m.recommendation_label))
    facts.append(("Status", stamp_line(m)))
    return facts


# ---------------------------------------------------------------- the evidence pack

#: The heading of the advice received before the meeting, in every format.
ADVICE_TITLE = "Advice and reports before the meeting"


def has_advice(minutes: Minutes) -> bool:
    """Whether the minutes list a pack: requests were made or the pack went out."""
    return bool(minutes.advice or minutes.pack_circulated)


def advice_lines(minutes: Minutes) -> list[str]:
    """Each request (who, what, when, on time or late), then when the pack went out."""
    lines = [a.line() for a in minutes.advice]
    lines.append(minutes.pack_circulated or "The pack was not circulated.")
    return lines


def cites_line(citations) -> str:
    """"Cites: advice.pdf (pack document 3)" for an entry citing documents; "" for none."""
    return f"Cites: {citation_text(citations)}" if citations else ""


def position_evidence(p) -> str:
    """A position's evidence in its own words, with the documents it cites."""
    return "; ".join(part for part in (p.evidence or "", cites_line(p.citations)) if part)
