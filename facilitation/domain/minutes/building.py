"""Building the minutes from the meeting's record: details, attendance, the registers filed under their
agenda items and numbered in agenda order, the statutory dates and the family summary."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, tzinfo

from ..outcomes import EHCP_SECTIONS, PFA_AREAS, STILL_APPROPRIATE
from ..speaking import ANSWERED, BREAK, HAND, KINDS, WITHDRAWN, WRITTEN, counts
from ..statutory.rules import VERIFICATION
from .family import advice_for, family_summary
from .values import (
    DRAFT,
    RECOMMENDATIONS,
    VERSION_STATUSES,
    ActionEntry,
    AdviceEntry,
    AdviceReceived,
    AgendaEntry,
    AmendmentEntry,
    Attendance,
    ChildView,
    Citation,
    DecisionEntry,
    DisagreementEntry,
    FamilySummary,
    MeetingDetails,
    Minutes,
    OutcomeEntry,
    Person,
    PositionEntry,
    QuestionEntry,
    RouteDateEntry,
    Safeguards,
    StatutoryDate,
    VersionStamp,
)

#: Where each recorded attendance puts a person in the minutes; anything else is "not recorded".
ATTENDANCE_PLACES = {"in_room": "present", "remote": "remote", "apologies": "apologies", "absent": "absent"}

#: How an agenda item's status reads in the minutes. An item with time spent or entries filed under it
#: is never "Not reached": see `_status_label`.
ITEM_STATUS_LABELS = {
    "done": "Covered",
    "skipped": "Skipped",
    "pending": "Not reached",
    "running": "In progress",
    "paused": "Paused",
    "left": "Discussed, not finished",
}
#: A pending item with entries filed under it (recorded while another item was open, or before this
#: version kept items' history) was discussed all the same.
DISCUSSED = "Discussed"
#: Statuses whose time taken the minutes give.
TIMED_STATUSES = ("done", "left")


def _status_label(status: str, actual_seconds: int | None, has_entries: bool) -> str:
    if status == "pending" and (has_entries or actual_seconds):
        return DISCUSSED
    return ITEM_STATUS_LABELS.get(status, status)

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
    #: requests to speak (queries.speaking_request_view), every status
    speaking_requests: list[dict] = field(default_factory=list)
    #: the meeting's statutory timeline items (services.statutory.timeline's "items"; none for a type without
    #: one), for the minutes' dated steps and the family summary; and the organisation's local contacts its
    #: jurisdiction shows (services.statutory.contacts_for), for the family summary
    statutory: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    #: the evidence pack's requests (services.evidence.request_view, confidential documents left out) and
    #: the text of its last circulation, if it went out
    evidence: list[dict] = field(default_factory=list)
    pack_circulated: str | None = None
    #: the plan's outcomes with progress (queries.outcome_view) and the sections to amend (queries.amendment_view)
    outcomes: list[dict] = field(default_factory=list)
    amendments: list[dict] = field(default_factory=list)
    #: the advice received for the review, each {source, role, received_on, summary, recommendation}: the
    #: evidence pack's answered advice requests (services.minutes.advice_received)
    advice: list[dict] = field(default_factory=list)


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
    filing = _Filing(record)
    details = _meeting_details(m, tz)
    disagreements = _disagreements(filing)
    decisions = _decisions(filing, {g.id: g.ref for g in disagreements})
    actions = _actions(filing)
    agenda, other = _agenda(filing, tz, decisions, actions, disagreements)

    d = record.details or {}
    recommendation = d.get("recommendation") if m["meeting_type"] == "ehcp_annual_review" else None
    if stamp is None:
        stamp = VersionStamp(1, DRAFT, VERSION_STATUSES[DRAFT], 0, None, None, None, None, [])
    queue = counts(record.speaking_requests)

    body = Minutes(
        meeting=details,
        attendance=_attendance(record.participants),
        agenda=agenda,
        other_matters=other,
        actions=sorted(actions, key=lambda a: (a.due_date, a.follow_up_date, int(a.ref[1:]))),
        disagreements=disagreements,
        disagreements_title="Differences of opinion" if m["meeting_type"] == "ehcp_annual_review" else "Disagreements and next steps",
        child_views=d.get("child_views"),
        family_views=d.get("family_views"),
        easy_read=d.get("easy_read"),
        recommendation=recommendation,
        recommendation_label=RECOMMENDATIONS.get(recommendation) if recommendation else None,
        next_review_date=_day(d.get("next_review_date")),
        statutory_dates=_statutory_dates(record.statutory),
        summary=FamilySummary("", [], [], [], [], "", [], []),
        stamp=stamp,
        generated_at=generated_at.astimezone(tz),
        timezone=str(getattr(tz, "key", tz)),
        questions=_questions(filing),
        hands_raised=queue[HAND],
        breaks_requested=queue[BREAK],
        advice=_advice(record.evidence),
        pack_circulated=record.pack_circulated,
    )
    body = replace(
        body,
        outcomes=_outcomes(record.outcomes),
        amendments=_amendments(record.amendments),
        year_group=m.get("year_group"),
        adulthood_areas=[a for a in (m.get("adulthood_areas") or []) if a in PFA_AREAS],
        advice_received=_advice_received(record.advice),
        help_sources=_help_sources(m["meeting_type"], record.contacts),
        child_voice=_child_voice(record.evidence, d.get("child_views")),
        safeguards=_safeguards(m.get("safeguards")),
    )
    return replace(body, summary=family_summary(body, record.statutory, record.contacts))


def _outcomes(rows: list[dict]) -> list[OutcomeEntry]:
    """The plan's outcomes in their order, numbered O1, O2 ..."""
    out = []
    for n, o in enumerate(sorted(rows, key=lambda o: (o["position"], o["id"])), 1):
        still = o.get("still_appropriate")
        out.append(
            OutcomeEntry(
                id=o["id"],
                ref=f"O{n}",
                text=o["text"],
                area=o.get("area"),
                area_label=PFA_AREAS.get(o.get("area") or ""),
                progress=o.get("progress"),
                evidence=o.get("evidence"),
                still_appropriate=still,
                still_appropriate_label=STILL_APPROPRIATE.get(still) if still else None,
                proposed_change=o.get("proposed_change"),
                carried=bool(o.get("carried_from_id")),
            )
        )
    return out


