"""The organisation's part of the statutory clock, without the app: typed term and closure lines, contacts
in each jurisdiction's words, a US state's timeframes as new rule versions, and the family summary's dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from facilitation.domain import minutes as dm
from facilitation.domain.statutory import organisation as org
from facilitation.domain.statutory.calendar import Calendar
from facilitation.domain.statutory.clock import compute, find_rule
from facilitation.domain.statutory.rules import RULES
from tests.unit.test_minutes_builder import build, record

NOTICE = "These dates are the latest the law allows, computed from the rules; this is not legal advice."


def test_term_lines_are_read_with_their_names_and_sorted():
    terms = org.parse_terms("# this school's year\n2027-01-05 to 2027-03-26 Spring\n\n2026-09-03 – 2026-12-18 Autumn term\n")
    assert [t.as_line() for t in terms] == ["2026-09-03 to 2026-12-18 Autumn term", "2027-01-05 to 2027-03-26 Spring"]
    assert org.terms_of(terms)[0].start == date(2026, 9, 3)


def test_closure_lines_take_single_days_and_spans_and_cover_every_day():
    closures = org.parse_closures("2026-11-13 INSET day\n2026-10-29 to 2026-10-30")
    assert org.closure_days(closures) == {date(2026, 11, 13), date(2026, 10, 29), date(2026, 10, 30)}
    assert org.spans_from([span.as_dict() for span in closures]) == closures


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-09-03 to 2026-12-18\nAutumn", "Line 2: write it like 2026-09-03 to 2026-12-18."),
        ("2026-09-03", "Line 1: give the first and last day"),
        ("2026-09-03 to 2026-02-30", "Line 1: 2026-02-30 is not a real date."),
        ("1900-09-03 to 1900-12-18", "Line 1: 1900-09-03 is outside the years"),
        ("2026-12-18 to 2026-09-03", "Line 1: the last day is before the first."),
        ("2026-09-03 to 2026-12-18\n2026-12-18 to 2027-03-26", "overlap"),
        ("2026-09-03 to 2026-12-18 " + "x" * 81, "Line 1: the note may be at most 80 characters."),
    ],
)
def test_a_wrong_term_line_is_refused_naming_the_line(text, message):
    with pytest.raises(org.LinesRefused) as refused:
        org.parse_terms(text)
    assert message in str(refused.value)


def test_every_wrong_closure_line_is_named_and_a_long_span_is_refused():
    with pytest.raises(org.LinesRefused) as refused:
        org.parse_closures("snow\n2026-01-01 to 2027-06-01 year off\n2026-11-13 fine")
    assert "Line 1:" in str(refused.value) and "Line 2: a closure may run for at most 366 days." in str(refused.value)
    with pytest.raises(org.LinesRefused, match="At most 400 lines"):
        org.parse_closures("\n".join("2026-01-01" for _ in range(401)))


def test_each_jurisdiction_shows_its_own_contacts_in_its_own_words():
    contacts = {kind: org.Contact(name=f"Local {kind}", phone="01632 960000") for kind in org.CONTACT_KINDS}
    england = org.contacts_shown("ENG", contacts)
    us = org.contacts_shown("US", contacts)
    assert [c.kind for c in england] == ["advice", "disagreement_resolution", "mediation"]
    assert [c.kind for c in us] == ["advice", "mediation"]  # no disagreement resolution service in the US
    english_words = " ".join(c.label + c.what for c in england)
    us_words = " ".join(c.label + c.what for c in us)
    assert "SENDIASS" in english_words and "Parent Center" not in english_words and "due process" not in english_words
    assert "Parent Training and Information Center" in us_words and "SENDIASS" not in us_words
    assert org.contacts_shown("ENG", {"advice": org.Contact()}) == []  # nothing typed: nothing shown
    assert org.Contact(phone="1", email="a@b.org", web="https://b.org").reach() == "Phone 1 · Email a@b.org · https://b.org"


def test_a_state_timeframe_is_a_new_version_of_the_rule_and_compute_labels_it():
    federal = find_rule("US-EVAL-01")
    ohio = org.with_overrides(federal, {"US-EVAL-01": 45}, "OH")
    assert (ohio.version, ohio.clocks[0].amount, ohio.state_timeframe) == (federal.version + 1, 45, "OH")
    assert org.with_overrides(federal, {"US-EVAL-01": 45}, org.FEDERAL) is federal  # no state: the default
    assert org.with_overrides(find_rule("US-IEP-02"), {"US-IEP-02": 2}, "OH").clocks[0].amount == 1  # not settable
    deadline = compute(ohio, {"consent_date": date(2027, 1, 4)}, Calendar())
    assert (deadline.date, deadline.state_timeframe, deadline.verified) == (date(2027, 2, 18), "OH", False)
    rules = org.state_rules(RULES, {"US-DP-01": 1}, "OH")
    assert compute(find_rule("US-DP-01", rules=rules), {"knew_date": date(2027, 1, 4)}, Calendar()).date == date(2028, 1, 4)


# ---------------------------------------------------------------- the family summary


def item(rule_id, day, side="after", verified=True, who="Head teacher", title="A step", state=None):
    return {"rule_id": rule_id, "date": day, "side": side, "verified": verified, "who": who, "title": title,
            "sources": [f"https://example.org/{rule_id}"], "state_timeframe": state}


def test_the_family_summary_lists_the_dates_after_the_meeting_in_plain_words_with_rule_and_source():
    timeline = [item("ENG-AR-05", "2027-02-28", side="before"), item("ENG-AR-09", "2027-04-11"),
                item("ENG-AR-08", "2027-03-28"), item("ENG-AR-11", "2027-04-25", verified=False)]
    s = build(replace(record(), statutory=timeline)).summary
    assert [d.rule_id for d in s.statutory_dates] == ["ENG-AR-08", "ENG-AR-09", "ENG-AR-11"]  # by date; none before
    report = s.statutory_dates[0]
    assert report.text == "The school must send the review report to everyone by Sunday 28 March 2027."
    assert report.source == "https://example.org/ENG-AR-08" and report.verified
    assert s.statutory_dates[2].verified is False
    assert s.statutory_notice == NOTICE


def test_a_step_without_family_wording_is_said_from_the_rule_and_no_timeline_means_no_notice():
    s = build(replace(record(), statutory=[item("ENG-XX-01", "2027-05-03", who="Local authority", title="Something done")])).summary
    assert s.statutory_dates[0].text == "Local authority: Something done, by Monday 3 May 2027."
    assert build().summary.statutory_dates == [] and build().summary.statutory_notice == ""


def test_the_organisations_advice_contact_replaces_the_pointer_to_find_one():
    contact = {"kind": "advice", "label": "SEND Information, Advice and Support Service (SENDIASS)", "what": "Free advice.",
               "name": "Northshire SENDIASS", "phone": "01632 960000", "email": "", "web": "https://n.example"}
    advice = build(replace(record(), contacts=[contact])).summary.advice
    assert advice[0] == dm.Advice("Northshire SENDIASS (SEND Information, Advice and Support Service (SENDIASS))",
                                  "Free advice.", "Phone 01632 960000 · https://n.example")
    assert [a.name for a in advice[1:3]] == ["IPSEA", "Contact"]
    assert build().summary.advice[0].name == "Your local SENDIASS"  # none set: the general list


def test_a_us_summary_keeps_to_us_words_and_labels_a_state_timeframe():
    timeline = [item("US-IEP-02", "2028-03-14", who="IEP team"), item("US-EVAL-01", "2027-04-28", state="OH")]
    s = build(replace(record("iep_meeting", disagreements=[], decisions=[], details={}), statutory=timeline)).summary
    assert s.statutory_dates[1].text == "The IEP team must review the IEP again by Tuesday 14 March 2028, at least once a year."
    assert s.statutory_dates[0].state_timeframe == "OH"
    words = " ".join([*(d.text for d in s.statutory_dates), *(a.name + a.what + a.where for a in s.advice), s.statutory_notice])
    for word in ("SENDIASS", "Tribunal", "certificate", "council"):
        assert word not in words


def test_a_summary_with_dates_survives_the_json_round_trip_and_an_older_one_still_reads():
    m = build(replace(record(), statutory=[item("ENG-AR-08", "2027-03-28")]))
    assert dm.Minutes.from_dict(m.to_dict()) == m
    stored = m.to_dict()
    del stored["summary"]["statutory_dates"], stored["summary"]["statutory_notice"]
    assert dm.Minutes.from_dict(stored).summary.statutory_dates == []
