"""The JSON API and the three room pages over Flask's test client: who may do what, and what bad input gets."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from facilitation.domain.meetings import USUAL_AGENDAS
from facilitation.extensions import db
from facilitation.models import Meeting
from tests.conftest import local_today, meeting_payload


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def read(client, meeting_id: int, token: str) -> dict:
    """The meeting's snapshot as the chair (or whoever) reads it; asserts 200."""
    r = client.get(f"/api/v1/meetings/{meeting_id}", headers=bearer(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def without_clock(snapshot: dict) -> dict:
    """A snapshot less what changes with the wall clock alone."""
    snap = json.loads(json.dumps(snapshot))
    snap.pop("server_now", None)
    snap["meeting"].pop("projected_end", None)
    return snap


@pytest.fixture
def api(client):
    """Like the shared `api` fixture, but positional-only, so a command argument may be called `name`."""

    def send(token, meeting_id, command_name, key=None, /, **args):
        headers = bearer(token)
        if key:
            headers["Idempotency-Key"] = key
        r = client.post(f"/api/v1/meetings/{meeting_id}/commands/{command_name}", json=args, headers=headers)
        return r.status_code, r.get_json()

    return send


@pytest.fixture
def auth(staff) -> dict:
    """The staff API token that prepares meetings."""
    return {"Authorization": f"Bearer {staff['api_token']}"}


def meeting_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Meeting.id)))


# ---------------------------------------------------------------- creating a meeting


def test_creating_a_meeting_returns_it_with_its_chair_and_screen_links(client, auth):
    r = client.post("/api/v1/meetings", headers=auth, json=meeting_payload())
    assert r.status_code == 201
    body = r.get_json()
    meeting = body["meeting"]
    assert meeting["title"] == "Annual review" and meeting["status"] == "draft"
    assert meeting["meeting_type_label"] == "EHCP annual review"
    assert set(body["tokens"]) == set(body["links"]) == {"chair", "screen"}
    assert body["links"]["chair"] == f"http://localhost/chair/{body['tokens']['chair']}"
    assert body["links"]["screen"] == f"http://localhost/screen/{body['tokens']['screen']}"
    assert body["tokens"]["chair"] != body["tokens"]["screen"]
    snap = read(client, meeting["id"], body["tokens"]["chair"])
    assert [i["title"] for i in snap["items"]] == [t for t, _ in USUAL_AGENDAS["ehcp_annual_review"]]
    assert snap["seq"] == 0 and snap["participants"] == []


def test_a_meeting_can_be_created_with_an_empty_agenda(client, auth):
    r = client.post("/api/v1/meetings", headers=auth, json=meeting_payload(use_usual_agenda=False))
    assert r.status_code == 201
    body = r.get_json()
    assert read(client, body["meeting"]["id"], body["tokens"]["chair"])["items"] == []


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"title": None}, {"title": "Must be text."}),
        ({"title": 5}, {"title": "Must be text."}),
        ({"title": "   "}, {"title": "The meeting needs a title."}),
        ({"title": "t" * 201}, {"title": "Must be at most 200 characters."}),
        ({"child_ref": "c" * 41}, {"child_ref": "Must be at most 40 characters."}),
        ({"meeting_type": "coffee_morning"}, {"meeting_type": "Unknown meeting type."}),
        ({"use_usual_agenda": "yes"}, {"use_usual_agenda": "Must be true or false."}),
        (
            {"scheduled_start": "next Tuesday"},
            {"scheduled_start": "Must be a date and time, like 2026-03-14T09:30:00Z."},
        ),
        ({"minutes": 10}, {"minutes": "This field is not expected here."}),
    ],
    ids=[
        "null title",
        "number title",
        "blank title",
        "long title",
        "long child ref",
        "unknown type",
        "bool",
        "date",
        "extra",
    ],
)
def test_a_meeting_with_invalid_details_is_refused_with_a_message_per_field(client, auth, app, overrides, fields):
    r = client.post("/api/v1/meetings", headers=auth, json=meeting_payload(**overrides))
    assert r.status_code == 422
    body = r.get_json()
    assert body["ok"] is False and body["error"]["code"] == "invalid"
    assert body["error"]["fields"] == fields
    assert meeting_count(app) == 0


