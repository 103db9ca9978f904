"""The action log over HTTP: filters and counts, history, carry forward, "my actions", CSV, calendar feeds, overview."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from facilitation.extensions import db
from facilitation.models import Action, AuditEntry, Meeting, MeetingEvent
from tests.conftest import events_of, local_today


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def day(n: int) -> str:
    return (local_today() + timedelta(days=n)).isoformat()


@pytest.fixture
def api(client):
    """api(token, meeting_id, command, **args) -> (status, body); args may include `name`."""

    def send(token, meeting_id, command_name, /, **args):
        r = client.post(f"/api/v1/meetings/{meeting_id}/commands/{command_name}", json=args, headers=bearer(token))
        return r.status_code, r.get_json()

    return send


def participants_of(client, m) -> dict[str, int]:
    snap = client.get(f"/api/v1/meetings/{m['id']}", headers=bearer(m["chair"])).get_json()
    return {p["name"]: p["id"] for p in snap["participants"]}


def record(api, m, what, *, owner_participant_id=None, owner_name=None, owner_agency=None, due=7, follow_up=14, **extra):
    args = {"what": what, "due_date": day(due), "follow_up_date": day(follow_up), **extra}
    if owner_participant_id:
        args["owner_participant_id"] = owner_participant_id
    if owner_name:
        args["owner_name"] = owner_name
    if owner_agency:
        args["owner_agency"] = owner_agency
    status, body = api(m["chair"], m["id"], "actions.record", **args)
    assert status == 200, body
    return body["action_id"]


def backdate(app, action_id: int, days: int) -> None:
    """Move an action (agreed, due and follow-up) `days` into the past, as if agreed long ago."""
    with app.app_context():
        a = db.session.get(Action, action_id)
        a.created_at -= timedelta(days=days)
        a.due_date -= timedelta(days=days)
        a.follow_up_date -= timedelta(days=days)
        db.session.commit()


def log(client, token, **params):
    r = client.get("/api/v1/actions", query_string=params, headers=bearer(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def whats(body) -> list[str]:
    return [a["what"] for a in body["actions"]]


def progress(client, token, action_id, **body):
    r = client.post(f"/api/v1/actions/{action_id}/progress", json=body, headers=bearer(token))
    return r.status_code, r.get_json()


def later_meeting(make_meeting, days=40, **overrides):
    """A meeting for the same child, prepared for `days` ahead."""
    start = datetime.now(ZoneInfo("UTC")).replace(microsecond=0) + timedelta(days=days)
    return make_meeting(scheduled_start=start.isoformat(), scheduled_end=(start + timedelta(minutes=90)).isoformat(), **overrides)


@pytest.fixture
def two_meetings(app, client, meeting, make_meeting, api):
    """Meeting A (the `meeting` fixture: parent Sam, EP Eve) and meeting B for another child, with actions."""
    people = participants_of(client, meeting)
    a = {
        "salt": record(api, meeting, "Weekly SALT sessions", owner_name="J. Patel", owner_agency="Northshire SALT", due=3, follow_up=10),
        "ep": record(api, meeting, "EP observation in class", owner_participant_id=people["Dr Eve Psych"], due=20, follow_up=30),
        "home": record(api, meeting, "Keep a home diary", owner_participant_id=people["Sam Parent"], due=10, follow_up=20),
    }
    b = make_meeting(child_ref="ZX-9", meeting_type="sen_support_review", title="SEN support review")
    status, body = api(b["chair"], b["id"], "participants.add", name="Ms Teach", role="class_teacher", agency="school", agency_name="Hillside Primary")
    assert status == 200
    teacher = body["participant_id"]
    b["participants"] = [body["join_path"].rsplit("/", 1)[1]]
    a["visual"] = record(api, b, "Visual timetable in class", owner_participant_id=teacher, due=2, follow_up=5)
    a["ot"] = record(api, b, "OT assessment", owner_name="K. Lee", owner_agency="Northshire OT", due=30, follow_up=45)
    backdate(app, a["salt"], 20)  # overdue by 17 days, lapsed (follow-up 10 days ago)
    backdate(app, a["visual"], 5)  # overdue by 3 days
    return {"a": meeting, "b": b, "ids": a, "people": people, "teacher": teacher}


# ---------------------------------------------------------------- the log: every meeting, filters, counts


def test_a_chair_link_sees_every_meeting_s_actions_with_counts(client, two_meetings):
    body = log(client, two_meetings["a"]["chair"])
    assert body["total"] == 5
    assert set(whats(body)) == {"Weekly SALT sessions", "EP observation in class", "Keep a home diary", "Visual timetable in class", "OT assessment"}
    assert body["counts"]["open"] == 5 and body["counts"]["overdue"] == 2 and body["counts"]["lapsed"] == 1
    # the same from the other meeting's chair link: one organisation, until staff accounts
    assert log(client, two_meetings["b"]["chair"])["total"] == 5


def test_the_log_filters_by_owner_agency_child_meeting_type_and_meeting(client, two_meetings):
    chair = two_meetings["a"]["chair"]
    assert whats(log(client, chair, owner="patel")) == ["Weekly SALT sessions"]
    assert whats(log(client, chair, owner="EVE")) == ["EP observation in class"]
    assert whats(log(client, chair, agency="Northshire OT")) == ["OT assessment"]
    assert set(whats(log(client, chair, child_ref="zx-9"))) == {"Visual timetable in class", "OT assessment"}
    assert set(whats(log(client, chair, meeting_type="sen_support_review"))) == {"Visual timetable in class", "OT assessment"}
    assert log(client, chair, meeting_id=two_meetings["a"]["id"])["total"] == 3
    assert log(client, chair, owner="nobody-like-this")["total"] == 0
    # a % or _ typed in a search is a character, not a wildcard
    assert log(client, chair, owner="%")["total"] == 0


def test_the_log_filters_by_status_due_and_follow_up_ranges_and_overdue(client, app, two_meetings):
    chair = two_meetings["a"]["chair"]
    ids = two_meetings["ids"]
    status, _ = progress(client, chair, ids["ep"], version=1, status="in_progress", note="Visit booked")
    assert status == 200
    assert whats(log(client, chair, status="in_progress")) == ["EP observation in class"]
    assert log(client, chair, status=["open", "in_progress"])["total"] == 5
    assert set(whats(log(client, chair, overdue="1"))) == {"Weekly SALT sessions", "Visual timetable in class"}
    assert whats(log(client, chair, overdue="1", child_ref="AB-1")) == ["Weekly SALT sessions"]
    assert set(whats(log(client, chair, due_from=day(0), due_to=day(12)))) == {"Keep a home diary"}
    assert set(whats(log(client, chair, follow_up_from=day(25), follow_up_to=day(50)))) == {"EP observation in class", "OT assessment"}
    body = log(client, chair, due_this_week="1")
    assert body["total"] == 0
    body = log(client, chair, overdue="1", due_this_week="1", status="in_progress")
    assert body["total"] == 0 and body["actions"] == []


def test_the_log_sorts_and_paginates_with_the_total(client, make_meeting, api):
    m = make_meeting()
    for n in range(30):
        record(api, m, f"Action {n:02d}", owner_name=f"Owner {29 - n:02d}", owner_agency="School", due=n + 1, follow_up=n + 40)
    first = log(client, m["chair"], per_page="25")
    assert first["total"] == 30 and first["pages"] == 2 and len(first["actions"]) == 25
    assert whats(first)[:2] == ["Action 00", "Action 01"]
    second = log(client, m["chair"], per_page="25", page="2")
    assert whats(second) == [f"Action {n:02d}" for n in range(25, 30)]
    by_owner = log(client, m["chair"], sort="owner", per_page="25")
    assert by_owner["actions"][0]["owner"] == "Owner 00"
    latest = log(client, m["chair"], sort="due", direction="desc", per_page="25")
    assert whats(latest)[0] == "Action 29"


def test_bad_filters_get_one_message_per_field(client, meeting):
    r = client.get(
        "/api/v1/actions",
        query_string={"due_from": "14/03/2027", "status": "finished", "sort": "colour", "due_to": "2027-02-30", "page": "0"},
        headers=bearer(meeting["chair"]),
    )
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert set(fields) == {"due_from", "status", "sort", "due_to", "page"}
    assert "2026-03-14" in fields["due_from"]
    page = client.get(f"/actions/{meeting['chair']}?due_from=nonsense")
    assert page.status_code == 422 and b"Some filters could not be used" in page.data


def test_a_participant_link_sees_only_its_own_actions_and_a_screen_link_none(client, two_meetings):
    sam, eve = two_meetings["a"]["participants"]
    assert whats(log(client, sam)) == ["Keep a home diary"]
    assert whats(log(client, eve)) == ["EP observation in class"]
    assert client.get("/api/v1/actions", headers=bearer(two_meetings["a"]["screen"])).status_code == 403
    assert client.get("/api/v1/actions").status_code == 401
    assert client.get(f"/actions/{sam}").status_code == 404  # the log page is for chair links
    assert client.get(f"/actions/{two_meetings['a']['screen']}").status_code == 404


def test_the_log_page_makes_overdue_stand_out_and_links_to_the_meeting_and_agenda_item(client, app, two_meetings):
    chair = two_meetings["a"]["chair"]
    page = client.get(f"/actions/{chair}")
    html = page.data.decode()
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert 'class="standing-lapsed"' in html and "Overdue by 17 days" in html
    assert 'class="standing-overdue"' in html and "Overdue by 3 days" in html
    with app.app_context():
        salt = db.session.get(Action, two_meetings["ids"]["salt"])
        item = salt.agenda_item_id
    assert f"/actions/{chair}/meetings/{two_meetings['a']['id']}" in html
    record_page = client.get(f"/actions/{chair}/meetings/{two_meetings['a']['id']}").data.decode()
    if item:
        assert f'id="item-{item}"' in record_page
    assert "Weekly SALT sessions" in record_page
    assert "every meeting prepared by the same account" in html  # a chair link is told whose actions it shows


# ---------------------------------------------------------------- progress and history


def test_progress_is_kept_as_history_and_broadcast_to_the_action_s_meeting(client, app, two_meetings, sockets):
    m = two_meetings["a"]
    sam = m["participants"][0]
    room = sockets(sam)
    room.get_received()
    action = two_meetings["ids"]["home"]
    status, body = progress(client, sam, action, version=1, status="in_progress", note="Diary started")
    assert status == 200 and body["status"] == "in_progress"
    status, body = progress(client, sam, action, version=2, status="done", evidence="https://example.org/diary.pdf", note="4 weeks kept")
    assert status == 200
    detail = client.get(f"/api/v1/actions/{action}", headers=bearer(m["chair"])).get_json()
    assert [(u["status_before"], u["status_after"], u["note"]) for u in detail["history"]] == [
        ("open", "in_progress", "Diary started"),
        ("in_progress", "done", "4 weeks kept"),
    ]
    assert detail["history"][1]["evidence_is_link"] is True
    assert detail["closed_on"] == local_today().isoformat() and detail["standing"] == "done"
    events = events_of(room)
    assert [e["type"] for e in events] == ["actions.record_progress", "actions.record_progress"]
    assert events[-1]["data"]["actions"][0]["status"] == "done"
    assert events[-1]["data"]["action_updates"][0]["note"] == "4 weeks kept"
    assert events[1]["seq"] == events[0]["seq"] + 1
    with app.app_context():
        trail = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "action", AuditEntry.entity_id == action)).all()
        assert [t.action for t in trail][-2:] == ["actions.record_progress", "actions.record_progress"]
        assert trail[-1].actor == "Sam Parent (participant)"


def test_a_participant_records_progress_only_on_their_own_actions(client, two_meetings):
    sam = two_meetings["a"]["participants"][0]
    status, body = progress(client, sam, two_meetings["ids"]["ep"], version=1, note="I think it happened")
    assert status == 403 and "your own actions" in body["error"]["message"]
    status, body = progress(client, sam, two_meetings["ids"]["visual"], version=1, note="x")
    assert status == 404  # another meeting's action: as if it did not exist
    status, _ = progress(client, two_meetings["a"]["screen"], two_meetings["ids"]["home"], version=1, note="x")
    assert status == 403


def test_contradicting_status_changes_get_a_clear_error_and_change_nothing(client, app, two_meetings):
    chair = two_meetings["a"]["chair"]
    action = two_meetings["ids"]["ep"]
    status, body = progress(client, chair, action, version=1, status="done", evidence="report", occurred_on=day(2))
    assert status == 422
    assert "cannot be marked done" in body["error"]["fields"]["occurred_on"]
    status, body = progress(client, chair, action, version=1, status="cancelled", note="EP left the service")
    assert status == 200
    status, body = progress(client, chair, action, version=2, status="open", note="New EP found")
    assert status == 409 and body["error"]["code"] == "cancelled"
    assert "cancelled" in body["error"]["message"] and "can no longer be updated" in body["error"]["message"]
    r = client.post(f"/api/v1/actions/{action}/missed-provision", json={"occurred_on": day(0), "note": "No visit"}, headers=bearer(chair))
    assert r.status_code == 409
    detail = client.get(f"/api/v1/actions/{action}", headers=bearer(chair)).get_json()
    assert len(detail["history"]) == 1 and detail["status"] == "cancelled"


def test_a_stale_progress_update_gets_a_conflict_with_the_current_values(client, two_meetings):
    chair = two_meetings["a"]["chair"]
    action = two_meetings["ids"]["ep"]
    assert progress(client, chair, action, version=1, status="in_progress", note="booked")[0] == 200
    status, body = progress(client, chair, action, version=1, status="not_done", note="stale view")
    assert status == 409 and body["error"]["code"] == "conflict"
    assert body["error"]["current"]["status"] == "in_progress"


def test_a_retried_progress_update_with_the_same_key_is_recorded_once(client, two_meetings):
    chair = two_meetings["a"]["chair"]
    action = two_meetings["ids"]["ep"]
    headers = {**bearer(chair), "Idempotency-Key": "retry-1"}
    first = client.post(f"/api/v1/actions/{action}/progress", json={"version": 1, "note": "called school"}, headers=headers)
    again = client.post(f"/api/v1/actions/{action}/progress", json={"version": 1, "note": "called school"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert len(client.get(f"/api/v1/actions/{action}", headers=bearer(chair)).get_json()["history"]) == 1


def test_a_chair_updates_another_meeting_s_action_from_the_log_in_that_meeting(client, app, two_meetings, sockets):
    a, b = two_meetings["a"], two_meetings["b"]
    room_b = sockets(b["participants"][0])
    room_b.get_received()
    with app.app_context():
        seq_a_before = db.session.get(Meeting, a["id"]).last_seq
    status, body = progress(client, a["chair"], two_meetings["ids"]["visual"], version=1, status="in_progress", note="Timetable printed")
    assert status == 200
    events = events_of(room_b)
    assert [e["type"] for e in events] == ["actions.record_progress"]
    with app.app_context():
        assert db.session.get(Meeting, a["id"]).last_seq == seq_a_before  # nothing in meeting A's log
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "actions.record_progress")).one()
        assert entry.meeting_id == b["id"] and "via the action log" in entry.actor


def test_a_body_cannot_name_another_action_than_the_path(client, two_meetings):
    r = client.post(
        f"/api/v1/actions/{two_meetings['ids']['ep']}/progress",
        json={"version": 1, "note": "x", "action_id": two_meetings["ids"]["home"]},
        headers=bearer(two_meetings["a"]["chair"]),
    )
    assert r.status_code == 422 and "action_id" in r.get_json()["error"]["fields"]


# ---------------------------------------------------------------- the implementation log for families


def test_a_parent_logs_support_that_did_not_happen_and_it_is_kept_with_the_action(client, app, two_meetings, sockets):
    m = two_meetings["a"]
    sam = m["participants"][0]
    salt = two_meetings["ids"]["salt"]
    chair_room = sockets(m["chair"])
    chair_room.get_received()
    r = client.post(
        f"/api/v1/actions/{salt}/missed-provision",
        json={"occurred_on": day(-2), "note": "No SALT session this week"},
        headers=bearer(sam),
    )
    assert r.status_code == 200, r.get_json()
    detail = client.get(f"/api/v1/actions/{salt}", headers=bearer(m["chair"])).get_json()
    entry = detail["history"][-1]
    assert entry["kind"] == "missed_provision" and entry["note"] == "No SALT session this week"
    assert entry["occurred_on"] == day(-2) and entry["author"] == "Sam Parent (participant)"
    assert detail["status"] == "open"  # the action itself is unchanged
    assert events_of(chair_room)[-1]["data"]["action_updates"][0]["kind"] == "missed_provision"
    # a day before the action was agreed, or still to come, is refused
    for bad in (day(-40), day(1)):
        r = client.post(f"/api/v1/actions/{salt}/missed-provision", json={"occurred_on": bad, "note": "x"}, headers=bearer(sam))
        assert r.status_code == 422


def test_my_actions_shows_only_the_participant_s_own_and_records_progress_from_the_form(client, two_meetings):
    sam = two_meetings["a"]["participants"][0]
    page = client.get(f"/join/{sam}/actions")
    html = page.data.decode()
    assert page.status_code == 200
    assert "Keep a home diary" in html
    assert f'data-action-id="{two_meetings["ids"]["ep"]}"' not in html  # Eve's action is not Sam's
    assert "Visual timetable" not in html  # another child's
    r = client.post(
        f"/join/{sam}/actions/{two_meetings['ids']['home']}/progress",
        data={"version": "1", "status": "in_progress", "note": "Started the diary", "evidence": "", "occurred_on": day(0), "command_id": "form-1"},
    )
    assert r.status_code == 303
    html = client.get(r.headers["Location"]).data.decode()
    assert "Progress recorded." in html and "Started the diary" in html and "In progress" in html
    # the same form sent twice (a double click) is recorded once
    r = client.post(
        f"/join/{sam}/actions/{two_meetings['ids']['home']}/progress",
        data={"version": "1", "status": "in_progress", "note": "Started the diary", "evidence": "", "occurred_on": day(0), "command_id": "form-1"},
    )
    assert r.status_code == 303
    detail = client.get(f"/api/v1/actions/{two_meetings['ids']['home']}", headers=bearer(sam)).get_json()
    assert len(detail["history"]) == 1


def test_my_actions_shows_a_clear_error_and_keeps_what_was_typed(client, two_meetings):
    sam = two_meetings["a"]["participants"][0]
    r = client.post(
        f"/join/{sam}/actions/{two_meetings['ids']['home']}/progress",
        data={"version": "1", "status": "done", "note": "Finished early", "occurred_on": day(3)},
    )
    assert r.status_code == 422
    html = r.data.decode()
    assert "cannot be marked done on" in html and "Finished early" in html


def test_my_actions_logs_missed_support_against_any_action_of_the_meeting(client, two_meetings):
    sam = two_meetings["a"]["participants"][0]
    r = client.post(
        f"/join/{sam}/actions/missed",
        data={"action_id": str(two_meetings["ids"]["ep"]), "occurred_on": day(0), "note": "EP visit cancelled", "command_id": "m-1"},
    )
    assert r.status_code == 303
    html = client.get(f"/join/{sam}/actions").data.decode()
    assert "EP visit cancelled" in html
    r = client.post(f"/join/{sam}/actions/missed", data={"action_id": str(two_meetings["ids"]["visual"]), "occurred_on": day(0), "note": "x"})
    assert r.status_code == 404  # another child's action


def test_text_typed_by_people_is_shown_as_typed_on_every_page(client, make_meeting, api):
    m = make_meeting()
    status, body = api(m["chair"], m["id"], "participants.add", name="<b>Bold</b> Parent", role="parent", agency="family")
    pid = body["participant_id"]
    token = body["join_path"].rsplit("/", 1)[1]
    action = record(api, m, "<script>alert(1)</script> & more", owner_participant_id=pid, need="<i>need</i>")
    assert progress(client, m["chair"], action, version=1, note="<img src=x onerror=alert(1)>", evidence="javascript:alert(1)")[0] == 200
    for url in (f"/actions/{m['chair']}", f"/actions/{m['chair']}/a/{action}", f"/join/{token}/actions", f"/actions/{m['chair']}/meetings/{m['id']}"):
        html = client.get(url).data.decode()
        assert "<script>alert(1)</script>" not in html and "<img src=x" not in html, url
        assert 'href="javascript:' not in html, url
    html = client.get(f"/actions/{m['chair']}/a/{action}").data.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# ---------------------------------------------------------------- carrying actions forward


def test_the_next_meeting_for_the_same_child_opens_with_a_review_of_previous_actions(client, two_meetings, make_meeting):
    iep = later_meeting(make_meeting, meeting_type="iep_meeting")  # child AB-1: open actions from meeting A
    titles = [i["title"] for i in client.get(f"/api/v1/meetings/{iep['id']}", headers=bearer(iep["chair"])).get_json()["items"]]
    assert titles[:2] == ["Introductions and procedural safeguards", "Review of previous actions"]
    other = later_meeting(make_meeting, meeting_type="iep_meeting", child_ref="NEW-1")
    titles = [i["title"] for i in client.get(f"/api/v1/meetings/{other['id']}", headers=bearer(other["chair"])).get_json()["items"]]
    assert "Review of previous actions" not in titles
    ehcp = later_meeting(make_meeting, days=50)  # its usual agenda already reviews previous actions: no second item
    titles = [i["title"] for i in client.get(f"/api/v1/meetings/{ehcp['id']}", headers=bearer(ehcp["chair"])).get_json()["items"]]
    assert titles.count("Review of previous actions") == 1


def test_the_review_lists_every_open_earlier_action_and_the_chair_updates_each_live(client, app, two_meetings, make_meeting, sockets, api):
    a = two_meetings["a"]
    ids = two_meetings["ids"]
    progress(client, a["chair"], ids["ep"], version=1, status="done", evidence="Observation report")
    nxt = later_meeting(make_meeting)
    body = client.get(f"/api/v1/meetings/{nxt['id']}/previous-actions", headers=bearer(nxt["chair"])).get_json()
    listed = {x["what"] for x in body["actions"]}
    assert listed == {"Weekly SALT sessions", "Keep a home diary"}  # still open; the done one and the other child's are not
    assert body["review_item_id"] is not None
    review_room = sockets(nxt["chair"])
    home_room = sockets(a["participants"][0])
    review_room.get_received()
    home_room.get_received()
    with app.app_context():
        seq_before = db.session.get(Meeting, a["id"]).last_seq
    status, result = api(nxt["chair"], nxt["id"], "actions.record_progress", action_id=ids["salt"], version=1, status="done",
                         evidence="6 SALT sessions delivered, log attached")
    assert status == 200, result
    review_event = events_of(review_room)[-1]
    assert review_event["data"]["previous_actions"][0]["status"] == "done"
    assert "actions" not in review_event["data"]  # not mistaken for this meeting's own actions
    home_event = events_of(home_room)[-1]
    assert home_event["seq"] == seq_before + 1 and home_event["data"]["actions"][0]["status"] == "done"
    with app.app_context():
        assert db.session.get(Meeting, a["id"]).last_seq == seq_before + 1
        replayed = db.session.scalars(select(MeetingEvent).where(MeetingEvent.meeting_id == a["id"], MeetingEvent.seq == seq_before + 1)).one()
        assert replayed.type == "actions.record_progress"
    body = client.get(f"/api/v1/meetings/{nxt['id']}/previous-actions", headers=bearer(nxt["chair"])).get_json()
    salt = next(x for x in body["actions"] if x["id"] == ids["salt"])
    assert salt["status"] == "done"  # still shown in this review, now done
    assert salt["history"][-1]["reviewed_in_meeting_id"] == nxt["id"]


def test_missed_support_shows_in_the_next_meeting_s_review(client, two_meetings, make_meeting):
    sam = two_meetings["a"]["participants"][0]
    client.post(f"/api/v1/actions/{two_meetings['ids']['salt']}/missed-provision",
                json={"occurred_on": day(-1), "note": "No SALT session this week"}, headers=bearer(sam))
    nxt = later_meeting(make_meeting)
    body = client.get(f"/api/v1/meetings/{nxt['id']}/previous-actions", headers=bearer(nxt["screen"])).get_json()
    salt = next(x for x in body["actions"] if x["id"] == two_meetings["ids"]["salt"])
    assert [h["note"] for h in salt["history"]] == ["No SALT session this week"]


def test_a_meeting_cannot_reach_another_child_s_or_a_later_meeting_s_actions(client, two_meetings, make_meeting, api):
    nxt = later_meeting(make_meeting)
    status, body = api(nxt["chair"], nxt["id"], "actions.record_progress", action_id=two_meetings["ids"]["visual"], version=1, note="x")
    assert status == 404
    a = two_meetings["a"]
    later_action = record(api, nxt, "Later action", owner_name="X", owner_agency="School", due=45, follow_up=60)
    status, body = api(a["chair"], a["id"], "actions.record_progress", action_id=later_action, version=1, note="x")
    assert status == 404


def test_participants_of_the_review_see_earlier_actions_but_only_the_chair_updates_them(client, two_meetings, make_meeting, api):
    nxt = later_meeting(make_meeting)
    status, body = api(nxt["chair"], nxt["id"], "participants.add", name="Sam Parent", role="parent", agency="family")
    parent = body["join_path"].rsplit("/", 1)[1]
    status, body = api(parent, nxt["id"], "actions.record_progress", action_id=two_meetings["ids"]["home"], version=1, note="x")
    assert status == 403
    status, body = api(parent, nxt["id"], "actions.report_missed", action_id=two_meetings["ids"]["salt"], occurred_on=day(0), note="Still no sessions")
    assert status == 200, body
    html = client.get(f"/join/{parent}").data.decode()
    assert 'id="previous-actions"' in html and f"/join/{parent}/actions" in html


def test_a_confidential_earlier_action_is_carried_forward_only_to_those_who_may_read_it(client, two_meetings, make_meeting, api):
    a, people = two_meetings["a"], two_meetings["people"]
    secret = record(api, a, "SECRET referral to children's social care", owner_name="K. Social", owner_agency="Social care",
                    due=5, follow_up=12, confidential=True)
    eves = record(api, a, "SECRET health check by the EP", owner_participant_id=people["Dr Eve Psych"], due=6, follow_up=13,
                  confidential=True)
    nxt = later_meeting(make_meeting)
    status, body = api(nxt["chair"], nxt["id"], "participants.add", name="Sam Parent", role="parent", agency="family")
    parent = body["join_path"].rsplit("/", 1)[1]

    def previous(token):
        r = client.get(f"/api/v1/meetings/{nxt['id']}/previous-actions", headers=bearer(token))
        assert r.status_code == 200
        return {x["id"] for x in r.get_json()["actions"]}

    assert {secret, eves} <= previous(nxt["chair"])
    for token in (parent, nxt["screen"]):
        shown = previous(token)
        assert two_meetings["ids"]["home"] in shown and secret not in shown and eves not in shown
    for page in (f"/join/{parent}", f"/join/{parent}/actions", f"/screen/{nxt['screen']}"):
        html = client.get(page).data.decode()
        assert "SECRET" not in html, page
    assert "SECRET referral" in client.get(f"/chair/{nxt['chair']}").data.decode()
    # A guessed id is answered as if there were no such action; nothing is written.
    status, body = api(parent, nxt["id"], "actions.report_missed", action_id=secret, occurred_on=day(0), note="x")
    assert status == 404 and body["error"]["code"] == "not_found"
    # Its owner still sees it among their own actions and records progress on it.
    eve = a["participants"][1]
    assert "SECRET health check" in client.get(f"/join/{eve}/actions").data.decode()
    status, body = progress(client, eve, eves, version=1, status="in_progress", note="Booked for Tuesday")
    assert status == 200, body


# ---------------------------------------------------------------- CSV, calendar, overview, e-mail addresses


def test_the_csv_export_has_every_filtered_row_uk_dates_and_neutralised_formulas(client, app, make_meeting, api):
    m = make_meeting()
    record(api, m, "=HYPERLINK(\"http://evil\")", owner_name="+Owner", owner_agency="@agency", due=5, follow_up=9)
    record(api, m, "Plain action, with a comma", owner_name="Jo", owner_agency="School", due=6, follow_up=9)
    r = client.get(f"/actions/{m['chair']}/export.csv", query_string={"agency": "@agency"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Action", "What", "Owner", "Agency"]
    assert len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")" and rows[1][2] == "'+Owner" and rows[1][3] == "'@agency"
    due = local_today() + timedelta(days=5)
    assert f"{due.day} {due:%b %Y}" in rows[1]
    everything = list(csv.reader(io.StringIO(client.get(f"/actions/{m['chair']}/export.csv").data.decode("utf-8-sig"))))
    assert len(everything) == 3 and everything[2][1] == "Plain action, with a comma"
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "actions.export_csv")).first()
        assert entry.after["filters"] == {"agency": "@agency"} and entry.after["rows"] == 1


def test_the_calendar_feed_parses_back_with_icalendar_and_holds_the_owner_s_dates(client, two_meetings):
    icalendar = pytest.importorskip("icalendar", reason="icalendar is not installed")
    sam = two_meetings["a"]["participants"][0]
    html = client.get(f"/join/{sam}/actions").data.decode()
    url = html.split('href="http://localhost/calendar/')[1].split('"')[0]
    r = client.get(f"/calendar/{url}")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    assert all(len(line.encode()) <= 75 for line in r.data.decode().split("\r\n"))
    cal = icalendar.Calendar.from_ical(r.data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 2
    starts = sorted((str(e["SUMMARY"]).split(":")[0], e.decoded("DTSTART")) for e in events)
    assert starts == [("Due", date.fromisoformat(day(10))), ("Follow-up", date.fromisoformat(day(20)))]
    assert all("Keep a home diary" in str(e["SUMMARY"]) and "AB-1" in str(e["SUMMARY"]) for e in events)
    assert len({str(e["UID"]) for e in events}) == 2
    # done actions leave the calendar; an unknown feed is not found
    progress(client, sam, two_meetings["ids"]["home"], version=1, status="done", note="Diary complete")
    assert list(icalendar.Calendar.from_ical(client.get(f"/calendar/{url}").data).walk("VEVENT")) == []
    assert client.get("/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_an_outside_owner_s_calendar_follows_their_address_across_meetings(client, make_meeting, api):
    icalendar = pytest.importorskip("icalendar", reason="icalendar is not installed")
    first, second = make_meeting(), make_meeting(child_ref="CD-2")
    one = record(api, first, "Speech, language; and more", owner_name="J. Patel", owner_agency="SALT", due=4, follow_up=8)
    two = record(api, second, "SALT assessment", owner_name="Jo Patel", owner_agency="SALT", due=6, follow_up=9)
    for m, action in ((first, one), (second, two)):
        status, body = api(m["chair"], m["id"], "actions.set_owner_email", action_id=action, version=1, email="j.patel@NHS.example")
        assert status == 200, body
    html = client.get(f"/actions/{first['chair']}/a/{one}").data.decode()
    url = html.split('href="http://localhost/calendar/')[1].split('"')[0]
    cal = icalendar.Calendar.from_ical(client.get(f"/calendar/{url}").data)
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert len(summaries) == 4 and any("Speech, language; and more" in s for s in summaries)


def test_the_overview_counts_completion_and_overdue_per_agency_and_meeting_type(client, app, two_meetings):
    chair = two_meetings["a"]["chair"]
    ids = two_meetings["ids"]
    progress(client, chair, ids["ep"], version=1, status="done", evidence="report")
    progress(client, chair, ids["home"], version=1, status="cancelled", note="Not needed")
    body = client.get("/api/v1/actions/overview", query_string={"from": day(-60), "to": day(60)}, headers=bearer(chair)).get_json()
    types = {r["key"]: r for r in body["by_meeting_type"]}
    assert types["ehcp_annual_review"]["actions"] == 3 and types["ehcp_annual_review"]["done"] == 1
    assert types["ehcp_annual_review"]["counted"] == 2 and types["ehcp_annual_review"]["completion_rate"] == 0.5
    assert types["ehcp_annual_review"]["overdue"] == 1
    agencies = {r["key"]: r for r in body["by_agency"]}
    assert agencies["Northshire SALT"]["overdue"] == 1 and agencies["Northshire SALT"]["completion_rate"] == 0.0
    assert body["totals"]["actions"] == 5 and body["totals"]["overdue"] == 2
    narrow = client.get("/api/v1/actions/overview", query_string={"from": day(25), "to": day(60)}, headers=bearer(chair)).get_json()
    assert narrow["totals"]["actions"] == 1
    page = client.get(f"/actions/{chair}/overview?from={day(-60)}&to={day(60)}").data.decode()
    assert 'id="by-agency"' in page and 'id="chart-agency"' in page and "<svg" in page and "50%" in page
    assert client.get("/api/v1/actions/overview", headers=bearer(two_meetings["a"]["participants"][0])).status_code == 403


def test_participants_e_mail_addresses_are_set_by_the_chair_and_never_shown_in_the_room(client, meeting, api):
    status, body = api(meeting["chair"], meeting["id"], "participants.add", name="Jo OT", role="ot", agency="health", email="jo@OT.example")
    assert status == 200
    pid = body["participant_id"]
    snap = client.get(f"/api/v1/meetings/{meeting['id']}", headers=bearer(meeting["participants"][0])).get_json()
    assert "jo@ot.example" not in str(snap).lower()
    page = client.get(f"/actions/{meeting['chair']}/emails").data.decode()
    assert 'value="jo@ot.example"' in page
    status, body = api(meeting["chair"], meeting["id"], "participants.update", participant_id=pid, version=1, email="not an address")
    assert status == 422 and "e-mail" in body["error"]["message"]
    r = client.post(f"/actions/{meeting['chair']}/emails", data={"kind": "participant", "participant_id": str(pid), "version": "1", "email": ""})
    assert r.status_code == 303
    assert 'value="jo@ot.example"' not in client.get(f"/actions/{meeting['chair']}/emails").data.decode()
    r = client.post(f"/actions/{meeting['chair']}/emails", data={"kind": "chair", "email": "senco@school.example"})
    assert r.status_code == 303
    assert 'value="senco@school.example"' in client.get(f"/actions/{meeting['chair']}/emails").data.decode()


def test_an_owner_e_mail_on_the_action_is_only_for_owners_outside_the_meeting(client, two_meetings, api):
    a = two_meetings["a"]
    status, body = api(a["chair"], a["id"], "actions.set_owner_email", action_id=two_meetings["ids"]["home"], version=1, email="sam@example.org")
    assert status == 422 and "participant" in body["error"]["message"]
    status, body = api(a["chair"], a["id"], "actions.set_owner_email", action_id=two_meetings["ids"]["salt"], version=1, email="j.patel@nhs.example")
    assert status == 200


def test_the_room_pages_link_to_the_log_and_my_actions(client, meeting):
    chair = client.get(f"/chair/{meeting['chair']}").data.decode()
    assert f"/actions/{meeting['chair']}" in chair and 'id="previous-actions"' in chair and "js/actions.js" in chair
    parent = client.get(f"/join/{meeting['participants'][0]}").data.decode()
    assert f"/join/{meeting['participants'][0]}/actions" in parent


# ---------------------------------------------------------------- whose log: one account's meetings


@pytest.fixture
def other_senco(app, client):
    """A second SENCO's account and a meeting she prepared (over the API) with one action."""
    from tests.conftest import add_staff, meeting_payload

    other = add_staff(app, "other.senco@school.test", "Ms Other", "chair")
    r = client.post("/api/v1/meetings", json=meeting_payload(child_ref="AB-1", title="Her review"),
                    headers={"Authorization": f"Bearer {other['api_token']}"})
    m = {"id": r.get_json()["meeting"]["id"], **r.get_json()["tokens"]}
    r = client.post(
        f"/api/v1/meetings/{m['id']}/commands/actions.record",
        json={"what": "Her child's SALT referral", "owner_name": "X", "owner_agency": "NHS",
              "due_date": (local_today() + timedelta(days=5)).isoformat(),
              "follow_up_date": (local_today() + timedelta(days=9)).isoformat()},
        headers=bearer(m["chair"]),
    )
    assert r.status_code == 200, r.get_json()
    return {**m, "user": other}


