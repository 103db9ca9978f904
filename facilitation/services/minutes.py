"""Minutes: commands that circulate, confirm, approve and amend them, and the reads that build them.

The minutes are built from the record on demand (`facilitation.domain.minutes.build_minutes`); what is
kept in the database is the circulation state (versions, each participant's answer) and, once a
version is circulated or approved, the exact content people saw, so an approved version never changes.
The commands run through `services.pipeline.execute` like every other command: audited, sequenced, broadcast.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select

from .. import queries, readability, schemas
from ..domain import access
from ..domain import minutes as rules
from ..domain.errors import Conflict, RuleViolation
from ..domain.minutes import plain_words, reports, sign_off
from ..domain.minutes.family import GLOSSARY, summary_text
from ..domain.statutory.timeline import jurisdiction_of
from ..extensions import db
from ..models import (
    AccessLink,
    Action,
    Decision,
    Disagreement,
    Meeting,
    MinutesDetails,
    MinutesResponse,
    MinutesSectionAnswer,
    MinutesVersion,
    Participant,
    PlanAmendment,
    PlanOutcome,
    Position,
    ReportSending,
    utcnow,
)
from . import evidence, statutory
from .pipeline import Change, Forbidden, actor_label, command, local_zone, log_access
from .registers import agency_of

# ---------------------------------------------------------------- read side


def local_iso(value: datetime | None) -> str | None:
    return queries.iso(value)


def responses_of(version: MinutesVersion) -> list[MinutesResponse]:
    return list(
        db.session.scalars(
            select(MinutesResponse).where(MinutesResponse.minutes_version_id == version.id).order_by(MinutesResponse.id)
        )
    )


def minutes_view(v: MinutesVersion, now: datetime | None = None) -> dict:
    """A version's circulation state as everyone in the room sees it (comments stay with the chair)."""
    return {
        "id": v.id,
        "number": v.number,
        "status": v.status,
        "status_label": rules.VERSION_STATUSES.get(v.status, v.status),
        "revision": v.revision,
        "circulated_at": queries.iso(v.circulated_at),
        "approved_at": queries.iso(v.approved_at),
        "approved_by": v.approved_by,
        "amendment_note": v.amendment_note,
        "changes": list(v.changes or []),
        "responses": [
            {
                "participant_id": r.participant_id,
                "response": r.response,
                "revision": r.revision,
                "has_comment": bool(r.comment),
                "responded_at": queries.iso(r.responded_at),
            }
            for r in responses_of(v)
        ],
        "version": v.version,
    }


# Minutes versions travel in events under "minutes", like the record's registers.
queries.VIEWS.setdefault("minutes", minutes_view)
queries.SORT_KEYS.setdefault("minutes", lambda v: (v.number,))


def versions(meeting_id: int) -> list[MinutesVersion]:
    """Every version of a meeting's minutes, oldest first."""
    return list(
        db.session.scalars(
            select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id).order_by(MinutesVersion.number)
        )
    )


def current_version(meeting_id: int) -> MinutesVersion | None:
    """The latest version (the one being drafted, circulated or last approved), if any."""
    return db.session.scalar(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting_id)
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )


def details_of(meeting_id: int) -> MinutesDetails | None:
    return db.session.scalar(select(MinutesDetails).where(MinutesDetails.meeting_id == meeting_id))


def details_view(row: MinutesDetails | None) -> dict:
    """The minutes' own details (views, next review, recommendation) with their edit version."""
    return {
        "child_views": row.child_views if row else None,
        "family_views": row.family_views if row else None,
        "easy_read": row.easy_read if row else None,
        "next_review_date": row.next_review_date.isoformat() if row and row.next_review_date else None,
        "recommendation": row.recommendation if row else None,
        "version": row.version if row else 1,
    }


def _all_participants(meeting_id: int) -> list[dict]:
    rows = db.session.scalars(select(Participant).where(Participant.meeting_id == meeting_id).order_by(Participant.id))
    return [{**queries.participant_view(p), "removed": p.removed_at is not None} for p in rows]


