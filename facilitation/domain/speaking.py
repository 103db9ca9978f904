"""The speaking queue: a quiet way to speak without interrupting.

A participant raises a hand, writes a question or a comment to the chair, or asks for a break, from
their own page; the chair (or a note-taker) sees the queue and marks each request answered; the
participant may withdraw one still waiting. Answered and withdrawn are final.

Written questions and comments may be sent before the meeting starts (a parent can send one while
waiting for it to begin); a raised hand and a break request only make sense while it is live. Nothing
new is accepted after it has ended. Raising a hand that is already up (or asking for a second break
while one waits) is refused, so a double press never queues the same person twice.
"""

from __future__ import annotations

from .agenda import ENDED, LIVE
from .errors import InvalidValue, RuleViolation

HAND, QUESTION, COMMENT, BREAK = "hand", "question", "comment", "break"
KINDS: dict[str, str] = {HAND: "Raised hand", QUESTION: "Question", COMMENT: "Comment", BREAK: "Break requested"}
#: Requests that carry the participant's words.
WRITTEN = (QUESTION, COMMENT)
#: Requests a participant has one of at a time: a second one adds nothing.
ONE_AT_A_TIME = (HAND, BREAK)

WAITING, ANSWERED, WITHDRAWN = "waiting", "answered", "withdrawn"
STATUSES: dict[str, str] = {WAITING: "Waiting", ANSWERED: "Answered", WITHDRAWN: "Withdrawn"}

#: The longest question or comment, in characters.
TEXT_MAX = 1000
#: Requests one participant may have waiting at once: enough for any meeting, not for a flood.
MAX_WAITING = 20


def check_request(kind: str, text: str | None, meeting_status: str, waiting_kinds: list[str]) -> str | None:
    """The text to keep for a new request (None for a hand or a break), or a refusal saying why not.

    `waiting_kinds` are the kinds of the participant's requests still waiting."""
    if kind not in KINDS:
        raise InvalidValue("Unknown kind of request.", field="kind")
    if meeting_status == ENDED:
        raise RuleViolation("The meeting has ended.", code="ended")
    if kind not in WRITTEN and meeting_status != LIVE:
        raise RuleViolation("The meeting has not started yet; you can send a written question now.", code="not_started")
    if kind in ONE_AT_A_TIME and kind in waiting_kinds:
        message = "Your hand is already raised." if kind == HAND else "You have already asked for a break."
        raise RuleViolation(message, code="already_waiting")
    if len(waiting_kinds) >= MAX_WAITING:
        raise RuleViolation(
            f"You have {MAX_WAITING} requests waiting; wait for the chair to answer some first.", code="too_many_waiting"
        )
    if kind not in WRITTEN:
        if text is not None:
            raise InvalidValue("A raised hand or a break request has no text.", field="text")
        return None
    return clean_text(text, kind)


def clean_text(text: str | None, kind: str) -> str:
    """A question's or comment's text, trimmed; refused when empty or too long."""
    label = KINDS[kind]
    value = text.strip() if isinstance(text, str) else ""
    if not value:
        raise InvalidValue(f"Write your {label.lower()}.", field="text")
    if len(value) > TEXT_MAX:
        raise InvalidValue(f"{label} is longer than {TEXT_MAX} characters.", field="text")
    return value


def check_withdraw(status: str) -> None:
    """Only a request still waiting can be withdrawn."""
    if status == ANSWERED:
        raise RuleViolation("This has already been answered.", code="already_answered")
    if status == WITHDRAWN:
        raise RuleViolation("This has already been withdrawn.", code="already_withdrawn")


def check_answer(status: str) -> None:
    """Only a request still waiting can be marked answered."""
    if status == ANSWERED:
        raise RuleViolation("This has already been marked answered.", code="already_answered")
    if status == WITHDRAWN:
        raise RuleViolation("The participant withdrew this.", code="already_withdrawn")


def counts(requests: list[dict]) -> dict[str, int]:
    """How many requests of each kind a meeting had (for the chair's record), withdrawn ones left out."""
    out = dict.fromkeys(KINDS, 0)
    for r in requests:
        if r["status"] != WITHDRAWN:
            out[r["kind"]] += 1
    return out
