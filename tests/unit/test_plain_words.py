"""Plain words for the family: the reading ease of the summary, its professional words and long sentences."""

from __future__ import annotations

from facilitation import readability
from facilitation.domain.minutes import plain_words
from facilitation.domain.minutes.family import GLOSSARY

PLAIN = "The school will give Sam extra help with reading. Sam will see the speech therapist every week. We will meet again in March."
JARGON = (
    "The local authority will consider whether differentiated provision and quality-first teaching, alongside targeted "
    "interventions delivered by the SALT and the OT under the SEMH strand of the plan, are sufficient to meet the outcomes "
    "specified in Section F, with a baseline assessment of expressive language and fine motor skills before transition."
)


def test_a_plain_text_meets_the_target_and_a_professional_one_does_not():
    plain = plain_words.check(PLAIN, readability.measure(PLAIN), GLOSSARY)
    assert plain.plain_enough and plain.ease >= 60 and plain.reading_age <= 9
    assert plain.jargon == [] and plain.long_sentences == []
    assert "plain enough for most families" in plain.summary
    hard = plain_words.check(JARGON, readability.measure(JARGON), GLOSSARY)
    assert not hard.plain_enough and hard.reading_age >= 16
    assert "hard to read for many families" in hard.summary and "aim for 60 or more" in hard.summary
    assert len(hard.long_sentences) == 1


def test_professional_words_are_flagged_with_a_plainer_word_and_where_they_were_used():
    found = {f.term: f for f in plain_words.check(JARGON, readability.measure(JARGON), GLOSSARY).jargon}
    assert found["provision"].plain == "support" and found["provision"].count == 1
    assert found["outcomes"].plain == "goals"
    assert {"differentiated", "quality-first teaching", "interventions", "baseline", "expressive language", "fine motor", "transition"} <= set(found)
    assert found["transition"].example.startswith("The local authority")


def test_abbreviations_the_glossary_explains_pass_and_others_are_flagged():
    text = "Sam will see the SALT and the OT. The SENCO will ask CAMHS and the PFSA for a report."
    found = {f.term: f.plain for f in plain_words.check(text, readability.measure(text), GLOSSARY).jargon}
    assert "SALT" not in found and "OT" not in found and "CAMHS" not in found
    assert found == {"PFSA": plain_words.NOT_EXPLAINED}


def test_an_empty_text_reads_as_easy_and_flags_nothing():
    empty = plain_words.check("", readability.measure(""), GLOSSARY)
    assert empty.plain_enough and empty.jargon == [] and empty.long_sentences == []
