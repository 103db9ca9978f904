"""The statutory report builders and the plan's outcome rules: plain data in, a report out, no app."""

from __future__ import annotations

import pytest

from facilitation.domain import outcomes
from facilitation.domain.errors import InvalidValue, RuleViolation
from facilitation.domain.minutes import completeness, reports
from facilitation.domain.minutes.reports import NONE_RECORDED
from tests.unit.test_minutes_builder import build, record

#: every section the annual review report must have (reg 20 and the issue's list), in order
EHCP_SECTIONS = [
    "meeting",
    "child_views",
    "family_views",
    "progress",
    "appropriate",
    "advice",
    "recommendation",
    "amendments",
    "recommendations_compared",
    "differences",
    "adulthood",
    "agreed",
    "next_review",
]


def outcome(oid, position, text, **extra):
    return {"id": oid, "position": position, "text": text, **extra}


def full_record(**over):
    meeting = {**record().meeting, "year_group": 10, "adulthood_areas": ["employment", "health"]}
    data = dict(
        meeting=meeting,
        outcomes=[
            outcome(
                1,
                1,
                "Read a short book aloud",
                progress="Reads 3 pages a day",
                evidence="Reading log",
                still_appropriate="yes",
            ),
            outcome(
                2,
                2,
                "Work experience at a garage",
                area="employment",
                progress="Two days done",
                still_appropriate="partly",
                proposed_change="Extend to a week",
                carried_from_id=7,
            ),
        ],
        amendments=[
            {"id": 2, "section": "I", "wording": "Northshire College from September"},
            {"id": 1, "section": "F", "wording": "SALT 1 hour a week", "reason": "EP advice"},
        ],
        advice=[
            {
                "source": "Dr Eve Psych",
                "role": "Educational psychologist",
                "received_on": "2027-02-03",
                "summary": "Needs structured support",
                "recommendation": "Amend section F",
            }
        ],
    )
    return record(**{**data, **over})


# ---------------------------------------------------------------- the outcome rules


def test_outcomes_pasted_one_per_line_lose_their_bullets_numbers_and_blank_lines():
    pasted = "1. Read a book\n\n- Count to 100\r\n• Make a friend\n  a) Ride the bus alone  \n(3) Cook a meal"
    assert outcomes.split_pasted(pasted) == [
        "Read a book",
        "Count to 100",
        "Make a friend",
        "Ride the bus alone",
        "Cook a meal",
    ]


def test_carrying_outcomes_skips_those_already_in_the_meeting_whatever_their_case():
    assert outcomes.to_carry(["Read a book", "Count to 100", "read a book "], ["COUNT TO 100"]) == ["Read a book"]


def test_preparation_for_adulthood_areas_need_year_9_or_above():
    outcomes.check_adulthood(9, ["employment"])
    outcomes.check_adulthood(5, [])
    with pytest.raises(InvalidValue) as err:
        outcomes.check_adulthood(8, ["employment"])
    assert err.value.field == "areas"
    with pytest.raises(InvalidValue):
        outcomes.check_adulthood(None, ["health"])
    with pytest.raises(InvalidValue) as err:
        outcomes.check_adulthood(10, ["health", "health"])
    assert err.value.field == "areas"
    with pytest.raises(InvalidValue) as err:
        outcomes.check_adulthood(15, [])
    assert err.value.field == "year_group"


def test_sections_to_amend_are_the_ehc_plan_s_letters_at_an_annual_review_only():
    outcomes.check_amendment("ehcp_annual_review", "H1")
    with pytest.raises(InvalidValue):
        outcomes.check_amendment("ehcp_annual_review", "L")
    with pytest.raises(RuleViolation):
        outcomes.check_amendment("iep_meeting", "F")


def test_outcomes_belong_to_reviews_of_a_plan_not_to_a_multi_agency_meeting():
    for kind in ("ehcp_annual_review", "iep_meeting", "sen_support_review"):
        outcomes.check_outcomes_meeting(kind)
    with pytest.raises(RuleViolation):
        outcomes.check_outcomes_meeting("multi_agency")


# ---------------------------------------------------------------- the EHCP annual review report


def test_every_section_of_the_annual_review_report_is_present_even_for_an_empty_record():
    rec = record(decisions=[], actions=[], disagreements=[], details={})
    report = reports.ehcp_review_report(build(rec))
    assert [s.key for s in report.sections] == EHCP_SECTIONS
    for key in (
        "child_views",
        "family_views",
        "progress",
        "appropriate",
        "advice",
        "recommendation",
        "differences",
        "agreed",
        "next_review",
    ):
        section = report.section(key)
        assert section.empty and section.blocks[0].text == NONE_RECORDED, key
    # what the regulation needs and is missing is flagged, not only left empty
    assert report.section("progress").flag == "no outcomes of the plan are recorded."
    assert report.section("child_views").flag and report.section("recommendation").flag
    assert (
        "Annual review report: the year group is not recorded, so whether preparation for adulthood applies is unknown."
        in report.gaps
    )


