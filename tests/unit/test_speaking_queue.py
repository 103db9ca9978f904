"""The speaking queue's rules (domain.speaking), and who is shown a request to speak (domain.access)."""

from __future__ import annotations

import pytest

from facilitation.domain import access
from facilitation.domain import speaking as rules
from facilitation.domain.errors import InvalidValue, RuleViolation


def test_a_question_keeps_its_words_trimmed():
    assert rules.check_request("question", "  Who pays for transport?\n", "live", []) == "Who pays for transport?"


def test_a_hand_or_a_break_carries_no_text():
    assert rules.check_request("hand", None, "live", []) is None
    assert rules.check_request("break", None, "live", ["hand"]) is None
    with pytest.raises(InvalidValue) as refused:
        rules.check_request("hand", "Me!", "live", [])
    assert refused.value.field == "text"


@pytest.mark.parametrize("text", [None, "", "   \n "])
def test_a_question_or_comment_needs_words(text):
    with pytest.raises(InvalidValue, match="Write your comment") as refused:
        rules.check_request("comment", text, "live", [])
    assert refused.value.field == "text"


def test_a_question_of_a_thousand_characters_is_kept_and_one_more_is_refused():
    assert rules.check_request("question", "a" * rules.TEXT_MAX, "live", []) == "a" * 1000
    with pytest.raises(InvalidValue, match="longer than 1000"):
        rules.check_request("question", "a" * 1001, "live", [])


def test_an_unknown_kind_is_refused():
    with pytest.raises(InvalidValue) as refused:
        rules.check_request("shout", None, "live", [])
    assert refused.value.field == "kind"


def test_written_questions_are_accepted_before_the_meeting_but_hands_and_breaks_only_while_it_is_live():
    assert rules.check_request("question", "Can Sam attend?", "draft", []) == "Can Sam attend?"
    for kind in ("hand", "break"):
        with pytest.raises(RuleViolation) as refused:
            rules.check_request(kind, None, "draft", [])
        assert refused.value.code == "not_started"


@pytest.mark.parametrize("kind", ["hand", "question", "comment", "break"])
def test_nothing_new_is_accepted_after_the_meeting_ended(kind):
    with pytest.raises(RuleViolation) as refused:
        rules.check_request(kind, "Words" if kind in rules.WRITTEN else None, "ended", [])
    assert refused.value.code == "ended"


def test_one_hand_and_one_break_at_a_time_but_several_questions():
    with pytest.raises(RuleViolation, match="already raised") as refused:
        rules.check_request("hand", None, "live", ["question", "hand"])
    assert refused.value.code == "already_waiting"
    with pytest.raises(RuleViolation, match="already asked for a break"):
        rules.check_request("break", None, "live", ["break"])
    assert rules.check_request("question", "And another?", "live", ["question", "question"]) == "And another?"


def test_a_participant_may_have_twenty_requests_waiting_and_no_more():
    assert rules.check_request("comment", "Noted", "live", ["comment"] * (rules.MAX_WAITING - 1)) == "Noted"
    with pytest.raises(RuleViolation) as refused:
        rules.check_request("comment", "Noted", "live", ["comment"] * rules.MAX_WAITING)
    assert refused.value.code == "too_many_waiting"


def test_answered_and_withdrawn_are_final():
    rules.check_withdraw("waiting")
    rules.check_answer("waiting")
    for check in (rules.check_withdraw, rules.check_answer):
        for status, code in (("answered", "already_answered"), ("withdrawn", "already_withdrawn")):
            with pytest.raises(RuleViolation) as refused:
                check(status)
            assert refused.value.code == code


def test_counts_leave_out_withdrawn_requests():
    requests = [
        {"kind": "hand", "status": "answered"},
        {"kind": "hand", "status": "withdrawn"},
        {"kind": "break", "status": "waiting"},
        {"kind": "question", "status": "answered"},
    ]
    assert rules.counts(requests) == {"hand": 1, "question": 1, "comment": 0, "break": 1}


def test_participants_ask_for_themselves_and_the_chair_and_note_takers_answer():
    for name in ("queue.raise_hand", "queue.ask", "queue.ask_break", "queue.withdraw"):
        assert {r for r in access.LINK_ROLES if access.may(r, name)} == {"participant"}
        assert name in access.OWN_ONLY
    assert {r for r in access.LINK_ROLES if access.may(r, "queue.answer")} == {"chair", "note_taker"}


def test_a_request_to_speak_is_shown_to_the_chair_note_takers_and_its_asker_only():
    assert access.sees_speaking_request("chair", None, 3)
    assert access.sees_speaking_request("note_taker", None, 3)
    assert access.sees_speaking_request("participant", 3, 3)
    assert not access.sees_speaking_request("participant", 4, 3)
    assert not access.sees_speaking_request("participant", None, 3)
    assert not access.sees_speaking_request("observer", 3, 3)
    assert not access.sees_speaking_request("screen", None, 3)
