"""Minutes as Markdown (CommonMark with GitHub tables).

People's text is backslash-escaped so that it shows exactly as typed when the file is rendered: no
emphasis, links, HTML or headings can come out of what someone typed. Inside tables, pipes are escaped
and line breaks become <br> (the only markup there is ours).
"""

from __future__ import annotations

import re

from ..domain import minutes as m
from ..domain.minutes.reports import plan_sections
from . import plain
from .text import (
    ADVICE_TITLE,
    ATTENDANCE_GROUPS,
    EASY_READ_TITLE,
    FAMILY_DATES_HEADINGS,
    FAMILY_DATES_TITLE,
    QUESTION_HEADINGS,
    QUESTIONS_TITLE,
    SIGN_OFF_TITLE,
    STATUTORY_TITLE,
    actual_text,
    advice_lines,
    cites_line,
    family_date_row,
    has_advice,
    has_questions,
    hhmm,
    meeting_facts,
    planned_text,
    position_evidence,
    question_rows,
    queue_counts_line,
    route_lines,
    sign_off_lines,
    stamp_line,
    statutory_what,
)

#: CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can make markup
#: anywhere in a line (emphasis, code, links and images, HTML, entities, table cells, strikethrough).
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_LINE_START = re.compile(r"^(\s*)([-+>])", re.MULTILINE)
#: a digit cannot be escaped, so '1.' or '1)' starting a line is written '1\.' or '1\)'
_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def esc(text: str | None) -> str:
    """Text as typed, safe to drop into Markdown prose (line breaks kept as hard breaks)."""
    value = _SPECIAL.sub(r"\\\1", plain(text))
    value = _LINE_START.sub(lambda mt: mt.group(1) + "\\" + mt.group(2), value)
    value = _ORDERED.sub(lambda mt: mt.group(1) + "\\" + mt.group(2), value)
    # a line of '=' would turn the line above into a heading (a line of '-' is escaped above)
    value = re.sub(r"^(\s*)(=+)\s*$", lambda mt: mt.group(1) + "\\" + mt.group(2), value, flags=re.MULTILINE)
    return value.replace("\n", "\\\n")


def cell(text: str | None) -> str:
    """Text as typed, safe inside a table cell."""
    return _SPECIAL.sub(r"\\\1", plain(text)).replace("\n", "<br>")


