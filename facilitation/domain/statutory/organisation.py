"""The organisation's part of the statutory clock: its local contacts in each jurisdiction's words, its
term and closure dates typed as lines, and a US state's own timeframes as new versions of the rules.

Pure Python: the settings come in as plain values (the organisation's row, read by the services).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from facilitation.domain.statutory.calendar import Term
from facilitation.domain.statutory.rules import DAYS, YEARS, Rule

# ---------------------------------------------------------------- local contacts

#: The information, advice and support service (England: SENDIASS; US: the Parent Training and
#: Information Center), the disagreement resolution service (England only), and the mediation service
#: (England) or the state's dispute resolution office (US).
ADVICE, DISAGREEMENT_RESOLUTION, MEDIATION = "advice", "disagreement_resolution", "mediation"
CONTACT_KINDS = (ADVICE, DISAGREEMENT_RESOLUTION, MEDIATION)
CONTACT_FIELDS = ("name", "phone", "email", "web")
#: What each kind is called on the settings page (an administrator sees both jurisdictions' words).
CONTACT_SETTING_LABELS = {
    ADVICE: "Information, advice and support service (England: SENDIASS; US: Parent Training and Information Center)",
    DISAGREEMENT_RESOLUTION: "Disagreement resolution service provider (England)",
    MEDIATION: "Mediation service (England) or the state's dispute resolution office (US)",
}
#: Which contacts each jurisdiction shows, in its own words: (label, one line for families). England never
#: says "Parent Center"; the US never says "SENDIASS" and has no disagreement resolution service.
CONTACT_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "ENG": {
        ADVICE: (
            "SEND Information, Advice and Support Service (SENDIASS)",
            "Free, impartial and confidential information, advice and support about SEND, for parents, carers "
            "and young people.",
        ),
        DISAGREEMENT_RESOLUTION: (
            "Disagreement resolution service",
            "Free and voluntary: an independent person helps settle a disagreement about special educational "
            "needs or support.",
        ),
        MEDIATION: (
            "Mediation service",
            "Mediation about decisions on EHC needs assessments and plans, arranged through the local authority.",
        ),
    },
    "US": {
        ADVICE: (
            "Parent Training and Information Center",
            "Free help for families of children with disabilities to take part in IEP meetings and understand "
            "their rights under IDEA.",
        ),
        MEDIATION: (
            "State dispute resolution office",
            "The state's office for mediation, state complaints and due process hearings.",
        ),
    },
}


@dataclass(frozen=True)
class Contact:
    """A local service's name and how to reach it; every part optional."""

    name: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""

    @property
    def is_set(self) -> bool:
        """True when any part of the contact is filled in."""
        return any((self.name, self.phone, self.email, self.web))

    def reach(self) -> str:
        """'Phone 01234 567890 · Email info@example.org · https://example.org', the parts that are set."""
        parts = [f"Phone {self.phone}" if self.phone else "", f"Email {self.email}" if self.email else "", self.web]
        return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class ShownContact:
    """A contact as a jurisdiction shows it: its kind, the words for the service, and the details."""

    kind: str
    label: str
    what: str
    contact: Contact


def contact_from(data: Mapping | None) -> Contact:
    """A Contact from stored data (missing parts empty)."""
    data = data or {}
    return Contact(**{name: str(data.get(name) or "") for name in CONTACT_FIELDS})


def contacts_shown(jurisdiction: str, contacts: Mapping[str, Contact]) -> list[ShownContact]:
    """The contacts set that a jurisdiction shows, in its words and order; the others are left out."""
    words = CONTACT_WORDS.get(jurisdiction, {})
    return [
        ShownContact(kind, *words[kind], contacts[kind])
        for kind in CONTACT_KINDS
        if kind in words and kind in contacts and contacts[kind].is_set
    ]


# ---------------------------------------------------------------- term dates and closure days as lines

#: Dates the settings accept (the holiday calendars cover these years).
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_TERMS, MAX_CLOSURES, MAX_CLOSURE_SPAN_DAYS, NOTE_MAX = 60, 400, 366, 80
_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:to|–|—)\s*(\d{4}-\d{2}-\d{2}))?(?:\s+(.*))?$")