def record_data(meeting: Meeting, now: datetime) -> rules.RecordData:
    """The meeting's record as plain data for the minutes builder, less confidential entries."""
    items = queries.load_items(meeting.id)
    today = now.astimezone(local_zone()).date()
    participants = _all_participants(meeting.id)
    pack = evidence.for_minutes(meeting, today)
    return rules.RecordData(
        meeting=queries.meeting_view(meeting, items, now),
        items=[queries.item_view(i, now) for i in items],
        participants=participants,
        # Minutes go to everyone at the table: entries marked confidential stay out of them (they
        # remain in the record, for the chair and note-takers).
        decisions=[queries.public_citations(queries.decision_view(d)) for d in queries.live_entries(Decision, meeting.id) if not d.confidential],
        actions=[queries.public_citations(queries.action_view(a)) for a in queries.live_entries(Action, meeting.id) if not a.confidential],
        disagreements=[
            queries.public_citations(queries.disagreement_view(g))
            for g in queries.live_entries(Disagreement, meeting.id)
            if not g.confidential
        ],
        details=details_view(details_of(meeting.id)),
        speaking_requests=queries.speaking_requests(meeting.id, access.CHAIR, None),
        # the minutes' dated statutory steps, the family summary's dates and its advice contact: computed
        # here so that the builder stays pure
        statutory=statutory.timeline(meeting, today)["items"],
        contacts=statutory.contacts_for(jurisdiction_of(meeting.meeting_type)),
        **pack,
        outcomes=[queries.outcome_view(o) for o in queries.live_entries(PlanOutcome, meeting.id) if not o.confidential],
        amendments=[queries.amendment_view(a) for a in queries.live_entries(PlanAmendment, meeting.id) if not a.confidential],
        advice=advice_received(pack["evidence"], participants),
    )


def advice_received(requests: list[dict], participants: list[dict]) -> list[dict]:
    """The advice the evidence pack received for the review (its answered advice requests, with the
    documents that came with them), each {source, role, received_on, summary, recommendation}."""
    roles = {p["id"]: f"{p['role_label']}, {p['agency_label']}" for p in participants}
    out = []
    for r in requests:
        if r["kind"] != "advice" or not (r["answer"] or r["documents"]):
            continue
        files = ", ".join(d["name"] for d in r["documents"])
        summary = " ".join(part for part in (r["answer"] or "", f"Documents: {files}." if files else "") if part)
        out.append(
            {
                "source": r["participant_name"] or "someone no longer listed",
                "role": roles.get(r["participant_id"], ""),
                "received_on": r["answered_on"] or min((d["created_at"][:10] for d in r["documents"] if d.get("created_at")), default=None),
                "summary": f"{r['what']}: {summary}",
                "recommendation": None,
            }
        )
    return out


def reports_state(meeting: Meeting, live: rules.Minutes) -> list[dict]:
    """Each statutory report of the meeting: its deadline (the rule's date on the timeline), each sending to
    each recipient with whether it was in time, and the elements still missing."""
    due_by_rule = {d.rule_id: d.day for d in live.statutory_dates if d.rule_id}
    rows = db.session.scalars(
        select(ReportSending).where(ReportSending.meeting_id == meeting.id, ReportSending.deleted_at.is_(None)).order_by(ReportSending.id)
    )
    sent = [queries.report_sending_view(r) for r in rows]
    out = []
    for kind in reports.reports_for(meeting.meeting_type):
        rule_id = reports.REPORT_RULES[kind]
        due = due_by_rule.get(rule_id)
        mine = [
            {**r, "recipient_kind_label": reports.RECIPIENTS.get(r["recipient_kind"], r["recipient_kind"]),
             "late": bool(due and r["sent_on"] > due.isoformat())}
            for r in sent if r["report"] == kind
        ]
        out.append({
            "report": kind,
            "label": reports.REPORTS[kind],
            "rule_id": rule_id,
            "due": due.isoformat() if due else None,
            "sendings": mine,
            "gaps": list(reports.build_report(kind, live).gaps),
        })
    return out


