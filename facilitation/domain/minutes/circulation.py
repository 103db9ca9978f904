"""Circulating the minutes: what is still missing, the rules for circulating, confirming, approving and
amending, who has answered, and what changed from one version to the next."""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass, replace
from datetime import date

from ..bidi import isolate
from ..errors import Conflict, InvalidValue, RuleViolation
from .reports import report_gaps
from .values import APPROVED, CIRCULATED, CONFIRMED, RECOMMENDATIONS, Minutes, Person, VersionStamp
from .wording import person_line, uk_date

#: Longest text accepted: a correction request's comment, an amendment's note, the child's or family's views.
COMMENT_MAX = 4000
NOTE_MAX = 4000
VIEWS_MAX = 8000

# ---------------------------------------------------------------- what is still missing before circulating


def completeness(m: Minutes) -> list[str]:
    """Gaps the chair may want to close before circulating: nothing here blocks circulation."""
    notes = []
    if m.meeting.status != "ended":
        notes.append("The meeting has not ended yet: this is a live draft.")
    if m.attendance.not_recorded:
        names = ", ".join(isolate(p.name) for p in m.attendance.not_recorded)
        notes.append(f"Attendance is not recorded for: {names}.")
    joiners = [p for p in m.attendance.remote if p.joined_by_link]
    if joiners:
        names = ", ".join(isolate(p.name) for p in joiners)
        notes.append(f"Joined by their link, not yet confirmed by the chair: {names}.")
    if not m.next_review_date:
        notes.append("The date of the next review is not set.")
    if not m.child_views:
        notes.append("The child's views are not recorded.")
    if not m.family_views:
        notes.append("The family's views are not recorded.")
    if m.meeting.meeting_type == "ehcp_annual_review" and not m.recommendation:
        notes.append("The recommendation (maintain, amend or cease the plan) is not recorded.")
    for g in m.disagreements:
        if not g.resolved and not g.next_step:
            notes.append(f"{g.ref} \u201c{_short(g.topic)}\u201d has no agreed next step, owner or follow-up date.")
    unconfirmed = [a.ref for a in m.actions if not a.confirmed]
    if unconfirmed:
        notes.append(f"Not yet confirmed by their owner: {', '.join(unconfirmed)}.")
    # the statutory report's own elements (reg 20 report, prior written notice) that are missing
    notes += report_gaps(m)
    return notes


def _short(text: str, limit: int = 60) -> str:
    """Typed text cut to `limit` characters, isolated (see domain.bidi) to sit inside a sentence."""
    return isolate(text if len(text) <= limit else text[: limit - 1]) + ("\u2026" if len(text) > limit else "")


# ---------------------------------------------------------------- what changed between two versions


def compare(old: Minutes, new: Minutes) -> list[str]:
    """What changed from one version of the minutes to the next, one line per change, for people to read."""
    lines: list[str] = []

    def diff_fields(label: str, a, b, names: dict[str, str]) -> None:
        for attr, what in names.items():
            x, y = getattr(a, attr), getattr(b, attr)
            if x != y:
                lines.append(f"{label}: {what} changed from \u201c{_show(x)}\u201d to \u201c{_show(y)}\u201d.")

    diff_fields("Meeting", old.meeting, new.meeting, {"title": "title", "child_ref": "child reference", "day": "date"})
    for attr, what in (
        ("child_views", "The child's views"),
        ("family_views", "The family's views"),
        ("next_review_date", "The next review date"),
        ("recommendation_label", "The recommendation"),
    ):
        x, y = getattr(old, attr), getattr(new, attr)
        if x != y:
            lines.append(f"{what} changed from \u201c{_show(x)}\u201d to \u201c{_show(y)}\u201d.")

    def people(m: Minutes) -> dict[int, Person]:
        return {p.id: p for group in fields(m.attendance) for p in getattr(m.attendance, group.name)}

    before, after = people(old), people(new)
    for pid in sorted(before.keys() | after.keys()):
        a, b = before.get(pid), after.get(pid)
        if a is None:
            lines.append(f"Attendance: {isolate(b.name)} added ({b.attendance_label}).")
        elif b is None:
            lines.append(f"Attendance: {isolate(a.name)} removed.")
        elif (a.attendance, a.arrived_late, a.left_early, a.name) != (b.attendance, b.arrived_late, b.left_early, b.name):
            lines.append(f"Attendance: {isolate(b.name)} now \u201c{person_line(b)}\u201d ({b.attendance_label}), was \u201c{a.attendance_label}\u201d.")

    registers = (
        ("Decision", old.decisions, new.decisions, {"text": "text", "status_label": "status", "reasons": "reasons", "evidence": "evidence", "options_considered": "options considered", "dissenters": "dissent", "review_date": "review date"}),
        ("Action", old.actions, new.actions, {"what": "what", "owner": "owner", "agency": "agency", "due_date": "due date", "follow_up_date": "follow-up date", "need": "need or outcome"}),
        ("Outcome", old.outcomes, new.outcomes, {"text": "text", "progress": "progress", "evidence": "evidence", "still_appropriate_label": "still appropriate", "proposed_change": "proposed change"}),
        ("Disagreement", old.disagreements, new.disagreements, {"topic": "topic", "positions": "positions", "resolved": "resolved", "resolution": "resolution", "next_step_label": "next step", "owner": "next step owner", "agency": "next step agency", "follow_up_date": "follow-up date"}),
    )
    for label, xs, ys, names in registers:
        a_by, b_by = {e.id: e for e in xs}, {e.id: e for e in ys}
        for entry_id in sorted(a_by.keys() | b_by.keys()):
            a, b = a_by.get(entry_id), b_by.get(entry_id)
            if a is None:
                lines.append(f"{label} {b.ref} added: \u201c{_short(_headline(b))}\u201d.")
            elif b is None:
                lines.append(f"{label} {a.ref} removed: \u201c{_short(_headline(a))}\u201d.")
            else:
                diff_fields(f"{label} {b.ref}", a, b, names)
    return lines


