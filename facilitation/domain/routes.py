"""The routes open after a disagreement: routes, not a ladder (domain.md, deadline-rules.md 1.1, 1.6, 2).

Which routes a disagreement may take depends on the jurisdiction (England or the US, from the meeting
type), and on what the disagreement is about: mediation is open only for the decisions that can be
appealed, an appeal to the Tribunal only for an appealable decision, a US state complaint for a
requirement not followed. Several routes can run at once and none is a precondition for another unless
the law says so; each says so in its own words, and each jurisdiction has only its own words.

A route with a clock asks for the dates its rules start from (the decision letter's date, the mediation
certificate's date, the date a complaint was received) and names the rules whose dates follow from them;
the rules are evaluated by statutory.clock.compute, the one evaluator. `limits` are the latest dates the
agreed follow-up must not pass: an appeal followed up after its time limit is a follow-up too late.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .errors import InvalidValue
from .statutory import calendar as cal
from .statutory.clock import Deadline, compute, find_rule
from .statutory.rules import RULES, Rule
from .statutory.timeline import ENGLAND, US, jurisdiction_of

# ---------------------------------------------------------------- what a disagreement is about


@dataclass(frozen=True)
class Kind:
    """What a disagreement is about, in a jurisdiction's own words."""

    key: str
    label: str
    plain: str


KINDS: dict[str, tuple[Kind, ...]] = {
    ENGLAND: (
        Kind("provision", "Support or provision at school (SEN support, or how a plan is delivered)", "the support at school"),
        Kind(
            "la_decision",
            "A local authority decision that can be appealed (not to assess, not to issue a plan, "
            "the plan's needs or provision, not to amend, to cease)",
            "a decision by the council that can be appealed",
        ),
        Kind("placement_only", "Only the school or placement named in the plan (section I)", "the school named in the plan"),
        Kind("health_social_care", "Health or social care provision", "health or social care"),
        Kind("process", "How things were done: delay, a missed review, provision not delivered", "delays or support not given"),
    ),
    US: (
        Kind("evaluation", "The district's evaluation of the child", "the school district's evaluation"),
        Kind(
            "iep",
            "Identification, eligibility, the IEP's content, placement or a free appropriate public education",
            "the IEP, the placement or the services",
        ),
        Kind("violation", "A requirement of the IDEA not followed (procedure, timelines, services not delivered)", "a rule not followed"),
    ),
}

# ---------------------------------------------------------------- routes


@dataclass(frozen=True)
class Asked:
    """A date a route's clock starts from, as the chair is asked for it."""

    event: str
    label: str
    optional: bool = False


@dataclass(frozen=True)
class Route:
    """One route after a disagreement.

    `about` lists the kinds it is open for; `rules` the statutory rules whose dates it shows once the
    dates it asks for are known (each rule's start events are `asks` events); `limits` the rule ids
    whose date the agreed follow-up must not pass; `contact` the organisation contact shown with it.
    """

    key: str
    jurisdiction: str
    label: str
    plain: str
    note: str
    about: frozenset[str]
    asks: tuple[Asked, ...] = ()
    rules: tuple[str, ...] = ()
    limits: tuple[str, ...] = ()
    contact: str | None = None
    informal: bool = False


LETTER = Asked("decision_letter_date", "Date on the local authority's decision letter")
CERTIFICATE = Asked("certificate_date", "Date on the mediation certificate (if there is one)", optional=True)
ENG_ALL = frozenset(kind.key for kind in KINDS[ENGLAND])
US_ALL = frozenset(kind.key for kind in KINDS[US])
APPEALABLE = frozenset({"la_decision", "placement_only"})