def stamp_of(v: MinutesVersion | None, *, status: str | None = None, revision: int | None = None,
             approved_at: datetime | None = None, approved_by: str | None = None, changes: list | None = None) -> rules.VersionStamp:
    """The version stamp printed on the minutes, from a version row (or the first draft when there is none)."""
    zone = local_zone()
    status = status or (v.status if v else rules.DRAFT)

    def local(value):
        return value.astimezone(zone) if value else None

    return rules.VersionStamp(
        number=v.number if v else 1,
        status=status,
        status_label=rules.VERSION_STATUSES[status],
        revision=revision if revision is not None else (v.revision if v else 0),
        circulated_at=local(v.circulated_at if v else None),
        approved_at=local(approved_at or (v.approved_at if v else None)),
        approved_by=approved_by or (v.approved_by if v else None),
        amendment_note=v.amendment_note if v else None,
        changes=list(changes if changes is not None else (v.changes or []) if v else []),
    )


def _previous_approved(meeting_id: int, number: int) -> MinutesVersion | None:
    return db.session.scalar(
        select(MinutesVersion)
        .where(MinutesVersion.meeting_id == meeting_id, MinutesVersion.number < number, MinutesVersion.status == rules.APPROVED)
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )


def build(meeting: Meeting, now: datetime, stamp: rules.VersionStamp | None = None) -> rules.Minutes:
    """The minutes as the record stands now."""
    return rules.build_minutes(record_data(meeting, now), tz=local_zone(), generated_at=now, stamp=stamp)


def live_minutes(meeting: Meeting, now: datetime | None = None) -> rules.Minutes:
    """The live draft: the record as it stands, stamped as the version being prepared.

    After an approval the live draft shows what an amendment would say, with the changes so far.
    """
    now = now or utcnow()
    current = current_version(meeting.id)
    if current is not None and current.status == rules.APPROVED:
        stamp = rules.VersionStamp(current.number + 1, rules.DRAFT, "Draft of a possible amendment", 0, None, None, None, None, [])
        minutes = build(meeting, now, stamp)
        changes = rules.compare(rules.Minutes.from_dict(current.content), minutes)
        return rules.with_stamp(minutes, rules.VersionStamp(**{**stamp.__dict__, "changes": changes}))
    minutes = build(meeting, now, stamp_of(current, status=rules.DRAFT) if current else None)
    if current is not None and current.number > 1:
        previous = _previous_approved(meeting.id, current.number)
        if previous is not None:
            changes = rules.compare(rules.Minutes.from_dict(previous.content), minutes)
            minutes = rules.with_stamp(minutes, stamp_of(current, status=rules.DRAFT, changes=changes))
    return minutes


LIVE = "live"


def minutes_for(meeting: Meeting, which: str | int | None) -> rules.Minutes:
    """The minutes a reader asked for: 'live' (the draft as the record stands), a version number, or
    (None) the latest: approved content, else the circulated draft, else the live draft."""
    if which == LIVE:
        return live_minutes(meeting)
    if which is None:
        v = current_version(meeting.id)
    else:
        v = db.session.scalar(select(MinutesVersion).where(MinutesVersion.meeting_id == meeting.id, MinutesVersion.number == which))
        if v is None:
            raise RuleViolation("There is no such version of the minutes.", code="not_found")
    if v is None or v.status == rules.DRAFT:
        return live_minutes(meeting)
    if v.status == rules.APPROVED:
        return rules.Minutes.from_dict(v.content)
    return rules.Minutes.from_dict(v.circulated_content)


def parse_which(value: str | None) -> str | int | None:
    """?version=live|N|(absent) as minutes_for reads it; anything else is refused."""
    if value in (None, ""):
        return None
    if value == LIVE:
        return LIVE
    if value.isascii() and value.isdigit() and 0 < len(value) <= 6 and int(value) > 0:
        return int(value)
    raise schemas.FieldErrors({"version": "Must be 'live' or a version number."})