def test_a_meeting_without_a_title_is_refused(client, auth, app):
    payload = meeting_payload()
    del payload["title"]
    r = client.post("/api/v1/meetings", headers=auth, json=payload)
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"title": "This field is required."}
    assert meeting_count(app) == 0


def test_a_meeting_that_ends_before_it_starts_is_refused(client, auth, app):
    payload = meeting_payload()
    payload["scheduled_start"], payload["scheduled_end"] = payload["scheduled_end"], payload["scheduled_start"]
    r = client.post("/api/v1/meetings", headers=auth, json=payload)
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"scheduled_end": "The meeting must end after it starts."}
    assert meeting_count(app) == 0


def test_an_empty_request_lists_every_required_field(client, auth):
    r = client.post("/api/v1/meetings", headers=auth, json={})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {
        "title",
        "meeting_type",
        "child_ref",
        "scheduled_start",
        "scheduled_end",
    }


@pytest.mark.parametrize("body", ["not json", "[1, 2]"])
def test_a_body_that_is_not_a_json_object_is_refused(client, auth, body):
    r = client.post("/api/v1/meetings", headers=auth, data=body, content_type="application/json")
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"_"}


def test_a_body_over_the_size_limit_is_refused(client, auth, app):
    r = client.post("/api/v1/meetings", headers=auth, json=meeting_payload(title="x" * 300_000))
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "too_large"
    assert meeting_count(app) == 0


def test_an_error_answer_reveals_no_internals(client, auth):
    r = client.post("/api/v1/meetings", headers=auth, json=meeting_payload(title=5))
    text = r.get_data(as_text=True)
    assert "Traceback" not in text and "pydantic" not in text.lower() and "errors.pydantic.dev" not in text


# ---------------------------------------------------------------- reading a meeting


def test_every_link_of_the_meeting_can_read_it_and_sees_its_own_role(client, meeting):
    chair = read(client, meeting["id"], meeting["chair"])
    screen = read(client, meeting["id"], meeting["screen"])
    parent = read(client, meeting["id"], meeting["participants"][0])
    ep = read(client, meeting["id"], meeting["participants"][1])
    assert chair["viewer"] == {"role": "chair", "participant_id": None}
    assert screen["viewer"] == {"role": "screen", "participant_id": None}
    assert parent["viewer"]["role"] == ep["viewer"]["role"] == "participant"
    names = {p["id"]: p["name"] for p in chair["participants"]}
    assert names[parent["viewer"]["participant_id"]] == "Sam Parent"
    assert names[ep["viewer"]["participant_id"]] == "Dr Eve Psych"
    for snap in (screen, parent, ep):
        assert without_clock(snap) | {"viewer": None} == without_clock(chair) | {"viewer": None}


def test_the_snapshot_never_carries_link_tokens(client, meeting):
    tokens = [meeting["chair"], meeting["screen"], *meeting["participants"]]
    for token in tokens:
        text = client.get(f"/api/v1/meetings/{meeting['id']}", headers=bearer(token)).get_data(as_text=True)
        assert not any(t in text for t in tokens)


def test_a_token_used_on_another_meetings_id_looks_like_a_meeting_that_does_not_exist(client, make_meeting):
    a, b = make_meeting(), make_meeting(title="Other review", child_ref="ZZ-9")
    for token in (a["chair"], a["screen"]):
        other = client.get(f"/api/v1/meetings/{b['id']}", headers=bearer(token))
        missing = client.get("/api/v1/meetings/999999", headers=bearer(token))
        assert other.status_code == missing.status_code == 404
        assert other.get_json() == missing.get_json()
        assert other.get_data() == missing.get_data()
        assert "Other review" not in other.get_data(as_text=True)


def test_commands_on_another_meetings_id_are_refused_like_a_missing_meeting(client, make_meeting, api):
    a, b = make_meeting(), make_meeting(child_ref="ZZ-9")
    other = api(a["chair"], b["id"], "clock.start_meeting")
    missing = api(a["chair"], 999999, "clock.start_meeting")
    assert other == missing and other[0] == 404
    assert read(client, b["id"], b["chair"])["meeting"]["status"] == "draft"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer not-a-real-token-but-long-enough-0123456789"},
        {"Authorization": "Bearer x"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Token something"},
    ],
    ids=["none", "empty bearer", "unknown token", "short token", "basic", "other scheme"],
)
def test_a_request_without_a_valid_token_is_unauthorised(client, meeting, headers):
    for method, url in (
        ("get", f"/api/v1/meetings/{meeting['id']}"),
        ("get", f"/api/v1/meetings/{meeting['id']}/events"),
        ("get", f"/api/v1/meetings/{meeting['id']}/links"),
        ("post", f"/api/v1/meetings/{meeting['id']}/commands/clock.start_meeting"),
    ):
        r = getattr(client, method)(url, headers=headers)
        assert r.status_code == 401, (url, r.get_json())
        assert r.get_json()["error"]["code"] == "unauthorised"
    assert read(client, meeting["id"], meeting["chair"])["meeting"]["status"] == "draft"


