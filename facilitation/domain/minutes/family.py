"""The family's plain-language summary: what the meeting was, who came, what was agreed, what happens
next and when, the dates the law sets after the meeting, the abbreviations used, and where to get
independent advice (the organisation's own information and advice contact first, when it has set one)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

from ..bidi import isolate_all
from ..routes import find_route, jurisdiction
from ..statutory.organisation import ADVICE as ADVICE_CONTACT
from .values import Advice, FamilyDate, FamilySummary, Minutes, SummaryStep, Term
from .wording import long_date, uk_date

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

#: The statutory dates after a meeting, said to the family: {day} is the date written out in full. Steps of
#: a timeline missing here are said from the rule's own words (who, what, by when).
FAMILY_DATES: dict[str, str] = {
    "ENG-AR-08": "The school must send the review report to everyone by {day}.",
    "ENG-AR-09": "The local authority must tell you whether it will keep the plan as it is, change it or end it, "
    "by {day}.",
    "ENG-AR-10": "If it wants to change the plan, the local authority must send you the proposed changes with that "
    "decision, by {day}.",
    "ENG-AR-11": "You have 15 days to comment on any proposed changes, counted from the day you get them: "
    "at the latest {day}, if they come on the last possible day.",
    "ENG-AR-12": "If the plan is changed, the local authority must send you the final amended plan by {day}.",
    "ENG-AR-01": "The next annual review of the plan must be held by {day}.",
    "ENG-SS-04": "The school should give you a record of this meeting by {day}.",
    "ENG-SS-03": "The school should review the support with you again by {day}.",
    "US-IEP-02": "The IEP team must review the IEP again by {day}, at least once a year.",
    "US-EVAL-01": "The school district must complete the initial evaluation by {day}.",
    "US-IEP-03": "The school district must reevaluate by {day}, unless you and the district agree it is not needed.",
}
FAMILY_DATES_NOTICE = "These dates are the latest the law allows, computed from the rules; this is not legal advice."

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


#: A US meeting's roles in its own words: there is no council, and the coordinator is not a SENCO.
ROLES_PLAIN_US: dict[str, str] = {
    "la_officer": "the school district's special education representative",
    "senco": "the school's special education coordinator",
}


def _route_plain(meeting_type: str, g) -> str:
    """The route in the family's words, in the meeting's jurisdiction."""
    route = find_route(meeting_type, g.next_step)
    return route.plain if route else (g.next_step_label or "")


def family_dates(timeline: Sequence[Mapping]) -> list[FamilyDate]:
    """The statutory dates after the meeting, from its timeline items (services.statutory.timeline), in plain words."""
    dates = []
    for item in timeline:
        if item.get("side") != "after" or item.get("date_removed"):
            continue  # what had to happen before the meeting is the chair's to check; a date an exception removed is no date
        day = date.fromisoformat(item["date"]) if isinstance(item["date"], str) else item["date"]
        wording = FAMILY_DATES.get(item["rule_id"])
        text = wording.format(day=long_date(day)) if wording else f"{item['who']}: {item['title']}, by {long_date(day)}."
        sources = item.get("sources") or [""]
        dates.append(FamilyDate(day, text, item["rule_id"], sources[0], bool(item.get("verified")),
                                item.get("state_timeframe") or ""))
    return sorted(dates, key=lambda d: d.day)


def advice_for(meeting_type: str, contacts: Sequence[Mapping]) -> list[Advice]:
    """Where to get independent advice: the organisation's information and advice service when it has set
    one (in place of the general pointer to find it), else the general list, for the meeting's jurisdiction."""
    general = list(ADVICE_US) if meeting_type == "iep_meeting" else list(ADVICE_ENGLAND)
    local = [c for c in contacts if c.get("kind") == ADVICE_CONTACT]
    if not local:
        return general
    c = local[0]
    reach = " · ".join(part for part in (
        f"Phone {c['phone']}" if c.get("phone") else "", f"Email {c['email']}" if c.get("email") else "", c.get("web") or ""
    ) if part)
    name = f"{c['name']} ({c['label']})" if c.get("name") else c["label"]
    return [Advice(name, c["what"], reach), *general[1:]]


