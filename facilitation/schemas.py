"""Shapes of what clients send, shared by the socket adapter, the JSON API and its OpenAPI document,
and the shape of the error they get back when something they sent is refused.

Types and sizes are checked here (strict: no silent coercion of "5" to 5); the domain then checks
the rules of the meeting. Messages are written for the person who sees them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from .domain import action_log as action_rules
from .domain import agenda as agenda_rules
from .domain import documents as document_rules
from .domain import invitations as invitation_rules
from .domain import meetings as meeting_rules
from .domain import minutes as minutes_rules
from .domain import outcomes as outcome_rules
from .domain import registers
from .domain import routes as route_rules
from .domain import speaking as speaking_rules
from .domain.errors import Conflict, RuleViolation
from .domain.minutes import reports as report_rules
from .domain.statutory import organisation as org_rules
from .domain.statutory import rules as statutory_rules
from .domain.statutory import timeline as statutory_timeline

#: The largest id a client may name: the database's integer (PostgreSQL's `integer` is 32-bit), so
#: a larger one is "no such entry", never an overflow in the database.
MAX_ID = 2**31 - 1


def _whole(value: Any) -> Any:
    # JSON has one kind of number: 3.0 is the number 3 (JSON Schema's "integer" says so too), as some
    # clients write it. Anything else, a string "3" included, still goes to the strict check.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def Number(**bounds: int) -> Any:  # noqa: N802 - reads like a type in the models below
    """A whole number, as JSON means it, within `bounds` (ge, le, multiple_of)."""
    # The bounds before the validator, so that the OpenAPI schema says minimum and maximum.
    return Annotated[int, Field(**bounds), BeforeValidator(_whole)]


Id = Number(ge=1, le=MAX_ID)


def parse_id(text: str) -> int | None:
    """A decimal id from a form or query string, or None when it is not one in range."""
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


CommandId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("Must be a date like 2026-03-14.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value} is not a real date.") from None


def _iso_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("Must be a date and time, like 2026-03-14T09:30:00Z.")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("Must be a date and time, like 2026-03-14T09:30:00Z.") from None


IsoDate = Annotated[date, BeforeValidator(_iso_date), Field(strict=False)]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime), Field(strict=False)]


# Typed text. Every text field is one of two kinds, and both are stored in Unicode NFC (the form a
# keyboard produces, so that the same name typed on two devices compares equal):
# - a *line* (a name, a title, a reference): no line breaks and no control characters at all;
# - a *text* (a decision, a view, a note): line breaks kept (CR LF, CR, U+2028 and U+2029 become LF),
#   no other control characters (NUL, ESC, DEL, tabs, the C1 range).
# The patterns say the same in the OpenAPI document; a required field must also hold more than spaces.
_LINE_FORBIDDEN = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029"
_TEXT_FORBIDDEN = "\\x00-\\x09\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
LINE_PATTERN = f"^[^{_LINE_FORBIDDEN}]*$"
TEXT_PATTERN = f"^[^{_TEXT_FORBIDDEN}]*$"
REQUIRED_LINE_PATTERN = f"^[^{_LINE_FORBIDDEN}]*[^\\s{_LINE_FORBIDDEN}][^{_LINE_FORBIDDEN}]*$"
REQUIRED_TEXT_PATTERN = f"^[^{_TEXT_FORBIDDEN}]*[^\\s{_TEXT_FORBIDDEN}][^{_TEXT_FORBIDDEN}]*$"
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
#: characters that end a line, for the message that a one-line field got several
_BREAKS = frozenset("\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85")


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _nfc_with_newlines(value: str) -> str:
    return unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", value))


def _documented_as_required(pattern: str) -> Any:
    # A blank required field is refused by the domain, with a message that names what is missing ("The
    # meeting needs a title."); the document says the same with a pattern that wants a non-space.
    return Field(json_schema_extra={"pattern": pattern, "minLength": 1})


def Line(max_length: int, *, required: bool = False) -> Any:  # noqa: N802 - reads like a type in the models below
    """One line of text: a name, a title, a reference."""
    line = Annotated[str, StringConstraints(max_length=max_length, pattern=LINE_PATTERN), AfterValidator(_nfc)]
    return Annotated[line, _documented_as_required(REQUIRED_LINE_PATTERN)] if required else line


def Text(max_length: int, *, required: bool = False) -> Any:  # noqa: N802 - reads like a type in the models below
    """Text that may run over several lines: a decision, a view, a note."""
    text = Annotated[str, StringConstraints(max_length=max_length, pattern=TEXT_PATTERN), AfterValidator(_nfc_with_newlines)]
    return Annotated[text, _documented_as_required(REQUIRED_TEXT_PATTERN)] if required else text


def OneOf(options) -> Any:  # noqa: N802 - reads like a type in the models below
    """One of the keys of a domain table (meeting types, roles, agencies, statuses...): the document lists
    them; an unknown one is refused by the domain, with a message that names the field ("Unknown role.")."""
    key = Annotated[str, StringConstraints(max_length=max(map(len, options)), pattern=LINE_PATTERN)]
    return Annotated[key, Field(json_schema_extra={"enum": list(options)})]


def _pattern_message(value: Any, pattern: str | None) -> str:
    """Why a text did not match its pattern, in words."""
    if isinstance(value, str) and pattern == LINE_PATTERN and _BREAKS & set(value):
        return "Must be one line, without line breaks."
    return "Must not contain control characters (such as NUL, escape or tab)."


class Args(BaseModel):
    """Base for command arguments: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


