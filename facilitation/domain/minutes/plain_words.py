"""Plain words for the family: is the family summary easy to read, and which professional words does it use?

The reading-ease figures come from a readability library outside the domain (facilitation.readability);
this module says what they mean for a family, finds the jargon (the professional phrases below, and the
abbreviations the summary's glossary has to explain), and the sentences too long to follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Plain English guidance (e.g. the UK government's) aims at a reading age of about 9 to 11; a Flesch
#: reading ease of 60 or more reads as plain English to most adults.
TARGET_EASE = 60.0
#: A reading age is the US grade plus 5 (grade 1 is the year a child turns 6 or 7).
GRADE_TO_AGE = 5
#: Sentences longer than this are hard to follow, the more so in a second language.
LONG_SENTENCE_WORDS = 25

#: Professional phrases families meet in SEND records, with words a family would use instead.
JARGON: dict[str, str] = {
    "provision": "support",
    "intervention": "extra help",
    "interventions": "extra help",
    "differentiated": "changed to suit the child",
    "differentiation": "changing work to suit the child",
    "quality-first teaching": "good teaching for the whole class",
    "targeted support": "help for a small group",
    "outcomes": "goals",
    "attainment": "progress in school work",
    "statutory": "required by law",
    "cognition": "thinking and learning",
    "expressive language": "talking",
    "receptive language": "understanding what people say",
    "fine motor": "hand skills, like writing",
    "gross motor": "movement, like running and jumping",
    "sensory processing": "how the child copes with sounds, sights and touch",
    "executive function": "planning and organising",
    "phonological awareness": "hearing the sounds in words",
    "dysregulated": "upset and finding it hard to calm down",
    "dysregulation": "being upset and finding it hard to calm down",
    "multi-agency": "different services working together",
    "transition": "moving on to a new class or school",
    "placement": "school place",
    "cease": "stop",
    "maintain": "keep",
    "commissioned": "paid for",
    "assessment": "check",
    "baseline": "starting point",
}
_JARGON = {term: re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE) for term in JARGON}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: An abbreviation: two to six capitals (a plural s allowed), e.g. "SALT", "EHCPs", "CAMHS".
_ABBREVIATION = re.compile(r"(?<![\w:])[A-Z]{2,6}s?(?![\w:])")
NOT_EXPLAINED = "an abbreviation the summary's glossary does not explain: write it out"


@dataclass(frozen=True)
class Readability:
    """What a readability library measured: Flesch reading ease, Flesch-Kincaid grade, counts."""

    ease: float
    grade: float
    words: int
    sentences: int


@dataclass(frozen=True)
class Flag:
    """A professional word or abbreviation found, how often, with a plainer word (or the glossary's meaning)."""

    term: str
    plain: str
    count: int
    example: str


@dataclass(frozen=True)
class PlainWordsCheck:
    """The check the chair sees before circulating: the score, whether it meets the target, and what to change."""

    ease: float
    reading_age: int
    target_ease: float
    plain_enough: bool
    jargon: list[Flag] = field(default_factory=list)
    long_sentences: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line for the chair: the score and what it means."""
        verdict = "plain enough for most families" if self.plain_enough else "hard to read for many families"
        return f"Reading ease {self.ease:.0f} (aim for {self.target_ease:.0f} or more): about a reading age of {self.reading_age}, {verdict}."


def sentences(text: str) -> list[str]:
    """The text's sentences (lines count as sentences too)."""
    return [s.strip() for line in text.splitlines() for s in _SENTENCE_END.split(line) if s.strip()]


def check(text: str, measured: Readability, abbreviations: dict[str, str] | None = None) -> PlainWordsCheck:
    """Score a family text, flag its professional words, the abbreviations that `abbreviations` (the
    glossary) does not explain, and its long sentences."""
    said = sentences(text)
    flags = []
    for term, plain in JARGON.items():
        hits = [s for s in said if _JARGON[term].search(s)]
        if hits:
            flags.append(Flag(term, plain, sum(len(_JARGON[term].findall(s)) for s in hits), hits[0]))
    explained = set(abbreviations or {})
    found: dict[str, list[str]] = {}
    for sentence in said:
        for term in _ABBREVIATION.findall(sentence):
            if term not in explained and term.rstrip("s") not in explained:
                found.setdefault(term, []).append(sentence)
    for term, hits in found.items():
        flags.append(Flag(term, NOT_EXPLAINED, len(hits), hits[0]))
    flags.sort(key=lambda f: (-f.count, f.term.lower()))
    long = [s for s in said if len(s.split()) > LONG_SENTENCE_WORDS]
    age = max(0, round(measured.grade)) + GRADE_TO_AGE
    return PlainWordsCheck(
        ease=round(measured.ease, 1),
        reading_age=age,
        target_ease=TARGET_EASE,
        plain_enough=measured.ease >= TARGET_EASE,
        jargon=flags,
        long_sentences=long,
    )
