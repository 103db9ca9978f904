"""The statutory record over the JSON API: the process dates an IEP meeting's clocks start from (or
"needs: <the date>"), an exception that removes a fixed date where the rule says so, and who may record."""

from __future__ import annotations

from datetime import timedelta

from facilitation.domain.statutory.calendar import add_months
from facilitation.extensions import db
from facilitation.models import ProcessDate, StatutoryRecord
from tests.conftest import local_today


def _timeline(client, meeting_id, token):
    r = client.get(f"/api/v1/meetings/{meeting_id}/timeline", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_an_iep_meeting_lists_what_its_clocks_need_until_the_chair_sets_the_process_dates(client, make_meeting, api):
    m = make_meeting(meeting_type="iep_meeting")
    body = _timeline(client, m["id"], m["chair"])
    assert {n["rule_id"]: n["record_text"] for n in body["needs"]} == {
        "US-EVAL-01": "needs: the date of parental consent to the evaluation",
        "US-IEP-01": "needs: the date the child was found eligible",
        "US-IEP-03B": "needs: the date of the last evaluation",
        "US-IEP-03": "needs: the date of the last evaluation",
    }
    assert [f["name"] for f in body["process"]] == ["last_evaluation_date", "consent_date", "eligibility_date"]
    evaluated = local_today() - timedelta(days=700)
    status, ack = api(m["chair"], m["id"], "statutory.set_process_dates", last_evaluation_date=evaluated.isoformat())
    assert status == 200, ack
    body = _timeline(client, m["id"], m["chair"])
    items = {i["rule_id"]: i for i in body["items"]}
    assert items["US-IEP-03"]["date"] == add_months(evaluated, 36)[0].isoformat()
    assert items["US-IEP-03"]["counted_from"] == "the date of the last evaluation"
    assert {n["rule_id"] for n in body["needs"]} == {"US-EVAL-01", "US-IEP-01"}
    assert {f["name"]: f["value"] for f in body["process"]}["last_evaluation_date"] == evaluated.isoformat()
    # null clears a date: the step needs it again
    status, ack = api(m["chair"], m["id"], "statutory.set_process_dates", last_evaluation_date=None)
    assert status == 200, ack
    assert "US-IEP-03" in {n["rule_id"] for n in _timeline(client, m["id"], m["chair"])["needs"]}


def test_process_dates_a_meeting_type_does_not_take_or_out_of_range_are_refused_naming_the_field(
    app, client, make_meeting, api
):
    m = make_meeting(meeting_type="iep_meeting")
    status, body = api(m["chair"], m["id"], "statutory.set_process_dates", transfer_date="2027-09-01",
                       consent_date="1850-01-01")
    assert status == 422 and set(body["error"]["fields"]) == {"transfer_date", "consent_date"}
    status, body = api(m["chair"], m["id"], "statutory.set_process_dates", phase_transfer="none")
    assert status == 422 and "phase_transfer" in body["error"]["fields"]  # an annual review's, not an IEP's
    review = make_meeting()
    status, body = api(review["chair"], review["id"], "statutory.set_process_dates", phase_transfer="sideways")
    assert status == 422 and "phase_transfer" in body["error"]["fields"]
    status, body = api(m["chair"], m["id"], "statutory.set_process_dates", consent_date="2027-02-30")
    assert status == 422 and "consent_date" in body["error"]["fields"]
    with app.app_context():
        assert db.session.query(ProcessDate).count() == 0


def test_an_annual_review_in_a_transfer_year_shows_the_amend_by_date(client, meeting, api):
    year = local_today().year + 1
    status, body = api(meeting["chair"], meeting["id"], "statutory.set_process_dates", phase_transfer="school",
                       transfer_date=f"{year}-09-01")
    assert status == 200, body
    items = {i["rule_id"]: i for i in _timeline(client, meeting["id"], meeting["chair"])["items"]}
    assert items["ENG-AR-14"]["date"] == f"{year}-02-15" and "ENG-AR-14B" not in items


def test_an_exception_the_rule_allows_removes_the_fixed_date_and_undo_restores_it(client, make_meeting, api):
    m = make_meeting(meeting_type="iep_meeting")
    consent = local_today() - timedelta(days=70)
    api(m["chair"], m["id"], "statutory.set_process_dates", consent_date=consent.isoformat())
    evaluation = {i["rule_id"]: i for i in _timeline(client, m["id"], m["chair"])["items"]}["US-EVAL-01"]
    assert evaluation["status"] == "overdue"
    assert {a["key"] for a in evaluation["exceptions_allowed"]} == {"child_not_produced", "moved_district", "other"}
    status, ack = api(m["chair"], m["id"], "statutory.record_exception", rule_id="US-EVAL-01",
                      exception="moved_district", reason="Moved from Lincoln Unified; completion agreed for May")
    assert status == 200 and ack["effect"] == "removes", ack
    evaluation = {i["rule_id"]: i for i in _timeline(client, m["id"], m["chair"])["items"]}["US-EVAL-01"]
    assert (evaluation["status"], evaluation["due"], evaluation["date_removed"]) == ("no_fixed_date", None, True)
    assert evaluation["exception"]["text"] == (
        "Exception: child moved to another school district during the evaluation (no fixed date)")
    status, ack = api(m["chair"], m["id"], "statutory.undo", rule_id="US-EVAL-01", what="exception")
    assert status == 200, ack
    evaluation = {i["rule_id"]: i for i in _timeline(client, m["id"], m["chair"])["items"]}["US-EVAL-01"]
    assert evaluation["status"] == "overdue" and evaluation["exception"] is None


def test_a_step_done_after_its_date_reads_as_late_by_the_days_after(client, meeting, api):
    items = {i["rule_id"]: i for i in _timeline(client, meeting["id"], meeting["chair"])["items"]}
    invitations = local_today().fromisoformat(items["ENG-AR-05"]["date"])
    done = invitations + timedelta(days=2)
    status, body = api(meeting["chair"], meeting["id"], "statutory.record_done", rule_id="ENG-AR-05",
                       done_on=done.isoformat())
    assert status == 200, body
    item = {i["rule_id"]: i for i in _timeline(client, meeting["id"], meeting["chair"])["items"]}["ENG-AR-05"]
    assert (item["status"], item["record_text"]) == ("late", "Late: done 2 days after")
    # recording again replaces the day
    api(meeting["chair"], meeting["id"], "statutory.record_done", rule_id="ENG-AR-05", done_on=invitations.isoformat())
    item = {i["rule_id"]: i for i in _timeline(client, meeting["id"], meeting["chair"])["items"]}["ENG-AR-05"]
    assert item["status"] == "met"


def test_a_participant_cannot_record_and_another_meetings_chair_gets_no_such_meeting(app, client, meeting, make_meeting, api):
    status, body = api(meeting["participants"][0], meeting["id"], "statutory.record_done", rule_id="ENG-AR-05",
                       done_on=local_today().isoformat())
    assert status == 403 and body["error"]["code"] == "forbidden"
    other = make_meeting()
    status, body = api(other["chair"], meeting["id"], "statutory.record_done", rule_id="ENG-AR-05",
                       done_on=local_today().isoformat())
    assert status == 404
    status, body = api(meeting["participants"][0], meeting["id"], "statutory.set_process_dates", phase_transfer="none")
    assert status == 403
    with app.app_context():
        assert db.session.query(StatutoryRecord).count() == 0 and db.session.query(ProcessDate).count() == 0