def test_the_annual_review_report_gives_progress_and_whether_each_outcome_is_still_appropriate():
    report = reports.ehcp_review_report(build(full_record()))
    progress = report.section("progress").blocks[0]
    assert progress.rows == (
        ("O1", "Read a short book aloud", "Reads 3 pages a day", "Reading log"),
        ("O2", "Work experience at a garage", "Two days done", NONE_RECORDED),
    )
    appropriate = report.section("appropriate").blocks[0]
    assert appropriate.rows[1] == ("O2", "Work experience at a garage", "Partly", "Extend to a week")
    assert not report.gaps  # nothing the report needs is missing


def test_the_report_lists_the_sections_to_amend_in_the_plan_s_order_with_the_proposed_wording():
    report = reports.ehcp_review_report(build(full_record()))
    assert report.section("recommendation").blocks[0].text == "Amend the plan"
    rows = report.section("amendments").blocks[0].rows
    assert [r[0][:2] for r in rows] == ["F:", "I:"]
    assert rows[0][1:] == ("SALT 1 hour a week", "EP advice")


def test_amending_without_a_section_to_amend_is_flagged_before_circulation():
    m = build(full_record(amendments=[]))
    report = reports.ehcp_review_report(m)
    assert report.section("amendments").flag == "the plan is to be amended but no section to amend is recorded."
    assert "Annual review report: the plan is to be amended but no section to amend is recorded." in completeness(m)


def test_the_school_s_recommendation_is_set_against_the_advice_and_the_parties_positions():
    report = reports.ehcp_review_report(build(full_record()))
    rows = dict(report.section("recommendations_compared").blocks[0].rows)
    assert rows["The school"] == "Amend the plan"
    assert rows["Dr Eve Psych (Educational psychologist)"] == "Amend section F"
    assert rows["Sam Parent (Family)"] == "Hours of 1:1 support: 25 hours"
    advice = report.section("advice").blocks[0].rows
    assert advice == (("Dr Eve Psych", "Educational psychologist", "3 Feb 2027", "Needs structured support"),)


def test_the_advice_received_is_none_recorded_until_the_evidence_pack_supplies_it():
    report = reports.ehcp_review_report(build(full_record(advice=[])))
    assert report.section("advice").empty and report.section("advice").blocks[0].text == NONE_RECORDED


def test_from_year_9_the_report_has_each_chosen_preparation_for_adulthood_area_with_its_outcomes():
    report = reports.ehcp_review_report(build(full_record()))
    blocks = report.section("adulthood").blocks
    assert [b.text for b in blocks if b.kind == "text"] == ["Employment and higher education", "Good health"]
    assert blocks[1].items == ("O2 Work experience at a garage: Two days done",)
    assert blocks[3].items == (NONE_RECORDED,)


def test_below_year_9_preparation_for_adulthood_says_it_does_not_apply():
    rec = full_record()
    rec.meeting["year_group"], rec.meeting["adulthood_areas"] = 6, []
    report = reports.ehcp_review_report(build(rec))
    assert report.section("adulthood").blocks[0].text == "Not applicable: Year 6 (reviewed from Year 9)."


def test_the_differences_of_opinion_are_in_the_report_in_each_party_s_words():
    report = reports.ehcp_review_report(build(full_record()))
    section = report.section("differences")
    assert section.heading == "Differences of opinion"
    assert section.blocks[0].text == "G1 Hours of 1:1 support"
    assert "Sam Parent (Family): 25 hours" in section.blocks[1].items


def test_the_general_minutes_carry_the_plan_s_outcomes_adulthood_and_amendments_as_sections():
    m = build(full_record())
    assert [s.key for s in reports.plan_sections(m)] == ["views_responses", "outcomes", "adulthood", "amendments"]
    assert [s.key for s in reports.plan_sections(build())] == ["views_responses"]  # nothing of the plan; the child's views only
    assert [o.ref for o in m.outcomes] == ["O1", "O2"] and m.outcomes[1].carried


# ---------------------------------------------------------------- the US prior written notice


def iep(decisions, **over):
    rec = record("iep_meeting", decisions=decisions, disagreements=[], **over)
    rec.meeting["meeting_type_label"] = "IEP meeting"
    return rec


