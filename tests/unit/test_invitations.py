"""The invitation rules as plain data: who each meeting type expects, the notice each person had, where an
invitation stands, the replies an invitee can give, and the calendar part of each message."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from facilitation.domain import invitations as inv
from facilitation.domain.errors import InvalidValue
from facilitation.domain.meetings import PARTICIPANT_ROLES
from facilitation.domain.statutory.rules import RULES
from facilitation.exports.invitation_ics import CalendarInvite, invitation_calendar


def people(*roles, invited=True):
    return [inv.Person(role, agency, invited) for role, agency in roles]


def states(meeting_type, persons):
    return {c.expected.key: c.state for c in inv.who_must_be_there(meeting_type, persons)}


def test_an_annual_review_expects_parent_head_la_officer_health_and_social_care():
    checks = inv.who_must_be_there("ehcp_annual_review", [])
    assert [c.expected.label for c in checks] == [
        "Parent or young person", "Head teacher or provider", "Local authority SEN officer",
        "A health professional", "Social care",
    ]
    assert all(c.state == "missing" and c.warning for c in checks)


def test_a_role_or_an_agency_fills_a_place_and_only_an_invited_person_clears_the_warning():
    found = states("ehcp_annual_review", people(("child", "family"), ("senco", "school"), ("other", "health")))
    assert found == {"parent": "invited", "head": "invited", "la": "missing", "health": "invited", "social_care": "missing"}
    listed = inv.who_must_be_there("ehcp_annual_review", people(("parent", "family"), invited=False))
    assert listed[0].state == "not_invited" and listed[0].warning


def test_an_iep_meeting_expects_the_team_of_300_321_and_the_child_only_when_appropriate():
    team = people(("parent", "family"), ("class_teacher", "school"), ("special_education_teacher", "school"),
                  ("district_representative", "local_authority"))
    checks = inv.who_must_be_there("iep_meeting", team)
    assert {c.expected.key: c.state for c in checks} == {
        "parent": "invited", "regular_teacher": "invited", "special_teacher": "invited", "district": "invited",
        "evaluation": "invited",  # a member above may interpret the evaluation results
        "child": "missing",
    }
    assert [c.expected.key for c in checks if c.warning] == []


def test_every_expected_role_is_a_participant_role_and_meeting_types_without_a_list_warn_of_nothing():
    for _, _, places in inv.EXPECTED.values():
        for place in places:
            assert place.roles <= set(PARTICIPANT_ROLES)
    assert inv.who_must_be_there("sen_support_review", []) == []
    assert {r.id for r in RULES} >= set(inv.NOTICE_RULES.values())


def test_notice_is_counted_from_the_invitation_to_the_meeting_and_short_after_the_rule_s_latest_date():
    meeting = date(2027, 3, 15)
    assert inv.notice(date(2027, 3, 1), meeting, date(2027, 3, 1)) == inv.Notice(14, date(2027, 3, 1), False)
    late = inv.notice(date(2027, 3, 2), meeting, date(2027, 3, 1))
    assert late.short and late.text() == "13 days notice: short notice"
    assert inv.notice(date(2027, 3, 14), meeting, None).text() == "1 day notice"  # no fixed period: never "short"


def test_where_an_invitation_stands_puts_a_reply_before_its_delivery():
    assert inv.state_of(None, None, False, None) == inv.NOT_INVITED
    assert inv.state_of(inv.INVITATION, inv.QUEUED, False, None) == inv.SENDING
    assert inv.state_of(inv.INVITATION, inv.FAILED, False, None) == inv.FAILED_STATE
    assert inv.state_of(inv.UPDATE, inv.QUEUED, True, None) == inv.INVITED
    assert inv.state_of(inv.UPDATE, inv.FAILED, True, inv.ACCEPTED) == inv.ACCEPTED
    assert inv.state_of(inv.CANCEL, inv.SENT, True, inv.ACCEPTED) == inv.CANCELLED


def test_a_reply_must_be_one_of_the_three_answers_with_a_note_of_limited_length():
    assert inv.clean_reply("remote_only", "  Mornings are hard  ") == ("remote_only", "Mornings are hard")
    with pytest.raises(InvalidValue) as refused:
        inv.clean_reply("maybe", None)
    assert refused.value.field == "response"
    with pytest.raises(InvalidValue) as refused:
        inv.clean_reply("accepted", "x" * (inv.REPLY_NOTE_MAX + 1))
    assert refused.value.field == "note"


def _invite(method, sequence, url="https://cg.example/join/abc"):
    return CalendarInvite(
        method=method, uid="meeting-1-person-2@school.example", sequence=sequence, stamp=datetime(2027, 3, 1, 9, tzinfo=UTC),
        start=datetime(2027, 3, 15, 10, tzinfo=UTC), end=datetime(2027, 3, 15, 11, 30, tzinfo=UTC),
        summary="Annual review (EHCP annual review)", description=f"Join: {url}", organizer_email="senco@school.example",
        organizer_name="Chair, Hillside", attendee_email="sam@family.example", attendee_name="Sam Parent", url=url,
    )


def test_the_calendar_part_is_a_request_with_organizer_attendee_and_the_join_link_or_a_cancellation():
    cal = Calendar.from_ical(invitation_calendar(_invite("REQUEST", 0)))
    event = next(c for c in cal.walk() if c.name == "VEVENT")
    assert str(cal["METHOD"]) == "REQUEST" and str(event["UID"]) == "meeting-1-person-2@school.example"
    assert str(event["ORGANIZER"]) == "mailto:senco@school.example" and event["ORGANIZER"].params["CN"] == "Chair, Hillside"
    assert str(event["ATTENDEE"]) == "mailto:sam@family.example" and event["ATTENDEE"].params["RSVP"] == "TRUE"
    assert str(event["URL"]) == "https://cg.example/join/abc" and int(event["SEQUENCE"]) == 0
    cancel = Calendar.from_ical(invitation_calendar(_invite("CANCEL", 2)))
    event = next(c for c in cancel.walk() if c.name == "VEVENT")
    assert str(cancel["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    assert "URL" not in event and event["ATTENDEE"].params["RSVP"] == "FALSE"