def _amendments(rows: list[dict]) -> list[AmendmentEntry]:
    """The sections to amend in the plan's order (A to K), then as recorded."""
    order = {k: n for n, k in enumerate(EHCP_SECTIONS)}
    return [
        AmendmentEntry(a["id"], a["section"], EHCP_SECTIONS.get(a["section"], a["section"]), a["wording"], a.get("reason"))
        for a in sorted(rows, key=lambda a: (order.get(a["section"], len(order)), a["id"]))
    ]


def _advice_received(rows: list[dict]) -> list[AdviceReceived]:
    return [
        AdviceReceived(
            source=a.get("source") or "",
            role=a.get("role") or "",
            received_on=_day(a.get("received_on")),
            summary=a.get("summary") or "",
            recommendation=a.get("recommendation"),
        )
        for a in rows
    ]


def _help_sources(meeting_type: str, contacts: list[dict]) -> list[str]:
    """Where the family can get help understanding a notice: the organisation's contacts, and the general
    services of the jurisdiction (when the organisation has set no advice service of its own)."""
    lines = [_contact_line(c) for c in contacts]
    if not any(c.get("kind") == "advice" for c in contacts):
        lines += [f"{a.name}: {a.what} {a.where}" for a in advice_for(meeting_type, [])]
    return lines


def _contact_line(c: dict) -> str:
    reach = ", ".join(part for part in (c.get("name"), c.get("phone"), c.get("email"), c.get("web")) if part)
    return f"{c['label']}: {reach}" if reach else c["label"]


