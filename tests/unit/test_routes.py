"""The routes after a disagreement (domain.routes): routes, not a ladder, each jurisdiction in its own words."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitation.calendars import organisation_calendar
from facilitation.domain import routes
from facilitation.domain.errors import InvalidValue

D = date
ENGLAND = organisation_calendar("ENG", range(2024, 2031))
US = organisation_calendar("US", range(2024, 2031))

#: Words only one jurisdiction uses (domain.md: a US meeting never mentions certificates or the Tribunal,
#: an English one never mentions due process).
ENGLAND_ONLY = ("Tribunal", "tribunal", "certificate", "local authority", "council", "SENDIASS", "Ombudsman", "EHC", "section I")
US_ONLY = ("due process", "IEE", "IEP", "state education agency", "school district", "IDEA", "resolution meeting")


def words(jurisdiction: str) -> str:
    kinds = " ".join(f"{k.label} {k.plain}" for k in routes.KINDS[jurisdiction])
    found = " ".join(f"{r.label} {r.plain} {r.note} " + " ".join(a.label for a in r.asks) for r in routes.ROUTES[jurisdiction])
    return f"{kinds} {found}"


def refused(*args) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        routes.check_route(*args)
    return caught.value


def test_each_jurisdiction_speaks_only_its_own_words():
    english, american = words("ENG"), words("US")
    assert [w for w in US_ONLY if w in english] == []
    assert [w for w in ENGLAND_ONLY if w in american] == []
    assert "Tribunal" in english and "due process" in american.lower()


def test_routes_are_not_a_ladder_no_route_is_numbered_and_none_is_a_precondition_of_informal_ones():
    for found in routes.ROUTES.values():
        for route in found:
            assert not route.label[:1].isdigit(), route.label
    drs = routes.find_route("sen_support_review", "disagreement_resolution")
    assert "Never needed before anything else" in drs.note and "SEN support included" in drs.note


def test_a_sen_support_disagreement_about_support_at_school_is_not_offered_mediation_nor_an_appeal():
    open_keys = [r.key for r in routes.open_routes("sen_support_review", "provision")]
    assert open_keys == ["follow_up_meeting", "facilitated_meeting", "disagreement_resolution", "complaint_school"]
    error = refused("sen_support_review", "provision", "mediation", {})
    assert error.field == "next_step" and "not open for a disagreement about the support at school" in error.message
    assert refused("sen_support_review", "provision", "appeal", {}).field == "next_step"


def test_mediation_and_appeal_are_open_for_an_appealable_decision_and_an_appeal_for_placement_alone():
    assert {"mediation", "appeal", "disagreement_resolution"} <= {r.key for r in routes.open_routes("ehcp_annual_review", "la_decision")}
    placement = {r.key for r in routes.open_routes("ehcp_annual_review", "placement_only")}
    assert "appeal" in placement and "mediation" not in placement
    # delays and missed reviews go to complaints and the Ombudsman, not to the Tribunal
    process = [r.key for r in routes.open_routes("ehcp_annual_review", "process")]
    assert "appeal" not in process and "complaint_local_authority" in process


def test_a_route_or_kind_of_the_other_jurisdiction_is_refused():
    error = refused("iep_meeting", None, "appeal", {})
    assert error.field == "next_step" and error.message == "That next step is not a route open in the US."
    error = refused("ehcp_annual_review", None, "due_process", {})
    assert error.message == "That next step is not a route open in England."
    assert refused("iep_meeting", "la_decision", None, {}).field == "about"
    assert refused("ehcp_annual_review", "evaluation", None, {}).field == "about"


def test_dates_a_route_does_not_ask_for_or_without_a_route_are_refused():
    error = refused("ehcp_annual_review", "la_decision", "appeal", {"complaint_filed_date": D(2026, 10, 1)})
    assert error.field == "route_dates.complaint_filed_date"
    assert refused("ehcp_annual_review", None, None, {"decision_letter_date": D(2026, 10, 1)}).field == "route_dates"
    # an appeal only about the school named needs no certificate, so it takes no certificate date
    assert refused("ehcp_annual_review", "placement_only", "appeal", {"certificate_date": D(2026, 11, 29)}).field == "route_dates.certificate_date"
    routes.check_route("ehcp_annual_review", "la_decision", "appeal", {"decision_letter_date": D(2026, 10, 1), "certificate_date": D(2026, 11, 29)})


def appeal(about="la_decision", follow_up=None, **dates):
    return routes.route_clock(routes.find_route("ehcp_annual_review", "appeal"), about, dates, follow_up, ENGLAND)


def test_the_ipsea_christmas_example_gives_the_appeal_deadline_and_its_holiday_adjusted_date():
    clock = appeal(decision_letter_date=D(2026, 10, 1), certificate_date=D(2026, 11, 29))
    found = {d.rule_id: d for d in clock.dates}
    assert found["ENG-APP-01"].deadline.date == D(2026, 12, 29) and found["ENG-APP-01"].limit
    # 29 December falls in the Christmas break: the next working day in January (1 January is a bank holiday)
    assert found["ENG-APP-02"].deadline.date == D(2027, 1, 4) and not found["ENG-APP-02"].deadline.verified
    assert clock.missing == () and clock.follow_up_late is None


def test_a_follow_up_after_the_appeal_deadline_is_flagged_and_one_before_it_is_not():
    late = appeal(follow_up=D(2027, 1, 5), decision_letter_date=D(2026, 10, 1), certificate_date=D(2026, 11, 29))
    assert late.follow_up_late is not None and late.follow_up_late.rule_id == "ENG-APP-01"
    assert appeal(follow_up=D(2026, 12, 29), decision_letter_date=D(2026, 10, 1), certificate_date=D(2026, 11, 29)).follow_up_late is None


def test_an_appeal_only_about_the_school_named_counts_from_the_letter_alone():
    clock = appeal("placement_only", decision_letter_date=D(2026, 10, 1))
    assert {d.rule_id: d.deadline.date for d in clock.dates}["ENG-APP-01"] == D(2026, 12, 1)
    assert "certificate_date" not in {a.event for a in routes.asks_for(routes.find_route("ehcp_annual_review", "appeal"), "placement_only")}


def test_an_appeal_without_the_letters_date_says_what_it_needs():
    clock = appeal()
    assert clock.dates == () and [a.label for a in clock.missing] == ["Date on the local authority's decision letter"]


def test_the_appeal_time_limit_keeps_running_through_informal_routes_and_the_disagreement_resolution_service():
    for key in ("follow_up_meeting", "disagreement_resolution", "mediation"):
        route = routes.find_route("ehcp_annual_review", key)
        clock = routes.route_clock(route, "la_decision", {"decision_letter_date": D(2027, 3, 1)}, D(2027, 5, 10), ENGLAND)
        limits = {d.rule_id: d.deadline.date for d in clock.dates if d.limit}
        assert limits["ENG-APP-01"] == D(2027, 5, 1), key
        assert clock.follow_up_late is not None, key
    mediation = routes.route_clock(routes.find_route("ehcp_annual_review", "mediation"), "la_decision", {"decision_letter_date": D(2027, 3, 1)}, None, ENGLAND)
    assert {d.rule_id for d in mediation.dates} == {"ENG-MED-02", "ENG-APP-01", "ENG-APP-02"}


def test_a_us_due_process_complaint_gives_the_resolution_meeting_and_period_and_warns_a_late_follow_up():
    route = routes.find_route("iep_meeting", "due_process")
    clock = routes.route_clock(route, "iep", {"complaint_received_date": D(2027, 2, 1)}, D(2027, 2, 20), US)
    found = {d.rule_id: d.deadline.date for d in clock.dates}
    # the hearing decision: 45 days from the end of the 30-day resolution period
    assert found == {"US-DP-03": D(2027, 2, 16), "US-DP-04": D(2027, 3, 3), "US-DP-06": D(2027, 4, 17)}
    assert clock.follow_up_late.rule_id == "US-DP-03"
    filing = routes.route_clock(routes.find_route("iep_meeting", "follow_up_meeting"), "iep", {"knew_date": D(2026, 9, 1)}, None, US)
    assert [(d.rule_id, d.deadline.date, d.limit) for d in filing.dates] == [("US-DP-01", D(2028, 9, 1), True)]


@given(st.dates(min_value=D(2024, 1, 1), max_value=D(2029, 12, 31)), st.integers(min_value=0, max_value=120))
def test_the_appeal_deadline_never_falls_before_the_letter_nor_moves_back_when_the_letter_is_later(letter, later):
    from datetime import timedelta

    first = {d.rule_id: d.deadline.date for d in appeal(decision_letter_date=letter).dates}
    second = {d.rule_id: d.deadline.date for d in appeal(decision_letter_date=letter + timedelta(days=later)).dates} if letter + timedelta(days=later) <= D(2029, 12, 31) else first
    assert first["ENG-APP-01"] > letter
    assert second["ENG-APP-01"] >= first["ENG-APP-01"] and second["ENG-APP-02"] >= first["ENG-APP-02"]


def test_a_mediation_gives_its_arrangement_certificate_and_agreement_dates_as_they_become_known():
    route = routes.find_route("ehcp_annual_review", "mediation")
    dates = {
        "decision_letter_date": D(2027, 3, 1),
        "mediation_requested_date": D(2027, 3, 10),
        "mediation_end_date": D(2027, 3, 25),  # the Thursday before Good Friday (26 March) and Easter Monday 2027
        "mediation_agreement_date": D(2027, 4, 1),
    }
    found = {d.rule_id: d.deadline for d in routes.route_clock(route, "la_decision", dates, None, ENGLAND).dates}
    assert found["ENG-MED-05"].date == D(2027, 4, 9) and not found["ENG-MED-05"].verified  # 30 days; trigger unverified
    assert found["ENG-MED-07"].date == D(2027, 4, 1)  # 3 working days: not Good Friday, the weekend or Easter Monday
    assert found["ENG-MED-09"].date == D(2027, 4, 15)
    only_letter = {d.rule_id for d in routes.route_clock(route, "la_decision", {"decision_letter_date": D(2027, 3, 1)}, None, ENGLAND).dates}
    assert only_letter == {"ENG-MED-02", "ENG-APP-01", "ENG-APP-02"}
