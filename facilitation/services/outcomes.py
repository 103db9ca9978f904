"""Commands on the plan in the meeting: its outcomes (entered, pasted, carried from the child's last review),
progress against each, the sections to amend with the proposed wording, the year group and the
preparation-for-adulthood areas; and the statutory reports sent to each recipient on a date.

Outcomes and amendments are registers like decisions: in snapshots, events and replays, confidential
ones only for the chair and note-takers (queries.REGISTERS).
"""

from __future__ import annotations

from sqlalchemy import func, select

from .. import queries, schemas
from ..domain import access, registers
from ..domain import agenda as agenda_rules
from ..domain import outcomes as rules
from ..domain.errors import InvalidValue, NotFound, RuleViolation
from ..domain.minutes import reports as report_rules
from ..domain.statutory import timeline as tl
from ..extensions import db
from ..models import AgendaItem, Meeting, PlanAmendment, PlanOutcome, ReportSending
from . import statutory_record
from .minutes import current_version
from .pipeline import Change, check_version, command
from .registers import _mark_confidential, _merged, delete_entry


def _row(change: Change, model, row_id: int, what: str, field: str):
    """A live row of this meeting; a confidential one is not found for roles that may not see it."""
    row = db.session.get(model, row_id)
    if row is None or row.meeting_id != change.meeting.id or getattr(row, "deleted_at", None) is not None:
        raise NotFound(f"There is no such {what} in this meeting.", field=field)
    if getattr(row, "confidential", False) and not access.sees_confidential(change.link.role):
        raise NotFound(f"There is no such {what} in this meeting.", field=field)
    return row


def _live_outcomes(meeting_id: int) -> list[PlanOutcome]:
    return queries.live_entries(PlanOutcome, meeting_id)


