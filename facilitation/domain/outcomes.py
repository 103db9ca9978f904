"""The outcomes of the child's plan in the meeting: the outcomes themselves (entered, pasted or carried
from the last review), progress against each, the plan sections to amend with the proposed wording, and
from Year 9 the preparation-for-adulthood areas.

England: an EHC plan's outcomes are in section E; its sections run A to K (SEND Code of Practice 2015,
9.62). An annual review considers progress towards each outcome and whether it remains appropriate
(SEND Regulations 2014, reg 20), and from Year 9 preparation for adulthood (Code 8.9, 9.166).
US: an IEP's measurable annual goals (34 CFR 300.320(a)(2)) play the part of outcomes.
"""

from __future__ import annotations

import re

from .errors import InvalidValue, RuleViolation

#: Meeting types whose record holds plan outcomes: the EHCP annual review and the US IEP meeting (goals),
#: and, optionally, the SEN support review (its own plan's outcomes).
OUTCOME_MEETINGS: dict[str, str] = {
    "ehcp_annual_review": "Outcomes of the EHC plan",
    "iep_meeting": "IEP goals",
    "sen_support_review": "Outcomes of the SEN support plan",
}
#: Meeting types whose plan has lettered sections to amend (England's EHC plan).
AMENDABLE_MEETINGS = frozenset({"ehcp_annual_review"})

OUTCOME_MAX = 2000
PROGRESS_MAX = 4000
EVIDENCE_MAX = 2000
CHANGE_MAX = 4000
WORDING_MAX = 8000
#: Outcomes pasted at once, and kept in one meeting.
PASTE_MAX = 40
OUTCOMES_MAX = 80

YES, PARTLY, NO = "yes", "partly", "no"
STILL_APPROPRIATE: dict[str, str] = {YES: "Yes", PARTLY: "Partly", NO: "No"}

#: The sections of an EHC plan (SEND Code of Practice 2015, 9.62), by letter.
EHCP_SECTIONS: dict[str, str] = {
    "A": "A: the child or young person's views, interests and aspirations",
    "B": "B: special educational needs",
    "C": "C: health needs related to the SEN",
    "D": "D: social care needs related to the SEN or disability",
    "E": "E: outcomes",
    "F": "F: special educational provision",
    "G": "G: health provision",
    "H1": "H1: social care provision under the Chronically Sick and Disabled Persons Act 1970, s.2",
    "H2": "H2: other social care provision",
    "I": "I: placement",
    "J": "J: personal budget",
    "K": "K: advice and information",
}

#: Preparing for adulthood (SEND Code of Practice 2015, 8.9): the four areas, and the agenda item each adds.
PFA_AREAS: dict[str, str] = {
    "employment": "Employment and higher education",
    "independent_living": "Independent living",
    "community": "Friends, relationships and community inclusion",
    "health": "Good health",
}
PFA_PROMPTS: dict[str, tuple[str, int]] = {
    "employment": ("Preparing for adulthood: employment and further or higher education", 5),
    "independent_living": ("Preparing for adulthood: independent living (where and with whom to live)", 5),
    "community": ("Preparing for adulthood: friends, relationships and being part of the community", 5),
    "health": ("Preparing for adulthood: good health in adult life", 5),
}
#: From this year group the review covers preparation for adulthood (Year 9 in England; about grade 8-9 in
#: the US, where transition planning starts by age 16 at the latest).
PFA_FROM_YEAR = 9
YEAR_GROUPS = range(0, 15)  # Reception (0) to Year 14

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25cf\u25aa\u2013]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)])\s+")


def split_pasted(text: str) -> list[str]:
    """Outcomes pasted one per line: blank lines dropped, list bullets and numbering ("1.", "a)", "-") taken off."""
    lines = [_BULLET.sub("", line).strip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    return [line for line in lines if line]


def check_outcomes_meeting(meeting_type: str) -> None:
    """Plan outcomes belong to annual reviews, IEP meetings and SEN support reviews."""
    if meeting_type not in OUTCOME_MEETINGS:
        raise RuleViolation(
            "This type of meeting does not review a plan's outcomes.", code="not_allowed", field="meeting_type"
        )


def check_new_outcomes(texts: list[str], existing: int) -> list[str]:
    """The outcomes to add: at least one, each within the length, not too many in the meeting."""
    if not texts:
        raise InvalidValue("Give at least one outcome (one per line).", field="text")
    if len(texts) > PASTE_MAX:
        raise InvalidValue(f"Paste at most {PASTE_MAX} outcomes at once.", field="text")
    for n, t in enumerate(texts, 1):
        if len(t) > OUTCOME_MAX:
            raise InvalidValue(f"Outcome {n} is longer than {OUTCOME_MAX} characters.", field="text")
    if existing + len(texts) > OUTCOMES_MAX:
        raise InvalidValue(f"A meeting holds at most {OUTCOMES_MAX} outcomes.", field="text")
    return texts


def check_area(area: str | None) -> None:
    if area is not None and area not in PFA_AREAS:
        raise InvalidValue("Unknown preparation-for-adulthood area.", field="area")


def check_still_appropriate(value: str | None) -> None:
    if value is not None and value not in STILL_APPROPRIATE:
        raise InvalidValue("Say yes, partly or no.", field="still_appropriate")


def check_amendment(meeting_type: str, section: str) -> None:
    """Sections to amend are the lettered sections of an EHC plan, at an annual review."""
    if meeting_type not in AMENDABLE_MEETINGS:
        raise RuleViolation(
            "Only an EHCP annual review proposes amendments to a plan's sections.", code="not_allowed", field="section"
        )
    if section not in EHCP_SECTIONS:
        raise InvalidValue("Choose a section of the plan, A to K.", field="section")


def check_adulthood(year_group: int | None, areas: list[str]) -> None:
    """Preparation-for-adulthood areas are chosen from Year 9; each is known and named once."""
    if year_group is not None and year_group not in YEAR_GROUPS:
        raise InvalidValue("Give a year group from Reception (0) to Year 14.", field="year_group")
    for area in areas:
        check_area(area)
    if len(set(areas)) != len(areas):
        raise InvalidValue("Each area is named once.", field="areas")
    if areas and not pfa_applies(year_group):
        raise InvalidValue(
            f"Preparation for adulthood is reviewed from Year {PFA_FROM_YEAR}: set the year group first.", field="areas"
        )


def pfa_applies(year_group: int | None) -> bool:
    """True from Year 9: the review covers preparation for adulthood."""
    return year_group is not None and year_group >= PFA_FROM_YEAR


def to_carry(previous: list[str], present: list[str]) -> list[str]:
    """The last review's outcomes not already in this meeting (compared without case or outer space), in order."""
    have = {t.strip().casefold() for t in present}
    out = []
    for t in previous:
        key = t.strip().casefold()
        if key not in have:
            have.add(key)
            out.append(t)
    return out


def year_label(year_group: int | None) -> str:
    if year_group is None:
        return "Not recorded"
    return "Reception" if year_group == 0 else f"Year {year_group}"
