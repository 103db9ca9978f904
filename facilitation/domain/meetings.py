"""Meeting types, their usual agendas, and the people around the table."""

from __future__ import annotations

from datetime import datetime

from .errors import InvalidValue

#: Meeting types with the label people use for them.
MEETING_TYPES: dict[str, str] = {
    "sen_support_review": "SEN support review",
    "ehcp_annual_review": "EHCP annual review",
    "multi_agency": "Multi-agency meeting",
    "iep_meeting": "IEP meeting",
    "disagreement_resolution": "Disagreement resolution meeting",
}

#: The usual agenda of each meeting type: (title, minutes).
USUAL_AGENDAS: dict[str, list[tuple[str, int]]] = {
    "sen_support_review": [
        ("Welcome, introductions and purpose", 5),
        ("Review of previous actions", 10),
        ("The child's views", 10),
        ("Family's views", 10),
        ("Progress against outcomes", 15),
        ("Support: what is working and what is not", 10),
        ("Outcomes, support and actions for the next cycle", 15),
        ("Date of next review", 5),
    ],
    "ehcp_annual_review": [
        ("Welcome, introductions and purpose", 5),
        ("Review of previous actions", 10),
        ("The young person's views, wishes and feelings", 10),
        ("Parents' views", 10),
        ("Progress towards EHCP outcomes: evidence from each professional", 25),
        ("What is working, what is not working", 10),
        ("Recommendation: maintain, amend or cease; decisions and actions", 15),
        ("Differences of opinion and next steps; date of next review", 5),
    ],
    "multi_agency": [
        ("Welcome and purpose", 5),
        ("Review of previous actions", 10),
        ("Child's and family's views", 10),
        ("Update from each agency", 25),
        ("Decisions and actions", 15),
        ("Next meeting", 5),
    ],
    "iep_meeting": [
        ("Introductions and procedural safeguards", 5),
        ("Present levels of performance", 15),
        ("Parent and student input", 10),
        ("Annual goals and services", 20),
        ("Placement and prior written notice", 10),
        ("Next steps", 5),
    ],
    "disagreement_resolution": [
        ("Welcome, ground rules and purpose", 10),
        ("Each party's view of the disagreement", 20),
        ("Evidence each party relies on", 20),
        ("Options and agreement", 20),
        ("Next step on the escalation ladder, owner and dates", 10),
    ],
}

#: Roles around the table (the person's job), with the agency they usually come from.
PARTICIPANT_ROLES: dict[str, str] = {
    "senco": "SENCO",
    "class_teacher": "Class teacher / form tutor",
    "head_teacher": "Head teacher",
    "parent": "Parent or carer",
    "child": "Child or young person",
    "educational_psychologist": "Educational psychologist",
    "salt": "Speech and language therapist",
    "ot": "Occupational therapist",
    "paediatrician": "Paediatrician",
    "social_worker": "Social worker",
    "la_officer": "LA SEND officer",
    # US IEP team members (34 CFR 300.321) with no English counterpart above
    "special_education_teacher": "Special education teacher",
    "district_representative": "School district representative",
    "advocate": "SENDIASS adviser or advocate",
    "interpreter": "Interpreter",
    "facilitator": "Independent facilitator or mediator",
    "other": "Other",
}

AGENCIES: dict[str, str] = {
    "school": "School",
    "family": "Family",
    "ep_service": "Educational psychology service",
    "health": "Health (NHS / ICB)",
    "social_care": "Local authority social care",
    "local_authority": "Local authority SEND",
    "independent": "Independent",
    "other": "Other",
}

TITLE_MAX = 200
CHILD_REF_MAX = 40
NAME_MAX = 120
AGENCY_NAME_MAX = 120
LANGUAGE_MAX = 60
MAX_MEETING_HOURS = 8
MAX_PARTICIPANTS = 40


def clean_meeting_fields(
    title: str, meeting_type: str, child_ref: str, scheduled_start: datetime, scheduled_end: datetime
) -> tuple[str, str, str]:
    """Check a meeting's details; return the tidied title, type and child reference."""
    title = (title or "").strip()
    if not title:
        raise InvalidValue("The meeting needs a title.", field="title")
    if len(title) > TITLE_MAX:
        raise InvalidValue(f"The title is longer than {TITLE_MAX} characters.", field="title")
    if meeting_type not in MEETING_TYPES:
        raise InvalidValue("Unknown meeting type.", field="meeting_type")
    child_ref = (child_ref or "").strip()
    if not child_ref:
        raise InvalidValue("Give a child reference: initials or a case code.", field="child_ref")
    if len(child_ref) > CHILD_REF_MAX:
        raise InvalidValue(
            f"The child reference is longer than {CHILD_REF_MAX} characters; use initials or a case code.",
            field="child_ref",
        )
    if scheduled_end <= scheduled_start:
        raise InvalidValue("The meeting must end after it starts.", field="scheduled_end")
    if (scheduled_end - scheduled_start).total_seconds() > MAX_MEETING_HOURS * 3600:
        raise InvalidValue(
            f"A meeting can be scheduled for at most {MAX_MEETING_HOURS} hours.", field="scheduled_end"
        )
    return title, meeting_type, child_ref


def clean_participant_fields(
    name: str, role: str, agency: str, agency_name: str | None
) -> tuple[str, str, str, str | None]:
    """Check a participant's name, role and agency; return them tidied."""
    name = (name or "").strip()
    if not name:
        raise InvalidValue("A participant needs a name.", field="name")
    if len(name) > NAME_MAX:
        raise InvalidValue(f"The name is longer than {NAME_MAX} characters.", field="name")
    if role not in PARTICIPANT_ROLES:
        raise InvalidValue("Unknown role.", field="role")
    if agency not in AGENCIES:
        raise InvalidValue("Unknown agency.", field="agency")
    agency_name = (agency_name or "").strip() or None
    if agency_name and len(agency_name) > AGENCY_NAME_MAX:
        raise InvalidValue(
            f"The agency name is longer than {AGENCY_NAME_MAX} characters.", field="agency_name"
        )
    return name, role, agency, agency_name


def clean_language(language: str | None) -> str | None:
    """Check the language a participant speaks in the meeting (e.g. "Polish"); blank means none given."""
    language = (language or "").strip() or None
    if language and len(language) > LANGUAGE_MAX:
        raise InvalidValue(f"The language is longer than {LANGUAGE_MAX} characters.", field="language")
    return language
