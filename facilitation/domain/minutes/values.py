"""The Minutes value and its vocabulary: what a built set of minutes holds, and its JSON round trip.

A `Minutes` value survives a round trip through JSON (`to_dict` / `from_dict`), which is how an
approved version is frozen: what was approved is stored, never rebuilt.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any, Union, get_args, get_origin, get_type_hints

#: Bumped when the stored shape of a Minutes value changes; from_dict reads older shapes.
FORMAT = 1

# ---------------------------------------------------------------- circulation states

DRAFT, CIRCULATED, APPROVED = "draft", "circulated", "approved"
VERSION_STATUSES: dict[str, str] = {
    DRAFT: "Draft",
    CIRCULATED: "Draft circulated for checking",
    APPROVED: "Approved",
}
CONFIRMED, CORRECTION = "confirmed", "correction"
RESPONSES: dict[str, str] = {CONFIRMED: "Confirmed", CORRECTION: "Correction requested"}

#: The line every list of statutory dates carries (minutes, calendars, the action log, reminders).
STATUTORY_NOTICE = "Latest dates the law allows, computed from the rules; this is not legal advice."

#: EHCP annual review recommendation (SEND Regulations 2014, reg 20).
RECOMMENDATIONS: dict[str, str] = {
    "maintain": "Maintain the plan unchanged",
    "amend": "Amend the plan",
    "cease": "Cease the plan",
}



# ---------------------------------------------------------------- the Minutes value


@dataclass(frozen=True)
class Advice:
    name: str
    what: str
    where: str



@dataclass(frozen=True)
class Citation:
    """A document of the evidence pack an entry cites (confidential ones never reach the minutes)."""

    id: int
    name: str


@dataclass(frozen=True)
class AdviceEntry:
    """What one person was asked for before the meeting, and when it came (or that it did not)."""

    who: str
    kind_label: str
    what: str
    due_on: date
    received_on: date | None
    #: received, late (after the due day) or not_received
    state: str
    documents: list[str] = field(default_factory=list)
    #: for the child's views: how they were gathered
    how_gathered: str | None = None

    def line(self) -> str:
        """One line for every format: who, what, when, on time or late."""
        from ..dates import uk_date

        head = f"{self.who}: {self.what} ({self.kind_label.lower()}), due {uk_date(self.due_on)}"
        if self.state == "not_received":
            tail = "not received"
        else:
            tail = f"received {uk_date(self.received_on)}" + (", on time" if self.state == "received" else ", late")
        extra = f"; gathered: {self.how_gathered.lower()}" if self.how_gathered else ""
        docs = f"; documents: {', '.join(self.documents)}" if self.documents else ""
        return f"{head}: {tail}{extra}{docs}."


def citation_text(citations: list[Citation]) -> str:
    """The documents an entry cites, in one line ("" for none)."""
    return "; ".join(f"{c.name} (pack document {c.id})" for c in citations)


@dataclass(frozen=True)
class MeetingDetails:
    id: int
    title: str
    meeting_type: str
    meeting_type_label: str
    child_ref: str
    day: date
    scheduled_start: datetime
    scheduled_end: datetime
    started_at: datetime | None
    ended_at: datetime | None
    status: str


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str
    role_label: str
    agency: str
    attendance: str
    attendance_label: str
    arrived_late: bool
    left_early: bool
    #: recorded from their link connecting, not (yet) confirmed by the chair
    joined_by_link: bool = False
    #: the language they speak in the meeting, and whether an interpreter was needed
    language: str | None = None
    needs_interpreter: bool = False


@dataclass(frozen=True)
class Attendance:
    present: list[Person]
    remote: list[Person]
    apologies: list[Person]
    absent: list[Person]
    not_recorded: list[Person]


@dataclass(frozen=True)
class DecisionEntry:
    id: int
    ref: str
    text: str
    status: str
    status_label: str
    reasons: str | None
    evidence: str | None
    options_considered: str | None
    dissenters: list[str]
    review_date: date | None
    disagreement_ref: str | None
    item_title: str | None
    citations: list[Citation] = field(default_factory=list)
    #: "proposes" or "refuses" when the decision is an action proposed or refused (a US prior written
    #: notice is made for it), and the other factors relevant to it (34 CFR 300.503(b)(7))
    notice: str | None = None
    other_factors: str | None = None
    #: the child's views it answers: ids of the pack's child's views requests, and whether it answers
    #: the views recorded in the minutes
    answers_view_ids: list[int] = field(default_factory=list)
    answers_recorded_views: bool = False


@dataclass(frozen=True)
class ChildView:
    """One of the child's views: their own words, how they were gathered and by whom; `request_id` is the
    evidence pack's request it answered (none for the views the chair recorded in the minutes)."""

    words: str
    how_gathered: str | None
    who: str | None
    request_id: int | None = None