def test_the_bearer_scheme_is_case_insensitive(client, meeting):
    r = client.get(f"/api/v1/meetings/{meeting['id']}", headers={"Authorization": f"bearer {meeting['chair']}"})
    assert r.status_code == 200


def test_only_the_chair_can_read_the_meetings_links(client, meeting):
    r = client.get(f"/api/v1/meetings/{meeting['id']}/links", headers=bearer(meeting["chair"]))
    assert r.status_code == 200
    links = r.get_json()["links"]
    assert [link["role"] for link in links] == ["chair", "screen", "participant", "participant"]
    assert links[0]["url"].endswith(meeting["chair"])
    for token in (meeting["screen"], *meeting["participants"]):
        r = client.get(f"/api/v1/meetings/{meeting['id']}/links", headers=bearer(token))
        assert r.status_code == 403
        assert r.get_json()["error"]["code"] == "forbidden"
        assert meeting["chair"] not in r.get_data(as_text=True)


# ---------------------------------------------------------------- commands and who may send them


CHAIR_COMMANDS = [
    ("clock.start_meeting", {}),
    ("clock.end_meeting", {}),
    ("clock.extend", {"seconds": 60}),
    ("agenda.add_item", {"title": "Extra", "minutes": 5}),
    ("agenda.remove_item", {"item_id": 8}),
    ("agenda.reorder", {"item_ids": [8, 7, 6, 5, 4, 3, 2, 1]}),
    ("meeting.update", {"version": 1, "title": "Taken over"}),
    ("participants.add", {"name": "Intruder", "role": "other", "agency": "other"}),
    ("participants.remove", {"participant_id": 1}),
]


@pytest.mark.parametrize(("name", "args"), CHAIR_COMMANDS, ids=[c[0] for c in CHAIR_COMMANDS])
def test_participants_and_the_screen_cannot_send_chair_commands(client, meeting, api, name, args):
    before = read(client, meeting["id"], meeting["chair"])
    for token in (meeting["screen"], *meeting["participants"]):
        status, body = api(token, meeting["id"], name, **args)
        assert status == 403, body
        assert body == {
            "ok": False,
            "error": {"code": "forbidden", "message": "Your role in this meeting does not allow that."},
        }
    after = read(client, meeting["id"], meeting["chair"])
    assert after["seq"] == before["seq"]
    assert without_clock(after) == without_clock(before)


def test_a_forbidden_command_with_bad_arguments_is_still_just_forbidden(meeting, api):
    status, body = api(meeting["screen"], meeting["id"], "clock.extend", seconds="lots")
    assert status == 403 and "fields" not in body["error"]


def test_an_unknown_command_is_not_found_and_changes_nothing(client, meeting, api):
    before = read(client, meeting["id"], meeting["chair"])["seq"]
    for name in ("clock.explode", "meeting.read", "participants.read_links", "__init__"):
        status, body = api(meeting["chair"], meeting["id"], name)
        assert status == 404, name
        assert body["ok"] is False and body["error"]["code"] == "not_found"
    assert read(client, meeting["id"], meeting["chair"])["seq"] == before


def test_a_chair_command_is_applied_and_numbered(client, meeting, api):
    before = read(client, meeting["id"], meeting["chair"])["seq"]
    status, body = api(meeting["chair"], meeting["id"], "clock.start_meeting")
    assert status == 200 and body == {"ok": True, "seq": before + 1}
    snap = read(client, meeting["id"], meeting["chair"])
    assert snap["seq"] == before + 1 and snap["meeting"]["status"] == "live"
    current = next(i for i in snap["items"] if i["id"] == snap["meeting"]["current_item_id"])
    assert current["position"] == 1 and current["status"] == "running" and current["ends_at"]