class _Filing:
    """Where each entry of the record goes: its agenda item, its place in agenda order, its people's names.

    Agenda order decides the references (D1, A1, G1 ...), so each entry's number reads in order.
    """

    def __init__(self, record: RecordData) -> None:
        self.record = record
        self.people = {p["id"]: p for p in record.participants}
        self.items = sorted(record.items, key=lambda i: (i["position"], i["id"]))
        self.titles = {i["id"]: i["title"] for i in self.items}
        self.order = {i["id"]: n for n, i in enumerate(self.items)}

    def name_of(self, pid: int | None, fallback: str | None) -> str:
        p = self.people.get(pid) if pid else None
        return p["name"] if p else (fallback or "someone no longer listed")

    def section_of(self, entry: dict) -> int | None:
        return entry.get("agenda_item_id") if entry.get("agenda_item_id") in self.titles else None

    def title_of(self, entry: dict) -> str | None:
        return self.titles.get(self.section_of(entry))

    def in_agenda_order(self, entries: list[dict]) -> list[dict]:
        return sorted(entries, key=lambda e: (self.order.get(self.section_of(e), len(self.order)), e["id"]))

    def entries_for(self, item_id: int | None, kind: list, source: list[dict]) -> list:
        ids = {e["id"] for e in source if self.section_of(e) == item_id}
        return [e for e in kind if e.id in ids]


def _meeting_details(m: dict, tz: tzinfo) -> MeetingDetails:
    start = _dt(m["scheduled_start"], tz)
    return MeetingDetails(
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


def _attendance(participants: list[dict]) -> Attendance:
    """Everyone still listed, grouped by where they were; removed people appear only as owners."""
    groups: dict[str, list[Person]] = {f.name: [] for f in fields(Attendance)}
    for p in sorted(participants, key=lambda p: p["id"]):
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
            joined_by_link=p.get("attendance") == "remote" and p.get("attendance_confirmed") is False,
            language=p.get("language"),
            needs_interpreter=bool(p.get("needs_interpreter")),
        )
        groups[ATTENDANCE_PLACES.get(person.attendance, "not_recorded")].append(person)
    return Attendance(**groups)


def _contact_lines(contacts: list[dict], route_contact: str | None) -> tuple[str, ...]:
    """'SENDIASS: Northshire SENDIASS, Phone 0123' for the advice service (on every open disagreement) and
    the route's own service, as the organisation set them (services.statutory.contacts_for)."""
    wanted = ["advice"] + ([route_contact] if route_contact and route_contact != "advice" else [])
    lines = []
    for kind in wanted:
        for c in contacts:
            if c.get("kind") == kind:
                reach = ", ".join(part for part in (c.get("name"), c.get("phone"), c.get("email"), c.get("web")) if part)
                lines.append(f"{c['label']}: {reach}" if reach else c["label"])
    return tuple(lines)


def _disagreements(f: _Filing) -> list[DisagreementEntry]:
    entries = []
    for n, g in enumerate(f.in_agenda_order(f.record.disagreements), 1):
        owner = None
        if g.get("next_step"):
            owner = f.name_of(g.get("next_step_owner_participant_id"), g.get("next_step_owner_name"))
        entries.append(
            DisagreementEntry(
                id=g["id"],
                ref=f"G{n}",
                topic=g["topic"],
                positions=[
                    PositionEntry(
                        party=f.name_of(p.get("participant_id"), p.get("party_name")),
                        agency=p["agency"],
                        view=p["view"],
                        evidence=p.get("evidence"),
                        citations=_citations(p),
                    )
                    for p in g.get("positions", [])
                ],
                resolved=bool(g.get("resolved")),
                resolution=g.get("resolution"),
                next_step=g.get("next_step"),
                next_step_label=g.get("next_step_label"),
                owner=owner,
                owner_key=owner_key(g.get("next_step_owner_participant_id"), g.get("next_step_owner_name")) if owner else None,
                agency=g.get("next_step_agency"),
                follow_up_date=_day(g.get("follow_up_date")),
                item_title=f.title_of(g),
                about_label=g.get("about_label"),
                route_note=g.get("next_step_note") if g.get("next_step") and not g.get("resolved") else None,
                route_dates=tuple(
                    RouteDateEntry(r["rule_id"], r["title"], r["who"], _day(r["date"]), bool(r["verified"]), (r.get("sources") or [None])[0])
                    for r in (g.get("route_deadlines") or [] if not g.get("resolved") else [])
                ),
                route_missing=tuple(g.get("route_missing") or ()) if g.get("next_step") and not g.get("resolved") else (),
                follow_up_late=(g.get("follow_up_late") or {}).get("message") if not g.get("resolved") else None,
                contacts=() if g.get("resolved") else _contact_lines(f.record.contacts, g.get("next_step_contact")),
            )
        )
    return entries


