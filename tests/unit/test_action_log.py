"""The action log's rules without an app: statuses, what is late or lapsed, reminder scheduling by `now`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from facilitation.domain import action_log as rules
from facilitation.domain.dates import uk_date
from facilitation.domain.errors import InvalidValue, RuleViolation
from facilitation.exports.csv_register import safe_cell

TODAY = date(2027, 3, 10)
AGREED = date(2027, 2, 1)
LONDON = ZoneInfo("Europe/London")


def progress(status="open", new_status=None, note=None, evidence=None, occurred_on=TODAY, by_chair=False, closed_on=None):
    return rules.check_progress(
        status=status, new_status=new_status, note=note, evidence=evidence, occurred_on=occurred_on,
        today=TODAY, agreed_on=AGREED, closed_on=closed_on, by_chair=by_chair,
    )


# ---------------------------------------------------------------- how an action stands


@pytest.mark.parametrize(
    "status, due, follow_up, closed_on, expected",
    [
        ("open", date(2027, 3, 20), date(2027, 3, 30), None, rules.ON_TRACK),
        ("open", date(2027, 3, 16), date(2027, 3, 30), None, rules.DUE_THIS_WEEK),
        ("in_progress", TODAY, date(2027, 3, 30), None, rules.DUE_THIS_WEEK),
        ("open", date(2027, 3, 17), date(2027, 3, 30), None, rules.ON_TRACK),
        ("open", date(2027, 3, 9), date(2027, 3, 30), None, rules.OVERDUE),
        ("in_progress", date(2027, 3, 1), date(2027, 3, 9), None, rules.LAPSED),
        ("done", date(2027, 3, 1), date(2027, 3, 9), date(2027, 2, 28), rules.DONE_ON_TIME),
        ("done", date(2027, 3, 1), date(2027, 3, 9), date(2027, 3, 4), rules.DONE_LATE),
        ("not_done", date(2027, 3, 1), date(2027, 3, 9), date(2027, 3, 4), rules.NOT_DONE),
        ("cancelled", date(2027, 3, 1), date(2027, 3, 9), date(2027, 3, 4), rules.CANCELLED),
    ],
)
def test_an_action_stands_as_on_track_due_this_week_overdue_lapsed_done_or_closed(status, due, follow_up, closed_on, expected):
    assert rules.standing(status, due, follow_up, closed_on, TODAY) == expected


def test_only_active_actions_are_overdue_and_the_days_are_counted():
    assert rules.is_overdue("open", date(2027, 3, 5), TODAY)
    assert rules.days_overdue("open", date(2027, 3, 5), TODAY) == 5
    assert not rules.is_overdue("done", date(2027, 3, 5), TODAY)
    assert rules.days_overdue("cancelled", date(2027, 3, 5), TODAY) == 0
    assert not rules.is_overdue("open", TODAY, TODAY)


def test_the_standing_note_says_how_late_or_how_soon_in_words():
    assert rules.standing_note("open", date(2027, 3, 9), date(2027, 3, 30), None, TODAY) == "Overdue by 1 day"
    assert rules.standing_note("open", date(2027, 3, 1), date(2027, 3, 8), None, TODAY) == "Overdue by 9 days; follow-up was 8 Mar 2027"
    assert rules.standing_note("open", TODAY, date(2027, 3, 30), None, TODAY) == "Due today"
    assert rules.standing_note("open", date(2027, 3, 11), date(2027, 3, 30), None, TODAY) == "Due tomorrow"
    assert rules.standing_note("done", date(2027, 3, 1), date(2027, 3, 9), date(2027, 3, 4), TODAY) == "Done 4 Mar 2027, 3 days late"


def test_dates_are_written_uk_style():
    assert uk_date(date(2027, 3, 14)) == "14 Mar 2027"
    assert uk_date(date(2027, 12, 1)) == "1 Dec 2027"
    assert uk_date(None) == ""


# ---------------------------------------------------------------- recording progress


def test_progress_moves_an_open_action_on_and_a_done_one_records_the_day_it_closed():
    started = progress("open", "in_progress", note="First session booked")
    assert (started.status_before, started.status_after, started.closed_on) == ("open", "in_progress", None)
    done = progress("in_progress", "done", evidence="6 SALT sessions delivered, log attached", occurred_on=date(2027, 3, 8))
    assert done.status_after == "done" and done.closed_on == date(2027, 3, 8)


def test_marking_an_action_done_on_a_future_date_is_refused_clearly():
    with pytest.raises(InvalidValue) as err:
        progress("open", "done", evidence="report", occurred_on=date(2027, 3, 11))
    assert err.value.field == "occurred_on"
    assert "cannot be marked done on 11 Mar 2027" in err.value.message


def test_any_update_on_a_cancelled_action_is_refused_clearly():
    with pytest.raises(RuleViolation) as err:
        progress("cancelled", None, note="It happened after all", by_chair=True, closed_on=date(2027, 3, 2))
    assert err.value.code == "cancelled"
    assert "cancelled on 2 Mar 2027" in err.value.message
    with pytest.raises(RuleViolation):
        rules.check_missed_provision(status="cancelled", occurred_on=TODAY, note="No session", today=TODAY, agreed_on=AGREED)


def test_a_date_before_the_action_was_agreed_or_still_to_come_is_refused():
    with pytest.raises(InvalidValue, match="before the action was agreed"):
        progress("open", None, note="note", occurred_on=date(2027, 1, 31))
    with pytest.raises(InvalidValue, match="has not come yet"):
        progress("open", None, note="note", occurred_on=date(2027, 3, 11))


def test_an_update_that_records_nothing_is_refused():
    with pytest.raises(InvalidValue, match="Nothing to record"):
        progress("open", None)
    with pytest.raises(InvalidValue, match="Nothing to record"):
        progress("open", "open")


def test_done_needs_evidence_or_a_note_and_not_done_or_cancelled_need_a_reason():
    with pytest.raises(InvalidValue) as err:
        progress("open", "done")
    assert err.value.field == "evidence"
    with pytest.raises(InvalidValue, match="why the action is not done"):
        progress("open", "not_done", evidence="none")
    with pytest.raises(InvalidValue, match="why the action is cancelled"):
        progress("in_progress", "cancelled")
    assert progress("open", "done", note="Delivered at home visit").status_after == "done"


def test_only_the_chair_reopens_a_closed_action_and_says_why():
    with pytest.raises(RuleViolation) as err:
        progress("done", "in_progress", note="Report was incomplete")
    assert err.value.code == "forbidden"
    with pytest.raises(InvalidValue, match="why the action is reopened"):
        progress("done", "in_progress", by_chair=True)
    reopened = progress("done", "in_progress", note="Report was incomplete", by_chair=True, closed_on=date(2027, 3, 1))
    assert reopened.reopened and reopened.closed_on is None


def test_an_owner_can_still_add_a_note_to_a_done_action():
    kept = progress("done", None, note="Log attached", closed_on=date(2027, 3, 1))
    assert kept.status_after == "done" and kept.closed_on == date(2027, 3, 1)


def test_an_unknown_status_is_refused_with_the_choices():
    with pytest.raises(InvalidValue) as err:
        progress("open", "finished", note="x")
    assert err.value.field == "status" and "In progress" in err.value.message


def test_every_status_has_a_label_and_cancelled_leads_nowhere():
    assert set(rules.TRANSITIONS) == set(rules.STATUSES)
    assert rules.TRANSITIONS["cancelled"] == frozenset()
    for targets in rules.TRANSITIONS.values():
        assert targets <= set(rules.STATUSES)


def test_missed_support_needs_what_did_not_happen_on_a_day_that_has_come():
    rules.check_missed_provision(status="open", occurred_on=TODAY, note="No SALT session this week", today=TODAY, agreed_on=AGREED)
    with pytest.raises(InvalidValue, match="Say what did not happen"):
        rules.check_missed_provision(status="open", occurred_on=TODAY, note=None, today=TODAY, agreed_on=AGREED)
    with pytest.raises(InvalidValue, match="has not come yet"):
        rules.check_missed_provision(status="open", occurred_on=date(2027, 3, 12), note="x", today=TODAY, agreed_on=AGREED)


# ---------------------------------------------------------------- e-mail addresses, CSV cells, carry forward


def test_email_addresses_are_trimmed_their_domain_lowered_and_nonsense_refused():
    assert rules.clean_email("  J.Patel@NHS.Example.NET ") == "J.Patel@nhs.example.net"
    assert rules.clean_email("") is None
    for bad in ("patel", "a@b", "a b@example.org", "<x>@example.org", "a@-example.org", "x@example.org\nBcc: y@z.org"):
        with pytest.raises(InvalidValue):
            rules.clean_email(bad)


@pytest.mark.parametrize("cell", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell):
    assert safe_cell(cell) == "'" + cell


def test_ordinary_csv_cells_are_kept_as_typed():
    assert safe_cell("Weekly SALT, 30 min") == "Weekly SALT, 30 min"
    assert safe_cell(None) == ""
    assert safe_cell(12) == "12"


def test_the_review_item_goes_after_the_opening_item_unless_the_agenda_has_one():
    assert rules.review_item_position(["Introductions and procedural safeguards", "Present levels"]) == 2
    assert rules.review_item_position([]) == 1
    assert rules.review_item_position(["Welcome", "Review of actions from last year's review"]) is None
    assert rules.is_review_item("Review of previous actions")


# ---------------------------------------------------------------- reminders, as pure functions of the day


def facts(status="open", due=date(2027, 3, 14), follow_up=date(2027, 3, 28), email="owner@example.org", action_id=1):
    return rules.ActionFacts(action_id, status, due, follow_up, email)


def due_on(day, *actions, days_before=3, catch_up_days=14):
    return {(r.kind, r.occasion) for r in rules.reminders_due(actions, day, days_before=days_before, catch_up_days=catch_up_days)}


def test_the_owner_is_reminded_from_the_configured_days_before_the_due_date_until_it():
    a = facts()
    assert due_on(date(2027, 3, 10), a) == set()
    assert due_on(date(2027, 3, 11), a) == {("due_soon", "2027-03-14")}
    assert due_on(date(2027, 3, 14), a) == {("due_soon", "2027-03-14")}
    assert due_on(date(2027, 3, 9), a, days_before=5) == {("due_soon", "2027-03-14")}


def test_the_owner_is_told_once_it_becomes_overdue_and_not_long_after():
    a = facts()
    assert due_on(date(2027, 3, 15), a) == {("overdue", "2027-03-14")}
    assert due_on(date(2027, 3, 28), a) == {("overdue", "2027-03-14"), ("follow_up_soon", "2027-03-28")}
    assert due_on(date(2027, 3, 29), a) == set()


def test_follow_up_reminders_fall_before_the_follow_up_date():
    a = facts(due=date(2027, 3, 1), follow_up=date(2027, 3, 28))
    assert ("follow_up_soon", "2027-03-28") in due_on(date(2027, 3, 25), a)
    assert ("follow_up_soon", "2027-03-28") not in due_on(date(2027, 3, 24), a)


def test_actions_that_are_closed_or_have_no_address_get_no_reminder():
    assert due_on(date(2027, 3, 12), facts(status="done"), facts(status="cancelled", action_id=2), facts(email=None, action_id=3)) == set()


def test_a_moved_due_date_is_a_new_occasion():
    before = rules.reminders_due([facts(due=date(2027, 3, 14))], date(2027, 3, 12), days_before=3, catch_up_days=14)
    after = rules.reminders_due([facts(due=date(2027, 3, 13))], date(2027, 3, 12), days_before=3, catch_up_days=14)
    assert before[0].occasion != after[0].occasion


def test_the_weekly_digest_is_due_from_the_configured_weekday_and_hour_in_local_time():
    # Monday 8 Mar 2027, 07:59 and 08:00 in London (GMT)
    assert rules.digest_week(datetime(2027, 3, 8, 7, 59, tzinfo=UTC), LONDON, weekday=0, hour=8) is None
    assert rules.digest_week(datetime(2027, 3, 8, 8, 0, tzinfo=UTC), LONDON, weekday=0, hour=8) == "2027-W10"
    assert rules.digest_week(datetime(2027, 3, 14, 23, 0, tzinfo=UTC), LONDON, weekday=0, hour=8) == "2027-W10"
    # After the clocks go forward (BST), 08:00 London is 07:00 UTC.
    assert rules.digest_week(datetime(2027, 4, 5, 7, 0, tzinfo=UTC), LONDON, weekday=0, hour=8) == "2027-W14"
    assert rules.digest_week(datetime(2027, 4, 7, 8, 59, tzinfo=UTC), LONDON, weekday=2, hour=10) is None
    assert rules.digest_week(datetime(2027, 4, 7, 9, 0, tzinfo=UTC), LONDON, weekday=2, hour=10) == "2027-W14"


def test_the_reminder_window_covers_catch_up_and_days_before():
    assert rules.reminder_window(TODAY, days_before=3, catch_up_days=14) == (TODAY - timedelta(days=14), TODAY + timedelta(days=3))


def test_the_completion_rate_leaves_out_nothing_counted():
    assert rules.completion_rate(3, 4) == 0.75
    assert rules.completion_rate(0, 0) is None