def circulation_state(meeting: Meeting, link: AccessLink) -> dict:
    """What the minutes page shows about circulation: versions, who answered what, what is missing.

    The chair sees every answer with its comment; a participant sees who has answered and their own comment.
    """
    now = utcnow()
    current = current_version(meeting.id)
    respondents = [p for p in _all_participants(meeting.id) if not p["removed"]]
    rows = responses_of(current) if current else []
    chair = link.role == access.CHAIR
    answers = []
    by = {r.participant_id: r for r in rows}
    for p in respondents:
        r = by.get(p["id"])
        mine = p["id"] == link.participant_id
        answers.append(
            {
                "participant_id": p["id"],
                "name": p["name"],
                "role_label": p["role_label"],
                "agency_label": p["agency_label"],
                "response": r.response if r else None,
                "response_label": rules.RESPONSES.get(r.response) if r else "No answer yet",
                "revision": r.revision if r else None,
                "current": bool(r and current and r.revision == current.revision),
                "comment": r.comment if r and (chair or mine) else None,
                "responded_at": queries.iso(r.responded_at) if r else None,
            }
        )
    state = {
        "meeting_status": meeting.status,
        "current": minutes_view(current) if current else None,
        "versions": [minutes_view(v) for v in versions(meeting.id)],
        "answers": answers,
        "tally": rules.tally(
            respondents,
            [{"participant_id": r.participant_id, "response": r.response, "revision": r.revision} for r in rows],
            current.revision if current else 0,
        ),
        "details": details_view(details_of(meeting.id)),
        "viewer": {"role": link.role, "participant_id": link.participant_id},
        "seq": meeting.last_seq,
    }
    state["sections"], state["section_answers"] = [], []
    if current is not None and current.circulated_content and current.status == rules.CIRCULATED:
        circulated = rules.Minutes.from_dict(current.circulated_content)
        state["sections"] = [{"key": x.key, "label": x.label} for x in sign_off.sections(circulated)]
        shown = [a for a in section_answers_of(current) if a.revision == current.revision and (chair or a.participant_id == link.participant_id)]
        state["section_answers"] = [
            {"participant_id": a.participant_id, "section": a.section, "answer": a.answer, "comment": a.comment, "disagreement_id": a.disagreement_id}
            for a in shown
        ]
    if chair:
        live = live_minutes(meeting, now)
        state["completeness"] = rules.completeness(live)
        state["reports"] = reports_state(meeting, live)
        state["plain_words"] = plain_words_view(live)
        state["live_differs_from_circulated"] = bool(
            current is not None
            and current.status == rules.CIRCULATED
            and rules.fingerprint(live) != rules.fingerprint(rules.Minutes.from_dict(current.circulated_content))
        )
    return state


def plain_words_view(minutes: rules.Minutes) -> dict:
    """The plain-words check of the family summary (and of the easy-read version, when written), for the chair."""
    known = dict(GLOSSARY)
    known.update({part: "" for part in re.findall(r"[A-Za-z]+", minutes.meeting.child_ref)})  # the child's initials

    def view(text: str) -> dict:
        found = plain_words.check(text, readability.measure(text), known)
        return {
            "ease": found.ease,
            "reading_age": found.reading_age,
            "target_ease": found.target_ease,
            "plain_enough": found.plain_enough,
            "summary": found.summary,
            "jargon": [{"term": f.term, "plain": f.plain, "count": f.count, "example": f.example} for f in found.jargon],
            "long_sentences": found.long_sentences,
        }

    return {
        "summary": view(summary_text(minutes.summary)),
        "easy_read": view(minutes.easy_read) if minutes.easy_read else None,
    }


def record_export(link: AccessLink, what: str, fmt: str, which: str | int | None) -> None:
    """Log who exported which minutes in which format: the content is special-category data."""
    log_access(link, "minutes.export", "minutes", note=f"{what} {fmt} version={which if which is not None else 'latest'}")


# ---------------------------------------------------------------- commands


def _audit_state(v: MinutesVersion) -> dict:
    return {"number": v.number, "status": v.status, "revision": v.revision}


def _locked_version(change: Change) -> MinutesVersion | None:
    # The meeting row is locked by execute(), so reading the latest version here is serialised.
    return current_version(change.meeting.id)


