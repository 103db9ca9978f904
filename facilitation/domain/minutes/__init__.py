"""The minutes: built from the meeting's record, circulated, confirmed, approved and amended.

Pure Python (stdlib only). `build_minutes` takes the record as plain data (the same dictionaries the
read side shows clients) and returns a `Minutes` value; renderers in `facilitation.exports` turn that
value into bytes (their labels and line formats live in `facilitation.exports.text`). A `Minutes`
value survives a round trip through JSON (`to_dict` / `from_dict`), which is how an approved version
is frozen: what was approved is stored, never rebuilt.

Text people typed is carried as typed. Nothing here formats it as markup; each renderer escapes it.

The modules: `values` (the Minutes value and its vocabulary), `building` (from the record),
`family` (the family's plain-language summary), `circulation` (circulating, answers, approval,
amendments, versions compared), `wording` (how a date and a person are written). Their public names
are gathered here, so callers write `minutes.build_minutes`, `minutes.Minutes`, `minutes.APPROVED`.
"""

from .building import REVIEW_REPORT_RULE, RecordData, build_minutes, owner_key
from .circulation import (
    COMMENT_MAX,
    NOTE_MAX,
    VIEWS_MAX,
    check_can_amend,
    check_can_approve,
    check_can_circulate,
    check_can_respond,
    check_details_editable,
    check_next_review_date,
    check_recommendation,
    clean_comment,
    compare,
    completeness,
    fingerprint,
    tally,
    with_stamp,
)
from .family import (
    ADVICE_DISAGREEMENT,
    ADVICE_ENGLAND,
    ADVICE_US,
    GLOSSARY,
    MEETING_TYPES_PLAIN,
    NEXT_STEPS_PLAIN,
    ROLES_PLAIN,
    family_summary,
)
from .values import (
    APPROVED,
    CIRCULATED,
    CONFIRMED,
    CORRECTION,
    DRAFT,
    FORMAT,
    RECOMMENDATIONS,
    RESPONSES,
    VERSION_STATUSES,
    ActionEntry,
    Advice,
    AgendaEntry,
    Attendance,
    DecisionEntry,
    DisagreementEntry,
    FamilySummary,
    MeetingDetails,
    Minutes,
    Person,
    PositionEntry,
    StatutoryDate,
    SummaryStep,
    Term,
    VersionStamp,
)
from .wording import person_line, uk_date

__all__ = [
    "ADVICE_DISAGREEMENT",
    "ADVICE_ENGLAND",
    "ADVICE_US",
    "APPROVED",
    "CIRCULATED",
    "COMMENT_MAX",
    "CONFIRMED",
    "CORRECTION",
    "DRAFT",
    "FORMAT",
    "GLOSSARY",
    "MEETING_TYPES_PLAIN",
    "NEXT_STEPS_PLAIN",
    "NOTE_MAX",
    "RECOMMENDATIONS",
    "RESPONSES",
    "REVIEW_REPORT_RULE",
    "ROLES_PLAIN",
    "VERSION_STATUSES",
    "VIEWS_MAX",
    "ActionEntry",
    "Advice",
    "AgendaEntry",
    "Attendance",
    "DecisionEntry",
    "DisagreementEntry",
    "FamilySummary",
    "MeetingDetails",
    "Minutes",
    "Person",
    "PositionEntry",
    "RecordData",
    "StatutoryDate",
    "SummaryStep",
    "Term",
    "VersionStamp",
    "build_minutes",
    "check_can_amend",
    "check_can_approve",
    "check_can_circulate",
    "check_can_respond",
    "check_details_editable",
    "check_next_review_date",
    "check_recommendation",
    "clean_comment",
    "compare",
    "completeness",
    "family_summary",
    "fingerprint",
    "owner_key",
    "person_line",
    "tally",
    "uk_date",
    "with_stamp",
]