def _table(headings: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headings) + " |", "|" + "|".join("---" for _ in headings) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def render(minutes: m.Minutes) -> bytes:
    """The whole minutes as a Markdown document."""
    mt = minutes.meeting
    out: list[str] = [f"# Minutes: {esc(mt.title)}", "", f"**{esc(stamp_line(minutes))}**", ""]
    if not minutes.is_approved:
        out += ["> **DRAFT: not yet approved.** Check it and tell the chair about anything that needs correcting.", ""]

    out += ["## Meeting details", ""]
    out += [f"- **{label}:** {esc(value)}" for label, value in meeting_facts(minutes)]
    out.append("")
    if minutes.statutory_dates:
        out += [f"## {STATUTORY_TITLE}", "", esc(m.STATUTORY_NOTICE), ""]
        for s in minutes.statutory_dates:
            if not s.rule_id:  # minutes stored before the timeline
                out.append(f"- {esc(s.text)}: **{m.uk_date(s.day, weekday=True)}**, per {esc(s.source)}.")
                continue
            links = ", ".join(f"<{u}>" for u in s.sources)
            out.append(
                f"- **{m.uk_date(s.day, weekday=True)}**: {esc(statutory_what(s))}. Who must act: {esc(s.who)}. "
                f"Rule {s.rule_id}, source: {links}."
            )
        out.append("")

    if minutes.stamp.amendment_note or minutes.stamp.changes:
        out += [f"## Amendment (version {minutes.stamp.number})", ""]
        if minutes.stamp.amendment_note:
            out += [f"**Why:** {esc(minutes.stamp.amendment_note)}", ""]
        if minutes.stamp.changes:
            out += ["**What changed from the previous approved version:**", ""]
            out += [f"- {esc(line)}" for line in minutes.stamp.changes] + [""]

    if minutes.stamp.sign_off:
        out += [f"## {SIGN_OFF_TITLE}", ""] + [f"- {esc(line)}" for line in sign_off_lines(minutes)] + [""]

    out += ["## Attendance", ""]
    any_people = False
    for key, label in ATTENDANCE_GROUPS:
        people = getattr(minutes.attendance, key)
        if people:
            any_people = True
            out += [f"### {label}", ""] + [f"- {esc(m.person_line(p))}" for p in people] + [""]
    if not any_people:
        out += ["No participants were recorded.", ""]

    out += ["## Agenda, planned and actual times", ""]
    out += _table(
        ["#", "Item", "Presenter", "Planned", "Actual"],
        [[str(i.number), cell(i.title) + (" *(deferred)*" if i.deferred else ""), cell(i.presenter), planned_text(i), actual_text(i)] for i in minutes.agenda],
    )

    out += ["## Item by item", ""]
    for section in [*minutes.agenda, *([minutes.other_matters] if minutes.other_matters else [])]:
        heading = f"{section.number}. {esc(section.title)}" if section.status != "other" else esc(section.title)
        out += [f"### {heading}", ""]
        if not (section.decisions or section.actions or section.disagreements):
            out += ["*Nothing recorded under this item.*", ""]
            continue
        for d in section.decisions:
            meta = d.status_label + (f" · review {m.uk_date(d.review_date)}" if d.review_date else "") + (f" · see {d.disagreement_ref}" if d.disagreement_ref else "")
            out += [f"- **{d.ref} Decision:** {esc(d.text)}  ", f"  *{meta}*"]
            for label, value in (("Reasons", d.reasons), ("Evidence", d.evidence), ("Options considered", d.options_considered)):
                if value:
                    out.append(f"  - {label}: {esc(value)}")
            if d.dissenters:
                out.append(f"  - Dissent: {esc(', '.join(d.dissenters))}")
            if d.citations:
                out.append(f"  - {esc(cites_line(d.citations))}")
        for a in section.actions:
            out.append(
                f"- **{a.ref} Action:** {esc(a.what)}  \n  {esc(a.owner)} ({esc(a.agency)}) · due {m.uk_date(a.due_date)} · follow-up {m.uk_date(a.follow_up_date)}"
                + (f" · {esc(a.need)}" if a.need else "")
                + (f"  \n  {esc(cites_line(a.citations))}" if a.citations else "")
            )
        for g in section.disagreements:
            out.append(f"- **{g.ref} Disagreement:** {esc(g.topic)} (see {minutes.disagreements_title})")
        out.append("")

    out += ["## Actions: who does what, by when", ""]
    if minutes.actions:
        out += _table(
            ["Ref", "Action", "Owner", "Agency", "Due", "Follow-up", "Need or outcome", "Confirmed"],
            [[a.ref, cell(a.what), cell(a.owner), cell(a.agency), m.uk_date(a.due_date), m.uk_date(a.follow_up_date), cell(a.need), "yes" if a.confirmed else "not yet"] for a in minutes.actions],
        )
    else:
        out += ["No actions were agreed.", ""]

    out += [f"## {minutes.disagreements_title}", ""]
    if mt.meeting_type == "ehcp_annual_review":
        out += ["*Recorded for the annual review report, which must set out any differences of opinion (SEND Regulations 2014, reg 20).*", ""]
    if not minutes.disagreements:
        out += ["No disagreements were recorded.", ""]
    for g in minutes.disagreements:
        out += [f"### {g.ref} {esc(g.topic)}", ""]
        if g.positions:
            out += _table(["Who", "Agency", "Position, in their words", "Evidence relied on"], [[cell(p.party), cell(p.agency), cell(p.view), cell(position_evidence(p))] for p in g.positions])
        else:
            out += ["No positions recorded.", ""]
        if g.resolved:
            out += ["**Outcome:** Resolved" + (f": {esc(g.resolution)}" if g.resolution else ""), ""]
        elif g.next_step:
            out += [f"**Next step:** {esc(g.next_step_label)}.  ", f"**Owner:** {esc(g.owner)} ({esc(g.agency)}). **Follow-up:** {m.uk_date(g.follow_up_date)}.", ""]
        else:
            out += ["**Next step:** not yet agreed.", ""]
        if route_lines(g):
            out += [f"- {esc(line)}" for line in route_lines(g)] + [""]

    if has_questions(minutes):
        out += [f"## {QUESTIONS_TITLE}", ""]
        if minutes.questions:
            out += _table(QUESTION_HEADINGS, [[cell(c) for c in row] for row in question_rows(minutes)])
        else:
            out += ["No written questions or comments were sent.", ""]
        out += [queue_counts_line(minutes), ""]

    if has_advice(minutes):
        out += [f"## {ADVICE_TITLE}", ""] + [f"- {esc(line)}" for line in advice_lines(minutes)] + [""]
    out += ["## The child's and family's views", "", "### The child's views", "", esc(minutes.child_views) if minutes.child_views else "*Not recorded.*", ""]
    out += ["### The family's views", "", esc(minutes.family_views) if minutes.family_views else "*Not recorded.*", ""]
    for section in plan_sections(minutes):
        out += [f"## {esc(section.heading)}", ""]
        for b in section.blocks:
            out += _plan_block(b)
    out += ["## Next review", "", f"**{m.uk_date(minutes.next_review_date, weekday=True)}**" if minutes.next_review_date else "Not set.", ""]

    out += summary_lines(minutes, "## Summary for the family, in plain words")
    out += ["---", "", f"*Generated from the meeting's record by Common Ground on {m.uk_date(minutes.generated_at)} at {hhmm(minutes.generated_at)} ({esc(minutes.timezone)}). {esc(stamp_line(minutes))}.*", ""]
    return "\n".join(out).encode("utf-8")


