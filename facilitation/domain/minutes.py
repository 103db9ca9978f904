"""The minutes: built from the meeting's record, circulated, confirmed, approved and amended.

Pure Python (stdlib only). `build_minutes` takes the record as plain data (the same dictionaries the
read side shows clients) and returns a `Minutes` value; renderers in `facilitation.exports` turn that
value into bytes. A `Minutes` value survives a round trip through JSON (`to_dict` / `from_dict`), which
is how an approved version is frozen: what was approved is stored, never rebuilt.

Text people typed is carried as typed. Nothing here formats it as markup; each renderer escapes it.
"""

from __future__ import annotations

import hashlib
import re
import types
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Union, get_args, get_origin, get_type_hints

from .errors import Conflict, InvalidValue, RuleViolation

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

COMMENT_MAX = 4000
NOTE_MAX = 4000
VIEWS_MAX = 8000

#: EHCP annual review recommendation (SEND Regulations 2014, reg 20).
RECOMMENDATIONS: dict[str, str] = {
    "maintain": "Maintain the plan unchanged",
    "amend": "Amend the plan",
    "cease": "Cease the plan",
}

#: Statutory clock shown in EHCP annual review minutes: data with its source, never advice.
REVIEW_REPORT_RULE = {
    "days": 14,
    "text": "Statutory latest date for the review report (recommendation and any differences of opinion) "
    "to reach the local authority and everyone invited",
    "source": "SEND Regulations 2014, reg 20 (within 2 weeks of the meeting)",
}

# ---------------------------------------------------------------- plain language

#: Abbreviations people use in SEND meetings, expanded for families. Matched as whole words, case as written.
GLOSSARY: dict[str, str] = {
    "EHCP": "Education, Health and Care Plan: the legal document that sets out a child's special educational "
    "needs and the support they must get",
    "EHC": "Education, Health and Care (as in EHC plan or EHC needs assessment)",
    "EHCNA": "Education, Health and Care needs assessment: the council's assessment that may lead to an EHCP",
    "SEN": "special educational needs",
    "SEND": "special educational needs and disabilities",
    "SENCO": "special educational needs coordinator: the teacher who organises extra support in school",
    "SENCo": "special educational needs coordinator: the teacher who organises extra support in school",
    "SALT": "speech and language therapist (or therapy)",
    "SLT": "speech and language therapist (or therapy)",
    "OT": "occupational therapist (or therapy): help with everyday skills, movement and the senses",
    "EP": "educational psychologist: assesses how a child learns and advises on support",
    "SENDIASS": "SEND Information, Advice and Support Service: free, confidential advice for families, "
    "independent of the school and the council",
    "IASS": "Information, Advice and Support Service (see SENDIASS)",
    "IPSEA": "Independent Provider of Special Education Advice: a charity giving free legal advice about SEND",
    "LA": "local authority: the council",
    "IEP": "individual education plan (in the US: Individualized Education Program)",
    "IDEA": "Individuals with Disabilities Education Act (US law on special education)",
    "IEE": "Independent Educational Evaluation (US): an assessment by someone outside the school district",
    "TA": "teaching assistant",
    "CAMHS": "Child and Adolescent Mental Health Services",
    "NHS": "National Health Service",
    "ICB": "Integrated Care Board: the NHS body that plans and pays for local health services",
    "ASD": "autism spectrum disorder",
    "ASC": "autism spectrum condition",
    "ADHD": "attention deficit hyperactivity disorder",
    "DLD": "developmental language disorder",
    "SEMH": "social, emotional and mental health",
    "PfA": "Preparing for Adulthood",
    "1:1": "one-to-one: an adult working with the child on their own",
}
_GLOSSARY_PATTERNS = {term: re.compile(rf"(?<![\w:]){re.escape(term)}(?![\w:])") for term in GLOSSARY}


@dataclass(frozen=True)
class Advice:
    name: str
    what: str
    where: str