def test_a_command_refused_by_the_rules_says_why_and_changes_nothing(client, meeting, api):
    before = read(client, meeting["id"], meeting["chair"])
    status, body = api(meeting["chair"], meeting["id"], "clock.next_item")
    assert status == 409
    assert body["error"]["code"] == "not_started" and "not started" in body["error"]["message"]
    assert without_clock(read(client, meeting["id"], meeting["chair"])) == without_clock(before)


@pytest.mark.parametrize(
    ("name", "args", "fields"),
    [
        ("agenda.add_item", {"title": "SALT report", "minutes": "10"}, {"minutes": "Must be a whole number."}),
        ("agenda.add_item", {"title": "SALT report", "minutes": 10.5}, {"minutes": "Must be a whole number."}),
        ("agenda.add_item", {"title": "x" * 201, "minutes": 10}, {"title": "Must be at most 200 characters."}),
        ("agenda.add_item", {"title": "SALT report"}, {"minutes": "This field is required."}),
        ("agenda.add_item", {"title": "", "minutes": 10}, {"title": "An agenda item needs a title."}),
        ("clock.extend", {"seconds": "five"}, {"seconds": "Must be a whole number."}),
        ("clock.extend", {"seconds": 90}, {"seconds": "Must be a whole number of minutes (a multiple of 60 seconds)."}),
        ("clock.start_meeting", {"now": "yesterday"}, {"now": "This field is not expected here."}),
        ("participants.add", {"name": "Ann", "role": "wizard", "agency": "family"}, {"role": "Unknown role."}),
        (
            "agenda.reorder",
            {"item_ids": [1, 2]},
            {"item_ids": "The new order must list every agenda item exactly once."},
        ),
    ],
    ids=[
        "minutes as text",
        "minutes fraction",
        "long title",
        "no minutes",
        "blank title",
        "seconds text",
        "seconds not minutes",
        "extra field",
        "unknown role",
        "partial order",
    ],
)
def test_invalid_arguments_get_a_message_per_field_and_change_nothing(client, meeting, api, name, args, fields):
    before = read(client, meeting["id"], meeting["chair"])
    status, body = api(meeting["chair"], meeting["id"], name, **args)
    assert status == 422, body
    assert body["ok"] is False and body["error"]["code"] == "invalid"
    assert body["error"]["fields"] == fields
    assert without_clock(read(client, meeting["id"], meeting["chair"])) == without_clock(before)


def test_removing_a_started_item_is_refused(client, meeting, api):
    api(meeting["chair"], meeting["id"], "clock.start_meeting")
    first = read(client, meeting["id"], meeting["chair"])["meeting"]["current_item_id"]
    status, body = api(meeting["chair"], meeting["id"], "agenda.remove_item", item_id=first)
    assert status == 409 and "skip it instead" in body["error"]["message"]
    assert any(i["id"] == first for i in read(client, meeting["id"], meeting["chair"])["items"])


def test_editing_a_covered_item_is_refused(client, meeting, api):
    api(meeting["chair"], meeting["id"], "clock.start_meeting")
    first = read(client, meeting["id"], meeting["chair"])["meeting"]["current_item_id"]
    api(meeting["chair"], meeting["id"], "clock.next_item")
    status, body = api(
        meeting["chair"], meeting["id"], "agenda.update_item", item_id=first, version=1, title="Rewritten"
    )
    assert status == 409 and "already been covered" in body["error"]["message"]
    item = next(i for i in read(client, meeting["id"], meeting["chair"])["items"] if i["id"] == first)
    assert item["title"] != "Rewritten"


def test_an_item_of_another_meeting_is_not_found(client, meeting, make_meeting, api):
    other = make_meeting(child_ref="ZZ-9")
    theirs = read(client, other["id"], other["chair"])["items"][0]
    status, body = api(
        meeting["chair"], meeting["id"], "agenda.update_item", item_id=theirs["id"], version=1, title="Mine now"
    )
    assert status == 404 and body["error"]["fields"] == {"item_id": "There is no such agenda item in this meeting."}
    assert read(client, other["id"], other["chair"])["items"][0]["title"] == theirs["title"]


# ---------------------------------------------------------------- idempotency