ROUTES: dict[str, tuple[Route, ...]] = {
    ENGLAND: (
        Route(
            "follow_up_meeting",
            ENGLAND,
            "Informal: a follow-up meeting, clarify the documents, check the evidence",
            "another meeting to go through the documents and the evidence again",
            "Most disagreements are settled this way. It does not stop any time limit.",
            ENG_ALL,
            informal=True,
        ),
        Route(
            "facilitated_meeting",
            ENGLAND,
            "A further meeting with an independent facilitator",
            "another meeting, led by an independent facilitator",
            "Voluntary. It does not stop any time limit.",
            ENG_ALL,
            informal=True,
        ),
        Route(
            "disagreement_resolution",
            ENGLAND,
            "The local authority's disagreement resolution service",
            "the council's free disagreement resolution service",
            "Free, voluntary and independent, for any SEN disagreement, SEN support included. "
            "Never needed before anything else, and it does not change appeal rights or time limits.",
            frozenset({"provision", "la_decision", "placement_only", "health_social_care"}),
            contact="disagreement_resolution",
        ),
        Route(
            "mediation",
            ENGLAND,
            "Mediation (about a decision that can be appealed)",
            "mediation",
            "Before most appeals the family must contact a mediation adviser and get a certificate; going to "
            "mediation itself is optional, and the local authority cannot refuse it.",
            frozenset({"la_decision", "health_social_care"}),
            asks=(
                LETTER,
                Asked("mediation_requested_date", "Date the local authority was told the family wants mediation", optional=True),
                Asked("mediation_end_date", "Date the mediation ended", optional=True),
                Asked("mediation_agreement_date", "Date of the mediation agreement (not about appealable matters)", optional=True),
            ),
            rules=("ENG-MED-02", "ENG-MED-05", "ENG-MED-07", "ENG-MED-09"),
            limits=("ENG-MED-02",),
            contact="mediation",
        ),
        Route(
            "appeal",
            ENGLAND,
            "Appeal to the First-tier Tribunal (SEND)",
            "an appeal to the tribunal",
            "Only against a decision that can be appealed. A mediation certificate is needed first, except for "
            "an appeal only about the school or placement named.",
            APPEALABLE,
            asks=(LETTER, CERTIFICATE),
            rules=("ENG-APP-01", "ENG-APP-02"),
            limits=("ENG-APP-01",),
            contact="advice",
        ),
        Route(
            "complaint_school",
            ENGLAND,
            "Complaint to the school (its complaints procedure, then the Department for Education)",
            "a complaint to the school",
            "For how things were done at school, not for decisions that can be appealed.",
            frozenset({"provision", "process"}),
        ),
        Route(
            "complaint_local_authority",
            ENGLAND,
            "Complaint to the local authority, then the Local Government and Social Care Ombudsman",
            "a complaint to the council, then the Ombudsman",
            "For delays, a missed review or provision not delivered. The Ombudsman cannot look at what can be "
            "appealed to the Tribunal.",
            frozenset({"process"}),
            asks=(Asked("knew_date", "Date the family knew of the problem"),),
            rules=("ENG-CMP-03",),
            limits=("ENG-CMP-03",),
        ),
        Route(
            "complaint_health",
            ENGLAND,
            "NHS complaint, then the Parliamentary and Health Service Ombudsman",
            "a complaint to the NHS",
            "For health provision. Time limits not verified here.",
            frozenset({"health_social_care"}),
        ),
    ),
    US: (
        Route(
            "follow_up_meeting",
            US,
            "Informal: another IEP team meeting, clarify the documents, check the evidence",
            "another IEP team meeting to go through the documents and the evidence again",
            "Most disagreements are settled this way. It does not pause any filing limit.",
            US_ALL,
            informal=True,
        ),
        Route(
            "facilitated_meeting",
            US,
            "A facilitated IEP meeting with an independent facilitator",
            "another IEP meeting, led by an independent facilitator",
            "Voluntary. It does not pause any filing limit.",
            US_ALL,
            informal=True,
        ),
        Route(
            "independent_evaluation",
            US,
            "Independent educational evaluation (IEE) at public expense",
            "an independent evaluation paid for by the school district",
            "When the parent disagrees with the district's evaluation. The district must, without unnecessary "
            "delay, either pay for it or file for a hearing to show its evaluation is appropriate.",
            frozenset({"evaluation"}),
            contact="advice",
        ),
        Route(
            "mediation",
            US,
            "Mediation (voluntary, through the state)",
            "mediation, arranged and paid for by the state",
            "Voluntary, and never used to deny or delay a due process hearing.",
            US_ALL,
            contact="mediation",
        ),
        Route(
            "state_complaint",
            US,
            "State complaint to the state education agency",
            "a complaint to the state education agency",
            "About a requirement not followed, within one year of it. The state decides within 60 days.",
            frozenset({"iep", "violation"}),
            asks=(Asked("complaint_filed_date", "Date the complaint was filed"),),
            rules=("US-SC-01",),
            contact="advice",
        ),
        Route(
            "due_process",
            US,
            "Due process complaint, with its resolution meeting",
            "a due process complaint",
            "About identification, evaluation, placement or a free appropriate public education, within two "
            "years. A resolution meeting comes first unless both sides waive it or use mediation.",
            frozenset({"evaluation", "iep"}),
            asks=(
                Asked("knew_date", "Date the parent knew of the problem", optional=True),
                Asked("complaint_received_date", "Date the district received the complaint", optional=True),
            ),
            rules=("US-DP-01", "US-DP-03", "US-DP-04", "US-DP-06"),
            limits=("US-DP-01", "US-DP-03"),
            contact="advice",
        ),
    ),
}