class NoArgs(Args):
    pass


class UpdateMeetingArgs(Args):
    version: Id
    title: Line(meeting_rules.TITLE_MAX, required=True) | None = None
    meeting_type: OneOf(meeting_rules.MEETING_TYPES) | None = None
    child_ref: Line(meeting_rules.CHILD_REF_MAX, required=True) | None = None
    scheduled_start: IsoDateTime | None = None
    scheduled_end: IsoDateTime | None = None


#: an item's time scale in percent: 100 to 300 in steps of 25 (x1 to x3)
TimeScale = Number(ge=agenda_rules.TIME_SCALE_MIN, le=agenda_rules.TIME_SCALE_MAX, multiple_of=agenda_rules.TIME_SCALE_STEP)


class AddItemArgs(Args):
    title: Line(agenda_rules.TITLE_MAX, required=True)
    presenter: Line(agenda_rules.PRESENTER_MAX) | None = None
    minutes: Number(ge=agenda_rules.MIN_ITEM_MINUTES, le=agenda_rules.MAX_ITEM_MINUTES)
    #: percent of the minutes the item is given, e.g. 150 when it is interpreted
    time_scale: TimeScale = agenda_rules.TIME_SCALE_DEFAULT


class UpdateItemArgs(Args):
    item_id: Id
    version: Id
    title: Line(agenda_rules.TITLE_MAX, required=True) | None = None
    presenter: Line(agenda_rules.PRESENTER_MAX) | None = None
    minutes: (
        Number(ge=agenda_rules.MIN_ITEM_MINUTES, le=agenda_rules.MAX_ITEM_MINUTES) | None
    ) = None
    time_scale: TimeScale | None = None


class ScaleTimeArgs(Args):
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=agenda_rules.MAX_ITEMS)]
    time_scale: TimeScale


class ItemArgs(Args):
    item_id: Id


class OptionalItemArgs(Args):
    item_id: Id | None = None


class ReorderArgs(Args):
    item_ids: Annotated[list[Id], Field(min_length=1, max_length=agenda_rules.MAX_ITEMS)]


class ExtendArgs(Args):
    seconds: Number(ge=60, le=agenda_rules.MAX_EXTENSION_SECONDS, multiple_of=60)


class AddParticipantArgs(Args):
    name: Line(meeting_rules.NAME_MAX, required=True)
    role: OneOf(meeting_rules.PARTICIPANT_ROLES)
    agency: OneOf(meeting_rules.AGENCIES)
    agency_name: Line(meeting_rules.AGENCY_NAME_MAX) | None = None
    #: for reminders of their actions; never shown to others in the meeting
    email: Line(254) | None = None
    #: an observer follows the meeting read-only (and sees no confidential entries)
    observer: bool = False
    #: the language they speak in the meeting, e.g. "Polish"
    language: Line(meeting_rules.LANGUAGE_MAX) | None = None
    needs_interpreter: bool = False