@command("minutes.update_details", schemas.UpdateMinutesDetailsArgs, "Record the child's and family's views, the next review date and (EHCP annual review) the recommendation")
def update_details(change: Change, args: schemas.UpdateMinutesDetailsArgs) -> dict:
    """Chair: edit what the minutes need beyond the registers; refused once approved (amend instead)."""
    current = _locked_version(change)
    rules.check_details_editable(current.status if current else rules.DRAFT)
    row = details_of(change.meeting.id)
    before = details_view(row)
    if (row.version if row else 1) != args.version:
        raise Conflict(
            "Someone else changed these details since you opened them. The current values are shown; "
            "make your change again if it is still needed.",
            current=before,
        )
    if row is None:
        row = MinutesDetails(meeting_id=change.meeting.id, version=1)
        db.session.add(row)
    sent = args.model_fields_set
    values = {
        "child_views": rules.clean_comment(args.child_views, "child_views", "The child's views", rules.VIEWS_MAX, False)
        if "child_views" in sent else row.child_views,
        "family_views": rules.clean_comment(args.family_views, "family_views", "The family's views", rules.VIEWS_MAX, False)
        if "family_views" in sent else row.family_views,
        "easy_read": rules.clean_comment(args.easy_read, "easy_read", "The easy-read version", rules.VIEWS_MAX, False)
        if "easy_read" in sent else row.easy_read,
        "next_review_date": args.next_review_date if "next_review_date" in sent else row.next_review_date,
        "recommendation": (args.recommendation or None) if "recommendation" in sent else row.recommendation,
    }
    rules.check_recommendation(change.meeting.meeting_type, values["recommendation"])
    if "next_review_date" in sent:
        rules.check_next_review_date(values["next_review_date"], change.meeting_day)
    for name, value in values.items():
        setattr(row, name, value)
    row.version += 1
    row.updated_at = change.now
    db.session.flush()
    if current is not None:
        change.put("minutes", current)
    change.audit("minutes.update_details", "minutes_details", row.id, before, details_view(row))
    return {"version": row.version}


@command("minutes.circulate", schemas.NoArgs, "Send the draft minutes to every participant to confirm or correct (again after corrections)")
def circulate(change: Change, args: schemas.NoArgs) -> dict:
    """Chair, after the meeting: freeze the draft as it stands and ask each participant to check it."""
    current = _locked_version(change)
    if current is not None and current.status == rules.APPROVED:
        rules.check_details_editable(current.status)
    if current is None:
        current = MinutesVersion(meeting_id=change.meeting.id, number=1, status=rules.DRAFT, revision=0, version=1, created_at=change.now)
        rules.check_can_circulate(change.meeting.status, current.status)
        db.session.add(current)
        db.session.flush()
    else:
        rules.check_can_circulate(change.meeting.status, current.status)
    before = _audit_state(current)
    current.revision += 1
    current.status = rules.CIRCULATED
    current.circulated_at = change.now
    draft = live_minutes(change.meeting, change.now)
    stamp = stamp_of(current, status=rules.CIRCULATED, changes=draft.stamp.changes)
    current.circulated_content = rules.with_stamp(draft, stamp).to_dict()
    current.version += 1
    change.put("minutes", current)
    change.audit("minutes.circulate", "minutes", current.id, before, {**_audit_state(current), "fingerprint": rules.fingerprint(draft)})
    return {"number": current.number, "revision": current.revision}


def _respond(change: Change, args: schemas.RespondToMinutesArgs, response: str, comment: str | None) -> dict:
    participant_id = change.link.participant_id
    if participant_id is None:
        raise Forbidden("Only a participant answers for themselves.")
    current = _locked_version(change)
    if current is None:
        raise RuleViolation("The minutes have not been circulated yet.", code="not_circulated")
    rules.check_can_respond(current.status, args.number, args.revision, current.number, current.revision)
    row = db.session.scalar(
        select(MinutesResponse).where(
            MinutesResponse.minutes_version_id == current.id, MinutesResponse.participant_id == participant_id
        )
    )
    before = {"response": row.response, "comment": row.comment, "revision": row.revision} if row else None
    if row is None:
        row = MinutesResponse(minutes_version_id=current.id, participant_id=participant_id)
        db.session.add(row)
    row.response, row.comment, row.revision, row.responded_at = response, comment, current.revision, change.now
    db.session.flush()
    change.put("minutes", current)
    change.audit(
        f"minutes.{'confirm' if response == rules.CONFIRMED else 'request_correction'}",
        "minutes",
        current.id,
        before,
        {"participant_id": participant_id, "response": response, "comment": comment, "number": current.number, "revision": current.revision},
    )
    return {"number": current.number, "revision": current.revision, "response": response}