def _add(
    change: Change, texts: list[str], area: str | None, confidential: bool, carried: list[PlanOutcome] | None = None
) -> list[PlanOutcome]:
    present = _live_outcomes(change.meeting.id)
    rules.check_new_outcomes(texts, len(present))
    start = max((o.position for o in present), default=0)
    rows = []
    for n, text in enumerate(texts, 1):
        source = carried[n - 1] if carried else None
        row = PlanOutcome(
            meeting_id=change.meeting.id,
            position=start + n,
            text=text,
            area=source.area if source else area,
            carried_from_id=source.id if source else None,
            confidential=source.confidential if source else confidential,
            version=1,
            created_at=change.now,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    change.put("outcomes", *rows)
    for row in rows:
        change.audit("outcomes.add", "outcome", row.id, None, queries.outcome_view(row))
    return rows


@command(
    "outcomes.add", schemas.AddOutcomesArgs, "Add the plan's outcomes (IEP goals): one, or several pasted one per line"
)
def add_outcomes(change: Change, args: schemas.AddOutcomesArgs) -> dict:
    """Chair or note-taker, preparing or in the meeting: add outcomes of the child's plan, one per line."""
    rules.check_outcomes_meeting(change.meeting.meeting_type)
    rules.check_area(args.area)
    rows = _add(change, rules.split_pasted(args.text), args.area, args.confidential)
    return {"outcome_ids": [r.id for r in rows]}


def last_review(meeting: Meeting) -> Meeting | None:
    """The child's last review with outcomes: the same child reference, an earlier meeting of the same account."""
    owner = (
        Meeting.owner_user_id == meeting.owner_user_id
        if meeting.owner_user_id is not None
        else Meeting.owner_user_id.is_(None)
    )
    has_outcomes = (
        select(PlanOutcome.id).where(PlanOutcome.meeting_id == Meeting.id, PlanOutcome.deleted_at.is_(None)).exists()
    )
    return db.session.scalar(
        select(Meeting)
        .where(
            func.lower(Meeting.child_ref) == meeting.child_ref.lower(),
            owner,
            Meeting.organisation_id == meeting.organisation_id,
            Meeting.id != meeting.id,
            Meeting.scheduled_start < meeting.scheduled_start,
            Meeting.meeting_type.in_(list(rules.OUTCOME_MEETINGS)),
            has_outcomes,
        )
        .order_by(Meeting.scheduled_start.desc(), Meeting.id.desc())
        .limit(1)
    )


@command("outcomes.carry_forward", schemas.NoArgs, "Carry the outcomes from the child's last review into this meeting")
def carry_forward(change: Change, args: schemas.NoArgs) -> dict:
    """Chair or note-taker: copy the last review's outcomes (those not already here), for progress to be recorded against them."""
    rules.check_outcomes_meeting(change.meeting.meeting_type)
    previous = last_review(change.meeting)
    if previous is None:
        raise RuleViolation(
            "No earlier review of this child with outcomes was found.", code="not_found", field="outcomes"
        )
    source = _live_outcomes(previous.id)
    texts = rules.to_carry([o.text for o in source], [o.text for o in _live_outcomes(change.meeting.id)])
    if not texts:
        raise RuleViolation(
            "Every outcome of the last review is already in this meeting.", code="not_allowed", field="outcomes"
        )
    by_text = {}
    for o in source:
        by_text.setdefault(o.text, o)
    rows = _add(change, texts, None, False, [by_text[t] for t in texts])
    return {"outcome_ids": [r.id for r in rows], "from_meeting_id": previous.id}


OUTCOME_FIELDS = ("text", "area", "progress", "evidence", "still_appropriate", "proposed_change", "position")


@command(
    "outcomes.update",
    schemas.UpdateOutcomeArgs,
    "Record progress against an outcome: progress, evidence, still appropriate?, proposed change",
)
def update_outcome(change: Change, args: schemas.UpdateOutcomeArgs) -> None:
    """Chair or note-taker: edit an outcome or record progress against it, from the version the editor saw."""
    row = _row(change, PlanOutcome, args.outcome_id, "outcome", "outcome_id")
    before = queries.outcome_view(row)
    check_version(row, args.version, before)
    v = _merged(args, row, OUTCOME_FIELDS)
    v["text"] = registers.clean_text(v["text"], "text", "The outcome", rules.OUTCOME_MAX, required=True)
    v["progress"] = registers.clean_text(v["progress"], "progress", "The progress", rules.PROGRESS_MAX)
    v["evidence"] = registers.clean_text(v["evidence"], "evidence", "The evidence", rules.EVIDENCE_MAX)
    v["proposed_change"] = registers.clean_text(
        v["proposed_change"], "proposed_change", "The proposed change", rules.CHANGE_MAX
    )
    rules.check_area(v["area"])
    rules.check_still_appropriate(v["still_appropriate"])
    if v["position"] is None:
        raise InvalidValue("Give the outcome's place in the plan.", field="position")
    for f, value in v.items():
        setattr(row, f, value)
    _mark_confidential(row, args)
    row.version += 1
    change.put("outcomes", row)
    change.audit("outcomes.update", "outcome", row.id, before, queries.outcome_view(row))


@command("outcomes.delete", schemas.OutcomeArgs, "Remove an outcome entered in error (it stays in the audit trail)")
def delete_outcome(change: Change, args: schemas.OutcomeArgs) -> None:
    """Chair or note-taker: remove an outcome; the audit trail keeps it."""
    delete_entry(change, _row(change, PlanOutcome, args.outcome_id, "outcome", "outcome_id"), args.version, "outcomes", "outcome", queries.outcome_view)


@command(
    "outcomes.set_adulthood",
    schemas.SetAdulthoodArgs,
    "Set the child's year group and, from Year 9, the preparation-for-adulthood areas (each becomes an agenda item)",
)
def set_adulthood(change: Change, args: schemas.SetAdulthoodArgs) -> dict:
    """Chair, preparing: the year group; from Year 9 each chosen area adds its prompt to the agenda once."""
    meeting = change.meeting
    before = {"year_group": meeting.year_group, "adulthood_areas": list(meeting.adulthood_areas or [])}
    check_version(meeting, args.version, queries.meeting_view(meeting, change.items, change.now))
    rules.check_outcomes_meeting(meeting.meeting_type)
    year = args.year_group if "year_group" in args.model_fields_set else meeting.year_group
    rules.check_adulthood(year, list(args.areas))
    added = []
    titles = {i.title for i in change.items}
    for area in args.areas:
        title, minutes = rules.PFA_PROMPTS[area]
        if title in titles:
            continue  # chosen before: its item is already on the agenda
        position = agenda_rules.check_can_add_item(meeting, change.items)
        item = AgendaItem(
            meeting_id=meeting.id,
            position=position,
            title=title,
            presenter=None,
            allocated_seconds=minutes * 60,
            extended_seconds=0,
            time_scale=100,
            status=agenda_rules.PENDING,
            deferred=False,
            visits=0,
            elapsed_before=0.0,
            version=1,
        )
        db.session.add(item)
        db.session.flush()
        change.items.append(item)
        added.append(item)
        change.audit("agenda.add_item", "agenda_item", item.id, None, queries.item_view(item, change.now))
    change.touched(added)
    meeting.year_group = year
    meeting.adulthood_areas = list(args.areas)
    meeting.version += 1
    change.audit(
        "outcomes.set_adulthood",
        "meeting",
        meeting.id,
        before,
        {"year_group": meeting.year_group, "adulthood_areas": list(meeting.adulthood_areas)},
    )
    return {"item_ids": [i.id for i in added]}


# ---------------------------------------------------------------- sections of the plan to amend


@command(
    "amendments.record",
    schemas.RecordAmendmentArgs,
    "Record a section of the EHC plan to amend (A-K) with the proposed wording",
)
def record_amendment(change: Change, args: schemas.RecordAmendmentArgs) -> dict:
    """Chair or note-taker: a section to amend and the wording proposed for it."""
    rules.check_amendment(change.meeting.meeting_type, args.section)
    row = PlanAmendment(
        meeting_id=change.meeting.id,
        section=args.section,
        wording=registers.clean_text(args.wording, "wording", "The proposed wording", rules.WORDING_MAX, required=True),
        reason=registers.clean_text(args.reason, "reason", "Why", rules.CHANGE_MAX),
        confidential=args.confidential,
        version=1,
        created_at=change.now,
    )
    db.session.add(row)
    db.session.flush()
    change.put("amendments", row)
    change.audit("amendments.record", "amendment", row.id, None, queries.amendment_view(row))
    return {"amendment_id": row.id}


@command("amendments.update", schemas.UpdateAmendmentArgs, "Edit a section to amend or its proposed wording")
def update_amendment(change: Change, args: schemas.UpdateAmendmentArgs) -> None:
    """Chair or note-taker: edit a proposed amendment from the version the editor saw."""
    row = _row(change, PlanAmendment, args.amendment_id, "amendment", "amendment_id")
    before = queries.amendment_view(row)
    check_version(row, args.version, before)
    sent = args.model_fields_set
    section = args.section if "section" in sent and args.section is not None else row.section
    rules.check_amendment(change.meeting.meeting_type, section)
    wording = args.wording if "wording" in sent else row.wording
    row.wording = registers.clean_text(wording, "wording", "The proposed wording", rules.WORDING_MAX, required=True)
    if "reason" in sent:
        row.reason = registers.clean_text(args.reason, "reason", "Why", rules.CHANGE_MAX)
    row.section = section
    _mark_confidential(row, args)
    row.version += 1
    change.put("amendments", row)
    change.audit("amendments.update", "amendment", row.id, before, queries.amendment_view(row))


@command("amendments.delete", schemas.AmendmentArgs, "Remove a proposed amendment (it stays in the audit trail)")
def delete_amendment(change: Change, args: schemas.AmendmentArgs) -> None:
    """Chair or note-taker: remove a proposed amendment; the audit trail keeps it."""
    delete_entry(change, _row(change, PlanAmendment, args.amendment_id, "amendment", "amendment_id"), args.version, "amendments", "amendment", queries.amendment_view)


# ---------------------------------------------------------------- reports sent


def sendings(meeting_id: int) -> list[dict]:
    """Each report sent to each recipient, oldest first."""
    rows = db.session.scalars(
        select(ReportSending)
        .where(ReportSending.meeting_id == meeting_id, ReportSending.deleted_at.is_(None))
        .order_by(ReportSending.id)
    )
    return [queries.report_sending_view(r) for r in rows]


@command(
    "reports.record_safeguards",
    schemas.RecordSafeguardsArgs,
    "Record that the procedural safeguards were offered to the parent, and the parent's consent (US IEP meeting)",
)
def record_safeguards(change: Change, args: schemas.RecordSafeguardsArgs) -> None:
    """Chair: when and how the safeguards notice was offered, and consent given / refused (with its date) or
    not needed; shown in the prior written notice, flagged there until recorded."""
    meeting = change.meeting
    before = queries.safeguards_view(meeting)
    check_version(meeting, args.version, queries.meeting_view(meeting, change.items, change.now))
    statutory_record._check_year(args.offered_on, "offered_on")
    if args.consent_on is not None:
        statutory_record._check_year(args.consent_on, "consent_on")
    report_rules.check_safeguards(meeting.meeting_type, args.offered_on, args.how, args.consent, args.consent_on, change.today)
    meeting.safeguards_offered_on, meeting.safeguards_how = args.offered_on, args.how
    meeting.consent, meeting.consent_on = args.consent, args.consent_on
    meeting.version += 1
    change.audit("reports.record_safeguards", "meeting", meeting.id, before, queries.safeguards_view(meeting))


@command(
    "reports.record_sent",
    schemas.RecordReportSentArgs,
    "Record that a statutory report was sent to a recipient on a date (to the LA: ENG-AR-08 done)",
)
def record_sent(change: Change, args: schemas.RecordReportSentArgs) -> dict:
    """Chair: "sent to <recipient> on <date>"; the annual review report sent to the local authority records
    ENG-AR-08 done (and a prior written notice sent to the parent, US-PWN-01) on the statutory timeline."""
    meeting = change.meeting
    if report_rules.REPORT_MEETINGS.get(args.report) != meeting.meeting_type:
        raise InvalidValue("This meeting type does not have that report.", field="report")
    if args.recipient_kind not in report_rules.RECIPIENTS:
        raise InvalidValue("Unknown kind of recipient.", field="recipient_kind")
    recipient = registers.clean_text(
        args.recipient, "recipient", "Who it was sent to", report_rules.RECIPIENT_MAX, required=True
    )
    statutory_record._check_year(args.sent_on, "sent_on")
    if args.sent_on > change.today:
        raise InvalidValue("Cannot be after today: record a report once it is sent.", field="sent_on")
    if args.sent_on < change.meeting_day:
        raise InvalidValue("A report is sent after the meeting, not before it.", field="sent_on")
    current = current_version(meeting.id)
    row = ReportSending(
        meeting_id=meeting.id,
        report=args.report,
        recipient=recipient,
        recipient_kind=args.recipient_kind,
        sent_on=args.sent_on,
        minutes_number=current.number if current else None,
        version=1,
        created_at=change.now,
    )
    db.session.add(row)
    db.session.flush()
    change.put("report_sendings", row)
    change.audit("reports.record_sent", "report_sending", row.id, None, queries.report_sending_view(row))
    rule_id = report_rules.REPORT_RULES[args.report]
    marks = {
        report_rules.EHCP_REPORT: report_rules.LOCAL_AUTHORITY,
        report_rules.PRIOR_WRITTEN_NOTICE: report_rules.PARENT,
    }
    recorded = None
    if args.recipient_kind == marks[args.report] and rule_id in tl.step_rule_ids(meeting.meeting_type):
        done = statutory_record.records_of(meeting.id).get(rule_id)
        # the first sending marks the step done; a later one (a copy, a resend) leaves the record as it is
        if done is None or done.done_on is None:
            statutory_record.record_done(
                change,
                schemas.parse(schemas.RecordStepDoneArgs, {"rule_id": rule_id, "done_on": args.sent_on.isoformat()}),
            )
            recorded = rule_id
    return {"sending_id": row.id, "recorded_step": recorded}


@command(
    "reports.delete_sent",
    schemas.ReportSendingArgs,
    "Take back a report sending recorded in error (it stays in the audit trail)",
)
def delete_sent(change: Change, args: schemas.ReportSendingArgs) -> None:
    """Chair: remove a sending recorded in error; the statutory record is changed, if need be, with statutory.undo."""
    row = _row(change, ReportSending, args.sending_id, "report sending", "sending_id")
    before = queries.report_sending_view(row)
    check_version(row, args.version, before)
    row.deleted_at = change.now
    change.drop("report_sendings", row.id)
    change.audit("reports.delete_sent", "report_sending", row.id, before, None)
