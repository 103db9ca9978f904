"""The statutory calculator over the JSON API: the rules as data and one rule's date from its start dates."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from facilitation.calendars import organisation_calendar
from facilitation.domain.statutory.clock import compute
from facilitation.domain.statutory.rules import RULES
from facilitation.schemas import STATUTORY_RULE_ID
from tests.web.test_openapi import strict

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


# ---------------------------------------------------------------- a meeting's timeline


def _timeline(client, meeting_id, token):
    return client.get(f"/api/v1/meetings/{meeting_id}/timeline", headers={"Authorization": f"Bearer {token}"})


def test_the_chair_reads_an_annual_reviews_timeline_with_the_evaluators_dates_and_sources(client, meeting):
    r = _timeline(client, meeting["id"], meeting["chair"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    start = datetime.fromisoformat(meeting["body"]["meeting"]["scheduled_start"])
    held = start.astimezone(ZoneInfo("Europe/London")).date()
    assert (body["jurisdiction"], body["meeting_date"]) == ("ENG", held.isoformat())
    items = {item["rule_id"]: item for item in body["items"]}
    assert list(items)[:3] == ["ENG-AR-05", "ENG-AR-06", "ENG-AR-08"]
    calendar = organisation_calendar("ENG", range(held.year, held.year + 2))
    report = items["ENG-AR-08"]
    assert report["date"] == compute("ENG-AR-08", {"meeting_date": held}, calendar).date.isoformat()
    assert (report["side"], report["status"], report["who"]) == ("after", "due", "Head teacher")
    assert report["verification"] == "S" and report["sources"][0].startswith("https://")
    notice = items["ENG-AR-05"]
    assert notice["side"] == "before" and notice["status"] == "overdue"  # two weeks before a meeting in 5 minutes
    assert "not legal advice" in body["notice"]


def test_an_iep_meetings_timeline_follows_the_us_federal_rules(client, make_meeting):
    m = make_meeting(meeting_type="iep_meeting")
    body = _timeline(client, m["id"], m["chair"]).get_json()
    assert body["jurisdiction"] == "US" and [i["rule_id"] for i in body["items"]] == ["US-IEP-02"]


def test_participants_read_the_timeline_but_observers_and_the_screen_are_refused(client, meeting):
    assert _timeline(client, meeting["id"], meeting["participants"][0]).status_code == 200
    r = client.post(f"/api/v1/meetings/{meeting['id']}/commands/participants.add",
                    json={"name": "Ms Watch", "role": "other", "agency": "other", "observer": True},
                    headers={"Authorization": f"Bearer {meeting['chair']}"})
    assert r.status_code == 200, r.get_json()
    observer = r.get_json()["join_path"].rsplit("/", 1)[1]
    for token in (observer, meeting["screen"]):
        r = _timeline(client, meeting["id"], token)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_an_unknown_meeting_or_a_missing_token_gets_no_timeline(client, meeting):
    assert _timeline(client, meeting["id"] + 999, meeting["chair"]).status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting['id']}/timeline").status_code == 401


def test_the_timeline_answer_validates_against_the_openapi_document(client, meeting):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")

    document = client.get("/api/openapi.json").get_json()
    response = document["paths"]["/api/v1/meetings/{meeting_id}/timeline"]["get"]["responses"]["200"]
    schema = {**response["content"]["application/json"]["schema"], "components": strict(document["components"])}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    body = _timeline(client, meeting["id"], meeting["chair"]).get_json()
    assert body["items"] and [e.message for e in validator.iter_errors(body)] == []
    assert document["paths"]["/api/v1/meetings/{meeting_id}/timeline"]["get"]["x-roles"] == [
        "chair", "note_taker", "participant"]


def test_the_timeline_counts_from_the_scheduled_day_until_the_meeting_starts_then_from_the_day_it_started(
    client, meeting, api
):

    start = datetime.fromisoformat(meeting["body"]["meeting"]["scheduled_start"]) + timedelta(days=30)
    status, body = api(meeting["chair"], meeting["id"], "meeting.update", version=1,
                       scheduled_start=start.isoformat(), scheduled_end=(start + timedelta(hours=1)).isoformat())
    assert status == 200, body
    later = _timeline(client, meeting["id"], meeting["chair"]).get_json()
    status, body = api(meeting["chair"], meeting["id"], "clock.start_meeting")
    assert status == 200, body
    now = _timeline(client, meeting["id"], meeting["chair"]).get_json()
    assert later["meeting_date"] == start.astimezone(ZoneInfo("Europe/London")).date().isoformat()
    assert now["meeting_date"] == now["today"]
    # the invitations: 16 days away for the meeting in 30 days, passed for the meeting that started today
    assert {i["rule_id"]: i["status"] for i in later["items"]}["ENG-AR-05"] == "due"
    assert {i["rule_id"]: i["status"] for i in now["items"]}["ENG-AR-05"] == "overdue"


# ---------------------------------------------------------------- a disagreement's route, previewed before saving


def preview(client, meeting_id, token, **body):
    return client.post(f"/api/v1/meetings/{meeting_id}/routes/preview", json=body, headers={"Authorization": f"Bearer {token}"})


def test_the_chair_previews_an_appeal_route_with_the_ipsea_dates_and_a_late_follow_up(client, meeting):
    r = preview(client, meeting["id"], meeting["chair"], about="la_decision", next_step="appeal",
                route_dates={"decision_letter_date": "2026-10-01", "certificate_date": "2026-11-29"}, follow_up_date="2027-01-05")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    dates = {d["rule_id"]: d for d in body["route_deadlines"]}
    assert dates["ENG-APP-01"]["date"] == "2026-12-29" and dates["ENG-APP-01"]["limit"]
    assert dates["ENG-APP-02"]["date"] == "2027-01-04" and not dates["ENG-APP-02"]["verified"]
    assert body["follow_up_late"]["rule_id"] == "ENG-APP-01"
    assert "Tue 29 Dec 2026" in body["follow_up_late"]["message"]
    assert body["next_step_note"].startswith("Only against a decision that can be appealed")


def test_a_preview_of_a_route_not_open_is_refused_naming_the_field_and_only_recorders_may_preview(client, meeting):
    r = preview(client, meeting["id"], meeting["chair"], about="provision", next_step="mediation")
    assert r.status_code == 422 and "next_step" in r.get_json()["error"]["fields"]
    r = preview(client, meeting["id"], meeting["chair"], next_step="appeal", route_dates={"decision_letter_date": "2999-01-01"})
    assert r.status_code == 422 and "route_dates.decision_letter_date" in r.get_json()["error"]["fields"]
    r = preview(client, meeting["id"], meeting["chair"], next_step="appeal", route_dates={"decision_letter_date": "yesterday"})
    assert r.status_code == 422
    assert preview(client, meeting["id"], meeting["participants"][0], next_step="appeal").status_code == 403
    assert preview(client, meeting["id"], meeting["screen"], next_step="appeal").status_code == 403
    assert preview(client, meeting["id"] + 1000, meeting["chair"], next_step="appeal").status_code == 404
    assert preview(client, meeting["id"], "nonsense", next_step="appeal").status_code == 401