def test_a_chair_link_reaches_only_the_meetings_of_the_same_account(client, two_meetings, other_senco):
    mine = two_meetings["a"]["chair"]
    assert "Her child's SALT referral" not in whats(log(client, mine))
    assert whats(log(client, other_senco["chair"])) == ["Her child's SALT referral"]
    with client.application.app_context():
        theirs = db.session.scalar(select(Action.id).where(Action.meeting_id == other_senco["id"]))
    # The same answer as for an action or meeting that does not exist, on every way in.
    assert client.get(f"/api/v1/actions/{theirs}", headers=bearer(mine)).status_code == 404
    assert progress(client, mine, theirs, version=1, status="done")[0] == 404
    assert client.get(f"/actions/{mine}/a/{theirs}").status_code == 404
    assert client.get(f"/actions/{mine}/meetings/{other_senco['id']}").status_code == 404
    period = {"from": (local_today() - timedelta(days=30)).isoformat(), "to": (local_today() + timedelta(days=60)).isoformat()}
    agencies_of = lambda token: [r["key"] for r in client.get(  # noqa: E731
        "/api/v1/actions/overview", query_string=period, headers=bearer(token)).get_json()["by_agency"]]
    assert "NHS" in agencies_of(other_senco["chair"]) and "NHS" not in agencies_of(mine)


