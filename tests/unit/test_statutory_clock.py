"""The statutory clock (facilitation/domain/statutory): every rule's worked example, the calendar arithmetic
(weeks, month ends, working days, school days, terms, Tribunal holidays, clock changes) and its properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from facilitation.calendars import organisation_calendar
from facilitation.domain.errors import InvalidValue, NotFound
from facilitation.domain.statutory import calendar as cal
from facilitation.domain.statutory import document
from facilitation.domain.statutory.calendar import Term
from facilitation.domain.statutory.clock import DAY_ONE, MONTH_END, compute, find_rule, rules_for
from facilitation.domain.statutory.rules import RULES, UNVERIFIED

ENGLAND = organisation_calendar("ENG", range(2025, 2032))
US = organisation_calendar("US", range(2025, 2032))
TERMS = (
    Term(date(2026, 9, 2), date(2026, 12, 18)),
    Term(date(2027, 1, 5), date(2027, 3, 26)),
    Term(date(2027, 4, 12), date(2027, 7, 21)),
    Term(date(2027, 9, 1), date(2027, 12, 17)),
)
SCHOOL = organisation_calendar("ENG", range(2025, 2032), terms=TERMS)
D = date

# rule id, start dates, calendar, expected date, verified (from public sources where they give one)
WORKED_EXAMPLES = [
    ("ENG-MED-02", {"decision_letter_date": D(2026, 10, 1)}, ENGLAND, D(2026, 12, 1), True),
    # Good Friday and Easter Monday 2027 are skipped (and "working day" itself is unverified)
    ("ENG-MED-03", {"mediation_declined_date": D(2027, 3, 25)}, ENGLAND, D(2027, 4, 1), False),
    ("ENG-MED-04", {"mediation_requested_date": D(2027, 3, 1)}, ENGLAND, D(2027, 3, 4), False),
    ("ENG-MED-05", {"mediation_requested_date": D(2027, 3, 1)}, ENGLAND, D(2027, 3, 31), False),
    ("ENG-MED-06", {"adviser_told_no_mediation_date": D(2027, 3, 5)}, ENGLAND, D(2027, 3, 10), False),
    # 27 and 28 December 2027 are the substitute Christmas and Boxing Day holidays
    ("ENG-MED-07", {"mediation_end_date": D(2027, 12, 22)}, ENGLAND, D(2027, 12, 29), False),
    ("ENG-MED-09", {"mediation_agreement_date": D(2027, 3, 1)}, ENGLAND, D(2027, 3, 15), True),
    ("ENG-MED-09B", {"mediation_agreement_date": D(2027, 3, 1)}, ENGLAND, D(2027, 3, 8), True),
    # IPSEA: letter 1 October, certificate 29 November -> 29 December -> next working day in January
    ("ENG-APP-01", {"decision_letter_date": D(2026, 10, 1), "certificate_date": D(2026, 11, 29)}, ENGLAND,
     D(2026, 12, 29), True),
    ("ENG-APP-02", {"decision_letter_date": D(2026, 10, 1), "certificate_date": D(2026, 11, 29)}, ENGLAND,
     D(2027, 1, 4), False),
    ("ENG-EHC-01", {"request_received": D(2027, 1, 31)}, ENGLAND, D(2027, 3, 14), True),
    ("ENG-EHC-02", {"advice_requested_date": D(2027, 3, 1)}, ENGLAND, D(2027, 4, 12), True),
    ("ENG-EHC-03", {"request_received": D(2027, 1, 31)}, ENGLAND, D(2027, 5, 23), True),
    ("ENG-EHC-04", {"request_received": D(2027, 1, 31)}, ENGLAND, D(2027, 5, 23), False),
    ("ENG-EHC-05", {"draft_served_date": D(2027, 3, 1)}, ENGLAND, D(2027, 3, 15), False),
    ("ENG-EHC-06", {"consultation_sent_date": D(2027, 3, 1)}, ENGLAND, D(2027, 3, 16), False),
    ("ENG-EHC-07", {"request_received": D(2027, 1, 31)}, ENGLAND, D(2027, 6, 20), True),
    ("ENG-EHC-09", {"reassessment_notice_date": D(2027, 1, 31)}, ENGLAND, D(2027, 5, 9), True),
    ("ENG-AR-01", {"last_review_or_issue_date": D(2026, 3, 31)}, ENGLAND, D(2027, 3, 31), True),
    ("ENG-AR-02", {"last_review_or_issue_date": D(2027, 1, 31)}, ENGLAND, D(2027, 7, 31), True),
    ("ENG-AR-05", {"meeting_date": D(2027, 5, 14)}, ENGLAND, D(2027, 4, 30), True),
    ("ENG-AR-06", {"meeting_date": D(2027, 5, 14)}, ENGLAND, D(2027, 4, 30), True),
    ("ENG-AR-08", {"meeting_date": D(2027, 5, 14)}, ENGLAND, D(2027, 5, 28), True),
    ("ENG-AR-09", {"meeting_date": D(2027, 5, 14)}, ENGLAND, D(2027, 6, 11), True),
    ("ENG-AR-10", {"meeting_date": D(2027, 5, 14)}, ENGLAND, D(2027, 6, 11), True),
    ("ENG-AR-11", {"amendments_sent_date": D(2027, 6, 11)}, ENGLAND, D(2027, 6, 25), False),
    # Devon [2022]: amendments sent late still leave the final plan 12 weeks from the meeting
    ("ENG-AR-12", {"amendments_sent_date": D(2027, 6, 25), "meeting_date": D(2027, 5, 14)}, ENGLAND,
     D(2027, 8, 6), True),
    ("ENG-AR-14", {"transfer_date": D(2027, 9, 1)}, ENGLAND, D(2027, 2, 15), True),
    ("ENG-AR-14B", {"transfer_date": D(2027, 9, 1)}, ENGLAND, D(2027, 3, 31), True),
    ("ENG-AR-14C", {"transfer_date": D(2028, 1, 10)}, ENGLAND, D(2027, 8, 10), True),
    # a review late in the summer term is next due by the end of the autumn term, across the summer break
    ("ENG-SS-03", {"last_review_date": D(2027, 7, 15)}, SCHOOL, D(2027, 12, 17), True),
    # school days stop at the end of the summer term and start again in September
    ("ENG-SS-04", {"meeting_date": D(2027, 7, 15)}, SCHOOL, D(2027, 9, 1), False),
    ("ENG-SS-05", {"last_report_date": D(2027, 3, 1)}, ENGLAND, D(2028, 3, 1), True),
    ("ENG-CMP-03", {"knew_date": D(2027, 3, 1)}, ENGLAND, D(2028, 3, 1), True),
    ("US-EVAL-01", {"consent_date": D(2027, 9, 1)}, US, D(2027, 10, 31), True),
    ("US-IEP-01", {"eligibility_date": D(2027, 10, 31)}, US, D(2027, 11, 30), True),
    ("US-IEP-02", {"last_iep_meeting_date": D(2027, 5, 14)}, US, D(2028, 5, 14), True),
    ("US-IEP-03", {"last_evaluation_date": D(2027, 5, 14)}, US, D(2030, 5, 14), True),
    ("US-IEP-03B", {"last_evaluation_date": D(2027, 5, 14)}, US, D(2028, 5, 14), True),
    ("US-SC-01", {"complaint_filed_date": D(2027, 3, 1)}, US, D(2027, 4, 30), True),
    ("US-SC-02", {"complaint_received_date": D(2027, 3, 1)}, US, D(2026, 3, 1), True),
    ("US-DP-01", {"knew_date": D(2027, 3, 1)}, US, D(2029, 3, 1), True),
    ("US-DP-02", {"complaint_received_date": D(2027, 3, 1)}, US, D(2027, 3, 11), False),
    ("US-DP-03", {"complaint_received_date": D(2027, 3, 1)}, US, D(2027, 3, 16), True),
    ("US-DP-04", {"complaint_received_date": D(2027, 3, 1)}, US, D(2027, 3, 31), True),
    # business days skip the observed Independence Day (5 July 2027)
    ("US-DP-05", {"agreement_signed_date": D(2027, 7, 1)}, US, D(2027, 7, 7), True),
    # a written waiver on day 5 ends the resolution period: the 45 days run from the day after
    ("US-DP-06", {"resolution_period_end_date": D(2027, 3, 6)}, US, D(2027, 4, 20), True),
    ("US-DP-06B", {"review_requested_date": D(2027, 3, 1)}, US, D(2027, 3, 31), True),
    ("US-REC-01", {"records_requested_date": D(2027, 3, 1)}, US, D(2027, 4, 15), True),
]


@pytest.mark.parametrize(("rule_id", "starts", "calendar", "expected", "verified"), WORKED_EXAMPLES,
                         ids=[example[0] for example in WORKED_EXAMPLES])
def test_each_rule_gives_its_worked_example(rule_id, starts, calendar, expected, verified):
    deadline = compute(rule_id, starts, calendar)
    assert (deadline.date, deadline.verified) == (expected, verified)
    assert deadline.rule_id == rule_id and deadline.sources == find_rule(rule_id).sources


def test_every_rule_with_a_clock_has_a_worked_example_and_the_others_refuse_to_give_a_date():
    examples = {example[0] for example in WORKED_EXAMPLES}
    for rule in RULES:
        if rule.clocks:
            assert rule.id in examples
        else:
            with pytest.raises(InvalidValue, match="sets no fixed date"):
                compute(rule, {}, ENGLAND)


def test_rule_ids_are_unique_and_every_rule_has_a_source_or_is_unverified():
    assert len({rule.id for rule in RULES}) == len(RULES)
    assert all(rule.sources or rule.verification == UNVERIFIED for rule in RULES)


def test_a_date_from_an_unverified_rule_says_so():
    deadline = compute("ENG-MED-05", {"mediation_requested_date": D(2027, 3, 1)}, ENGLAND)
    assert (deadline.verified, deadline.verification) == (False, "U")


def test_counting_the_day_of_service_as_day_one_is_flagged_as_unverified_arithmetic():
    deadline = compute("ENG-AR-11", {"amendments_sent_date": D(2027, 6, 11)}, ENGLAND)
    assert deadline.verification == "P" and deadline.caveats == (DAY_ONE,)


# ---------------------------------------------------------------- months and month ends


def test_a_month_after_31_january_is_the_last_day_of_february():
    assert cal.add_months(D(2027, 1, 31), 1) == (D(2027, 2, 28), True)
    assert cal.add_months(D(2028, 1, 31), 1) == (D(2028, 2, 29), True)
    assert cal.add_months(D(2027, 1, 15), 1) == (D(2027, 2, 15), False)
    assert cal.add_months(D(2027, 12, 31), 2) == (D(2028, 2, 29), True)
    assert cal.add_months(D(2027, 3, 31), -1) == (D(2027, 2, 28), True)


def test_an_appeal_deadline_that_needs_the_month_end_rule_is_unverified():
    deadline = compute("ENG-APP-01", {"decision_letter_date": D(2026, 11, 15), "certificate_date": D(2027, 1, 31)},
                       ENGLAND)
    assert deadline.date == D(2027, 2, 28)
    assert deadline.caveats == (MONTH_END,) and not deadline.verified


def test_without_a_certificate_the_appeal_deadline_is_two_months_after_the_letter():
    deadline = compute("ENG-APP-01", {"decision_letter_date": D(2027, 1, 10), "certificate_date": None}, ENGLAND)
    assert deadline.date == D(2027, 3, 10)


def test_a_certificate_issued_early_does_not_shorten_the_appeal_deadline():
    deadline = compute("ENG-APP-01", {"decision_letter_date": D(2027, 1, 10), "certificate_date": D(2027, 1, 20)},
                       ENGLAND)
    assert deadline.date == D(2027, 3, 10)


# ---------------------------------------------------------------- Tribunal holidays


def test_an_appeal_deadline_in_august_moves_to_the_first_working_day_of_september():
    starts = {"decision_letter_date": D(2027, 6, 15)}
    assert compute("ENG-APP-01", starts, ENGLAND).date == D(2027, 8, 15)
    assert compute("ENG-APP-02", starts, ENGLAND).date == D(2027, 9, 1)
    # 1 September 2029 is a Saturday
    assert cal.tribunal_august(D(2029, 8, 1), ENGLAND) == D(2029, 9, 3)


def test_an_appeal_deadline_between_christmas_and_new_year_moves_to_the_next_working_day_in_january():
    assert cal.tribunal_christmas(D(2027, 12, 25), ENGLAND) == D(2028, 1, 4)  # 3 January 2028 is a bank holiday
    assert cal.tribunal_christmas(D(2028, 1, 1), ENGLAND) == D(2028, 1, 4)
    assert cal.tribunal_christmas(D(2027, 12, 24), ENGLAND) == D(2027, 12, 24)
    assert cal.tribunal_christmas(D(2028, 1, 2), ENGLAND) == D(2028, 1, 2)


def test_an_appeal_deadline_on_a_weekend_or_bank_holiday_moves_to_the_next_working_day():
    assert compute("ENG-APP-02", {"decision_letter_date": D(2027, 11, 2)}, ENGLAND).date == D(2028, 1, 4)
    assert compute("ENG-APP-02", {"decision_letter_date": D(2027, 3, 31)}, ENGLAND).date == D(2027, 6, 1)
    assert compute("ENG-APP-01", {"decision_letter_date": D(2027, 3, 31)}, ENGLAND).date == D(2027, 5, 31)


def test_the_tribunal_holidays_ignore_the_organisations_own_closure_days():
    closed = organisation_calendar("ENG", [2027], closures=[D(2027, 9, 1), D(2027, 9, 2)])
    assert cal.tribunal_august(D(2027, 8, 20), closed) == D(2027, 9, 1)


# ---------------------------------------------------------------- working days and school days


def test_a_bank_holiday_inside_a_working_day_count_is_skipped():
    assert D(2027, 5, 31) in ENGLAND.holidays  # spring bank holiday
    assert cal.add_counted_days(D(2027, 5, 28), 1, ENGLAND.is_working_day) == D(2027, 6, 1)


def test_the_organisations_closure_days_are_not_working_days():
    closed = organisation_calendar("ENG", [2027], closures=[D(2027, 3, 2)])
    deadline = compute("ENG-MED-04", {"mediation_requested_date": D(2027, 3, 1)}, closed)
    assert deadline.date == D(2027, 3, 5)


def test_england_and_the_us_have_their_own_public_holidays():
    assert D(2027, 8, 30) in ENGLAND.holidays and D(2027, 8, 30) not in US.holidays
    assert D(2027, 7, 5) in US.holidays and D(2027, 7, 5) not in ENGLAND.holidays
    assert (ENGLAND.timezone, US.timezone) == ("Europe/London", "America/New_York")


def test_a_review_in_the_holidays_is_next_due_by_the_end_of_the_next_term():
    deadline = compute("ENG-SS-03", {"last_review_date": D(2027, 4, 1)}, SCHOOL)
    assert deadline.date == D(2027, 7, 21)


def test_school_days_beyond_the_known_term_dates_are_working_days():
    assert cal.add_counted_days(D(2027, 12, 17), 2, SCHOOL.is_school_day) == D(2027, 12, 21)
    assert cal.add_counted_days(D(2026, 7, 1), 1, SCHOOL.is_school_day) == D(2026, 7, 2)


def test_without_term_dates_a_term_is_four_months():
    assert compute("ENG-SS-03", {"last_review_date": D(2027, 7, 15)}, ENGLAND).date == D(2027, 11, 15)


# ---------------------------------------------------------------- local dates


def test_an_instant_late_in_the_evening_utc_is_the_next_local_date_in_summer_only():
    assert ENGLAND.local_date(datetime(2027, 6, 30, 23, 30, tzinfo=UTC)) == D(2027, 7, 1)
    assert ENGLAND.local_date(datetime(2027, 1, 31, 23, 30, tzinfo=UTC)) == D(2027, 1, 31)


def test_local_dates_follow_the_clock_change():
    # the clocks go forward at 01:00 UTC on Sunday 28 March 2027
    assert ENGLAND.local_date(datetime(2027, 3, 27, 23, 30, tzinfo=UTC)) == D(2027, 3, 27)
    assert ENGLAND.local_date(datetime(2027, 3, 28, 23, 30, tzinfo=UTC)) == D(2027, 3, 29)
    # and back at 01:00 UTC on Sunday 31 October 2027
    assert ENGLAND.local_date(datetime(2027, 10, 30, 23, 30, tzinfo=UTC)) == D(2027, 10, 31)
    assert ENGLAND.local_date(datetime(2027, 10, 31, 23, 30, tzinfo=UTC)) == D(2027, 10, 31)


def test_a_start_given_as_an_instant_is_taken_on_the_local_date():
    deadline = compute("ENG-AR-08", {"meeting_date": datetime(2027, 5, 13, 23, 30, tzinfo=UTC)}, ENGLAND)
    assert deadline.date == D(2027, 5, 28)
    us_deadline = compute("US-DP-04", {"complaint_received_date": datetime(2027, 3, 2, 3, 0, tzinfo=UTC)}, US)
    assert us_deadline.date == D(2027, 3, 31)  # 22:00 on 1 March in New York


# ---------------------------------------------------------------- refusals and versions


def test_a_missing_or_naive_start_is_refused_naming_the_field():
    with pytest.raises(InvalidValue) as missing:
        compute("ENG-AR-08", {}, ENGLAND)
    assert missing.value.field == "meeting_date"
    with pytest.raises(InvalidValue) as naive:
        compute("ENG-AR-08", {"meeting_date": datetime(2027, 5, 13, 23, 30)}, ENGLAND)
    assert naive.value.field == "meeting_date"
    with pytest.raises(InvalidValue) as wrong:
        compute("ENG-AR-08", {"meeting_date": "2027-05-13"}, ENGLAND)
    assert wrong.value.field == "meeting_date"


def test_an_unknown_rule_is_not_found():
    with pytest.raises(NotFound) as caught:
        find_rule("ENG-XX-99")
    assert caught.value.field == "rule_id"


def test_the_rules_in_force_depend_on_the_date():
    before_devon = {rule.id for rule in rules_for("ENG", D(2021, 1, 1))}
    assert "ENG-AR-12" in before_devon and "ENG-AR-10" not in before_devon
    assert "ENG-AR-10" in {rule.id for rule in rules_for("ENG", D(2027, 1, 1))}
    assert all(rule.jurisdiction == "US" for rule in rules_for("US", D(2027, 1, 1)))
    with pytest.raises(NotFound):
        find_rule("ENG-AR-10", on=D(2021, 1, 1))


# ---------------------------------------------------------------- the generated document


def test_the_rules_document_is_generated_from_the_data():
    committed = (Path(__file__).parents[2] / "docs" / "statutory-rules.md").read_text(encoding="utf-8")
    assert committed == document.render(), (
        "docs/statutory-rules.md is out of date: run "
        "`.venv/bin/python -m facilitation.domain.statutory.document > docs/statutory-rules.md`"
    )
    for rule in RULES:
        assert f"| {rule.id} v{rule.version} |" in committed


def test_the_document_states_formulas_in_words():
    assert document.formula_in_words(find_rule("ENG-APP-02")) == (
        "2 months after the decision letter date or 1 month after the certificate date (when there is one), "
        "whichever is later; if it falls on a day that is not a working day, the next working day; if it falls "
        "25 December to 1 January, the next working day in January; if it falls in August, the first working day "
        "of September")
    assert document.formula_in_words(find_rule("ENG-AR-14")) == "15 February of the year of the transfer date"
    assert document.formula_in_words(find_rule("ENG-EHC-05")) == "15 days beginning with the draft served date (day 1)"
    assert document.formula_in_words(find_rule("ENG-AR-13")) == "no fixed date"
    assert document.formula_in_words(find_rule("US-DP-05")) == "3 business days after the agreement signed date"
    assert document.formula_in_words(find_rule("ENG-MED-07")) == "3 working days after the mediation end date"


# ---------------------------------------------------------------- properties

DAYS_2026_2030 = st.dates(min_value=D(2026, 1, 1), max_value=D(2030, 12, 31))
CLOSURES = organisation_calendar("ENG", range(2025, 2032), closures=[D(2027, 2, 15), D(2027, 2, 16), D(2028, 10, 27)])
CLOCKED = [rule for rule in RULES if rule.clocks]


@given(start=DAYS_2026_2030, count=st.integers(min_value=1, max_value=60))
def test_a_working_day_result_is_a_working_day_of_the_calendar(start, count):
    result = cal.add_counted_days(start, count, CLOSURES.is_working_day)
    assert CLOSURES.is_working_day(result) and result > start


@given(start=DAYS_2026_2030, count=st.integers(min_value=0, max_value=60))
def test_adding_working_days_then_counting_them_round_trips(start, count):
    result = cal.add_counted_days(start, count, CLOSURES.is_working_day)
    assert cal.counted_days_between(start, result, CLOSURES.is_working_day) == count


@given(rule=st.sampled_from(CLOCKED), first=DAYS_2026_2030, gap=st.integers(min_value=0, max_value=400))
# an appeal deadline of 1 January moves to January's first working day; one of Sunday 2 January must not stay there
@example(rule=find_rule("ENG-APP-02"), first=D(2027, 11, 1), gap=1)
def test_every_clock_is_monotonic_in_its_start_date(rule, first, gap):
    later = first + timedelta(days=gap)
    early = compute(rule, dict.fromkeys(rule.start_events, first), CLOSURES).date
    late = compute(rule, dict.fromkeys(rule.start_events, later), CLOSURES).date
    assert early <= late


@given(rule=st.sampled_from(CLOCKED), start=DAYS_2026_2030, gap=st.integers(min_value=0, max_value=400))
def test_school_term_clocks_are_monotonic_too(rule, start, gap):
    early = compute(rule, dict.fromkeys(rule.start_events, start), SCHOOL).date
    late = compute(rule, dict.fromkeys(rule.start_events, start + timedelta(days=gap)), SCHOOL).date
    assert early <= late


@pytest.mark.parametrize("calendar", [CLOSURES, SCHOOL], ids=["bank holidays and closures", "term dates"])
def test_every_clock_moves_forward_or_stays_day_by_day_over_four_years(calendar):
    for rule in CLOCKED:
        day, previous = D(2026, 6, 1), None
        while day < D(2030, 6, 1):
            result = compute(rule, dict.fromkeys(rule.start_events, day), calendar).date
            assert previous is None or result >= previous, (rule.id, day)
            day, previous = day + timedelta(days=1), result
