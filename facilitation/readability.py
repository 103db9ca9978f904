"""How easy a text is to read, measured by `textstat` (Flesch reading ease and Flesch-Kincaid grade).

textstat is pinned at 0.7.4: later versions count syllables with NLTK's CMU dictionary, which they
download at run time; 0.7.4 uses pyphen's hyphenation dictionaries, installed with the package.
"""

from __future__ import annotations

import textstat

from facilitation.domain.minutes.plain_words import Readability


def measure(text: str) -> Readability:
    """The reading ease (0-100, higher is easier), US grade and UK reading age of a text in English."""
    text = (text or "").strip()
    if not text:
        return Readability(ease=100.0, grade=0.0, words=0, sentences=0)
    return Readability(
        ease=float(textstat.flesch_reading_ease(text)),
        grade=float(textstat.flesch_kincaid_grade(text)),
        words=int(textstat.lexicon_count(text)),
        sentences=int(textstat.sentence_count(text)),
    )
