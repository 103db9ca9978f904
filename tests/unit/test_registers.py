"""The record's rules (facilitation/domain/registers.py): plain values in, a clear refusal or nothing out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from facilitation.domain import registers as rules
from facilitation.domain.errors import InvalidValue, RuleViolation

MEETING_DAY = date(2027, 3, 14)
TODAY = MEETING_DAY
DAY = timedelta(days=1)


def refused(call, *args, **kwargs) -> InvalidValue:
    """Run a check that must refuse; return the refusal."""
    with pytest.raises(InvalidValue) as caught:
        call(*args, **kwargs)
    return caught.value


# ---------------------------------------------------------------- text as typed


def test_text_is_kept_exactly_as_typed_apart_from_surrounding_space():
    typed = "  <script>alert('x')</script> & «ملاحظة» from مريم  "
    assert rules.clean_text(typed, "text", "The decision", rules.TEXT) == typed.strip()
    assert rules.clean_text("Line one\n\n  line two", "text", "The decision", rules.TEXT) == "Line one\n\n  line two"


def test_empty_optional_text_is_stored_as_nothing():
    assert rules.clean_text(None, "reasons", "The reasons", rules.LONG_TEXT) is None
    assert rules.clean_text("   \n ", "reasons", "The reasons", rules.LONG_TEXT) is None


def test_required_text_left_empty_is_refused_naming_the_field():
    for empty in (None, "", "  \t "):
        error = refused(rules.clean_text, empty, "text", "The decision", rules.TEXT, required=True)
        assert error.field == "text" and error.message == "The decision is required."


def test_text_over_its_limit_is_refused_and_text_at_the_limit_is_kept():
    assert rules.clean_text("x" * rules.TEXT, "text", "The decision", rules.TEXT) == "x" * rules.TEXT
    # Surrounding space does not count towards the limit.
    assert rules.clean_text(" " + "x" * rules.TEXT + " ", "text", "The decision", rules.TEXT) == "x" * rules.TEXT
    error = refused(rules.clean_text, "x" * (rules.TEXT + 1), "text", "The decision", rules.TEXT)
    assert error.field == "text" and error.message == f"The decision is longer than {rules.TEXT} characters."


def test_a_value_that_is_not_text_is_refused():
    for value in (42, ["a"], {"a": 1}):
        error = refused(rules.clean_text, value, "need", "The need or outcome", rules.SHORT_TEXT)
        assert error.field == "need" and error.message == "The need or outcome must be text."


# ---------------------------------------------------------------- decisions


def test_the_three_decision_statuses_and_their_labels():
    assert rules.DECISION_STATUSES == {
        "agreed": "Agreed by all",
        "agreed_with_dissent": "Agreed with dissent",
        "deferred": "Deferred",
    }


def test_a_decision_agreed_by_all_or_deferred_names_no_dissenters():
    rules.check_decision(rules.AGREED, [], None)
    rules.check_decision(rules.DEFERRED, [], None)
    # A deferred decision may still point at the disagreement it waits on.
    rules.check_decision(rules.DEFERRED, [], 3)
    for status in (rules.AGREED, rules.DEFERRED):
        error = refused(rules.check_decision, status, [7], None)
        assert error.field == "dissenter_ids"
        assert error.message == "Only a decision agreed with dissent names dissenters."


def test_a_decision_agreed_with_dissent_names_who_dissents_and_may_link_its_disagreement():
    rules.check_decision(rules.AGREED_WITH_DISSENT, [7], 3)
    rules.check_decision(rules.AGREED_WITH_DISSENT, [7, 9], 3)
    error = refused(rules.check_decision, rules.AGREED_WITH_DISSENT, [], 3)
    assert error.field == "dissenter_ids" and error.message == "Name who dissents from this decision."


def test_each_dissenter_is_named_once():
    error = refused(rules.check_decision, rules.AGREED_WITH_DISSENT, [7, 9, 7], 3)
    assert error.field == "dissenter_ids" and error.message == "Each dissenter is named once."


def test_an_unknown_decision_status_is_refused():
    for status in ("", "Agreed", "approved", "AGREED"):
        error = refused(rules.check_decision, status, [], None)
        assert error.field == "status" and error.message == "Unknown decision status."


def test_a_review_date_on_or_after_the_meeting_is_accepted_and_none_is_fine():
    rules.check_review_date(None, MEETING_DAY)
    rules.check_review_date(MEETING_DAY, MEETING_DAY)
    rules.check_review_date(MEETING_DAY + 365 * DAY, MEETING_DAY)


def test_a_review_date_before_the_meeting_is_refused_saying_both_dates():
    error = refused(rules.check_review_date, MEETING_DAY - DAY, MEETING_DAY)
    assert error.field == "review_date"
    assert error.message == "The review date 13 Mar 2027 is before the meeting (14 Mar 2027)."


# ---------------------------------------------------------------- actions: the owner


def test_an_action_is_owned_by_a_participant_or_by_a_named_person_outside_the_meeting():
    rules.check_owner(12, None, "Family")
    rules.check_owner(None, "Northshire OT duty desk", "NHS occupational therapy")


def test_an_action_without_an_owner_is_refused():
    for name in (None, ""):
        error = refused(rules.check_owner, None, name, "School")
        assert error.field == "owner_name"
        assert error.message == "Say who owns this: a participant or a named person."


def test_an_action_cannot_be_owned_by_a_participant_and_a_named_person_at_once():
    error = refused(rules.check_owner, 12, "Dr R. Evans", "EP service")
    assert error.field == "owner_name" and error.message == "Give either a participant or a name, not both."


def test_every_action_owner_has_an_agency():
    for participant_id, name in ((12, None), (None, "Dr R. Evans")):
        for agency in (None, ""):
            error = refused(rules.check_owner, participant_id, name, agency)
            assert error.field == "owner_agency" and error.message == "Say which agency the owner acts for."


# ---------------------------------------------------------------- actions: dates


def test_an_action_due_later_and_followed_up_after_it_is_accepted():
    rules.check_action_dates(TODAY + 14 * DAY, TODAY + 28 * DAY, MEETING_DAY, TODAY)
    # Due today and checked the same day is the tightest schedule allowed.
    rules.check_action_dates(TODAY, TODAY, MEETING_DAY, TODAY)


def test_a_due_date_in_the_past_is_refused_when_it_is_set():
    error = refused(rules.check_action_dates, TODAY - DAY, TODAY + 7 * DAY, MEETING_DAY, TODAY)
    assert error.field == "due_date" and error.message == "The due date 13 Mar 2027 is in the past."


def test_an_action_whose_due_date_has_passed_can_still_be_edited_without_moving_it():
    # Recorded at last term's review, due last week, corrected today: the old due date stands.
    meeting_day, today = date(2027, 1, 10), date(2027, 3, 14)
    rules.check_action_dates(date(2027, 3, 7), date(2027, 3, 21), meeting_day, today, due_changed=False)
    error = refused(rules.check_action_dates, date(2027, 3, 7), date(2027, 3, 21), meeting_day, today, due_changed=True)
    assert error.field == "due_date"


def test_a_follow_up_date_before_the_meeting_is_refused():
    meeting_day, today = date(2027, 3, 14), date(2027, 3, 1)
    error = refused(rules.check_action_dates, date(2027, 3, 5), date(2027, 3, 10), meeting_day, today)
    assert error.field == "follow_up_date"
    assert error.message == "The follow-up date 10 Mar 2027 is before the meeting (14 Mar 2027)."


def test_a_follow_up_date_before_the_due_date_is_refused_saying_what_follow_up_means():
    error = refused(rules.check_action_dates, TODAY + 14 * DAY, TODAY + 13 * DAY, MEETING_DAY, TODAY)
    assert error.field == "follow_up_date"
    assert error.message.startswith("The follow-up date 27 Mar 2027 is before the due date 28 Mar 2027;")
    assert "checks the action was done" in error.message
    # Unchanged due dates are still checked against the follow-up date.
    error = refused(rules.check_action_dates, TODAY + 14 * DAY, TODAY + 13 * DAY, MEETING_DAY, TODAY, due_changed=False)
    assert error.field == "follow_up_date"


# ---------------------------------------------------------------- disagreements: the next step (routes: tests/unit/test_routes.py)


def next_step(
    resolved=False, step="mediation", owner_id=None, owner_name="Mrs S. Malik", follow_up=MEETING_DAY + 30 * DAY
):
    rules.check_next_step(resolved, step, owner_id, owner_name, follow_up, MEETING_DAY)


def test_an_unresolved_disagreement_with_a_next_step_an_owner_and_a_follow_up_date_is_accepted():
    next_step()
    next_step(owner_id=4, owner_name=None)
    next_step(step="appeal", follow_up=MEETING_DAY)


def test_an_unresolved_disagreement_may_wait_for_its_next_step_with_nothing_else_set():
    rules.check_next_step(False, None, None, None, None, MEETING_DAY)


def test_an_owner_or_date_without_a_next_step_is_refused():
    for owner_id, owner_name, follow_up in ((4, None, None), (None, "Mrs S. Malik", None), (None, None, MEETING_DAY)):
        error = refused(rules.check_next_step, False, None, owner_id, owner_name, follow_up, MEETING_DAY)
        assert error.field == "next_step" and error.message == "Choose the next step first."


def test_a_next_step_needs_someone_to_follow_it_up():
    for name in (None, ""):
        error = refused(next_step, owner_id=None, owner_name=name)
        assert error.field == "next_step_owner_name" and error.message == "Say who follows up the next step."


def test_a_next_step_is_owned_by_a_participant_or_a_named_person_not_both():
    error = refused(next_step, owner_id=4, owner_name="Mrs S. Malik")
    assert error.field == "next_step_owner_name" and error.message == "Give either a participant or a name, not both."


def test_a_next_step_needs_a_follow_up_date_on_or_after_the_meeting():
    error = refused(next_step, follow_up=None)
    assert error.field == "follow_up_date"
    assert error.message == "Give the date by which the next step is followed up."
    error = refused(next_step, follow_up=MEETING_DAY - DAY)
    assert error.field == "follow_up_date"
    assert error.message == "The follow-up date 13 Mar 2027 is before the meeting (14 Mar 2027)."


def test_a_disagreement_resolved_in_the_meeting_needs_no_next_step_owner_or_date():
    rules.check_next_step(True, None, None, None, None, MEETING_DAY)
    rules.check_next_step(True, "mediation", None, None, None, MEETING_DAY)


# ---------------------------------------------------------------- attendance


def test_the_attendance_states():
    assert rules.ATTENDANCE == {
        "expected": "Expected",
        "in_room": "Present in the room",
        "remote": "Joined remotely",
        "apologies": "Sent apologies",
        "absent": "Did not attend",
    }


def test_every_attendance_state_can_be_recorded_on_time():
    for state in rules.ATTENDANCE:
        rules.check_attendance(state, False, False)


def test_someone_present_in_the_room_or_remotely_can_arrive_late_and_or_leave_early():
    for state in ("in_room", "remote"):
        rules.check_attendance(state, True, False)
        rules.check_attendance(state, False, True)
        rules.check_attendance(state, True, True)


def test_someone_not_present_cannot_arrive_late_or_leave_early():
    for state in ("expected", "apologies", "absent"):
        for late, early in ((True, False), (False, True), (True, True)):
            error = refused(rules.check_attendance, state, late, early)
            assert error.field == "attendance"
            assert error.message == "Only someone present can arrive late or leave early."


def test_an_unknown_attendance_is_refused():
    for state in ("", "present", "late", "In room"):
        error = refused(rules.check_attendance, state, False, False)
        assert error.field == "attendance" and error.message == "Unknown attendance."


# ---------------------------------------------------------------- deleted entries


def test_a_deleted_entry_cannot_be_edited_and_is_answered_as_not_found():
    rules.check_open(False, "decision")
    with pytest.raises(RuleViolation) as caught:
        rules.check_open(True, "action")
    assert caught.value.code == "not_found" and caught.value.message == "This action has been deleted."