#: Clocks that keep running whatever route is taken, by what the disagreement is about: an appealable
#: decision's appeal time limit runs through informal talks, the disagreement resolution service and
#: mediation alike; a US parent's two years to file for due process run through an IEP team meeting.
KIND_CLOCKS: dict[str, tuple[tuple[Asked, ...], tuple[str, ...]]] = {
    "la_decision": ((Asked(LETTER.event, LETTER.label, optional=True), CERTIFICATE), ("ENG-APP-01", "ENG-APP-02")),
    "placement_only": ((Asked(LETTER.event, LETTER.label, optional=True),), ("ENG-APP-01", "ENG-APP-02")),
    "evaluation": ((Asked("knew_date", "Date the parent knew of the problem", optional=True),), ("US-DP-01",)),
    "iep": ((Asked("knew_date", "Date the parent knew of the problem", optional=True),), ("US-DP-01",)),
}
#: Start dates a route's own earlier rule gives: the 45-day hearing decision counts from the end of the
#: 30-day resolution period (unless the record says it ended sooner: waiver, agreement, mediation).
CHAINS = {"resolution_period_end_date": "US-DP-04"}

#: Of the clocks that keep running, the dates a follow-up must not pass.
KIND_LIMITS = frozenset({"ENG-APP-01", "US-DP-01"})

#: Keys of the old escalation ladder, as each jurisdiction's route now names them (for records kept from it).
LADDER_KEYS = {
    ENGLAND: {"tribunal": "appeal", "complaint": "complaint_school", "independent_evaluation": "follow_up_meeting"},
    US: {"tribunal": "due_process", "complaint": "state_complaint", "disagreement_resolution": "mediation"},
}


def jurisdiction(meeting_type: str) -> str:
    """The jurisdiction whose routes a meeting's disagreements take."""
    return jurisdiction_of(meeting_type)


def kinds(meeting_type: str) -> tuple[Kind, ...]:
    """What a disagreement in this type of meeting can be about."""
    return KINDS[jurisdiction(meeting_type)]


def routes(meeting_type: str) -> tuple[Route, ...]:
    """Every route open in the meeting's jurisdiction."""
    return ROUTES[jurisdiction(meeting_type)]


def find_route(meeting_type: str, key: str | None) -> Route | None:
    """The route of a meeting's jurisdiction with this key (None for none or an unknown key)."""
    return next((route for route in routes(meeting_type) if route.key == key), None)


def find_kind(meeting_type: str, key: str | None) -> Kind | None:
    """What a disagreement is about, by key, in the meeting's jurisdiction."""
    return next((kind for kind in kinds(meeting_type) if kind.key == key), None)


def every_route_key() -> frozenset[str]:
    """Route keys of any jurisdiction: what a client may send before the meeting's jurisdiction is known."""
    return frozenset(route.key for found in ROUTES.values() for route in found)


def every_kind_key() -> frozenset[str]:
    """Kind keys of any jurisdiction."""
    return frozenset(kind.key for found in KINDS.values() for kind in found)


