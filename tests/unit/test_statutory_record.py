"""What the record says of a statutory step (domain/statutory/timeline.py): done on a date (met or late),
an exception the rule allows (moves the date, removes it or only notes why), and the process dates the
chair sets (a phase transfer, the last evaluation) with "needs: <the date>" when one is not known."""

from __future__ import annotations

from datetime import date

import pytest

from facilitation.calendars import organisation_calendar
from facilitation.domain.errors import InvalidValue
from facilitation.domain.statutory import timeline as tl
from facilitation.domain.statutory.clock import find_rule
from facilitation.domain.statutory.rules import MOVES, NOTES, OTHER, REMOVES, RULES, Allowance

ENGLAND = organisation_calendar("ENG", range(2025, 2032))
US = organisation_calendar("US", range(2025, 2032))
MEETING = date(2027, 3, 10)  # a Wednesday in term; the review report (ENG-AR-08) is due 24 March


def step(items, rule_id):
    return next(item for item in items if item.rule.id == rule_id)


def review(records=None, process=None, today=date(2027, 4, 1)):
    return tl.meeting_timeline("ehcp_annual_review", MEETING, ENGLAND, today, records=records, process=process)


@pytest.mark.parametrize(
    ("done_on", "status", "words"),
    [
        (date(2027, 3, 12), tl.MET, "Met on 12 Mar 2027"),
        (date(2027, 3, 24), tl.MET, "Met on 24 Mar 2027"),
        (date(2027, 3, 25), tl.LATE, "Late: done 1 day after"),
        (date(2027, 3, 26), tl.LATE, "Late: done 2 days after"),
    ],
)
def test_a_step_done_on_or_before_its_date_is_met_and_after_it_late(done_on, status, words):
    report = step(review({"ENG-AR-08": tl.StepRecord(done_on=done_on)}), "ENG-AR-08")
    assert (report.status, report.record_text) == (status, words)
    assert report.due == report.deadline.date == date(2027, 3, 24)


@pytest.mark.parametrize(
    ("today", "status"),
    [(date(2027, 3, 25), tl.OVERDUE), (date(2027, 3, 17), tl.DUE_SOON), (date(2027, 3, 16), tl.DUE)],
)
def test_a_step_not_done_is_overdue_once_passed_at_risk_within_seven_days_else_due(today, status):
    assert step(review(today=today), "ENG-AR-08").status == status


def test_what_follows_counts_from_the_day_a_step_was_done():
    # Proposed amendments sent on 31 March, a week before their latest date: representations close 15 days
    # beginning with that day, and the final plan 8 weeks after it (earlier than 12 weeks after the meeting).
    items = review({"ENG-AR-10": tl.StepRecord(done_on=date(2027, 3, 31))})
    assert step(items, "ENG-AR-11").deadline.date == date(2027, 4, 14)
    assert step(items, "ENG-AR-12").deadline.date == date(2027, 5, 26)


def test_an_exception_moves_the_date_only_for_a_rule_that_says_so():
    # The annual review report accepts no exception of the regulations: only "other", which notes the reason.
    report = find_rule("ENG-AR-08")
    assert set(report.allowances) == {OTHER}
    with pytest.raises(InvalidValue) as refused:
        tl.allowance_for(report, "school_closed", None)
    assert refused.value.field == "exception"
    noted = step(review({"ENG-AR-08": tl.StepRecord(exception=OTHER, reason="Head teacher ill")}), "ENG-AR-08")
    assert noted.due == date(2027, 3, 24) and noted.status == tl.OVERDUE
    assert noted.exception_text.endswith("(date stands)")


def test_a_school_closure_removes_the_fixed_date_of_an_ehc_assessment_time_limit():
    decision = find_rule("ENG-EHC-01")
    allowance = tl.allowance_for(decision, "school_closed", None)
    assert allowance.effect == REMOVES
    record = tl.StepRecord(exception="school_closed", reason="Closed after a flood, 5 weeks")
    assert tl.apply_exception(date(2027, 3, 24), allowance, record) is None
    assert tl.status_of(None, None, date(2027, 4, 1)) == tl.NO_FIXED_DATE
    assert tl.status_of(None, date(2027, 5, 1), date(2027, 6, 1)) == tl.DONE
    assert tl.exception_in_words(allowance, record) == "Exception: school closed 4 weeks or more (no fixed date)"


def test_an_extension_moves_the_date_by_the_days_recorded_and_must_say_how_many():
    hearing = find_rule("US-DP-06")
    with pytest.raises(InvalidValue) as refused:
        tl.allowance_for(hearing, "extension_granted", None)
    assert refused.value.field == "days"
    allowance = tl.allowance_for(hearing, "extension_granted", 14)
    record = tl.StepRecord(exception="extension_granted", reason="Hearing officer's order", days=14)
    assert tl.apply_exception(date(2027, 5, 1), allowance, record) == date(2027, 5, 15)
    assert tl.exception_in_words(allowance, record) == "Exception: extension granted (date moved by 14 days)"


