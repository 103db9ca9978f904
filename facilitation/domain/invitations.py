"""Invitations to a meeting: where each stands, the replies an invitee can give, who the regulations
expect to be invited for each meeting type, and the notice each person had.

Pure data and arithmetic (no app): the services send the e-mails and keep the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import InvalidValue

# What the latest message to an invitee is: the first invitation, an update (the meeting was moved), a
# reminder to answer, or a cancellation (they were taken off the meeting). The iCalendar METHOD each is
# sent with: a reminder carries the request again, unchanged (same SEQUENCE).
INVITATION, UPDATE, REMINDER, CANCEL = "invitation", "invitation_update", "invitation_reminder", "invitation_cancel"
METHODS = {INVITATION: "REQUEST", UPDATE: "REQUEST", REMINDER: "REQUEST", CANCEL: "CANCEL"}
#: The messages that keep the invitation standing (all but a cancellation).
STANDING = frozenset({INVITATION, UPDATE, REMINDER})
# Where the latest message stands: waiting for a sender, handed over, or refused (retried, shown).
QUEUED, SENT, FAILED = "queued", "sent", "failed"

# The replies an invitee gives through their own link.
ACCEPTED, DECLINED, REMOTE_ONLY = "accepted", "declined", "remote_only"
REPLIES = {ACCEPTED: "Accepted", DECLINED: "Declined", REMOTE_ONLY: "Can only join remotely"}
REPLY_NOTE_MAX = 500

# The states the chair's list shows, in words.
NOT_INVITED, SENDING, INVITED, FAILED_STATE, CANCELLED = "not_invited", "sending", "invited", "failed", "cancelled"


def clean_reply(response: str, note: str | None) -> tuple[str, str | None]:
    """Check a reply and its note; return them tidied."""
    if response not in REPLIES:
        raise InvalidValue("Choose accept, decline or can only join remotely.", field="response")
    note = (note or "").strip() or None
    if note and len(note) > REPLY_NOTE_MAX:
        raise InvalidValue(f"The note is longer than {REPLY_NOTE_MAX} characters.", field="note")
    return response, note


def state_of(kind: str | None, status: str | None, ever_sent: bool, reply: str | None) -> str:
    """Where an invitation stands for the chair: a reply first, then the delivery of the latest message."""
    if kind == CANCEL:
        return CANCELLED
    if reply:
        return reply
    if status == FAILED:
        return FAILED_STATE
    if status == QUEUED:
        return INVITED if ever_sent else SENDING
    if status == SENT or ever_sent:
        return INVITED
    return NOT_INVITED


# ---------------------------------------------------------------- who must be there


@dataclass(frozen=True)
class Expected:
    """A place at the table the regulations or guidance expect: met by anyone with one of `roles`
    (or from one of `agencies`). `required` False: "when appropriate" (shown, never a warning)."""

    key: str
    label: str
    roles: frozenset[str]
    agencies: frozenset[str] = frozenset()
    required: bool = True
    note: str = ""


REG_20 = "https://www.legislation.gov.uk/uksi/2014/1530/regulation/20"
CFR_300_321 = "https://www.law.cornell.edu/cfr/text/34/300.321"

#: The people each meeting type expects, with the rule and its source. A meeting type not listed has no list
#: in the regulations (a SEN support review, a multi-agency meeting): nothing is warned of.
EXPECTED: dict[str, tuple[str, str, tuple[Expected, ...]]] = {
    "ehcp_annual_review": (
        "ENG-AR-04",
        REG_20,
        (
            Expected("parent", "Parent or young person", frozenset({"parent", "child"})),
            Expected("head", "Head teacher or provider", frozenset({"head_teacher", "senco"})),
            Expected("la", "Local authority SEN officer", frozenset({"la_officer"}), frozenset({"local_authority"})),
            Expected("health", "A health professional", frozenset({"paediatrician", "salt", "ot"}), frozenset({"health"})),
            Expected("social_care", "Social care", frozenset({"social_worker"}), frozenset({"social_care"})),
        ),
    ),
    "iep_meeting": (
        "34 CFR 300.321",
        CFR_300_321,
        (
            Expected("parent", "Parent", frozenset({"parent"})),
            Expected("regular_teacher", "Regular education teacher", frozenset({"class_teacher"}),
                     note="if the child is, or may be, in the regular education environment"),
            Expected("special_teacher", "Special education teacher or provider", frozenset({"special_education_teacher"})),
            Expected("district", "School district representative", frozenset({"district_representative"})),
            Expected("evaluation", "Someone who can interpret the evaluation results",
                     frozenset({"educational_psychologist", "special_education_teacher", "district_representative", "salt", "ot"}),
                     note="may be one of the members above"),
            Expected("child", "The child, when appropriate", frozenset({"child"}), required=False),
        ),
    ),
}


@dataclass(frozen=True)
class Person:
    """Someone at the meeting, as the check needs them."""

    role: str
    agency: str
    invited: bool


@dataclass(frozen=True)
class RoleCheck:
    """One expected place and how it is filled: missing (nobody), not_invited (someone, not yet sent) or invited."""

    expected: Expected
    state: str

    @property
    def warning(self) -> bool:
        return self.expected.required and self.state != "invited"

    def as_dict(self) -> dict:
        e = self.expected
        text = {"missing": "nobody with this role is on the list", "not_invited": "on the list, not invited yet",
                "invited": "invited"}[self.state]
        return {"key": e.key, "label": e.label, "required": e.required, "note": e.note, "state": self.state,
                "text": text, "warning": self.warning}


def who_must_be_there(meeting_type: str, people: list[Person]) -> list[RoleCheck]:
    """Each place the meeting type expects, and whether someone fills it and was invited."""
    if meeting_type not in EXPECTED:
        return []
    checks = []
    for expected in EXPECTED[meeting_type][2]:
        fits = [p for p in people if p.role in expected.roles or p.agency in expected.agencies]
        state = "missing" if not fits else "invited" if any(p.invited for p in fits) else "not_invited"
        checks.append(RoleCheck(expected, state))
    return checks


# ---------------------------------------------------------------- the notice each person had

#: The rule each meeting type's notice is measured against (domain.statutory.rules).
NOTICE_RULES = {"ehcp_annual_review": "ENG-AR-05", "iep_meeting": "US-IEP-04"}


@dataclass(frozen=True)
class Notice:
    """Days between the invitation going out and the meeting, against the rule's latest date (if it has one)."""

    days: int
    latest: date | None
    short: bool

    def text(self) -> str:
        days = f"{self.days} day{'s' if self.days != 1 else ''} notice"
        if self.latest is None:
            return days
        return f"{days}: short notice" if self.short else days


def notice(sent_on: date, meeting_day: date, latest: date | None) -> Notice:
    """The notice someone invited on `sent_on` had; short when sent after the rule's latest date."""
    return Notice((meeting_day - sent_on).days, latest, latest is not None and sent_on > latest)


# ---------------------------------------------------------------- what the e-mail says

#: What each meeting type is for, in words a parent reads as easily as a professional.
PURPOSE = {
    "ehcp_annual_review": "to look back at the past year of the Education, Health and Care plan: what has gone well, "
    "what has not, and whether the plan should stay as it is, change or end.",
    "sen_support_review": "to look at how the support at school is going, agree what happens next and who does what.",
    "multi_agency": "for the people supporting the child from school, health, social care and the family to share "
    "what they know and agree what happens next.",
    "iep_meeting": "to review the Individualized Education Program (IEP): progress, goals for the year and the "
    "services the school provides.",
    "disagreement_resolution": "to talk through a disagreement about the support and look for an agreement everyone "
    "can accept.",
}
#: What to bring, for everyone invited.
TO_BRING = (
    "Your own views, and the child's or young person's views if you have gathered them.",
    "Any reports, letters or advice you would like the meeting to consider (send them to the chair beforehand if you can).",
    "Questions you would like answered.",
)