class UpdateParticipantArgs(Args):
    participant_id: Id
    version: Id
    name: Line(meeting_rules.NAME_MAX, required=True) | None = None
    role: OneOf(meeting_rules.PARTICIPANT_ROLES) | None = None
    agency: OneOf(meeting_rules.AGENCIES) | None = None
    agency_name: Line(meeting_rules.AGENCY_NAME_MAX) | None = None
    email: Line(254) | None = None
    language: Line(meeting_rules.LANGUAGE_MAX) | None = None
    needs_interpreter: bool | None = None


class ParticipantArgs(Args):
    participant_id: Id


class LinkArgs(Args):
    link_id: Id


class InviteArgs(Args):
    participant_id: Id
    #: the address to invite them at (kept as their address for reminders too); default: the one on file
    email: Line(254) | None = None


class InvitationReplyArgs(Args):
    #: accepted, declined or remote_only (domain.invitations.REPLIES)
    response: OneOf(invitation_rules.REPLIES)
    #: "I need an interpreter in <language>": sets their language and need of an interpreter
    interpreter_language: Line(meeting_rules.LANGUAGE_MAX) | None = None
    note: Text(invitation_rules.REPLY_NOTE_MAX) | None = None


class AddNoteTakerArgs(Args):
    #: the staff account's e-mail address
    email: Annotated[str, StringConstraints(min_length=3, max_length=254, strip_whitespace=True)]


class CreateMeetingArgs(Args):
    title: Line(meeting_rules.TITLE_MAX, required=True)
    meeting_type: OneOf(meeting_rules.MEETING_TYPES)
    child_ref: Line(meeting_rules.CHILD_REF_MAX, required=True)
    scheduled_start: IsoDateTime
    scheduled_end: IsoDateTime
    use_usual_agenda: bool = True


# ---------------------------------------------------------------- registers

R = registers


class RecordDecisionArgs(Args):
    agenda_item_id: Id | None = None
    text: Text(R.TEXT, required=True)
    reasons: Text(R.LONG_TEXT) | None = None
    evidence: Text(R.TEXT) | None = None
    options_considered: Text(R.LONG_TEXT) | None = None
    status: OneOf(R.DECISION_STATUSES) = R.AGREED
    dissenter_ids: Annotated[list[Id], Field(max_length=40)] = []
    disagreement_id: Id | None = None
    review_date: IsoDate | None = None
    #: seen only by the chair and note-takers; never sent to the shared screen or participants
    confidential: bool = False
    cited_document_ids: Annotated[list[Id], Field(max_length=20)] | None = None
    #: the decision proposes or refuses an action (a US prior written notice is made for it), and the
    #: other factors relevant to it
    notice: OneOf(report_rules.NOTICE_KINDS) | None = None
    other_factors: Text(R.LONG_TEXT) | None = None
    #: the child's views it answers: ids of the meeting's answered child_views requests, and whether it
    #: answers the views recorded in the minutes
    answers_view_ids: Annotated[list[Id], Field(max_length=20)] | None = None
    answers_recorded_views: bool = False


class UpdateDecisionArgs(Args):
    decision_id: Id
    version: Id
    agenda_item_id: Id | None = None
    text: Text(R.TEXT, required=True) | None = None
    reasons: Text(R.LONG_TEXT) | None = None
    evidence: Text(R.TEXT) | None = None
    options_considered: Text(R.LONG_TEXT) | None = None
    status: OneOf(R.DECISION_STATUSES) | None = None
    dissenter_ids: Annotated[list[Id], Field(max_length=40)] | None = None
    disagreement_id: Id | None = None
    review_date: IsoDate | None = None
    confidential: bool | None = None
    cited_document_ids: Annotated[list[Id], Field(max_length=20)] | None = None
    notice: OneOf(report_rules.NOTICE_KINDS) | None = None
    other_factors: Text(R.LONG_TEXT) | None = None
    answers_view_ids: Annotated[list[Id], Field(max_length=20)] | None = None
    answers_recorded_views: bool | None = None


class DecisionArgs(Args):
    decision_id: Id
    version: Id


class RecordActionArgs(Args):
    agenda_item_id: Id | None = None
    what: Text(R.TEXT, required=True)
    owner_participant_id: Id | None = None
    owner_name: Line(R.NAME) | None = None
    owner_agency: Line(R.NAME) | None = None
    due_date: IsoDate
    follow_up_date: IsoDate
    need: Line(R.SHORT_TEXT) | None = None
    #: seen only by the chair and note-takers; never sent to the shared screen or participants
    confidential: bool = False
    cited_document_ids: Annotated[list[Id], Field(max_length=20)] | None = None