def decision(did, text, notice="proposes", **extra):
    return {
        "id": did,
        "agenda_item_id": 2,
        "text": text,
        "status": "agreed",
        "status_label": "Agreed by all",
        "dissenter_ids": [],
        "disagreement_id": None,
        "review_date": None,
        "notice": notice,
        **extra,
    }


CONTACTS = [
    {
        "kind": "advice",
        "label": "Parent training and information center",
        "name": "PTI North",
        "phone": "555-0100",
        "what": "Free help",
    }
]


def test_a_us_notice_lists_the_options_rejected_from_the_decision_register():
    rec = iep(
        [
            decision(
                1,
                "Place in a resource room 10 hours a week",
                reasons="Progress in reading is slow",
                evidence="Reading evaluation, 3 Feb; teacher data",
                other_factors="Parent prefers mornings",
                options_considered="General class only: rejected, progress too slow.\nFull-time special class: rejected, not least restrictive.",
            )
        ],
        contacts=CONTACTS,
    )
    report = reports.prior_written_notices(build(rec))
    keys = [s.key for s in report.sections]
    assert keys == ["notice", "action", "why", "evidence", "safeguards", "help", "options", "other_factors", "safeguards_record"]
    options = next(s for s in report.sections if s.key == "options")
    assert "General class only: rejected, progress too slow." in options.blocks[0].text
    assert "Full-time special class: rejected, not least restrictive." in options.blocks[0].text
    assert (
        next(s for s in report.sections if s.key == "action").blocks[0].text
        == "The school district proposes: Place in a resource room 10 hours a week"
    )
    assert next(s for s in report.sections if s.key == "help").blocks[0].items == (
        "Parent training and information center: PTI North, 555-0100",
    )
    assert "procedural safeguards" in next(s for s in report.sections if s.key == "safeguards").blocks[0].text
    # every element of the notice is present; only the safeguards record and consent are still to be made
    assert [g for g in report.gaps if "safeguards were offered" not in g and "consent" not in g] == []


def test_each_decision_that_proposes_or_refuses_gets_its_own_notice_with_missing_elements_flagged():
    rec = iep(
        [
            decision(1, "Add speech therapy"),
            decision(2, "Extended school year", notice="refuses", reasons="No regression"),
            decision(3, "Meet again in May", notice=None),
        ]
    )
    m = build(rec)
    report = reports.prior_written_notices(m)
    notices = [s for s in report.sections if s.key == "notice"]
    assert [s.heading for s in notices] == [
        "Notice 1 (D1): action proposed: Add speech therapy",
        "Notice 2 (D2): action refused: Extended school year",
    ]
    flagged = [s for s in report.sections if s.flag]
    assert {s.key for s in flagged} == {"why", "evidence", "options", "other_factors", "safeguards_record"}
    # without contacts of its own the organisation's notice points to the general services
    help_items = next(s for s in report.sections if s.key == "help").blocks[0].items
    assert help_items[0].startswith("Your Parent Training and Information Center: ")
    assert "Prior written notice for D1: the reasons are not recorded." in report.gaps
    assert (
        "Prior written notice for D2: the other options considered and why they were rejected are not recorded."
        in report.gaps
    )
    assert "Prior written notice for D2: the reasons are not recorded." not in report.gaps
    # the chair sees them with the other gaps before circulating
    assert "Prior written notice for D1: the evaluations, records or reports used are not recorded." in completeness(m)


def test_an_iep_meeting_without_a_proposal_or_refusal_is_flagged_as_having_no_notice():
    m = build(iep([decision(1, "Meet again", notice=None)]))
    report = reports.prior_written_notices(m)
    assert report.sections[0].flag and report.sections[0].blocks[0].text == NONE_RECORDED
    assert any("no decision is marked as an action proposed or refused" in g for g in completeness(m))


def test_a_meeting_of_another_type_has_no_statutory_report_and_no_report_gaps():
    assert reports.reports_for("multi_agency") == []
    assert reports.reports_for("ehcp_annual_review") == ["report"]
    assert reports.reports_for("iep_meeting") == ["pwn"]
    m = build(record("multi_agency"))
    assert reports.report_gaps(m) == []


def test_minutes_stored_before_outcomes_existed_read_back_with_none():
    data = build().to_dict()
    for name in ("outcomes", "amendments", "year_group", "adulthood_areas", "advice_received", "help_sources"):
        data.pop(name)
    for d in data["agenda"][1]["decisions"]:
        d.pop("notice"), d.pop("other_factors")
    old = type(build()).from_dict(data)
    assert old.outcomes == [] and old.year_group is None and old.decisions[0].notice is None
    assert [s.key for s in reports.ehcp_review_report(old).sections] == EHCP_SECTIONS
