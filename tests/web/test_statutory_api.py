"""The statutory calculator over the JSON API: the rules as data and one rule's date from its start dates."""

from __future__ import annotations

import pytest

from facilitation.domain.statutory.rules import RULES
from facilitation.schemas import STATUTORY_RULE_ID

COMPUTE = "/api/v1/statutory/compute"
IPSEA = {"rule_id": "ENG-APP-02", "jurisdiction": "ENG",
         "starts": {"decision_letter_date": "2026-10-01", "certificate_date": "2026-11-29"}}


def test_the_rules_are_listed_with_formula_who_acts_verification_and_sources(client):
    r = client.get("/api/v1/statutory/rules")
    assert r.status_code == 200
    rules = {rule["id"]: rule for rule in r.get_json()["rules"]}
    assert set(rules) == {rule.id for rule in RULES}
    assert rules["ENG-AR-08"]["formula"] == "2 weeks after the meeting date"
    assert rules["ENG-AR-08"]["start_events"] == ["meeting_date"]
    assert rules["ENG-AR-08"]["verification"] == "S" and rules["ENG-AR-08"]["sources"]
    assert "not legal advice" in r.get_json()["notice"]


def test_the_rules_can_be_listed_for_one_jurisdiction_and_an_unknown_one_is_refused(client):
    us = client.get("/api/v1/statutory/rules?jurisdiction=US").get_json()["rules"]
    assert us and {rule["jurisdiction"] for rule in us} == {"US"}
    r = client.get("/api/v1/statutory/rules?jurisdiction=FR")
    assert r.status_code == 422 and "jurisdiction" in r.get_json()["error"]["fields"]


def test_every_rule_id_fits_the_documented_pattern():
    import re

    assert all(re.match(STATUTORY_RULE_ID, rule.id) for rule in RULES)


def test_the_ipsea_christmas_example_is_computed_with_its_source_and_marked_unverified(client):
    r = client.post(COMPUTE, json=IPSEA)
    assert r.status_code == 200
    body = r.get_json()
    assert (body["date"], body["date_text"]) == ("2027-01-04", "Mon 4 Jan 2027")
    assert body["verified"] is False and body["verification"] == "U"
    assert body["rule"]["id"] == "ENG-APP-02" and any("ipsea.org.uk" in s for s in body["sources"])
    assert "not legal advice" in body["notice"]


def test_a_us_business_day_rule_skips_federal_holidays(client):
    r = client.post(COMPUTE, json={"rule_id": "US-DP-05", "jurisdiction": "US",
                                   "starts": {"agreement_signed_date": "2027-07-01"}})
    assert r.status_code == 200 and r.get_json()["date"] == "2027-07-07" and r.get_json()["verified"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**IPSEA, "rule_id": "ENG-XX-99"}, "rule_id"),
        ({**IPSEA, "rule_id": "nonsense"}, "rule_id"),
        ({key: value for key, value in IPSEA.items() if key != "rule_id"}, "rule_id"),
        ({**IPSEA, "jurisdiction": "US"}, "jurisdiction"),
        ({**IPSEA, "jurisdiction": "FR"}, "jurisdiction"),
        ({**IPSEA, "starts": {}}, "starts.decision_letter_date"),
        ({**IPSEA, "starts": {"decision_letter_date": "2026-02-30"}}, "starts.decision_letter_date"),
        ({**IPSEA, "starts": {"decision_letter_date": "1 Oct 2026"}}, "starts.decision_letter_date"),
        ({**IPSEA, "starts": {"decision_letter_date": "0001-01-01"}}, "starts.decision_letter_date"),
        ({**IPSEA, "starts": {"decision_letter_date": "2026-10-01", "meeting_date": "2026-10-01"}},
         "starts.meeting_date"),
        ({"rule_id": "ENG-AR-13", "jurisdiction": "ENG", "starts": {}}, "rule_id"),
        ({**IPSEA, "extra": 1}, "extra"),
    ],
    ids=["unknown rule", "malformed rule id", "no rule", "other jurisdiction", "unknown jurisdiction",
         "missing start date", "impossible date", "not a date", "date out of range", "start the rule does not take",
         "rule without a fixed date", "unexpected field"],
)
def test_bad_input_is_refused_with_a_message_naming_the_field(client, body, field):
    r = client.post(COMPUTE, json=body)
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "invalid" and error["fields"][field]


def test_a_body_that_is_not_json_is_refused(client):
    r = client.post(COMPUTE, data="not json", content_type="application/json")
    assert r.status_code == 422