def _citations(entry: dict) -> list[Citation]:
    """The pack documents an entry cites, confidential ones left out (the minutes go to everyone)."""
    return [Citation(c["id"], c["name"]) for c in entry.get("citations") or () if not c.get("confidential")]


def _advice(requests: list[dict]) -> list[AdviceEntry]:
    """Each request for advice or views: who, what, due, received on time, late, or not received."""
    out = []
    for r in requests:
        state = {"received": "received", "late": "late"}.get(r["state"], "not_received")
        out.append(
            AdviceEntry(
                who=r.get("participant_name") or "",
                kind_label=r["kind_label"],
                what=r["what"],
                due_on=_day(r["due_on"]),
                received_on=_day(r.get("answered_on")),
                state=state,
                documents=[d["name"] for d in r.get("documents", ()) if not d.get("confidential")],
                how_gathered=r.get("how_gathered_label"),
            )
        )
    return out


#: how the views the chair typed into the minutes were gathered, as the side-by-side table says it
RECORDED_IN_MEETING = "Recorded in the meeting"


def _safeguards(s: dict | None) -> Safeguards | None:
    """The meeting's procedural safeguards record, as the prior written notice shows it."""
    if not s:
        return None
    return Safeguards(_day(s.get("offered_on")), s.get("how"), s.get("consent"), _day(s.get("consent_on")))


def _child_voice(requests: list[dict], recorded: str | None) -> list[ChildView]:
    """The child's views: each answered child's views request of the pack in the child's own words, then
    the views recorded in the minutes."""
    out = [
        ChildView(r["answer"], r.get("how_gathered_label"), r.get("participant_name"), r["id"])
        for r in requests
        if r.get("kind") == "child_views" and (r.get("answer") or "").strip()
    ]
    if recorded and recorded.strip():
        out.append(ChildView(recorded, RECORDED_IN_MEETING, None, None))
    return out


def _decisions(f: _Filing, disagreement_refs: dict[int, str]) -> list[DecisionEntry]:
    return [
        DecisionEntry(
            id=d["id"],
            ref=f"D{n}",
            text=d["text"],
            status=d["status"],
            status_label=d.get("status_label") or d["status"],
            reasons=d.get("reasons"),
            evidence=d.get("evidence"),
            options_considered=d.get("options_considered"),
            dissenters=[f.name_of(pid, None) for pid in d.get("dissenter_ids") or []],
            review_date=_day(d.get("review_date")),
            disagreement_ref=disagreement_refs.get(d.get("disagreement_id")),
            item_title=f.title_of(d),
            citations=_citations(d),
            notice=d.get("notice"),
            other_factors=d.get("other_factors"),
            answers_view_ids=list(d.get("answers_view_ids") or []),
            answers_recorded_views=bool(d.get("answers_recorded_views")),
        )
        for n, d in enumerate(f.in_agenda_order(f.record.decisions), 1)
    ]