def test_a_retried_command_with_the_same_idempotency_key_returns_the_same_result_and_applies_once(client, meeting, api):
    api(meeting["chair"], meeting["id"], "clock.start_meeting")
    first = api(meeting["chair"], meeting["id"], "clock.extend", "extend-1", seconds=120)
    again = api(meeting["chair"], meeting["id"], "clock.extend", "extend-1", seconds=120)
    assert first == again and first[0] == 200
    snap = read(client, meeting["id"], meeting["chair"])
    current = next(i for i in snap["items"] if i["id"] == snap["meeting"]["current_item_id"])
    assert current["extended_seconds"] == 120
    assert snap["seq"] == first[1]["seq"]


def test_a_retried_command_that_returns_data_returns_the_same_data(client, meeting, api):
    first = api(meeting["chair"], meeting["id"], "agenda.add_item", "add-1", title="Transport", minutes=5)
    again = api(meeting["chair"], meeting["id"], "agenda.add_item", "add-1", title="Transport", minutes=5)
    assert first == again and "item_id" in first[1]
    titles = [i["title"] for i in read(client, meeting["id"], meeting["chair"])["items"]]
    assert titles.count("Transport") == 1


def test_different_idempotency_keys_are_different_commands(client, meeting, api):
    api(meeting["chair"], meeting["id"], "clock.start_meeting")
    a = api(meeting["chair"], meeting["id"], "clock.extend", "ext-a", seconds=60)
    b = api(meeting["chair"], meeting["id"], "clock.extend", "ext-b", seconds=60)
    assert b[1]["seq"] == a[1]["seq"] + 1
    snap = read(client, meeting["id"], meeting["chair"])
    assert next(i for i in snap["items"] if i["id"] == snap["meeting"]["current_item_id"])["extended_seconds"] == 120


def test_the_same_idempotency_key_in_another_meeting_is_another_command(client, make_meeting, api):
    a, b = make_meeting(), make_meeting(child_ref="ZZ-9")
    api(a["chair"], a["id"], "clock.start_meeting", "start")
    status, _ = api(b["chair"], b["id"], "clock.start_meeting", "start")
    assert status == 200
    assert read(client, b["id"], b["chair"])["meeting"]["status"] == "live"


def test_a_refused_command_is_not_remembered_under_its_key(client, meeting, api):
    status, _ = api(meeting["chair"], meeting["id"], "clock.pause", "p-1")
    assert status == 409
    api(meeting["chair"], meeting["id"], "clock.start_meeting")
    status, body = api(meeting["chair"], meeting["id"], "clock.pause", "p-1")
    assert status == 200 and body["ok"]


@pytest.mark.parametrize("key", ["has space", "x" * 65, "semi;colon"])
def test_a_malformed_idempotency_key_is_refused(client, meeting, api, key):
    before = read(client, meeting["id"], meeting["chair"])["seq"]
    status, body = api(meeting["chair"], meeting["id"], "clock.start_meeting", key)
    assert status == 422 and body["error"]["code"] == "invalid"
    assert read(client, meeting["id"], meeting["chair"])["seq"] == before


def test_reusing_an_idempotency_key_for_a_different_command_is_refused_not_silently_dropped(client, meeting, api):
    api(meeting["chair"], meeting["id"], "clock.start_meeting", "k-1")
    status, body = api(meeting["chair"], meeting["id"], "clock.pause", "k-1")
    snap = read(client, meeting["id"], meeting["chair"])
    current = next(i for i in snap["items"] if i["id"] == snap["meeting"]["current_item_id"])
    # Refused as a key conflict, with nothing applied: never a silent no-op.
    assert status == 409 and body["error"]["code"] == "id_reused", (status, body)
    assert current["status"] == "running"


# ---------------------------------------------------------------- the event log