def every_date_event() -> frozenset[str]:
    """The start dates any route asks for."""
    return frozenset(asked.event for found in ROUTES.values() for route in found for asked in route.asks)


def open_routes(meeting_type: str, about: str | None) -> tuple[Route, ...]:
    """The routes open for what the disagreement is about (all the jurisdiction's routes when not said)."""
    return tuple(route for route in routes(meeting_type) if about is None or about in route.about)


def asks_for(route: Route, about: str | None) -> tuple[Asked, ...]:
    """The dates to ask for: the route's own, then those of the clocks that keep running for what it is about."""
    asked: dict[str, Asked] = {}
    for a in (*route.asks, *KIND_CLOCKS.get(about or "", ((), ()))[0]):
        asked.setdefault(a.event, a)
    if about == "placement_only":  # no certificate is needed for an appeal only about the school named
        asked.pop(CERTIFICATE.event, None)
    return tuple(asked.values())


def rules_of(route: Route, about: str | None) -> tuple[str, ...]:
    """The rules whose dates the route shows, its own first."""
    return tuple(dict.fromkeys((*route.rules, *KIND_CLOCKS.get(about or "", ((), ()))[1])))


def check_route(meeting_type: str, about: str | None, key: str | None, dates: Mapping[str, date]) -> None:
    """Refuse a route or kind of another jurisdiction, a route not open for what it is about, or stray dates."""
    where = "the US" if jurisdiction(meeting_type) == US else "England"
    if about is not None and find_kind(meeting_type, about) is None:
        raise InvalidValue(f"That is not something a disagreement can be about in {where}.", field="about")
    if key is None:
        if dates:
            raise InvalidValue("Choose the next step before giving its dates.", field="route_dates")
        return
    route = find_route(meeting_type, key)
    if route is None:
        raise InvalidValue(f"That next step is not a route open in {where}.", field="next_step")
    if about is not None and about not in route.about:
        kind = find_kind(meeting_type, about)
        raise InvalidValue(f"{route.label} is not open for a disagreement about {kind.plain}.", field="next_step")
    asked = {a.event for a in asks_for(route, about)}
    for event in dates:
        if event not in asked:
            raise InvalidValue(f"{route.label} does not take a date called {event!r}.", field=f"route_dates.{event}")


@dataclass(frozen=True)
class RouteDate:
    """A dated step of a route: the rule, its computed date, and whether the follow-up must come before it."""

    rule_id: str
    title: str
    who: str
    deadline: Deadline
    limit: bool


@dataclass(frozen=True)
class RouteClock:
    """What a route's clock says for one disagreement: its dates, what is missing, whether the follow-up is late."""

    dates: tuple[RouteDate, ...]
    missing: tuple[Asked, ...]
    follow_up_late: RouteDate | None


def route_clock(
    route: Route, about: str | None, dates: Mapping[str, date], follow_up: date | None, calendar: cal.Calendar, rules: tuple[Rule, ...] = RULES
) -> RouteClock:
    """Evaluate the route's rules (`rules`: with any state timeframes) from the dates known; name the dates still missing."""
    asked = asks_for(route, about)
    missing = tuple(a for a in asked if not a.optional and a.event not in dates)
    known = {a.event: dates[a.event] for a in asked if a.event in dates}
    found = []
    for rule_id in rules_of(route, about):
        rule = find_rule(rule_id, rules=rules)
        for event in rule.start_events:
            earlier = next((d for d in found if d.rule_id == CHAINS.get(event)), None)
            if event not in known and earlier is not None:
                known[event] = earlier.deadline.date
        if any(event not in known for event in rule.start_events if not _optional(rule, event)):
            continue
        deadline = compute(rule, known, calendar)
        limit = rule.id in route.limits or rule.id in KIND_LIMITS
        found.append(RouteDate(rule.id, rule.title, rule.who, deadline, limit))
    limits = [d for d in found if d.limit]
    late = None
    if follow_up is not None and limits:
        first = min(limits, key=lambda d: d.deadline.date)
        late = first if follow_up > first.deadline.date else None
    return RouteClock(tuple(found), missing, late)


def _optional(rule, event: str) -> bool:
    return all(clock.optional for clock in rule.clocks if clock.start == event)
