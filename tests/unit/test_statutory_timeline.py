"""A meeting's statutory timeline (domain/statutory/timeline.py): the steps chosen by meeting type, their
dates from the evaluator, their side of the meeting and their status against today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from facilitation.calendars import organisation_calendar
from facilitation.domain.meetings import MEETING_TYPES
from facilitation.domain.statutory import timeline as tl
from facilitation.domain.statutory.calendar import Term
from facilitation.domain.statutory.clock import compute, find_rule

ENGLAND = organisation_calendar("ENG", range(2025, 2032))
US = organisation_calendar("US", range(2025, 2032))
MEETING = date(2027, 3, 10)  # a Wednesday in term


def dates(items) -> dict[str, date]:
    return {item.rule.id: item.deadline.date for item in items if item.deadline is not None}


def test_an_ehcp_annual_review_has_notice_and_advice_before_and_the_report_decision_and_plan_after():
    items = tl.meeting_timeline("ehcp_annual_review", MEETING, ENGLAND, today=date(2027, 2, 1))
    assert dates(items) == {
        "ENG-AR-05": date(2027, 2, 24),  # invitations 2 weeks before
        "ENG-AR-06": date(2027, 2, 24),  # advice circulated 2 weeks before
        "ENG-AR-08": date(2027, 3, 24),  # review report 2 weeks after
        "ENG-AR-09": date(2027, 4, 7),  # the LA's decision 4 weeks after
        "ENG-AR-10": date(2027, 4, 7),
        "ENG-AR-11": date(2027, 4, 21),  # 15 days beginning with the amendments' latest date
        "ENG-AR-12": date(2027, 6, 2),  # 12 weeks after the meeting (earlier than 8 weeks after 7 April)
        "ENG-AR-01": date(2028, 3, 10),  # the next annual review
    }
    sides = {item.rule.id: item.side for item in items}
    assert sides["ENG-AR-05"] == sides["ENG-AR-06"] == tl.BEFORE
    assert {sides[rule] for rule in ("ENG-AR-08", "ENG-AR-09", "ENG-AR-12")} == {tl.AFTER}
    chained = {item.rule.id: item.counted_from for item in items}
    assert "ENG-AR-10" in chained["ENG-AR-11"] and chained["ENG-AR-08"] == "the meeting's date"


def test_every_date_is_the_evaluators_for_the_rules_start_from_the_meeting():
    for item in tl.meeting_timeline("ehcp_annual_review", MEETING, ENGLAND, today=MEETING):
        if item.counted_from == "the meeting's date":
            starts = dict.fromkeys(item.rule.start_events, MEETING)
            assert compute(item.rule, starts, ENGLAND) == item.deadline


def test_an_iep_meeting_follows_the_us_federal_annual_review():
    items = tl.meeting_timeline("iep_meeting", MEETING, US, today=MEETING)
    dated = [i for i in items if i.deadline is not None]
    assert [(i.rule.id, i.deadline.date, i.deadline.jurisdiction) for i in dated] == [
        ("US-IEP-02", date(2028, 3, 10), "US")
    ]
    assert dated[0].deadline.verified and dated[0].deadline.sources


def test_a_sen_support_review_has_its_record_in_school_days_and_the_next_review_by_the_end_of_next_term():
    school = organisation_calendar(
        "ENG", range(2025, 2032), terms=(Term(date(2027, 1, 5), date(2027, 3, 26)), Term(date(2027, 4, 12), date(2027, 7, 21)))
    )
    items = tl.meeting_timeline("sen_support_review", MEETING, school, today=MEETING)
    assert dates(items) == {"ENG-SS-04": date(2027, 3, 17), "ENG-SS-03": date(2027, 7, 21)}
    assert not items[0].deadline.verified  # 5 school days is this tool's default (U)


def test_the_jurisdiction_comes_from_the_meeting_type_and_every_step_is_a_rule_of_it():
    assert tl.jurisdiction_of("iep_meeting") == "US"
    assert {tl.jurisdiction_of(kind) for kind in MEETING_TYPES if kind != "iep_meeting"} == {"ENG"}
    assert set(tl.TIMELINES) <= set(MEETING_TYPES)
    for kind, steps in tl.TIMELINES.items():
        for step in steps:
            rule = find_rule(step.rule_id)
            assert rule.jurisdiction == tl.jurisdiction_of(kind) and rule.clocks
            earlier = {s.rule_id for s in steps[: steps.index(step)]}
            assert {step.source_of(event) for event in rule.start_events} <= earlier | {tl.MEETING} | set(tl.PROCESS_DATES)
            if step.when is not None:
                assert step.when[0] in tl.PROCESS_FIELDS[kind] and step.when[1] in tl.PHASE_TRANSFERS
    for kind, fields in tl.PROCESS_FIELDS.items():
        assert set(fields) <= set(tl.PROCESS_DATES) | {tl.PHASE_TRANSFER} and kind in tl.TIMELINES


def test_types_without_a_statutory_process_have_an_empty_timeline():
    assert tl.meeting_timeline("multi_agency", MEETING, ENGLAND, today=MEETING) == []


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2027, 3, 25), tl.OVERDUE),
        (date(2027, 3, 24), tl.DUE_SOON),
        (date(2027, 3, 17), tl.DUE_SOON),
        (date(2027, 3, 16), tl.DUE),
    ],
)
def test_a_step_is_overdue_once_passed_due_soon_within_seven_days_else_due(today, status):
    report = next(i for i in tl.meeting_timeline("ehcp_annual_review", MEETING, ENGLAND, today) if i.rule.id == "ENG-AR-08")
    assert report.deadline.date == date(2027, 3, 24) and report.status == status


def test_the_meeting_instant_is_placed_on_the_organisations_local_date():
    late_evening = datetime(2027, 6, 9, 23, 30, tzinfo=UTC)  # 00:30 on 10 June in London (summer time)
    items = tl.meeting_timeline("ehcp_annual_review", late_evening, ENGLAND, today=MEETING)
    assert dates(items)["ENG-AR-08"] == date(2027, 6, 24)


def test_a_step_not_in_force_on_the_meeting_date_is_left_out_with_what_is_counted_from_it():
    items = tl.meeting_timeline("ehcp_annual_review", date(2021, 5, 5), ENGLAND, today=date(2021, 5, 5))
    assert "ENG-AR-10" not in dates(items) and "ENG-AR-11" not in dates(items)
    assert "ENG-AR-08" in dates(items)