class UpdateActionArgs(Args):
    action_id: Id
    version: Id
    agenda_item_id: Id | None = None
    what: Text(R.TEXT, required=True) | None = None
    owner_participant_id: Id | None = None
    owner_name: Line(R.NAME) | None = None
    owner_agency: Line(R.NAME) | None = None
    due_date: IsoDate | None = None
    follow_up_date: IsoDate | None = None
    need: Line(R.SHORT_TEXT) | None = None
    confidential: bool | None = None
    cited_document_ids: Annotated[list[Id], Field(max_length=20)] | None = None


class ActionArgs(Args):
    action_id: Id
    version: Id


class ConfirmActionArgs(Args):
    action_id: Id


class PositionInput(Args):
    participant_id: Id | None = None
    party_name: Line(R.NAME) | None = None
    agency: Line(R.NAME) | None = None
    view: Text(R.LONG_TEXT, required=True)
    evidence: Text(R.TEXT) | None = None
    cited_document_ids: Annotated[list[Id], Field(max_length=20)] | None = None


class RecordDisagreementArgs(Args):
    agenda_item_id: Id | None = None
    topic: Text(R.TEXT, required=True)
    positions: Annotated[list[PositionInput], Field(max_length=20)] = []
    #: seen only by the chair and note-takers; never sent to the shared screen or participants
    confidential: bool = False


class UpdateDisagreementArgs(Args):
    disagreement_id: Id
    version: Id
    agenda_item_id: Id | None = None
    topic: Text(R.TEXT, required=True) | None = None
    resolved: bool | None = None
    resolution: Text(R.LONG_TEXT) | None = None
    about: OneOf(sorted(route_rules.every_kind_key())) | None = None
    next_step: OneOf(sorted(route_rules.every_route_key())) | None = None
    route_dates: dict[OneOf(sorted(route_rules.every_date_event())), IsoDate] | None = Field(
        default=None, max_length=8, description="The dates the route's clocks start from (domain.routes.asks_for), by name"
    )
    next_step_owner_participant_id: Id | None = None
    next_step_owner_name: Line(R.NAME) | None = None
    next_step_agency: Line(R.NAME) | None = None
    follow_up_date: IsoDate | None = None
    confidential: bool | None = None


class ReflectOnDisagreementArgs(Args):
    """The reflective review after a disagreement was resolved: scheduled, then what it found."""

    disagreement_id: Id
    version: Id
    reflection_date: IsoDate | None = None
    what_worked: Text(R.TEXT) | None = None
    do_differently: Text(R.TEXT) | None = None


class RoutePreviewArgs(Args):
    """A disagreement's route as typed in the chair's form, to see its dates before saving."""

    about: OneOf(sorted(route_rules.every_kind_key())) | None = None
    next_step: OneOf(sorted(route_rules.every_route_key())) | None = None
    route_dates: dict[OneOf(sorted(route_rules.every_date_event())), IsoDate] = Field(default_factory=dict, max_length=8)
    follow_up_date: IsoDate | None = None


class DisagreementArgs(Args):
    disagreement_id: Id
    version: Id


class AddPositionArgs(PositionInput):
    disagreement_id: Id


class UpdatePositionArgs(Args):
    position_id: Id
    version: Id
    view: Text(R.LONG_TEXT, required=True) | None = None
    evidence: Text(R.TEXT) | None = None
    agency: Line(R.NAME, required=True) | None = None
    cited_document_ids: Annotated[list[Id], Field(max_length=20)] | None = None


class PositionArgs(Args):
    position_id: Id
    version: Id


class SetAttendanceArgs(Args):
    participant_id: Id
    attendance: OneOf(R.ATTENDANCE)
    arrived_late: bool = False
    left_early: bool = False


class AskArgs(Args):
    kind: OneOf(speaking_rules.WRITTEN)
    text: Text(speaking_rules.TEXT_MAX, required=True)


class SpeakingRequestArgs(Args):
    request_id: Id


class CommandEnvelope(BaseModel):
    """What a socket `command` event carries."""

    model_config = ConfigDict(strict=True, extra="forbid")
    id: CommandId | None = None
    name: Line(60)
    args: dict[str, Any] = Field(default_factory=dict)