def _headline(entry) -> str:
    return getattr(entry, "text", None) or getattr(entry, "what", None) or getattr(entry, "topic", "")


def _show(value) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, date):
        return uk_date(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_show(v) if not is_dataclass(v) else f"{isolate(v.party)}: {isolate(v.view)}" for v in value)
    return _short(str(value), 120)


def with_stamp(minutes: Minutes, stamp: VersionStamp) -> Minutes:
    """The same minutes under another version stamp."""
    return replace(minutes, stamp=stamp)


def fingerprint(m: Minutes) -> str:
    """A digest of what the minutes say, ignoring when they were generated and their version stamp."""
    data = m.to_dict()
    data.pop("generated_at", None)
    data.pop("stamp", None)
    return hashlib.sha256(repr(sorted(_flatten(data))).encode()).hexdigest()


def _flatten(value, prefix: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}.{k}")
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield from _flatten(v, f"{prefix}[{n}]")
    else:
        yield (prefix, repr(value))


# ---------------------------------------------------------------- circulation rules


def clean_comment(text: str | None, field_name: str, label: str, limit: int, required: bool) -> str | None:
    """Trim surrounding space; refuse empty required text and text over the limit. Inner text stays as typed."""
    value = (text or "").strip()
    if required and not value:
        raise InvalidValue(f"{label} is required.", field=field_name)
    if len(value) > limit:
        raise InvalidValue(f"{label} is longer than {limit} characters.", field=field_name)
    return value or None


def check_details_editable(status: str) -> None:
    """Approved minutes are locked: changing what they say needs an amendment."""
    if status == APPROVED:
        raise RuleViolation("These minutes are approved and locked. Start an amendment to change them.", code="locked")


def check_recommendation(meeting_type: str, recommendation: str | None) -> None:
    """Maintain, amend or cease, and only for an EHCP annual review."""
    if recommendation is None:
        return
    if recommendation not in RECOMMENDATIONS:
        raise InvalidValue("Choose maintain, amend or cease.", field="recommendation")
    if meeting_type != "ehcp_annual_review":
        raise InvalidValue("A recommendation is recorded only for an EHCP annual review.", field="recommendation")


def check_next_review_date(value: date | None, meeting_day: date) -> None:
    """The next review comes on or after the meeting."""
    if value is not None and value < meeting_day:
        raise InvalidValue(
            f"The next review {uk_date(value)} is before the meeting ({uk_date(meeting_day)}).", field="next_review_date"
        )


def check_can_circulate(meeting_status: str, version_status: str) -> None:
    """Minutes go out once the meeting has ended, and never once approved."""
    if meeting_status != "ended":
        raise RuleViolation("End the meeting before circulating the minutes; until then the chair can preview the live draft.", code="not_ended")
    check_details_editable(version_status)


def check_can_respond(version_status: str, number: int, revision: int, current_number: int, current_revision: int) -> None:
    """A participant responds to the draft as circulated now; an older draft gets a conflict."""
    if version_status == APPROVED and number == current_number:
        raise RuleViolation("These minutes are already approved. Ask the chair if something needs amending.", code="locked")
    if version_status != CIRCULATED:
        raise RuleViolation("The minutes have not been circulated yet.", code="not_circulated")
    if (number, revision) != (current_number, current_revision):
        raise Conflict(
            "The chair has circulated a newer draft since you opened this one. Please read the new draft.",
            current={"number": current_number, "revision": current_revision},
        )


def check_can_approve(version_status: str, number: int, current_number: int) -> None:
    """Only the draft circulated now can be approved, and only once."""
    if number != current_number:
        raise Conflict("That is not the current version of the minutes.", current={"number": current_number})
    if version_status == APPROVED:
        raise RuleViolation("These minutes are already approved.", code="locked")
    if version_status != CIRCULATED:
        raise RuleViolation("Circulate the draft so that everyone can check it before approving.", code="not_circulated")


def check_can_amend(version_status: str) -> None:
    """An amendment starts from approved minutes."""
    if version_status != APPROVED:
        raise RuleViolation("Only approved minutes are amended; correct the draft directly instead.", code="not_approved")


def tally(respondents: list[dict], responses: list[dict], revision: int) -> dict:
    """Who has confirmed the current draft, who asked for a correction, who has not answered yet."""
    by = {r["participant_id"]: r for r in responses}
    confirmed, corrections, waiting, outdated = [], [], [], []
    for p in respondents:
        r = by.get(p["id"])
        if r is None:
            waiting.append(p["name"])
        elif r["revision"] != revision:
            outdated.append(p["name"])
        elif r["response"] == CONFIRMED:
            confirmed.append(p["name"])
        else:
            corrections.append(p["name"])
    return {
        "confirmed": confirmed,
        "corrections": corrections,
        "waiting": waiting,
        "earlier_draft": outdated,
        "everyone_confirmed": bool(respondents) and len(confirmed) == len(respondents),
    }