def test_a_chair_s_filters_owner_search_and_choices_stay_within_the_account_s_meetings(client, two_meetings, other_senco, api):
    # The account's meetings, the child and meeting-type filters and the owner search are one
    # condition on the meeting (services.action_log.search._meetings_wanted): a child reference, a meeting
    # type or an owner's name that another account's meetings share finds only this account's actions.
    mine, hers = two_meetings["a"]["chair"], other_senco["chair"]
    status, body = api(hers, other_senco["id"], "participants.add", name="Dr Eve Psych", role="educational_psychologist", agency="ep_service")
    assert status == 200, body
    record(api, other_senco, "Her EP visit", owner_participant_id=body["participant_id"], owner_agency="NHS", due=4)
    record(api, other_senco, "Her SALT report", owner_name="J. Patel", owner_agency="NHS", due=6)
    ours = {"Weekly SALT sessions", "EP observation in class", "Keep a home diary"}
    assert set(whats(log(client, mine, child_ref="ab-1"))) == ours
    assert set(whats(log(client, mine, meeting_type="ehcp_annual_review"))) == ours
    assert whats(log(client, hers, child_ref="AB-1")) == ["Her EP visit", "Her child's SALT referral", "Her SALT report"]
    assert log(client, hers, meeting_type="ehcp_annual_review")["counts"]["all"] == 3
    assert whats(log(client, mine, owner="eve")) == ["EP observation in class"]
    assert whats(log(client, hers, owner="EVE")) == ["Her EP visit"]
    assert whats(log(client, mine, owner="patel")) == ["Weekly SALT sessions"]
    assert whats(log(client, hers, owner="Patel", sort="owner")) == ["Her SALT report"]
    assert log(client, mine, owner="patel")["counts"]["all"] == 1
    assert log(client, mine, meeting_id=other_senco["id"])["total"] == 0
    assert whats(log(client, mine, meeting_type="ehcp_annual_review", sort="owner")) == [
        "EP observation in class", "Weekly SALT sessions", "Keep a home diary"]  # Dr Eve Psych, J. Patel, Sam Parent
    # the agencies offered by the page's filter: the account's own
    assert 'value="Northshire SALT"' in client.get(f"/actions/{mine}").get_data(as_text=True)
    assert 'value="NHS"' not in client.get(f"/actions/{mine}").get_data(as_text=True)
    assert 'value="NHS"' in client.get(f"/actions/{hers}").get_data(as_text=True)
    assert 'value="Northshire SALT"' not in client.get(f"/actions/{hers}").get_data(as_text=True)