class SyncArgs(Args):
    last_seq: Number(ge=0, le=2**53) | None = None


class OrganisationSettingsArgs(Args):
    """What an administrator sets for the organisation."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    #: at least a year, at most 50 years: the law sets how long records of children are kept
    retention_months: Number(ge=12, le=600)
    #: invite links work this many days after the meeting (at least a day, at most five years)
    invite_link_days: Number(ge=1, le=1825)


_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ISSUER = re.compile(r"^https?://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$")


def _issuer(value: str) -> str:
    value = value.strip()
    if value and not _ISSUER.match(value):
        raise ValueError(
            "Must be the provider's issuer address, like https://login.microsoftonline.com/<tenant id>/v2.0."
        )
    return value


def _domains(value: str) -> list[str]:
    found: list[str] = []
    for part in re.split(r"[\s,;]+", value.strip().lower()):
        if not part:
            continue
        part = part.removeprefix("@")
        if not _DOMAIN.match(part):
            raise ValueError(f"“{part[:60]}” is not an e-mail domain (like school.example.org).")
        if part not in found:
            found.append(part)
    if len(found) > 50:
        raise ValueError("At most 50 domains.")
    return found


def _sso_role(value: str) -> str:
    if value not in ("chair", "note_taker"):
        raise ValueError("Choose Chair (SENCO) or Note-taker.")
    return value


class SingleSignOnSettingsArgs(Args):
    """What an organisation's administrator sets for signing in with the school's own accounts (OpenID
    Connect). An empty issuer switches it off; an empty client secret keeps the one stored."""

    issuer: Annotated[str, StringConstraints(max_length=500), AfterValidator(_issuer)] = ""
    client_id: Annotated[str, StringConstraints(max_length=255, strip_whitespace=True)] = ""
    #: at most 256 characters, so that sealed (encrypted) it fits its column
    client_secret: Annotated[str, StringConstraints(max_length=256, strip_whitespace=True)] = ""
    #: e-mail domains, separated by commas, spaces or new lines
    domains: Annotated[str, StringConstraints(max_length=5000), AfterValidator(_domains)] = ""
    #: the role of an account a first sign-in makes (never administrator)
    default_role: Annotated[str, AfterValidator(_sso_role)] = "note_taker"
    sso_required: bool = False


class _Checks:
    """A helper namespace: checks for the organisation's contacts and calendar, with messages for the person."""

    PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,38}$")
    EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
    WEB = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)

    @staticmethod
    def phone(value: str) -> str:
        value = value.strip()
        if value and (not _Checks.PHONE.match(value) or sum(c.isdigit() for c in value) < 3):
            raise ValueError("Must be a phone number: digits, spaces and + ( ) - . / only.")
        return value

    @staticmethod
    def email(value: str) -> str:
        value = value.strip()
        if value and not _Checks.EMAIL.match(value):
            raise ValueError("Must be an e-mail address, like advice@example.org.")
        return value

    @staticmethod
    def web(value: str) -> str:
        value = value.strip()
        if value and not _Checks.WEB.match(value):
            raise ValueError("Must be a web address starting with https:// (or http://).")
        return value

    @staticmethod
    def zone(value: str) -> str:
        value = value.strip()
        if value and value not in _known_zones():
            raise ValueError(f"{value[:64]} is not a time zone name; use one like Europe/London or America/Chicago.")
        return value

    @staticmethod
    def state(value: str) -> str:
        value = value.strip().upper()
        if value and value not in org_rules.US_STATES:
            raise ValueError("Must be a two-letter US state code (like OH), or empty for the federal defaults.")
        return value

    @staticmethod
    def terms(value: str) -> list:
        try:
            return org_rules.parse_terms(value)
        except org_rules.LinesRefused as refused:
            raise ValueError(str(refused)) from None

    @staticmethod
    def closures(value: str) -> list:
        try:
            return org_rules.parse_closures(value)
        except org_rules.LinesRefused as refused:
            raise ValueError(str(refused)) from None


_ZONES: frozenset[str] = frozenset()


def _known_zones() -> frozenset[str]:
    global _ZONES
    if not _ZONES:
        import zoneinfo

        _ZONES = frozenset(zoneinfo.available_timezones())
    return _ZONES