def test_the_events_endpoint_returns_the_events_after_a_sequence_number_in_order(client, meeting, api):
    names = ["clock.start_meeting", "clock.pause", "clock.resume", "clock.next_item"]
    seqs = [api(meeting["chair"], meeting["id"], n)[1]["seq"] for n in names]
    url = f"/api/v1/meetings/{meeting['id']}/events"
    everything = client.get(url, headers=bearer(meeting["screen"])).get_json()
    assert everything["seq"] == seqs[-1]
    assert [e["type"] for e in everything["events"]] == ["participants.add", "participants.add", *names]
    assert [e["seq"] for e in everything["events"]] == list(range(1, seqs[-1] + 1))
    assert client.get(url, query_string={"after_seq": 0}, headers=bearer(meeting["screen"])).get_json() == everything

    tail = client.get(url, query_string={"after_seq": seqs[1]}, headers=bearer(meeting["participants"][0])).get_json()
    assert [e["seq"] for e in tail["events"]] == seqs[2:]
    assert [e["type"] for e in tail["events"]] == names[2:]
    last = tail["events"][-1]
    assert set(last) == {"seq", "type", "data", "at"}
    assert (
        last["data"]["meeting"]["current_item_id"]
        == read(client, meeting["id"], meeting["chair"])["meeting"]["current_item_id"]
    )

    none = client.get(url, query_string={"after_seq": seqs[-1]}, headers=bearer(meeting["chair"])).get_json()
    assert none == {"seq": seqs[-1], "events": []}