ADVICE_ENGLAND = [
    Advice(
        "Your local SENDIASS",
        "Free, impartial and confidential information, advice and support about SEND, for parents, carers and "
        "young people. Every council area has one.",
        "Search for your council's name and 'SENDIASS', or use the Information, Advice and Support Services "
        "Network: councilfordisabledchildren.org.uk",
    ),
    Advice(
        "IPSEA",
        "Free, independent legal advice on special educational needs and EHC plans.",
        "ipsea.org.uk",
    ),
    Advice(
        "Contact",
        "A charity for families with disabled children: advice on education, benefits and support.",
        "contact.org.uk",
    ),
]
ADVICE_DISAGREEMENT = Advice(
    "If you still disagree",
    "The council's disagreement resolution service is free and voluntary. For decisions about EHC needs "
    "assessments and plans, mediation is available, and a mediation certificate is needed before most appeals "
    "to the First-tier Tribunal (SEND). Appeals have time limits, so get advice early.",
    "Ask the local authority's SEND team, or SENDIASS or IPSEA above.",
)
ADVICE_US = [
    Advice(
        "Your Parent Training and Information Center",
        "Free help for families of children with disabilities to take part in IEP meetings and understand "
        "their rights under IDEA.",
        "parentcenterhub.org",
    ),
    Advice(
        "Your procedural safeguards notice",
        "The school district must give you this notice; it explains your rights, including mediation, "
        "state complaints and due process hearings.",
        "Ask the school district for a copy.",
    ),
]

#: Meeting types explained for the family summary.
MEETING_TYPES_PLAIN: dict[str, str] = {
    "sen_support_review": "a SEN support review: a regular check on the extra help the child gets in school",
    "ehcp_annual_review": "an EHCP annual review: the yearly review of the child's Education, Health and Care Plan",
    "multi_agency": "a multi-agency meeting: the school, health, social care and the family planning together",
    "iep_meeting": "an IEP meeting: planning the child's Individualized Education Program",
    "disagreement_resolution": "a disagreement resolution meeting: trying to settle a disagreement about the "
    "child's support",
}
ROLES_PLAIN: dict[str, str] = {
    "senco": "the school's special educational needs coordinator (SENCO)",
    "class_teacher": "class teacher",
    "head_teacher": "head teacher",
    "parent": "parent or carer",
    "child": "the child or young person",
    "educational_psychologist": "educational psychologist (EP)",
    "salt": "speech and language therapist (SALT)",
    "ot": "occupational therapist (OT)",
    "paediatrician": "children's doctor (paediatrician)",
    "social_worker": "social worker",
    "la_officer": "the council's SEND officer",
    "advocate": "independent adviser or advocate",
    "interpreter": "interpreter",
    "facilitator": "independent facilitator or mediator",
    "other": "other",
}
NEXT_STEPS_PLAIN: dict[str, str] = {
    "follow_up_meeting": "another meeting to go through the documents and the evidence again",
    "facilitated_meeting": "another meeting, led by an independent facilitator",
    "independent_evaluation": "an independent assessment",
    "disagreement_resolution": "the council's free disagreement resolution service",
    "mediation": "mediation",
    "complaint": "a formal complaint",
    "tribunal": "an appeal to the tribunal",
}

# ---------------------------------------------------------------- the Minutes value


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


@dataclass(frozen=True)
class PositionEntry:
    party: str
    agency: str
    view: str
    evidence: str | None


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
    rung: int | None
    owner: str | None
    owner_key: str | None
    agency: str | None
    follow_up_date: date | None
    item_title: str | None


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


@dataclass(frozen=True)
class SummaryStep:
    day: date
    text: str


@dataclass(frozen=True)
class Term:
    term: str
    meaning: str


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


@dataclass(frozen=True)
class StatutoryDate:
    text: str
    day: date
    source: str


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


# ---------------------------------------------------------------- formatting shared by every renderer