class ContactArgs(Args):
    """A local service: its name and how to reach it, every part optional."""

    name: Annotated[Line(120), AfterValidator(str.strip)] = ""
    phone: Annotated[str, StringConstraints(max_length=40), AfterValidator(_Checks.phone)] = ""
    email: Annotated[str, StringConstraints(max_length=254), AfterValidator(_Checks.email)] = ""
    web: Annotated[str, StringConstraints(max_length=300), AfterValidator(_Checks.web)] = ""


class StatutorySettingsArgs(Args):
    """The organisation's statutory clock settings, as the administrator's form sends them.

    Term dates and closure days are typed as lines ("2026-09-03 to 2026-12-18", "2026-11-13 INSET day");
    they arrive here as text and leave as date spans (domain.statutory.organisation).
    """

    advice: ContactArgs = Field(default_factory=ContactArgs)
    disagreement_resolution: ContactArgs = Field(default_factory=ContactArgs)
    mediation: ContactArgs = Field(default_factory=ContactArgs)
    #: an IANA time zone name; empty: the TIMEZONE setting (Europe/London by default)
    timezone: Annotated[str, StringConstraints(max_length=64), AfterValidator(_Checks.zone)] = ""
    terms: Annotated[str, StringConstraints(max_length=8000), AfterValidator(_Checks.terms)] = ""
    closures: Annotated[str, StringConstraints(max_length=30000), AfterValidator(_Checks.closures)] = ""
    #: a two-letter US state code; empty: the federal defaults
    us_state: Annotated[str, StringConstraints(max_length=20), AfterValidator(_Checks.state)] = ""
    us_evaluation_days: Number(ge=1, le=365) | None = None
    us_due_process_years: Number(ge=1, le=10) | None = None


class FieldErrors(ValueError):
    """Validation failed; `fields` maps each field to a message for the person."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("Some of the values sent are not valid.")
        self.fields = fields


_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not expected here.",
    "int_type": "Must be a whole number.",
    "int_from_float": "Must be a whole number.",
    "string_type": "Must be text.",
    "bool_type": "Must be true or false.",
    "list_type": "Must be a list.",
    "dict_type": "Must be an object.",
    "model_type": "Must be an object.",
    "datetime_type": "Must be a date and time, like 2026-03-14T09:30:00Z.",
    "datetime_parsing": "Must be a date and time, like 2026-03-14T09:30:00Z.",
    "datetime_from_date_parsing": "Must be a date and time, like 2026-03-14T09:30:00Z.",
}


def parse(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate `data` against `model`; raise FieldErrors with one message per field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FieldErrors({"_": "The arguments must be a JSON object."})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in err["loc"] if not isinstance(p, int) or len(err["loc"]) == 1)
            key = loc or "_"
            kind = err["type"]
            ctx = err.get("ctx") or {}
            if kind == "string_too_long":
                msg = f"Must be at most {ctx.get('max_length')} characters."
            elif kind == "string_too_short":
                msg = "Must not be empty."
            elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
                msg = f"Out of range: {err['msg'].lower()}."
            elif kind == "multiple_of":
                msg = "Must be a whole number of minutes (a multiple of 60 seconds)."
            elif kind == "string_pattern_mismatch":
                msg = _pattern_message(err.get("input"), ctx.get("pattern"))
            elif kind in ("too_long", "too_short"):
                msg = err["msg"] + "."
            elif kind == "value_error":
                msg = str(ctx.get("error") or err["msg"])
            else:
                msg = _MESSAGES.get(kind, err["msg"])
            fields.setdefault(key, msg)
        raise FieldErrors(fields) from None


def error_payload(exc: Exception) -> dict:
    """A refused command as the client sees it: a code, a message and per-field messages."""
    if isinstance(exc, FieldErrors):
        return {"ok": False, "error": {"code": "invalid", "message": str(exc), "fields": exc.fields}}
    if isinstance(exc, Conflict):
        return {"ok": False, "error": {"code": exc.code, "message": exc.message, "current": exc.current}}
    if isinstance(exc, RuleViolation):
        error = {"code": exc.code, "message": exc.message}
        if exc.field:
            error["fields"] = {exc.field: exc.message}
        return {"ok": False, "error": error}
    raise exc


# ---------------------------------------------------------------- the statutory calculator

#: A statutory rule's id as in docs/statutory-rules.md (ENG-AR-08, US-DP-06B).
STATUTORY_RULE_ID = r"^[A-Z]{2,3}-[A-Z]{2,4}-[0-9]{2}[A-Z]?$"


class StatutoryComputeArgs(Args):
    """A statutory rule to compute, as sent to POST /api/v1/statutory/compute."""

    rule_id: Annotated[str, StringConstraints(max_length=16, pattern=STATUTORY_RULE_ID)]
    jurisdiction: OneOf(("ENG", "US"))
    starts: dict[str, IsoDate] = Field(
        max_length=8, description="The rule's start dates by name (its `start_events`), e.g. {\"meeting_date\": \"2027-05-14\"}"
    )


# ---------------------------------------------------------------- the statutory record of a meeting

StatutoryRuleId = Annotated[str, StringConstraints(max_length=16, pattern=STATUTORY_RULE_ID)]
#: The longest reason an exception may carry.
EXCEPTION_REASON_MAX = 1000


class RecordStepDoneArgs(Args):
    """A step of the meeting's statutory timeline was done on a date (the organisation's local date)."""

    rule_id: StatutoryRuleId
    done_on: IsoDate


class RecordStepExceptionArgs(Args):
    """An exception the step's rule allows, with its reason; `days` only where the rule moves the date by them."""

    rule_id: StatutoryRuleId
    exception: OneOf(tuple(statutory_rules.EXCEPTIONS))
    reason: Text(EXCEPTION_REASON_MAX, required=True)
    days: Number(ge=1, le=366) | None = None


