"""The statutory rules and their calculator for the API: the domain's rules with the organisation's calendar
(its time zone, term dates and closure days) and, for the US, its state's own timeframes."""

from __future__ import annotations

from datetime import date, datetime

from .. import queries, schemas
from ..domain.dates import uk_date
from ..domain.errors import InvalidValue, NotFound
from ..domain.statutory import organisation as org_rules
from ..domain.statutory.clock import compute as compute_rule
from ..domain.statutory.clock import find_rule, rules_for
from ..domain.statutory.document import JURISDICTIONS, formula_in_words
from ..domain.statutory.rules import EFFECTS, EXCEPTIONS, Rule
from ..domain.statutory.timeline import (
    PHASE_TRANSFER,
    PHASE_TRANSFERS,
    PROCESS_DATES,
    PROCESS_FIELDS,
    TimelineItem,
    jurisdiction_of,
    meeting_timeline,
)
from ..models import Meeting
from . import accounts, statutory_record
from .pipeline import local_zone

#: The organisation's calendar and rules (the read side keeps them, for the route clocks too).
calendar_for = queries.statutory_calendar
rules_in_use = queries.statutory_rules

NOT_LEGAL_ADVICE = "The statutory latest date per the rule's source; this is not legal advice."
#: Start dates outside these years are refused (the calendars hold no holidays for them).
FIRST_YEAR, LAST_YEAR = 1990, 2100


def contacts_for(jurisdiction: str) -> list[dict]:
    """The organisation's local contacts that a jurisdiction shows, in its words, as plain data."""
    stored = accounts.organisation().contacts or {}
    contacts = {kind: org_rules.contact_from(stored.get(kind)) for kind in org_rules.CONTACT_KINDS}
    return [
        {"kind": shown.kind, "label": shown.label, "what": shown.what, **shown.contact.__dict__}
        for shown in org_rules.contacts_shown(jurisdiction, contacts)
    ]


def rule_as_dict(rule: Rule) -> dict:
    """A rule as the API shows it."""
    return {
        "id": rule.id,
        "version": rule.version,
        "jurisdiction": rule.jurisdiction,
        "title": rule.title,
        "who": rule.who,
        "start_events": list(rule.start_events),
        "formula": formula_in_words(rule),
        "verification": rule.verification,
        "sources": list(rule.sources),
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        "note": rule.note,
        "state_timeframe": rule.state_timeframe or None,
    }


def listing(jurisdiction: str | None, today: date) -> list[dict]:
    """The rules in force today, of one jurisdiction or all."""
    chosen = [jurisdiction] if jurisdiction else list(JURISDICTIONS)
    rules = rules_in_use()
    return [rule_as_dict(rule) for name in chosen for rule in rules_for(name, today, rules)]


def calculate(args: schemas.StatutoryComputeArgs, today: date) -> dict:
    """Compute a rule's date from its start dates; FieldErrors name the field that is wrong."""
    if args.jurisdiction not in JURISDICTIONS:
        raise schemas.FieldErrors({"jurisdiction": "Unknown jurisdiction: ENG or US."})
    try:
        rule = find_rule(args.rule_id, today, rules_in_use())
    except NotFound:
        raise schemas.FieldErrors({"rule_id": "There is no statutory rule with this id."}) from None
    if rule.jurisdiction != args.jurisdiction:
        raise schemas.FieldErrors({"jurisdiction": f"{rule.id} is a rule of {rule.jurisdiction}, not {args.jurisdiction}."})
    errors = {}
    for name, value in args.starts.items():
        if name not in rule.start_events:
            takes = ", ".join(rule.start_events) or "no start dates"
            errors[f"starts.{name[:60]}"] = f"Not a start date of {rule.id}; it takes: {takes}."
        elif not FIRST_YEAR <= value.year <= LAST_YEAR:
            errors[f"starts.{name}"] = f"Must be a date between {FIRST_YEAR} and {LAST_YEAR}."
    if errors:
        raise schemas.FieldErrors(errors)
    years = {value.year for value in args.starts.values()} or {today.year}
    calendar = calendar_for(rule.jurisdiction, range(min(years) - 2, max(years) + 5))
    try:
        deadline = compute_rule(rule, args.starts, calendar)
    except InvalidValue as refused:
        field = "rule_id" if refused.field == "rule_id" else f"starts.{refused.field}"
        raise schemas.FieldErrors({field: refused.message}) from None
    return {
        "rule": rule_as_dict(rule),
        "date": deadline.date.isoformat(),
        "date_text": uk_date(deadline.date, weekday=True),
        "verified": deadline.verified,
        "verification": deadline.verification,
        "caveats": list(deadline.caveats),
        "sources": list(deadline.sources),
        "state_timeframe": deadline.state_timeframe or None,
        "notice": NOT_LEGAL_ADVICE,
    }