def _plan_block(b) -> list[str]:
    """A block of the plan's sections (domain.minutes.reports) as Markdown lines."""
    if b.kind == "text":
        return [f"### {esc(b.text)}", ""]
    if b.kind == "list":
        return [f"- {esc(i)}" for i in b.items] + [""]
    if b.kind == "facts":
        return [f"- **{esc(a)}:** {esc(v)}" for a, v in b.rows] + [""]
    return _table([h or "Ref" for h in b.headings], [[cell(c) for c in r] for r in b.rows])


def summary_lines(minutes: m.Minutes, heading: str) -> list[str]:
    """The family summary as Markdown lines."""
    s = minutes.summary
    out = [heading, ""]
    if not minutes.is_approved:
        out += ["*This summary comes from draft minutes that have not been approved yet.*", ""]
    if minutes.easy_read:
        out += [f"### {EASY_READ_TITLE}", ""] + [f"{esc(line)}  " for line in minutes.easy_read.splitlines() if line.strip()] + [""]
    out += [esc(s.intro), ""]
    if s.who_came:
        out += ["### Who was there", ""] + [f"- {esc(line)}" for line in s.who_came] + [""]
    out += ["### What was agreed", ""] + ([f"- {esc(line)}" for line in s.agreed] or ["Nothing was decided at this meeting."]) + [""]
    out += ["### What happens next", ""]
    if s.next_steps:
        out += _table(["When", "What happens"], [[m.uk_date(step.day, weekday=True), cell(step.text)] for step in s.next_steps])
    else:
        out += ["No actions were agreed.", ""]
    if s.statutory_dates:
        out += [f"### {FAMILY_DATES_TITLE}", ""]
        out += _table(FAMILY_DATES_HEADINGS, [[cell(text) for text in family_date_row(fd)] for fd in s.statutory_dates])
        out += [f"*{esc(s.statutory_notice)}*", ""]
    if s.disagreements:
        out += ["### Where people disagreed", ""] + [f"- {esc(line)}" for line in s.disagreements] + [""]
    out += [f"**{esc(s.next_review)}**", ""]
    if s.glossary:
        out += ["### Words used in these notes", ""] + [f"- **{esc(t.term)}**: {esc(t.meaning)}" for t in s.glossary] + [""]
    out += ["### Where to get independent advice", ""] + [f"- **{esc(a.name)}**: {esc(a.what)} {esc(a.where)}" for a in s.advice] + [""]
    return out