@command("minutes.confirm", schemas.RespondToMinutesArgs, "A participant confirms the circulated draft is accurate (their own answer)")
def confirm(change: Change, args: schemas.RespondToMinutesArgs) -> dict:
    """Participant: confirm the draft as circulated now."""
    return _respond(change, args, rules.CONFIRMED, None)


@command("minutes.request_correction", schemas.RequestCorrectionArgs, "A participant asks the chair for a correction, with a comment (their own answer)")
def request_correction(change: Change, args: schemas.RequestCorrectionArgs) -> dict:
    """Participant: say what is wrong in the draft as circulated now."""
    comment = rules.clean_comment(args.comment, "comment", "Say what needs correcting", rules.COMMENT_MAX, True)
    return _respond(change, args, rules.CORRECTION, comment)


def section_answers_of(version: MinutesVersion) -> list[MinutesSectionAnswer]:
    return list(
        db.session.scalars(
            select(MinutesSectionAnswer).where(MinutesSectionAnswer.minutes_version_id == version.id).order_by(MinutesSectionAnswer.id)
        )
    )


@command(
    "minutes.answer_section",
    schemas.AnswerSectionArgs,
    "A participant agrees with one section of the circulated draft, or dissents from it in their own words (it becomes a difference of opinion)",
)
def answer_section(change: Change, args: schemas.AnswerSectionArgs) -> dict:
    """Participant: agree with a section, or dissent from it; a dissent is recorded as a disagreement with their position."""
    participant_id = change.link.participant_id
    if participant_id is None:
        raise Forbidden("Only a participant answers for themselves.")
    current = _locked_version(change)
    if current is None:
        raise RuleViolation("The minutes have not been circulated yet.", code="not_circulated")
    rules.check_can_respond(current.status, args.number, args.revision, current.number, current.revision)
    section = sign_off.find_section(rules.Minutes.from_dict(current.circulated_content), args.section)
    dissent = args.answer == sign_off.DISSENT
    comment = rules.clean_comment(args.comment, "comment", "What you disagree with", rules.COMMENT_MAX, False)
    sign_off.check_answer(args.answer, comment)
    row = db.session.scalar(
        select(MinutesSectionAnswer).where(
            MinutesSectionAnswer.minutes_version_id == current.id,
            MinutesSectionAnswer.participant_id == participant_id,
            MinutesSectionAnswer.section == section.key,
        )
    )
    before = {"answer": row.answer, "comment": row.comment} if row else None
    if row is None:
        row = MinutesSectionAnswer(minutes_version_id=current.id, participant_id=participant_id, section=section.key)
    participant = db.session.get(Participant, participant_id)
    linked = db.session.get(Disagreement, row.disagreement_id) if row.disagreement_id else None
    if linked is not None and linked.deleted_at is not None:
        linked = None
    if dissent:
        row.disagreement_id = _dissent(change, section, participant, comment, linked).id
    elif linked is not None and not linked.resolved:
        view = queries.disagreement_view(linked)
        linked.resolved, linked.resolved_at = True, change.now
        linked.resolution = f"{participant.name} withdrew the dissent and agrees with this section of the minutes."
        linked.version += 1
        change.put("disagreements", linked)
        change.audit("disagreements.update", "disagreement", linked.id, view, queries.disagreement_view(linked))
    row.answer, row.comment, row.revision, row.answered_at = args.answer, comment if dissent else None, current.revision, change.now
    db.session.add(row)
    db.session.flush()
    change.put("minutes", current)
    change.audit(
        "minutes.answer_section",
        "minutes",
        current.id,
        before,
        {"participant_id": participant_id, "section": section.key, "answer": args.answer, "comment": row.comment, "disagreement_id": row.disagreement_id},
    )
    return {"section": section.key, "answer": args.answer, "disagreement_id": row.disagreement_id}