def held_at(meeting: Meeting) -> datetime:
    """The meeting's date for its statutory clocks: when it started, else when it is scheduled to."""
    return meeting.started_at or meeting.scheduled_start


def timeline(meeting: Meeting, today: date) -> dict:
    """The meeting's statutory timeline (domain.statutory.timeline) on the organisation's calendar."""
    jurisdiction = jurisdiction_of(meeting.meeting_type)
    zone = local_zone()
    held = held_at(meeting).astimezone(zone).date()
    calendar = calendar_for(jurisdiction, range(held.year - 1, held.year + 3))
    process = statutory_record.process_of(meeting.id)
    records = statutory_record.records_of(meeting.id)
    steps = meeting_timeline(meeting.meeting_type, held_at(meeting), calendar, today, records, process, rules_in_use())
    items = [step for step in steps if step.deadline is not None]
    return {
        "meeting_id": meeting.id,
        "meeting_type": meeting.meeting_type,
        "jurisdiction": jurisdiction,
        "meeting_date": held.isoformat(),
        "today": today.isoformat(),
        "timezone": zone.key,
        "items": [
            {
                "rule_id": item.rule.id,
                "rule_version": item.rule.version,
                "title": item.rule.title,
                "who": item.rule.who,
                # the date that applies: the rule's, or moved by an exception the rule allows
                "date": (item.due or item.deadline.date).isoformat(),
                "date_text": uk_date(item.due or item.deadline.date, weekday=True),
                "side": item.side,
                "status": item.status,
                "counted_from": item.counted_from,
                "verified": item.deadline.verified,
                "verification": item.deadline.verification,
                "caveats": list(item.deadline.caveats),
                "sources": list(item.deadline.sources),
                "state_timeframe": item.deadline.state_timeframe or None,
                **_record_fields(item),
            }
            for item in items
        ],
        # steps whose start date is not known yet: "needs: the date of the last evaluation"
        "needs": [
            {"rule_id": step.rule.id, "title": step.rule.title, "who": step.rule.who, "needs": step.needs,
             "record_text": step.record_text, "counted_from": step.counted_from}
            for step in steps if step.deadline is None
        ],
        "process": _process_fields(meeting.meeting_type, process),
        "notice": NOT_LEGAL_ADVICE,
    }


def _record_fields(item: TimelineItem) -> dict:
    """What the record says of a step, for the API and the console (added to each item)."""
    record = item.record
    exception = None
    if item.allowance is not None and record is not None:
        exception = {
            "key": item.allowance.key,
            "label": EXCEPTIONS[item.allowance.key],
            "effect": item.allowance.effect,
            "reason": record.reason,
            "days": record.days,
            "text": item.exception_text,
        }
    return {
        "rule_date": item.deadline.date.isoformat(),
        "due": item.due.isoformat() if item.due else None,
        "date_removed": item.due is None,
        "done_on": record.done_on.isoformat() if record and record.done_on else None,
        "done_text": uk_date(record.done_on) if record and record.done_on else "",
        "record_text": item.record_text,
        "exception": exception,
        "exceptions_allowed": [
            {"key": a.key, "label": EXCEPTIONS[a.key], "effect": a.effect, "effect_text": EFFECTS[a.effect],
             "takes_days": a.effect == "moves" and a.days is None}
            for a in item.rule.allowances.values()
        ],
    }


def _process_fields(meeting_type: str, process: dict) -> list[dict]:
    """The process dates a meeting type takes, with their words and current values (the Prepare view's form)."""
    fields = []
    for name in PROCESS_FIELDS.get(meeting_type, ()):
        value = process.get(name)
        if name == PHASE_TRANSFER:
            fields.append({"name": name, "label": "Phase transfer", "kind": "choice", "value": value,
                           "options": [{"value": k, "label": v} for k, v in PHASE_TRANSFERS.items()]})
        else:
            label = PROCESS_DATES[name].removeprefix("the ")
            fields.append({"name": name, "label": label[0].upper() + label[1:], "kind": "date",
                           "value": value.isoformat() if isinstance(value, date) else None})
    return fields