def test_the_next_meeting_of_another_account_does_not_carry_forward_a_child_reference_it_shares(client, two_meetings, other_senco):
    # Both accounts have a child "AB-1" (initials can coincide): her meeting must not review ours.
    r = client.get(f"/api/v1/meetings/{other_senco['id']}/previous-actions", headers=bearer(other_senco["chair"]))
    assert r.status_code == 200
    assert [a["what"] for a in r.get_json()["actions"]] == []


def test_a_signed_in_account_opens_its_log_from_the_menu(client, staff, two_meetings):
    from tests.conftest import sign_in

    sign_in(client, staff["email"])
    r = client.get("/actions")
    assert r.status_code == 303 and r.headers["Location"].startswith("/actions/")
    assert "Weekly SALT sessions" in client.get(r.headers["Location"]).get_data(as_text=True)


def test_an_account_without_meetings_is_told_how_the_log_fills(client, app):
    from tests.conftest import add_staff, sign_in

    add_staff(app, "new@school.test", "Mr New", "chair")
    sign_in(client, "new@school.test")
    assert "not prepared a\nmeeting yet" in client.get("/actions").get_data(as_text=True)


def scope_note(html: str) -> str:
    """The words of the log's note on whose actions it shows (the paragraph with id log-scope)."""
    import re

    match = re.search(r'<p class="([^"]+)" id="log-scope">(.*?)</p>', html, re.S)
    assert match, "the log says nothing about whose actions it shows"
    return match.group(1) + ": " + " ".join(re.sub(r"<[^>]+>", "", match.group(2)).split())


def test_the_log_tells_its_own_account_what_it_covers_and_warns_anyone_else_holding_the_link(client, app, staff, two_meetings):
    from tests.conftest import add_staff, meeting_payload, sign_in

    sign_in(client, staff["email"])
    location = client.get("/actions").headers["Location"]
    assert scope_note(client.get(location).get_data(as_text=True)) == "hint: The actions of every meeting you have prepared."
    client.post("/logout")
    assert scope_note(client.get(location).get_data(as_text=True)) == (
        "staff-note: This log shows the actions of every meeting prepared by the same account as this one to anyone"
        " holding its chair link. Keep chair links private.")

    admin = add_staff(app, "head@school.test", "Ms Head", "admin")
    r = client.post("/api/v1/meetings", json=meeting_payload(), headers={"Authorization": f"Bearer {admin['api_token']}"})
    assert r.status_code == 201
    sign_in(client, admin["email"])
    html = client.get(client.get("/actions").headers["Location"]).get_data(as_text=True)
    assert scope_note(html) == "hint: As an administrator you see the actions of every meeting."
    assert "Keep chair links private" not in html and "Weekly SALT sessions" in html