@dataclass(frozen=True)
class DateSpan:
    """A span of dates typed on one line, first and last day inclusive, with its name or note."""

    start: date
    end: date
    note: str = ""

    def as_line(self) -> str:
        """The span as it is typed: '2026-09-03 to 2026-12-18 Autumn term', '2026-11-13 INSET day'."""
        span = self.start.isoformat() if self.start == self.end else f"{self.start.isoformat()} to {self.end.isoformat()}"
        return f"{span} {self.note}".strip()

    def as_dict(self) -> dict:
        """As stored in the organisation's row."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "note": self.note}


class LinesRefused(ValueError):
    """Some typed lines are not dates; the message names each line."""


def _date(text: str, number: int) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise LinesRefused(f"Line {number}: {text} is not a real date.") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise LinesRefused(f"Line {number}: {text} is outside the years {FIRST_YEAR} to {LAST_YEAR}.")
    return value


def parse_spans(text: str, *, example: str, ranges_required: bool, most: int) -> list[DateSpan]:
    """Lines 'YYYY-MM-DD to YYYY-MM-DD note' (or one date, when ranges are not required); blank lines and
    lines starting with # are skipped. Raises LinesRefused naming every line that is wrong."""
    spans, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            problems.append(f"Line {number}: write it like {example}.")
            continue
        first, last, note = match.group(1), match.group(2), (match.group(3) or "").strip()
        if ranges_required and last is None:
            problems.append(f"Line {number}: give the first and last day, like {example}.")
            continue
        try:
            start = _date(first, number)
            end = _date(last, number) if last else start
        except LinesRefused as refused:
            problems.append(str(refused))
            continue
        if end < start:
            problems.append(f"Line {number}: the last day is before the first.")
        elif not ranges_required and (end - start).days >= MAX_CLOSURE_SPAN_DAYS:
            problems.append(f"Line {number}: a closure may run for at most {MAX_CLOSURE_SPAN_DAYS} days.")
        elif len(note) > NOTE_MAX:
            problems.append(f"Line {number}: the note may be at most {NOTE_MAX} characters.")
        else:
            spans.append(DateSpan(start, end, note))
    if len(spans) > most:
        problems.append(f"At most {most} lines.")
    if problems:
        raise LinesRefused(" ".join(problems[:5]) + (" (and more)" if len(problems) > 5 else ""))
    return sorted(spans, key=lambda span: (span.start, span.end))


def parse_terms(text: str) -> list[DateSpan]:
    """The school's term dates, one term a line ('2026-09-03 to 2026-12-18 Autumn term'); terms may not overlap."""
    terms = parse_spans(text, example="2026-09-03 to 2026-12-18", ranges_required=True, most=MAX_TERMS)
    for earlier, later in zip(terms, terms[1:], strict=False):
        if later.start <= earlier.end:
            raise LinesRefused(f"The terms {earlier.as_line()} and {later.as_line()} overlap.")
    return terms


def parse_closures(text: str) -> list[DateSpan]:
    """Closure days, one a line ('2026-11-13 INSET day'), or a span ('2026-10-26 to 2026-10-30 half term')."""
    return parse_spans(text, example="2026-11-13 INSET day", ranges_required=False, most=MAX_CLOSURES)


def spans_from(stored: Iterable[Mapping] | None) -> list[DateSpan]:
    """Spans as stored in the organisation's row."""
    return [
        DateSpan(date.fromisoformat(item["start"]), date.fromisoformat(item["end"]), item.get("note") or "")
        for item in stored or ()
    ]


def as_lines(spans: Iterable[DateSpan]) -> str:
    """Spans as the lines an administrator typed."""
    return "\n".join(span.as_line() for span in spans)


def terms_of(spans: Iterable[DateSpan]) -> tuple[Term, ...]:
    """The calendar's terms."""
    return tuple(Term(span.start, span.end) for span in spans)


def closure_days(spans: Iterable[DateSpan]) -> frozenset[date]:
    """Every day the closure spans cover."""
    return frozenset(
        span.start + timedelta(days=offset) for span in spans for offset in range((span.end - span.start).days + 1)
    )


# ---------------------------------------------------------------- a US state's own timeframes

FEDERAL = ""
#: The two-letter postal codes of the states, DC and the outlying areas that run IDEA Part B programmes.
US_STATES = (
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    "AS", "GU", "MP", "PR", "VI",
)  # fmt: skip


@dataclass(frozen=True)
class StateSettable:
    """A number the IDEA regulations let a state set instead of the federal default."""

    rule_id: str
    unit: str
    setting: str
    label: str
    most: int


#: The numbers a state may set (34 CFR 300.301(c)(1): the State's evaluation timeframe; 300.507(a)(2): the
#: State's explicit time limit for filing due process). The organisation types its state's numbers: none
#: are built in.
STATE_SETTABLE = (
    StateSettable("US-EVAL-01", DAYS, "us_evaluation_days", "Initial evaluation timeframe (days after consent)", 365),
    StateSettable("US-DP-01", YEARS, "us_due_process_years", "Due process filing limit (years)", 10),
)
STATE_TIMEFRAME = "state timeframe"


def with_overrides(rule: Rule, amounts: Mapping[str, int], state: str) -> Rule:
    """A new version of a rule with the state's number in place of the federal default; others unchanged."""
    amount = amounts.get(rule.id)
    settable = {s.rule_id for s in STATE_SETTABLE}
    if amount is None or rule.id not in settable or not state or len(rule.clocks) != 1:
        return rule
    clock = rule.clocks[0]
    unit = clock.unit.removesuffix("s") if amount == 1 else clock.unit
    note = f"State timeframe ({state}) as the organisation set it: {amount} {unit} instead of the federal {clock.amount}."
    return replace(
        rule,
        clocks=(replace(clock, amount=amount),),
        version=rule.version + 1,
        state_timeframe=state,
        note=f"{note} {rule.note}".strip(),
    )


def state_rules(rules: Iterable[Rule], amounts: Mapping[str, int], state: str) -> tuple[Rule, ...]:
    """The rules with a state's timeframes applied (all federal defaults when no state is set)."""
    return tuple(with_overrides(rule, amounts, state) for rule in rules)