def uk_date(value: date | None, weekday: bool = False) -> str:
    """14 Mar 2027 (or Sun 14 Mar 2027); empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    text = f"{value.day} {value:%b %Y}"
    return f"{value:%a} {text}" if weekday else text


def hhmm(value: datetime | None) -> str:
    """09:30; empty for None."""
    return value.strftime("%H:%M") if value else ""


def minutes_text(value: int | None) -> str:
    return "" if value is None else f"{value} min"


def planned_text(item: AgendaEntry) -> str:
    """'10 min' or '10 min + 5 min added'."""
    text = minutes_text(item.planned_minutes)
    return f"{text} + {item.extended_minutes} min added" if item.extended_minutes else text


def actual_text(item: AgendaEntry) -> str:
    """What the item took, with its clock times when it ran."""
    if item.status == "skipped":
        return "Skipped"
    if item.actual_minutes is None:
        return "Not reached" if item.status == "pending" else "In progress"
    times = f" ({hhmm(item.started_at)}–{hhmm(item.ended_at)})" if item.started_at and item.ended_at else ""
    return f"{item.actual_minutes} min{times}"


def person_line(p: Person) -> str:
    extra = [x for x in ("arrived late" if p.arrived_late else "", "left early" if p.left_early else "") if x]
    return f"{p.name}, {p.role_label}, {p.agency}" + (f" ({', '.join(extra)})" if extra else "")


def next_step_line(g: DisagreementEntry) -> str:
    """The agreed next step, its owner and follow-up date, in one line."""
    if g.resolved:
        return "Resolved" + (f": {g.resolution}" if g.resolution else "")
    if not g.next_step:
        return "Not resolved; next step not yet agreed"
    return f"Next step: {g.next_step_label} (rung {g.rung} of the escalation ladder). {g.owner} ({g.agency}) follows up by {uk_date(g.follow_up_date)}"


ATTENDANCE_GROUPS = (
    ("present", "Present in the room"),
    ("remote", "Joined remotely"),
    ("apologies", "Apologies"),
    ("absent", "Did not attend"),
    ("not_recorded", "Attendance not recorded"),
)


def title_line(m: Minutes) -> str:
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


# ---------------------------------------------------------------- building the minutes


@dataclass
class RecordData:
    """The meeting's record as plain data: the read side's views of each entry.

    `participants` includes people the chair removed (flag `removed`), so owners stay named.
    `details` holds what the registers do not: the child's and family's views, the next review date
    and, for an EHCP annual review, the recommendation.
    """

    meeting: dict
    items: list[dict]
    participants: list[dict]
    decisions: list[dict]
    actions: list[dict]
    disagreements: list[dict]
    details: dict = field(default_factory=dict)


def _dt(value: str | None, tz: tzinfo) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(tz)


def _day(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def owner_key(participant_id: int | None, name: str | None) -> str:
    """A stable key for an owner: 'p12' for a participant, 'n' + a hash of the name otherwise."""
    if participant_id:
        return f"p{participant_id}"
    digest = hashlib.sha256((name or "").strip().casefold().encode()).hexdigest()[:12]
    return f"n{digest}"


def build_minutes(
    record: RecordData,
    *,
    tz: tzinfo,
    generated_at: datetime,
    stamp: VersionStamp | None = None,
) -> Minutes:
    """The minutes as the record stands: details, attendance, agenda with entries, tables, summary."""
    m = record.meeting
    tz_name = str(getattr(tz, "key", tz))
    people = {p["id"]: p for p in record.participants}

    def name_of(pid: int | None, fallback: str | None) -> str:
        p = people.get(pid) if pid else None
        return p["name"] if p else (fallback or "someone no longer listed")

    start = _dt(m["scheduled_start"], tz)
    details = MeetingDetails(
        id=m["id"],
        title=m["title"],
        meeting_type=m["meeting_type"],
        meeting_type_label=m.get("meeting_type_label") or m["meeting_type"],
        child_ref=m["child_ref"],
        day=start.date(),
        scheduled_start=start,
        scheduled_end=_dt(m["scheduled_end"], tz),
        started_at=_dt(m.get("started_at"), tz),
        ended_at=_dt(m.get("ended_at"), tz),
        status=m["status"],
    )

    # -- attendance
    groups: dict[str, list[Person]] = {key: [] for key, _ in ATTENDANCE_GROUPS}
    where = {"in_room": "present", "remote": "remote", "apologies": "apologies", "absent": "absent"}
    for p in sorted(record.participants, key=lambda p: p["id"]):
        if p.get("removed"):
            continue
        person = Person(
            id=p["id"],
            name=p["name"],
            role=p["role"],
            role_label=p.get("role_label") or p["role"],
            agency=p.get("agency_label") or p["agency"],
            attendance=p.get("attendance", "expected"),
            attendance_label=p.get("attendance_label") or p.get("attendance", "expected"),
            arrived_late=bool(p.get("arrived_late")),
            left_early=bool(p.get("left_early")),
        )
        groups[where.get(person.attendance, "not_recorded")].append(person)
    attendance = Attendance(**groups)

    # -- agenda order decides the references (D1, A1, G1 ...), so each entry's number reads in order
    items = sorted(record.items, key=lambda i: (i["position"], i["id"]))
    item_ids = [i["id"] for i in items]
    titles = {i["id"]: i["title"] for i in items}

    def section_of(entry: dict) -> int | None:
        return entry.get("agenda_item_id") if entry.get("agenda_item_id") in titles else None

    def in_agenda_order(entries: list[dict]) -> list[dict]:
        order = {item_id: n for n, item_id in enumerate(item_ids)}
        return sorted(entries, key=lambda e: (order.get(section_of(e), len(order)), e["id"]))

    disagreement_refs = {g["id"]: f"G{n}" for n, g in enumerate(in_agenda_order(record.disagreements), 1)}

    disagreements: list[DisagreementEntry] = []
    for g in in_agenda_order(record.disagreements):
        owner = None
        if g.get("next_step"):
            owner = name_of(g.get("next_step_owner_participant_id"), g.get("next_step_owner_name"))
        disagreements.append(
            DisagreementEntry(
                id=g["id"],
                ref=disagreement_refs[g["id"]],
                topic=g["topic"],
                positions=[
                    PositionEntry(
                        party=name_of(p.get("participant_id"), p.get("party_name")),
                        agency=p["agency"],
                        view=p["view"],
                        evidence=p.get("evidence"),
                    )
                    for p in g.get("positions", [])
                ],
                resolved=bool(g.get("resolved")),
                resolution=g.get("resolution"),
                next_step=g.get("next_step"),
                next_step_label=g.get("next_step_label"),
                rung=g.get("next_step_rung"),
                owner=owner,
                owner_key=owner_key(g.get("next_step_owner_participant_id"), g.get("next_step_owner_name")) if owner else None,
                agency=g.get("next_step_agency"),
                follow_up_date=_day(g.get("follow_up_date")),
                item_title=titles.get(section_of(g)),
            )
        )

    decisions = [
        DecisionEntry(
            id=d["id"],
            ref=f"D{n}",
            text=d["text"],
            status=d["status"],
            status_label=d.get("status_label") or d["status"],
            reasons=d.get("reasons"),
            evidence=d.get("evidence"),
            options_considered=d.get("options_considered"),
            dissenters=[name_of(pid, None) for pid in d.get("dissenter_ids") or []],
            review_date=_day(d.get("review_date")),
            disagreement_ref=disagreement_refs.get(d.get("disagreement_id")),
            item_title=titles.get(section_of(d)),
        )
        for n, d in enumerate(in_agenda_order(record.decisions), 1)
    ]

    actions = [
        ActionEntry(
            id=a["id"],
            ref=f"A{n}",
            what=a["what"],
            owner=name_of(a.get("owner_participant_id"), a.get("owner_name")),
            owner_key=owner_key(a.get("owner_participant_id"), a.get("owner_name")),
            agency=a["owner_agency"],
            due_date=_day(a["due_date"]),
            follow_up_date=_day(a["follow_up_date"]),
            need=a.get("need"),
            item_title=titles.get(section_of(a)),
            confirmed=bool(a.get("confirmed_at")),
            status=a.get("status") or "open",
        )
        for n, a in enumerate(in_agenda_order(record.actions), 1)
    ]

    def entries_for(item_id: int | None, kind: list, source: list[dict]) -> list:
        ids = {e["id"] for e in source if section_of(e) == item_id}
        return [e for e in kind if e.id in ids]

    status_labels = {
        "done": "Covered",
        "skipped": "Skipped",
        "pending": "Not reached",
        "running": "In progress",
        "paused": "Paused",
    }
    agenda_entries = []
    for number, i in enumerate(items, 1):
        actual = i.get("actual_seconds")
        agenda_entries.append(
            AgendaEntry(
                id=i["id"],
                number=number,
                title=i["title"],
                presenter=i.get("presenter"),
                planned_minutes=round(i["allocated_seconds"] / 60),
                extended_minutes=round((i.get("extended_seconds") or 0) / 60),
                actual_minutes=round(actual / 60) if actual is not None and i["status"] == "done" else None,
                started_at=_dt(i.get("started_at"), tz),
                ended_at=_dt(i.get("ended_at"), tz),
                status=i["status"],
                status_label=status_labels.get(i["status"], i["status"]),
                deferred=bool(i.get("deferred")),
                decisions=entries_for(i["id"], decisions, record.decisions),
                actions=entries_for(i["id"], actions, record.actions),
                disagreements=entries_for(i["id"], disagreements, record.disagreements),
            )
        )
    loose = (
        entries_for(None, decisions, record.decisions),
        entries_for(None, actions, record.actions),
        entries_for(None, disagreements, record.disagreements),
    )
    other = None
    if any(loose):
        other = AgendaEntry(
            id=0,
            number=len(items) + 1,
            title="Other matters recorded",
            presenter=None,
            planned_minutes=0,
            extended_minutes=0,
            actual_minutes=None,
            started_at=None,
            ended_at=None,
            status="other",
            status_label="",
            deferred=False,
            decisions=loose[0],
            actions=loose[1],
            disagreements=loose[2],
        )

    d = record.details or {}
    next_review = _day(d.get("next_review_date"))
    recommendation = d.get("recommendation") if m["meeting_type"] == "ehcp_annual_review" else None
    statutory = []
    if m["meeting_type"] == "ehcp_annual_review":
        held = (details.started_at or details.scheduled_start).date()
        statutory.append(
            StatutoryDate(
                text=REVIEW_REPORT_RULE["text"],
                day=held + timedelta(days=REVIEW_REPORT_RULE["days"]),
                source=REVIEW_REPORT_RULE["source"],
            )
        )

    if stamp is None:
        stamp = VersionStamp(1, DRAFT, VERSION_STATUSES[DRAFT], 0, None, None, None, None, [])

    body = Minutes(
        meeting=details,
        attendance=attendance,
        agenda=agenda_entries,
        other_matters=other,
        actions=sorted(actions, key=lambda a: (a.due_date, a.follow_up_date, int(a.ref[1:]))),
        disagreements=disagreements,
        disagreements_title="Differences of opinion" if m["meeting_type"] == "ehcp_annual_review" else "Disagreements and next steps",
        child_views=d.get("child_views"),
        family_views=d.get("family_views"),
        recommendation=recommendation,
        recommendation_label=RECOMMENDATIONS.get(recommendation) if recommendation else None,
        next_review_date=next_review,
        statutory_dates=statutory,
        summary=FamilySummary("", [], [], [], [], "", [], []),
        stamp=stamp,
        generated_at=generated_at.astimezone(tz),
        timezone=tz_name,
    )
    return _replace(body, summary=family_summary(body))


def _replace(value, **changes):
    data = {f.name: getattr(value, f.name) for f in fields(value)}
    data.update(changes)
    return type(value)(**data)


def with_stamp(minutes: Minutes, stamp: VersionStamp) -> Minutes:
    """The same minutes under another version stamp."""
    return _replace(minutes, stamp=stamp)


# ---------------------------------------------------------------- the family's plain-language summary


def family_summary(m: Minutes) -> FamilySummary:
    """Short and plain: what the meeting was, who came, what was agreed, what happens next and when."""
    d = m.meeting
    kind = MEETING_TYPES_PLAIN.get(d.meeting_type, d.meeting_type_label)
    intro = f"On {uk_date(d.day, weekday=True)} there was {kind}, about {d.child_ref}."

    came = [*m.attendance.present, *m.attendance.remote]
    who = [f"{p.name}: {ROLES_PLAIN.get(p.role, p.role_label)}" + (" (joined remotely)" if p in m.attendance.remote else "") for p in came]

    agreed = []
    for dec in m.decisions:
        if dec.status == "deferred":
            agreed.append(f"Not decided yet: {dec.text}")
        elif dec.dissenters:
            agreed.append(f"{dec.text} (agreed, but {', '.join(dec.dissenters)} did not agree)")
        else:
            agreed.append(dec.text)
    if m.recommendation_label:
        agreed.append(f"Recommendation for the plan: {m.recommendation_label.lower()}.")

    steps = []
    for a in m.actions:
        steps.append(SummaryStep(a.due_date, f"{a.owner} ({a.agency}) will: {a.what}. Checked on {uk_date(a.follow_up_date)}."))
    for g in m.disagreements:
        if not g.resolved and g.next_step and g.follow_up_date:
            plain = NEXT_STEPS_PLAIN.get(g.next_step, g.next_step_label or "")
            steps.append(SummaryStep(g.follow_up_date, f"{g.owner} ({g.agency}) follows up the disagreement about \u201c{g.topic}\u201d: next step is {plain}."))
    if m.next_review_date:
        steps.append(SummaryStep(m.next_review_date, "The next review meeting."))
    steps.sort(key=lambda s: s.day)

    disagreed = []
    for g in m.disagreements:
        if g.resolved:
            disagreed.append(f"\u201c{g.topic}\u201d: now settled" + (f": {g.resolution}" if g.resolution else "."))
        elif g.next_step:
            disagreed.append(f"\u201c{g.topic}\u201d: not settled. Next step: {NEXT_STEPS_PLAIN.get(g.next_step, g.next_step_label or '')}, by {uk_date(g.follow_up_date)}.")
        else:
            disagreed.append(f"\u201c{g.topic}\u201d: not settled; the next step is still to be agreed.")

    review = f"The next review is on {uk_date(m.next_review_date, weekday=True)}." if m.next_review_date else "The date of the next review has not been set yet."

    advice = list(ADVICE_US) if d.meeting_type == "iep_meeting" else list(ADVICE_ENGLAND)
    if d.meeting_type != "iep_meeting" and any(not g.resolved for g in m.disagreements):
        advice.append(ADVICE_DISAGREEMENT)

    words = " ".join([intro, *who, *agreed, *(s.text for s in steps), *disagreed, m.child_views or "", m.family_views or "", kind])
    glossary = [Term(term, meaning) for term, meaning in GLOSSARY.items() if _GLOSSARY_PATTERNS[term].search(words)]
    # SENCo and SENCO mean the same: list the term once.
    if any(t.term == "SENCO" for t in glossary):
        glossary = [t for t in glossary if t.term != "SENCo"]
    return FamilySummary(intro, who, agreed, steps, disagreed, review, glossary, advice)


# ---------------------------------------------------------------- what is still missing before circulating


def completeness(m: Minutes) -> list[str]:
    """Gaps the chair may want to close before circulating: nothing here blocks circulation."""
    notes = []
    if m.meeting.status != "ended":
        notes.append("The meeting has not ended yet: this is a live draft.")
    if m.attendance.not_recorded:
        names = ", ".join(p.name for p in m.attendance.not_recorded)
        notes.append(f"Attendance is not recorded for: {names}.")
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
    return notes


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


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
            lines.append(f"Attendance: {b.name} added ({b.attendance_label}).")
        elif b is None:
            lines.append(f"Attendance: {a.name} removed.")
        elif (a.attendance, a.arrived_late, a.left_early, a.name) != (b.attendance, b.arrived_late, b.left_early, b.name):
            lines.append(f"Attendance: {b.name} now \u201c{person_line(b)}\u201d ({b.attendance_label}), was \u201c{a.attendance_label}\u201d.")

    registers = (
        ("Decision", old.decisions, new.decisions, {"text": "text", "status_label": "status", "reasons": "reasons", "evidence": "evidence", "options_considered": "options considered", "dissenters": "dissent", "review_date": "review date"}),
        ("Action", old.actions, new.actions, {"what": "what", "owner": "owner", "agency": "agency", "due_date": "due date", "follow_up_date": "follow-up date", "need": "need or outcome"}),
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
        return "; ".join(_show(v) if not is_dataclass(v) else f"{v.party}: {v.view}" for v in value)
    return _short(str(value), 120)


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
    if recommendation is None:
        return
    if recommendation not in RECOMMENDATIONS:
        raise InvalidValue("Choose maintain, amend or cease.", field="recommendation")
    if meeting_type != "ehcp_annual_review":
        raise InvalidValue("A recommendation is recorded only for an EHCP annual review.", field="recommendation")


def check_next_review_date(value: date | None, meeting_day: date) -> None:
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
    if is_dataclass(tp):
        hints = _HINTS.get(tp) or _HINTS.setdefault(tp, get_type_hints(tp))
        return tp(**{f.name: _from_plain(hints[f.name], value[f.name]) for f in fields(tp) if f.name in value})
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    return value