class UndoStepArgs(Args):
    """Take back what was recorded of a step: the day it was done, or its exception."""

    rule_id: StatutoryRuleId
    what: OneOf(("done", "exception"))


class SetProcessDatesArgs(Args):
    """The meeting's process dates (Prepare view); only the fields sent change, null clears one."""

    phase_transfer: OneOf(tuple(statutory_timeline.PHASE_TRANSFERS)) | None = None
    transfer_date: IsoDate | None = None
    last_evaluation_date: IsoDate | None = None
    consent_date: IsoDate | None = None
    eligibility_date: IsoDate | None = None


# ---------------------------------------------------------------- the action log after the meeting


class StatutoryViewFilters(Args):
    """The action log's statutory view filters, from its query string (?child_ref=&meeting=)."""

    child_ref: Line(meeting_rules.CHILD_REF_MAX) | None = None
    meeting: Id | None = None


class ProgressFields(Args):
    """A progress update as sent to /api/v1/actions/{action_id}/progress (the action is in the path)."""

    version: Id
    status: Line(20) | None = None
    note: Text(action_rules.NOTE_MAX) | None = None
    evidence: Text(action_rules.EVIDENCE_MAX) | None = None
    occurred_on: IsoDate | None = None


class RecordProgressArgs(ProgressFields):
    action_id: Id


class MissedProvisionFields(Args):
    """Support that did not happen, as sent to /api/v1/actions/{action_id}/missed-provision."""

    occurred_on: IsoDate
    note: Text(action_rules.NOTE_MAX, required=True)


class ReportMissedArgs(MissedProvisionFields):
    action_id: Id


class SetOwnerEmailArgs(Args):
    action_id: Id
    version: Id
    email: Line(action_rules.EMAIL_MAX) | None = None


class SetChairEmailArgs(Args):
    email: Line(action_rules.EMAIL_MAX) | None = None


# ---------------------------------------------------------------- minutes


class UpdateMinutesDetailsArgs(Args):
    version: Id
    child_views: Text(minutes_rules.VIEWS_MAX) | None = None
    family_views: Text(minutes_rules.VIEWS_MAX) | None = None
    easy_read: Text(minutes_rules.VIEWS_MAX) | None = None
    next_review_date: IsoDate | None = None
    recommendation: Line(20) | None = None


class RespondToMinutesArgs(Args):
    number: Id
    revision: Number(ge=1, le=10_000)


class AnswerSectionArgs(RespondToMinutesArgs):
    """A participant's answer to one section of the circulated draft."""

    section: Line(40, required=True)
    answer: OneOf(("agree", "dissent"))
    comment: Text(minutes_rules.COMMENT_MAX) | None = None


class RequestCorrectionArgs(RespondToMinutesArgs):
    comment: Text(minutes_rules.COMMENT_MAX, required=True)


class ApproveMinutesArgs(Args):
    number: Id


class AmendMinutesArgs(Args):
    number: Id
    note: Text(minutes_rules.NOTE_MAX, required=True)