def _actions(f: _Filing) -> list[ActionEntry]:
    return [
        ActionEntry(
            id=a["id"],
            ref=f"A{n}",
            what=a["what"],
            owner=f.name_of(a.get("owner_participant_id"), a.get("owner_name")),
            owner_key=owner_key(a.get("owner_participant_id"), a.get("owner_name")),
            agency=a["owner_agency"],
            due_date=_day(a["due_date"]),
            follow_up_date=_day(a["follow_up_date"]),
            need=a.get("need"),
            item_title=f.title_of(a),
            confirmed=bool(a.get("confirmed_at")),
            status=a.get("status") or "open",
            citations=_citations(a),
        )
        for n, a in enumerate(f.in_agenda_order(f.record.actions), 1)
    ]


def _questions(f: _Filing) -> list[QuestionEntry]:
    """Written questions and comments in the order they were sent, less those their asker withdrew."""
    return [
        QuestionEntry(
            id=r["id"],
            kind=r["kind"],
            kind_label=KINDS[r["kind"]],
            text=r["text"],
            asker=f.name_of(r["participant_id"], None),
            item_title=f.titles.get(r.get("item_id")),
            answered=r["status"] == ANSWERED,
        )
        for r in sorted(f.record.speaking_requests, key=lambda r: r["id"])
        if r["kind"] in WRITTEN and r["status"] != WITHDRAWN
    ]


def _agenda(
    f: _Filing,
    tz: tzinfo,
    decisions: list[DecisionEntry],
    actions: list[ActionEntry],
    disagreements: list[DisagreementEntry],
) -> tuple[list[AgendaEntry], AgendaEntry | None]:
    """Each agenda item with its entries, and a last section for entries recorded outside any item."""
    record = f.record

    def filed_under(item_id: int | None) -> dict:
        return {
            "decisions": f.entries_for(item_id, decisions, record.decisions),
            "actions": f.entries_for(item_id, actions, record.actions),
            "disagreements": f.entries_for(item_id, disagreements, record.disagreements),
        }

    agenda = []
    for number, i in enumerate(f.items, 1):
        actual = i.get("actual_seconds")
        entries = filed_under(i["id"])
        agenda.append(
            AgendaEntry(
                id=i["id"],
                number=number,
                title=i["title"],
                presenter=i.get("presenter"),
                planned_minutes=round(i["allocated_seconds"] / 60),
                extended_minutes=round((i.get("extended_seconds") or 0) / 60),
                actual_minutes=round(actual / 60) if actual is not None and i["status"] in TIMED_STATUSES else None,
                started_at=_dt(i.get("started_at"), tz),
                ended_at=_dt(i.get("ended_at"), tz) if i["status"] != "left" else None,
                status=i["status"],
                status_label=_status_label(i["status"], actual, any(entries.values())),
                deferred=bool(i.get("deferred")),
                **entries,
                visits=i.get("visits") or 0,
                time_scale=i.get("time_scale") or 100,
            )
        )
    loose = filed_under(None)
    if not any(loose.values()):
        return agenda, None
    other = AgendaEntry(
        id=0,
        number=len(f.items) + 1,
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
        **loose,
    )
    return agenda, other


def _statutory_dates(steps: list[dict]) -> list[StatutoryDate]:
    """Each step of the meeting's statutory timeline, in process order, with who acts, its rule and sources."""
    out = []
    for step in steps:
        if step.get("date_removed"):
            continue  # an exception the rule allows removed its fixed date (the timeline says which)
        marks = VERIFICATION.get(step.get("verification", ""), step.get("verification", ""))
        if not step.get("verified", True) and "unverified" not in marks:
            marks += ", unverified"
        out.append(
            StatutoryDate(
                text=step["title"] + (f" ({step['record_text']})" if step.get("status") in ("met", "late") and step.get("record_text") else ""),
                day=_day(step["date"]),
                source=f"rule {step['rule_id']} ({marks}: {', '.join(step.get('sources') or [])})",
                rule_id=step["rule_id"],
                who=step.get("who") or "",
                sources=list(step.get("sources") or []),
                verified=bool(step.get("verified", True)),
            )
        )
    return out