def family_summary(m: Minutes, timeline: Sequence[Mapping] = (), contacts: Sequence[Mapping] = ()) -> FamilySummary:
    """Short and plain: what the meeting was, who came, what was agreed, what happens next and when, the
    statutory dates after the meeting (from its timeline items) and the organisation's advice contact."""
    m = isolate_all(m)  # typed names and texts go into sentences of ours
    d = m.meeting
    kind = MEETING_TYPES_PLAIN.get(d.meeting_type, d.meeting_type_label)
    intro = f"On {uk_date(d.day, weekday=True)} there was {kind}, about {d.child_ref}."

    came = [*m.attendance.present, *m.attendance.remote]
    roles = {**ROLES_PLAIN, **ROLES_PLAIN_US} if jurisdiction(d.meeting_type) == "US" else ROLES_PLAIN
    who = [f"{p.name}: {roles.get(p.role, p.role_label)}" + (" (joined remotely)" if p in m.attendance.remote else "") for p in came]

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
            plain = _route_plain(d.meeting_type, g)
            steps.append(SummaryStep(g.follow_up_date, f"{g.owner} ({g.agency}) follows up the disagreement about \u201c{g.topic}\u201d: next step is {plain}."))
        if not g.resolved and g.next_step:
            for r in g.route_dates:
                mark = "" if r.verified else " This date comes from a rule we could not verify."
                steps.append(SummaryStep(r.day, f"Latest date for \u201c{r.title}\u201d ({r.who}), about \u201c{g.topic}\u201d: rule {r.rule_id}.{mark}"))
    if m.next_review_date:
        steps.append(SummaryStep(m.next_review_date, "The next review meeting."))
    steps.sort(key=lambda s: s.day)

    disagreed = []
    for g in m.disagreements:
        if g.resolved:
            disagreed.append(f"\u201c{g.topic}\u201d: now settled" + (f": {g.resolution}" if g.resolution else "."))
        elif g.next_step:
            disagreed.append(f"\u201c{g.topic}\u201d: not settled. Next step: {_route_plain(d.meeting_type, g)}, by {uk_date(g.follow_up_date)}.")
        else:
            disagreed.append(f"\u201c{g.topic}\u201d: not settled; the next step is still to be agreed.")

    review = f"The next review is on {uk_date(m.next_review_date, weekday=True)}." if m.next_review_date else "The date of the next review has not been set yet."

    advice = advice_for(d.meeting_type, contacts)
    if d.meeting_type != "iep_meeting" and any(not g.resolved for g in m.disagreements):
        advice.append(ADVICE_DISAGREEMENT)

    statutory = family_dates(timeline)
    words = " ".join([intro, *who, *agreed, *(s.text for s in steps), *disagreed, m.child_views or "", m.family_views or "",
                      kind, *(fd.text for fd in statutory)])
    glossary = [Term(term, meaning) for term, meaning in GLOSSARY.items() if _GLOSSARY_PATTERNS[term].search(words)]
    # SENCo and SENCO mean the same: list the term once.
    if any(t.term == "SENCO" for t in glossary):
        glossary = [t for t in glossary if t.term != "SENCo"]
    notice = FAMILY_DATES_NOTICE if statutory else ""
    return FamilySummary(intro, who, agreed, steps, disagreed, review, glossary, advice, statutory, notice)


def summary_text(s: FamilySummary) -> str:
    """The summary's sentences as one text, one per line: what the family reads, for the plain-words check."""
    lines = [s.intro, *s.who_came, *s.agreed, *(step.text for step in s.next_steps), *(fd.text for fd in s.statutory_dates), *s.disagreements, s.next_review]
    return "\n".join(line if line.rstrip().endswith((".", "!", "?")) else f"{line}." for line in lines if line and line.strip())
