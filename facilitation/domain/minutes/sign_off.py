"""Per-section sign-off of circulated minutes: each participant agrees with each section or dissents from it in
their own words. A dissent is not a correction (the record is right, the person disagrees with what it says):
it becomes a difference of opinion, a disagreement entry linked to the section and the person, so that it
reaches the chair, the record and the report's differences of opinion.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidValue
from .values import Minutes, SectionSignOff

AGREE, DISSENT = "agree", "dissent"
ANSWERS = {AGREE: "Agrees", DISSENT: "Disagrees"}
#: The longest section key ("item:<id>").
SECTION_KEY_MAX = 40


@dataclass(frozen=True)
class Section:
    """A part of the minutes a participant answers for: its key and its heading."""

    key: str
    label: str


def sections(m: Minutes) -> list[Section]:
    """The sections of the minutes, in the order they are printed."""
    found = [Section("attendance", "Who was there")]
    entries = [*m.agenda, *([m.other_matters] if m.other_matters else [])]
    found += [Section(f"item:{e.id}", f"Item {e.number}: {e.title}") for e in entries]
    found.append(Section("actions", "Actions: who does what, by when"))
    found.append(Section("disagreements", m.disagreements_title))
    found.append(Section("views", "The child's and the family's views"))
    if m.meeting.meeting_type == "ehcp_annual_review":
        found.append(Section("recommendation", "The recommendation for the EHC plan"))
    found.append(Section("next_review", "The next review"))
    return found


def find_section(m: Minutes, key: str) -> Section:
    """The section with this key in these minutes, or a refusal naming the field."""
    for section in sections(m):
        if section.key == key:
            return section
    raise InvalidValue("There is no such section in these minutes.", field="section")


def check_answer(answer: str, comment: str | None) -> None:
    """Agree needs nothing more; a dissent says, in the person's own words, what they disagree with."""
    if answer not in ANSWERS:
        raise InvalidValue("Answer agree or dissent.", field="answer")
    if answer == DISSENT and not (comment and comment.strip()):
        raise InvalidValue("Say what you disagree with, in your own words.", field="comment")


def dissent_topic(section: Section) -> str:
    """The topic of the difference of opinion a dissent becomes."""
    return f"Minutes, \u201c{section.label}\u201d: disagrees with what this section records"


def sign_off(m: Minutes, answers: list[dict], names: dict[int, str]) -> list[SectionSignOff]:
    """Per section, who agreed and who dissented (answers: {participant_id, section, answer})."""
    out = []
    for section in sections(m):
        mine = [a for a in answers if a["section"] == section.key]
        agreed = sorted(names.get(a["participant_id"], "someone no longer listed") for a in mine if a["answer"] == AGREE)
        dissented = sorted(names.get(a["participant_id"], "someone no longer listed") for a in mine if a["answer"] == DISSENT)
        if agreed or dissented:
            out.append(SectionSignOff(section.key, section.label, agreed, dissented))
    return out


def sign_off_line(s: SectionSignOff) -> str:
    """'Item 2: Progress: agreed by Sam Parent, Dr Eve Psych; disagreed: Ms Lee (see the differences of opinion).'"""
    parts = []
    if s.agreed:
        parts.append("agreed by " + ", ".join(s.agreed))
    if s.dissented:
        parts.append("disagreed: " + ", ".join(s.dissented) + " (see the differences of opinion)")
    return f"{s.label}: {'; '.join(parts)}."