def test_events_after_a_sequence_number_not_yet_reached_ask_for_a_fresh_read(client, meeting):
    r = client.get(
        f"/api/v1/meetings/{meeting['id']}/events", query_string={"after_seq": 99}, headers=bearer(meeting["chair"])
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "resync"


@pytest.mark.parametrize("after", ["", "-1", "abc", "1.5", "0x10"])
def test_a_malformed_after_seq_is_refused(client, meeting, after):
    r = client.get(
        f"/api/v1/meetings/{meeting['id']}/events", query_string={"after_seq": after}, headers=bearer(meeting["chair"])
    )
    assert r.status_code == 422
    assert r.get_json()["error"]["fields"] == {"after_seq": "Must be a whole number, 0 or more."}


@pytest.mark.parametrize("after", ["²", "9" * 5000], ids=["superscript two", "5000 digits"])
def test_an_after_seq_that_only_looks_numeric_is_refused_not_a_server_error(client, meeting, after):
    r = client.get(
        f"/api/v1/meetings/{meeting['id']}/events", query_string={"after_seq": after}, headers=bearer(meeting["chair"])
    )
    assert r.status_code in (409, 422), r.get_json()


def test_the_events_of_another_meeting_are_not_found(client, meeting, make_meeting):
    other = make_meeting(child_ref="ZZ-9")
    r = client.get(f"/api/v1/meetings/{other['id']}/events", headers=bearer(meeting["chair"]))
    assert r.status_code == 404


# ---------------------------------------------------------------- concurrent edits


def test_an_edit_based_on_a_stale_version_gets_a_conflict_with_the_current_values(client, meeting, api):
    item = read(client, meeting["id"], meeting["chair"])["items"][1]
    status, _ = api(
        meeting["chair"],
        meeting["id"],
        "agenda.update_item",
        item_id=item["id"],
        version=item["version"],
        title="Actions from March",
    )
    assert status == 200
    before = read(client, meeting["id"], meeting["chair"])

    status, body = api(
        meeting["chair"], meeting["id"], "agenda.update_item", item_id=item["id"], version=item["version"], minutes=30
    )
    assert status == 409
    assert body["ok"] is False and body["error"]["code"] == "conflict"
    assert "Someone else changed this" in body["error"]["message"]
    current = body["error"]["current"]
    assert current["id"] == item["id"] and current["title"] == "Actions from March"
    assert current["version"] == item["version"] + 1 and current["allocated_seconds"] == item["allocated_seconds"]
    assert without_clock(read(client, meeting["id"], meeting["chair"])) == without_clock(before)

    status, _ = api(
        meeting["chair"],
        meeting["id"],
        "agenda.update_item",
        item_id=item["id"],
        version=current["version"],
        minutes=30,
    )
    assert status == 200


def test_a_stale_edit_of_the_meeting_gets_a_conflict(client, meeting, api):
    assert api(meeting["chair"], meeting["id"], "meeting.update", version=1, title="Year 6 review")[0] == 200
    before = read(client, meeting["id"], meeting["chair"])
    status, body = api(meeting["chair"], meeting["id"], "meeting.update", version=1, child_ref="CD-2")
    assert (
        status == 409
        and body["error"]["current"]["title"] == "Year 6 review"
        and body["error"]["current"]["version"] == 2
    )
    assert without_clock(read(client, meeting["id"], meeting["chair"])) == without_clock(before)


def test_a_stale_edit_of_a_participant_gets_a_conflict(client, meeting, api):
    pid = read(client, meeting["id"], meeting["chair"])["participants"][0]["id"]
    assert (
        api(meeting["chair"], meeting["id"], "participants.update", participant_id=pid, version=1, name="Sam P.")[0]
        == 200
    )
    status, body = api(
        meeting["chair"], meeting["id"], "participants.update", participant_id=pid, version=1, name="Samantha"
    )
    assert status == 409 and body["error"]["current"]["name"] == "Sam P."
    assert read(client, meeting["id"], meeting["chair"])["participants"][0]["name"] == "Sam P."


# ---------------------------------------------------------------- removing a participant


def test_removing_a_participant_revokes_their_link_at_once(client, meeting, api):
    snap = read(client, meeting["id"], meeting["chair"])
    parent_token, ep_token = meeting["participants"]
    parent_id = read(client, meeting["id"], parent_token)["viewer"]["participant_id"]

    status, body = api(meeting["chair"], meeting["id"], "participants.remove", participant_id=parent_id)
    assert status == 200 and len(body["revoked_link_ids"]) == 1

    r = client.get(f"/api/v1/meetings/{meeting['id']}", headers=bearer(parent_token))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorised"
    assert client.get(f"/api/v1/meetings/{meeting['id']}/events", headers=bearer(parent_token)).status_code == 401
    assert client.get(f"/join/{parent_token}").status_code == 404

    after = read(client, meeting["id"], meeting["chair"])
    assert [p["id"] for p in after["participants"]] == [p["id"] for p in snap["participants"] if p["id"] != parent_id]
    links = client.get(f"/api/v1/meetings/{meeting['id']}/links", headers=bearer(meeting["chair"])).get_json()["links"]
    assert parent_token not in json.dumps(links) and ep_token in json.dumps(links)
    assert read(client, meeting["id"], ep_token)["viewer"]["role"] == "participant"

    status, body = api(meeting["chair"], meeting["id"], "participants.remove", participant_id=parent_id)
    assert status == 404 and body["error"]["code"] == "not_found"


def test_the_event_of_a_removal_names_the_participant_removed(client, meeting, api):
    pid = read(client, meeting["id"], meeting["participants"][1])["viewer"]["participant_id"]
    seq = api(meeting["chair"], meeting["id"], "participants.remove", participant_id=pid)[1]["seq"]
    events = client.get(
        f"/api/v1/meetings/{meeting['id']}/events",
        query_string={"after_seq": seq - 1},
        headers=bearer(meeting["chair"]),
    ).get_json()["events"]
    assert events[0]["type"] == "participants.remove" and events[0]["data"]["removed_participants"] == [pid]


# ---------------------------------------------------------------- the room pages


PAGES = {"chair": "/chair/{}", "screen": "/screen/{}", "participant": "/join/{}"}


def tokens_by_role(meeting) -> dict[str, str]:
    return {"chair": meeting["chair"], "screen": meeting["screen"], "participant": meeting["participants"][0]}


@pytest.mark.parametrize("role", list(PAGES))
def test_each_page_opens_with_its_own_roles_token(client, meeting, role):
    r = client.get(PAGES[role].format(tokens_by_role(meeting)[role]))
    assert r.status_code == 200
    assert r.mimetype == "text/html"
    assert "Annual review" in r.get_data(as_text=True)
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("page", "token_role"),
    [(page, role) for page in PAGES for role in PAGES if page != role],
)
def test_a_page_opened_with_another_roles_token_is_not_found(client, meeting, page, token_role):
    r = client.get(PAGES[page].format(tokens_by_role(meeting)[token_role]))
    assert r.status_code == 404
    assert meeting["chair"] not in r.get_data(as_text=True)


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("token", ["unknown-token-of-a-plausible-length-0123", "x", "a" * 65])
def test_a_page_opened_with_an_unknown_token_is_not_found(client, meeting, page, token):
    r = client.get(PAGES[page].format(token))
    assert r.status_code == 404
    assert "Annual review" not in r.get_data(as_text=True)


def test_the_screen_page_holds_neither_the_chairs_nor_the_participants_tokens(client, meeting):
    html = client.get(f"/screen/{meeting['screen']}").get_data(as_text=True)
    assert meeting["chair"] not in html
    for token in meeting["participants"]:
        assert token not in html
    assert "/chair/" not in html and "/join/" not in html