def test_days_are_refused_for_an_exception_that_does_not_move_the_date_by_them():
    with pytest.raises(InvalidValue) as refused:
        tl.allowance_for(find_rule("ENG-EHC-07"), "absent_from_area", 10)
    assert refused.value.field == "days"


def test_a_fixed_move_is_applied_from_the_rules_data():
    fixed = Allowance("extension_granted", MOVES, days=7)
    assert tl.apply_exception(date(2027, 1, 1), fixed, tl.StepRecord(exception="extension_granted")) == date(2027, 1, 8)
    assert tl.apply_exception(date(2027, 1, 1), Allowance(OTHER, NOTES), None) == date(2027, 1, 1)


def test_every_exception_a_rule_accepts_is_known_and_has_an_effect():
    from facilitation.domain.statutory.rules import EFFECTS, EXCEPTIONS

    for rule in RULES:
        for key, allowance in rule.allowances.items():
            assert key in EXCEPTIONS and allowance.effect in EFFECTS
        assert bool(rule.allowances) == bool(rule.clocks)


def test_a_phase_transfer_year_adds_the_amend_by_date_of_that_transfer_only():
    assert not {"ENG-AR-14", "ENG-AR-14B", "ENG-AR-14C"} & {i.rule.id for i in review()}
    assert not {"ENG-AR-14", "ENG-AR-14B"} & {i.rule.id for i in review(process={"phase_transfer": "none"})}
    school = review(process={"phase_transfer": "school", "transfer_date": date(2027, 9, 1)})
    assert step(school, "ENG-AR-14").deadline.date == date(2027, 2, 15)
    assert "ENG-AR-14B" not in {i.rule.id for i in school}
    post16 = review(process={"phase_transfer": "post16", "transfer_date": date(2028, 9, 1)})
    assert step(post16, "ENG-AR-14B").deadline.date == date(2028, 3, 31)
    between = review(process={"phase_transfer": "post16_post16", "transfer_date": date(2028, 1, 10)})
    assert step(between, "ENG-AR-14C").deadline.date == date(2027, 8, 10)


def test_a_transfer_year_without_its_date_is_listed_as_needing_it():
    items = review(process={"phase_transfer": "school"})
    transfer = step(items, "ENG-AR-14")
    assert transfer.deadline is None and transfer.status == tl.NEEDS_DATE
    assert transfer.record_text == "needs: the date of the phase transfer"


def test_an_iep_meeting_takes_the_last_evaluation_consent_and_eligibility_dates_or_says_it_needs_them():
    unknown = tl.meeting_timeline("iep_meeting", MEETING, US, today=MEETING)
    assert {i.rule.id: i.record_text for i in unknown if i.needs} == {
        "US-EVAL-01": "needs: the date of parental consent to the evaluation",
        "US-IEP-01": "needs: the date the child was found eligible",
        "US-IEP-03B": "needs: the date of the last evaluation",
        "US-IEP-03": "needs: the date of the last evaluation",
    }
    known = tl.meeting_timeline(
        "iep_meeting", MEETING, US, today=MEETING,
        process={"last_evaluation_date": date(2025, 2, 3), "consent_date": date(2027, 1, 4),
                 "eligibility_date": date(2027, 2, 20)},
    )
    assert {i.rule.id: i.deadline.date for i in known} == {
        "US-EVAL-01": date(2027, 3, 5),  # 60 days after consent
        "US-IEP-01": date(2027, 3, 22),  # 30 days after eligibility
        "US-IEP-02": date(2028, 3, 10),
        "US-IEP-03B": date(2026, 2, 3),
        "US-IEP-03": date(2028, 2, 3),  # 3 years after the last evaluation
    }
    assert step(known, "US-IEP-03").counted_from == "the date of the last evaluation"


def test_an_ehc_needs_assessment_requests_6_16_and_20_week_clocks_appear_once_its_date_is_given():
    for meeting_type in ("sen_support_review", "multi_agency"):
        without = tl.meeting_timeline(meeting_type, MEETING, ENGLAND, today=MEETING)
        assert not {"ENG-EHC-01", "ENG-EHC-03", "ENG-EHC-07"} & {i.rule.id for i in without}  # no "needs" noise
        # a request received on 31 January (the reference's month-end example): weeks are 7 days, no month-end rule
        items = tl.meeting_timeline(meeting_type, MEETING, ENGLAND, today=MEETING, process={"request_received": date(2027, 1, 31)})
        found = {i.rule.id: i.deadline.date for i in items if i.rule.id.startswith("ENG-EHC")}
        assert found == {"ENG-EHC-01": date(2027, 3, 14), "ENG-EHC-03": date(2027, 5, 23), "ENG-EHC-07": date(2027, 6, 20)}