@dataclass(frozen=True)
class Safeguards:
    """A US IEP meeting's record that the procedural safeguards were offered to the parent (when, how),
    and the parent's consent (given, refused or not needed; the day given or refused)."""

    offered_on: date | None
    how: str | None
    consent: str | None
    consent_on: date | None


@dataclass(frozen=True)
class OutcomeEntry:
    """An outcome of the child's plan (an IEP goal), with the progress recorded against it in the meeting."""

    id: int
    ref: str
    text: str
    area: str | None
    area_label: str | None
    progress: str | None
    evidence: str | None
    still_appropriate: str | None
    still_appropriate_label: str | None
    proposed_change: str | None
    carried: bool = False


@dataclass(frozen=True)
class AmendmentEntry:
    """A section of the EHC plan to amend, with the proposed wording."""

    id: int
    section: str
    section_label: str
    wording: str
    reason: str | None


@dataclass(frozen=True)
class AdviceReceived:
    """Advice received for the review (from the evidence pack): who gave it, when, what it says, what they recommend."""

    source: str
    role: str
    received_on: date | None
    summary: str
    recommendation: str | None = None


@dataclass(frozen=True)
class ActionEntry:
    id: int
    ref: str
    what: str
    owner: str
    owner_key: str
    agency: str
    due_date: date
    follow_up_date: date
    need: str | None
    item_title: str | None
    confirmed: bool
    status: str
    citations: list[Citation] = field(default_factory=list)


@dataclass(frozen=True)
class PositionEntry:
    party: str
    agency: str
    view: str
    evidence: str | None
    citations: list[Citation] = field(default_factory=list)


@dataclass(frozen=True)
class DisagreementEntry:
    id: int
    ref: str
    topic: str
    positions: list[PositionEntry]
    resolved: bool
    resolution: str | None
    next_step: str | None
    next_step_label: str | None
    owner: str | None
    owner_key: str | None
    agency: str | None
    follow_up_date: date | None
    item_title: str | None
    #: what it is about and the route's own words (domain.routes), in the meeting's jurisdiction
    about_label: str | None = None
    route_note: str | None = None
    #: the route's dated steps, and the start dates it still needs
    route_dates: tuple[RouteDateEntry, ...] = ()
    route_missing: tuple[str, ...] = ()
    #: set when the follow-up date falls after a date the follow-up must come before
    follow_up_late: str | None = None
    #: the organisation's contacts for it: the information and advice service, and the route's own service
    contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouteDateEntry:
    """A dated step of a disagreement's route: the rule, its date, whether it is verified."""

    rule_id: str
    title: str
    who: str
    day: date
    verified: bool
    source: str | None


@dataclass(frozen=True)
class QuestionEntry:
    """A written question or comment a participant sent the chair from their own page."""

    id: int
    kind: str
    kind_label: str
    text: str
    asker: str
    item_title: str | None
    answered: bool


@dataclass(frozen=True)
class AgendaEntry:
    id: int
    number: int
    title: str
    presenter: str | None
    planned_minutes: int
    extended_minutes: int
    actual_minutes: int | None
    started_at: datetime | None
    ended_at: datetime | None
    status: str
    status_label: str
    deferred: bool
    decisions: list[DecisionEntry]
    actions: list[ActionEntry]
    disagreements: list[DisagreementEntry]
    #: how many times the item was opened, and its time scale in percent (150: x1.5, interpreted)
    visits: int = 0
    time_scale: int = 100

    @property
    def has_entries(self) -> bool:
        """True when a decision, an action or a disagreement is filed under the item."""
        return bool(self.decisions or self.actions or self.disagreements)


@dataclass(frozen=True)
class SummaryStep:
    day: date
    text: str


@dataclass(frozen=True)
class Term:
    term: str
    meaning: str


@dataclass(frozen=True)
class FamilyDate:
    """A statutory date that matters to the family, in plain words, with the rule it comes from."""

    day: date
    text: str
    rule_id: str
    source: str
    verified: bool
    #: the US state whose own timeframe the date follows, empty for a federal or English rule
    state_timeframe: str = ""


@dataclass(frozen=True)
class FamilySummary:
    intro: str
    who_came: list[str]
    agreed: list[str]
    next_steps: list[SummaryStep]
    disagreements: list[str]
    next_review: str
    glossary: list[Term]
    advice: list[Advice]
    #: the statutory dates after the meeting and the words that they are not legal advice; summaries
    #: stored before these were added read as having none
    statutory_dates: list[FamilyDate] = field(default_factory=list)
    statutory_notice: str = ""


@dataclass(frozen=True)
class SectionSignOff:
    """Who agreed with a section of circulated minutes and who dissented (domain.minutes.sign_off)."""

    key: str
    label: str
    agreed: list[str]
    dissented: list[str]