def _dissent(change: Change, section, participant: Participant, comment: str, linked: Disagreement | None) -> Disagreement:
    """The difference of opinion a dissent is: new, or the earlier one with the person's words brought up to date."""
    before = queries.disagreement_view(linked) if linked is not None else None
    if linked is None:
        item_id = int(section.key.split(":", 1)[1]) if section.key.startswith("item:") and section.key[5:].isdigit() else None
        linked = Disagreement(
            meeting_id=change.meeting.id,
            agenda_item_id=item_id,
            topic=sign_off.dissent_topic(section),
            minutes_section=section.key,
            resolved=False,
            version=1,
            created_at=change.now,
        )
        db.session.add(linked)
        db.session.flush()
    position = next((p for p in linked.positions if p.participant_id == participant.id and p.deleted_at is None), None)
    if position is None:
        linked.positions.append(
            Position(disagreement_id=linked.id, participant_id=participant.id, agency=agency_of(participant), view=comment, version=1, created_at=change.now)
        )
    else:
        position.view, position.version = comment, position.version + 1
    if before is not None:
        linked.resolved, linked.resolution, linked.resolved_at = False, None, None
        linked.version += 1
    db.session.flush()
    change.put("disagreements", linked)
    change.audit("disagreements.update" if before else "disagreements.record", "disagreement", linked.id, before, queries.disagreement_view(linked))
    return linked


@command("minutes.approve", schemas.ApproveMinutesArgs, "Approve the circulated minutes: the version is frozen and locked")
def approve(change: Change, args: schemas.ApproveMinutesArgs) -> dict:
    """Chair: approve the current version as the record now stands (with any corrections); it is frozen."""
    current = _locked_version(change)
    if current is None:
        raise RuleViolation("Circulate the draft so that everyone can check it before approving.", code="not_circulated")
    rules.check_can_approve(current.status, args.number, current.number)
    before = _audit_state(current)
    approved_by = actor_label(change.link)
    minutes = build(change.meeting, change.now)
    changes: list[str] = []
    previous = _previous_approved(change.meeting.id, current.number)
    if previous is not None:
        changes = rules.compare(rules.Minutes.from_dict(previous.content), minutes)
    stamp = stamp_of(current, status=rules.APPROVED, approved_at=change.now, approved_by=approved_by, changes=changes)
    circulated = rules.Minutes.from_dict(current.circulated_content)
    names = {p["id"]: p["name"] for p in _all_participants(change.meeting.id)}
    answers = [{"participant_id": a.participant_id, "section": a.section, "answer": a.answer} for a in section_answers_of(current) if a.revision == current.revision]
    stamp = replace(stamp, sign_off=sign_off.sign_off(circulated, answers, names))
    minutes = rules.with_stamp(minutes, stamp)
    changed_since = rules.fingerprint(circulated) != rules.fingerprint(minutes)
    tally = rules.tally(
        [p for p in _all_participants(change.meeting.id) if not p["removed"]],
        [{"participant_id": r.participant_id, "response": r.response, "revision": r.revision} for r in responses_of(current)],
        current.revision,
    )
    current.content = minutes.to_dict()
    current.status = rules.APPROVED
    current.approved_at = change.now
    current.approved_by = approved_by
    current.changes = changes
    current.version += 1
    change.put("minutes", current)
    change.audit(
        "minutes.approve",
        "minutes",
        current.id,
        before,
        {**_audit_state(current), "fingerprint": rules.fingerprint(minutes), "changed_since_circulation": changed_since, "tally": tally},
    )
    return {"number": current.number, "changed_since_circulation": changed_since, "confirmed": len(tally["confirmed"])}


@command("minutes.amend", schemas.AmendMinutesArgs, "Start an amendment of approved minutes: a new version, with a note of what changes and why")
def amend(change: Change, args: schemas.AmendMinutesArgs) -> dict:
    """Chair: open version N+1 of approved minutes; version N stays readable as approved."""
    current = _locked_version(change)
    if current is None:
        raise RuleViolation("Only approved minutes are amended; correct the draft directly instead.", code="not_approved")
    if args.number != current.number:
        raise Conflict("That is not the current version of the minutes.", current={"number": current.number})
    rules.check_can_amend(current.status)
    note = rules.clean_comment(args.note, "note", "A note of what changes and why", rules.NOTE_MAX, True)
    row = MinutesVersion(
        meeting_id=change.meeting.id,
        number=current.number + 1,
        status=rules.DRAFT,
        revision=0,
        amendment_note=note,
        version=1,
        created_at=change.now,
    )
    db.session.add(row)
    db.session.flush()
    change.put("minutes", row)
    change.audit("minutes.amend", "minutes", row.id, _audit_state(current), {**_audit_state(row), "note": note})
    return {"number": row.number}