# ---------------------------------------------------------------- the evidence pack (domain.documents)




class RequestEvidenceArgs(Args):
    """Ask an invitee for their advice or report, or for the child's or young person's views."""

    participant_id: Id
    kind: OneOf(tuple(document_rules.REQUEST_KINDS)) = document_rules.ADVICE
    what: Text(document_rules.WHAT_MAX, required=True)
    #: by default from the rules: 14 days before an annual review (ENG-AR-06), 7 before other meetings
    due_on: IsoDate | None = None


class EvidenceRequestArgs(Args):
    request_id: Id


class AnswerEvidenceArgs(Args):
    """An invitee's written answer to their own request (the child's own words, for their views)."""

    request_id: Id
    answer: Text(document_rules.ANSWER_MAX, required=True)
    how_gathered: OneOf(tuple(document_rules.GATHERED)) | None = None


class CirculatePackArgs(Args):
    """Send the pack to everyone invited; the day is today unless given (a day it went out by other means)."""

    circulated_on: IsoDate | None = None


class DocumentArgs(Args):
    document_id: Id


class UploadFields(Args):
    """The form fields of an upload besides the file (multipart/form-data, strings as sent)."""

    request_id: Annotated[str, StringConstraints(max_length=12, pattern=r"^[0-9]*$")] | None = None
    confidential: OneOf(("true", "false", "on", "")) | None = None
# ---------------------------------------------------------------- the plan's outcomes and the statutory reports

OR = outcome_rules


class AddOutcomesArgs(Args):
    """One outcome, or several pasted one per line (bullets and numbering are taken off)."""

    text: Text(OR.OUTCOME_MAX * OR.PASTE_MAX, required=True)
    area: OneOf(OR.PFA_AREAS) | None = None
    confidential: bool = False


class UpdateOutcomeArgs(Args):
    outcome_id: Id
    version: Id
    text: Text(OR.OUTCOME_MAX, required=True) | None = None
    area: OneOf(OR.PFA_AREAS) | None = None
    progress: Text(OR.PROGRESS_MAX) | None = None
    evidence: Text(OR.EVIDENCE_MAX) | None = None
    still_appropriate: OneOf(OR.STILL_APPROPRIATE) | None = None
    proposed_change: Text(OR.CHANGE_MAX) | None = None
    position: Number(ge=1, le=OR.OUTCOMES_MAX) | None = None
    confidential: bool | None = None


class OutcomeArgs(Args):
    outcome_id: Id
    version: Id


class SetAdulthoodArgs(Args):
    """The child's year group, and (from Year 9) the preparation-for-adulthood areas to put on the agenda."""

    version: Id
    year_group: Number(ge=0, le=14) | None = None
    areas: Annotated[list[OneOf(OR.PFA_AREAS)], Field(max_length=len(OR.PFA_AREAS))] = []


class RecordAmendmentArgs(Args):
    section: OneOf(OR.EHCP_SECTIONS)
    wording: Text(OR.WORDING_MAX, required=True)
    reason: Text(OR.CHANGE_MAX) | None = None
    confidential: bool = False


class UpdateAmendmentArgs(Args):
    amendment_id: Id
    version: Id
    section: OneOf(OR.EHCP_SECTIONS) | None = None
    wording: Text(OR.WORDING_MAX, required=True) | None = None
    reason: Text(OR.CHANGE_MAX) | None = None
    confidential: bool | None = None


class AmendmentArgs(Args):
    amendment_id: Id
    version: Id


class RecordReportSentArgs(Args):
    """A statutory report sent to one recipient on a date (the organisation's local date)."""

    report: OneOf(report_rules.REPORTS)
    recipient: Line(report_rules.RECIPIENT_MAX, required=True)
    recipient_kind: OneOf(report_rules.RECIPIENTS)
    sent_on: IsoDate


class RecordSafeguardsArgs(Args):
    """A US IEP meeting: the procedural safeguards offered to the parent (when, how) and the parent's consent
    (given or refused on a date, or not needed)."""

    version: Id
    offered_on: IsoDate
    how: OneOf(report_rules.SAFEGUARDS_HOW)
    consent: OneOf(report_rules.CONSENT)
    consent_on: IsoDate | None = None


class ReportSendingArgs(Args):
    sending_id: Id
    version: Id