@dataclass(frozen=True)
class VersionStamp:
    number: int
    status: str
    status_label: str
    revision: int
    circulated_at: datetime | None
    approved_at: datetime | None
    approved_by: str | None
    amendment_note: str | None
    changes: list[str]
    #: with approved minutes: who agreed with each section and who dissented (none before this was kept)
    sign_off: list[SectionSignOff] = field(default_factory=list)


@dataclass(frozen=True)
class StatutoryDate:
    """A step of the meeting's statutory timeline as the minutes list it: the latest date, what, who acts,
    the rule and its sources. Minutes approved before the timeline held one date with `source` as text
    (rule_id empty): they read back as stored."""

    text: str
    day: date
    source: str
    rule_id: str = ""
    who: str = ""
    sources: list[str] = field(default_factory=list)
    verified: bool = True


@dataclass(frozen=True)
class Minutes:
    meeting: MeetingDetails
    attendance: Attendance
    agenda: list[AgendaEntry]
    other_matters: AgendaEntry | None
    actions: list[ActionEntry]
    disagreements: list[DisagreementEntry]
    disagreements_title: str
    child_views: str | None
    family_views: str | None
    recommendation: str | None
    recommendation_label: str | None
    next_review_date: date | None
    statutory_dates: list[StatutoryDate]
    summary: FamilySummary
    stamp: VersionStamp
    generated_at: datetime
    timezone: str
    format: int = FORMAT
    #: the speaking queue (domain.speaking): questions and comments listed, hands and breaks counted;
    #: minutes stored before it read as having none
    questions: list[QuestionEntry] = field(default_factory=list)
    hands_raised: int = 0
    breaks_requested: int = 0
    #: the chair's easy-read version of the family summary (exported beside it); none when not written
    easy_read: str | None = None
    #: the evidence pack (domain.documents): what each person was asked for and when it came, and
    #: when the pack went out; minutes stored before it read as having none
    advice: list[AdviceEntry] = field(default_factory=list)
    pack_circulated: str | None = None
    #: the plan's outcomes with progress, the sections to amend, the year group and the preparation-for-
    #: adulthood areas chosen, the advice received and the organisation's sources of help; minutes stored
    #: before these were added read as having none
    outcomes: list[OutcomeEntry] = field(default_factory=list)
    amendments: list[AmendmentEntry] = field(default_factory=list)
    year_group: int | None = None
    adulthood_areas: list[str] = field(default_factory=list)
    advice_received: list[AdviceReceived] = field(default_factory=list)
    help_sources: list[str] = field(default_factory=list)
    #: the child's views, each in their own words (the pack's answers, then those recorded in the minutes)
    child_voice: list[ChildView] = field(default_factory=list)
    #: a US IEP meeting's procedural safeguards offered and parent's consent (none before it is recorded)
    safeguards: Safeguards | None = None

    # -------------------------------------------------------- reading helpers for renderers

    @property
    def decisions(self) -> list[DecisionEntry]:
        sections = [*self.agenda, *([self.other_matters] if self.other_matters else [])]
        return [d for s in sections for d in s.decisions]

    @property
    def is_approved(self) -> bool:
        return self.stamp.status == APPROVED

    def owners(self) -> list[tuple[str, str, str]]:
        """Everyone responsible for an action or a next step: (owner_key, name, agency), first seen first."""
        seen: dict[str, tuple[str, str, str]] = {}
        for a in self.actions:
            seen.setdefault(a.owner_key, (a.owner_key, a.owner, a.agency))
        for g in self.disagreements:
            if g.owner_key and g.owner:
                seen.setdefault(g.owner_key, (g.owner_key, g.owner, g.agency or ""))
        return list(seen.values())

    def to_dict(self) -> dict:
        """Plain JSON-ready data; `from_dict` gives the same value back."""
        return _to_plain(self)

    @classmethod
    def from_dict(cls, data: dict) -> Minutes:
        """The value stored by `to_dict`."""
        return _from_plain(cls, data)



# ---------------------------------------------------------------- JSON round trip


def _to_plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    return value


_HINTS: dict[type, dict] = {}


def _from_plain(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(tp) if a is not type(None)]
        return _from_plain(inner[0], value)
    if origin is list:
        (inner,) = get_args(tp)
        return [_from_plain(inner, v) for v in value]
    if origin is tuple:  # tuple[X, ...]
        return tuple(_from_plain(get_args(tp)[0], v) for v in value)
    if is_dataclass(tp):
        hints = _HINTS.get(tp) or _HINTS.setdefault(tp, get_type_hints(tp))
        return tp(**{f.name: _from_plain(hints[f.name], value[f.name]) for f in fields(tp) if f.name in value})
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    return value