def test_a_participants_page_holds_no_other_link(client, meeting):
    own, other = meeting["participants"]
    html = client.get(f"/join/{own}").get_data(as_text=True)
    for token in (meeting["chair"], meeting["screen"], other):
        assert token not in html


def test_the_chair_page_lists_every_working_link(client, meeting):
    html = client.get(f"/chair/{meeting['chair']}").get_data(as_text=True)
    for token in (meeting["screen"], *meeting["participants"]):
        assert token in html


def bootstrap_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="bootstrap">(.*?)</script>', html, re.S)
    assert match, "the page carries its bootstrap data"
    return json.loads(match.group(1))


XSS = "<script>alert('cg')</script>"


def test_text_people_typed_is_escaped_in_every_page(client, make_meeting, api):
    m = make_meeting(title=f"Review {XSS}", child_ref="<b>AB</b>")
    api(
        m["chair"],
        m["id"],
        "agenda.add_item",
        title=f"</script>{XSS}",
        presenter="<img src=x onerror=alert(1)>",
        minutes=5,
    )
    status, body = api(
        m["chair"],
        m["id"],
        "participants.add",
        name=f"Eve {XSS}",
        role="parent",
        agency="family",
        agency_name="<i>x</i>",
    )
    assert status == 200
    participant = body["join_path"].rsplit("/", 1)[1]
    for url in (f"/chair/{m['chair']}", f"/screen/{m['screen']}", f"/join/{participant}"):
        html = client.get(url).get_data(as_text=True)
        assert XSS not in html, url
        assert "</script>" + "<script>alert" not in html
        assert "<img src=x" not in html and "<b>AB</b>" not in html and "<i>x</i>" not in html
        assert "&lt;script&gt;" in html, "the title is shown, escaped"
        data = bootstrap_of(html)
        assert data["snapshot"]["meeting"]["title"] == f"Review {XSS}", "the bootstrap JSON keeps the text intact"
        assert f"</script>{XSS}" in [i["title"] for i in data["snapshot"]["items"]]


def test_the_bootstrap_of_each_page_carries_only_its_own_token(client, meeting):
    for role, token in tokens_by_role(meeting).items():
        data = bootstrap_of(client.get(PAGES[role].format(token)).get_data(as_text=True))
        assert data["token"] == token
        assert data["snapshot"]["viewer"]["role"] == role
        assert ("links" in data) is (role == "chair")


def test_a_disagreements_history_shows_positions_added_next_step_changed_and_resolution(client, meeting, api):
    from datetime import timedelta

    chair, mid = meeting["chair"], meeting["id"]
    status, made = api(chair, mid, "disagreements.record", topic="Hours of support")
    did = made["disagreement_id"]
    api(meeting["participants"][0], mid, "positions.add", disagreement_id=did, view="Full-time support")
    api(chair, mid, "disagreements.update", disagreement_id=did, version=2, next_step="mediation",
        next_step_owner_name="LA SEND officer", next_step_agency="Northshire SEND",
        follow_up_date=(local_today() + timedelta(days=30)).isoformat())
    api(chair, mid, "disagreements.update", disagreement_id=did, version=3, resolved=True, resolution="Agreed 20 hours")
    r = client.get(f"/api/v1/meetings/{mid}/history/disagreement/{did}", headers=bearer(meeting["participants"][1]))
    assert r.status_code == 200
    history = r.get_json()["history"]
    assert [h["action"] for h in history] == ["disagreements.record", "positions.add", "disagreements.update", "disagreements.update"]
    assert history[1]["actor"] == "Sam Parent (participant)"
    assert history[2]["after"]["next_step"] == "mediation" and history[2]["before"]["next_step"] is None
    assert history[3]["after"]["resolved"] is True and history[3]["after"]["resolution"] == "Agreed 20 hours"
    # The screen may not read it; another meeting's id reveals nothing.
    assert client.get(f"/api/v1/meetings/{mid}/history/disagreement/{did}", headers=bearer(meeting["screen"])).status_code == 403
    assert client.get(f"/api/v1/meetings/{mid}/history/disagreement/9999", headers=bearer(chair)).status_code == 404
    assert client.get(f"/api/v1/meetings/{mid}/history/meeting/1", headers=bearer(chair)).status_code == 422
