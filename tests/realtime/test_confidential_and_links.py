"""Confidential entries reach only the chair and note-takers (checked in the socket payloads, the
replay, the API and the minutes); invite links expire, can be replaced or withdrawn, and staff
links work only for their signed-in account."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from facilitation.extensions import db
from facilitation.models import AccessLink, utcnow
from tests.conftest import add_staff, events_of, sign_in
from tests.realtime.conftest import add_note_taker_and_observer

SECRET = "Diagnosis letter from CAMHS: anxiety disorder"


@pytest.fixture
def room(app, client, meeting, api, sockets):
    """Chair, note-taker, participant, observer and shared screen, all connected to one meeting."""
    note_token, notes_client, observer = add_note_taker_and_observer(app, client, meeting, api)
    conns = {
        "chair": sockets(meeting["chair"]),
        "note_taker": sockets(note_token, notes_client),
        "participant": sockets(meeting["participants"][0]),
        "observer": sockets(observer),
        "screen": sockets(meeting["screen"]),
    }
    for sc in conns.values():
        assert sc.is_connected()
        events_of(sc)
    return {**meeting, "conns": conns, "note_token": note_token, "notes_client": notes_client, "observer": observer}


def record(sc, name, **args) -> dict:
    command_id = hashlib.sha256(f"{name}{json.dumps(args, sort_keys=True)}".encode()).hexdigest()[:32]
    ack = sc.emit("command", {"id": command_id, "name": name, "args": args}, callback=True)
    assert ack["ok"], ack
    return ack


def test_a_confidential_decision_reaches_only_the_chair_and_note_takers_under_the_same_seq(room):
    ack = record(room["conns"]["chair"], "decisions.record", text=SECRET, confidential=True)
    for role, sc in room["conns"].items():
        [event] = events_of(sc)
        assert event["seq"] == ack["seq"]  # everyone's sequence moves on: no gap to resync
        raw = json.dumps(event)
        if role in ("chair", "note_taker"):
            assert event["data"]["decisions"][0]["text"] == SECRET
        else:
            assert SECRET not in raw and event["data"]["decisions"] == []
            assert event["data"]["removed_decisions"] == [ack["decision_id"]]


def test_an_ordinary_entry_still_reaches_everyone(room):
    record(room["conns"]["note_taker"], "decisions.record", text="Maintain the plan")
    for sc in room["conns"].values():
        assert events_of(sc)[0]["data"]["decisions"][0]["text"] == "Maintain the plan"


def test_marking_an_entry_confidential_later_takes_it_off_every_other_screen(room):
    ack = record(room["conns"]["chair"], "actions.record", what=SECRET, owner_name="Dr CAMHS", owner_agency="NHS",
                 due_date=(utcnow() + timedelta(days=10)).date().isoformat(),
                 follow_up_date=(utcnow() + timedelta(days=20)).date().isoformat())
    for sc in room["conns"].values():
        events_of(sc)
    record(room["conns"]["chair"], "actions.update", action_id=ack["action_id"], version=1, confidential=True)
    participant_event = events_of(room["conns"]["participant"])[0]
    assert participant_event["data"]["actions"] == [] and participant_event["data"]["removed_actions"] == [ack["action_id"]]
    assert events_of(room["conns"]["chair"])[0]["data"]["actions"][0]["confidential"] is True


def test_snapshots_replays_and_the_api_leave_confidential_entries_out_for_other_roles(client, room):
    ack = record(room["conns"]["chair"], "disagreements.record", topic=SECRET, confidential=True)
    for role in ("participant", "observer", "screen"):
        sc = room["conns"][role]
        assert SECRET not in json.dumps(sc.emit("sync", {}, callback=True))  # a fresh snapshot
        assert SECRET not in json.dumps(sc.emit("sync", {"last_seq": 0}, callback=True))  # a replay
    assert SECRET in json.dumps(room["conns"]["chair"].emit("sync", {"last_seq": 0}, callback=True))
    assert SECRET in json.dumps(room["conns"]["note_taker"].emit("sync", {}, callback=True))
    parent = {"Authorization": f"Bearer {room['participants'][0]}"}
    base = f"/api/v1/meetings/{room['id']}"
    assert SECRET not in client.get(base, headers=parent).get_data(as_text=True)
    assert SECRET not in client.get(f"{base}/events?after_seq=0", headers=parent).get_data(as_text=True)
    r = client.get(f"{base}/history/disagreement/{ack['disagreement_id']}", headers=parent)
    assert r.status_code == 404  # the same answer as for no such entry
    chair = {"Authorization": f"Bearer {room['chair']}"}
    assert client.get(f"{base}/history/disagreement/{ack['disagreement_id']}", headers=chair).status_code == 200


def test_a_participant_cannot_write_to_a_confidential_entry_they_guess_the_id_of(room):
    ack = record(room["conns"]["chair"], "disagreements.record", topic=SECRET, confidential=True)
    answer = room["conns"]["participant"].emit(
        "command", {"id": "guess-1", "name": "positions.add", "args": {"disagreement_id": ack["disagreement_id"], "view": "x"}}, callback=True
    )
    assert answer["ok"] is False and answer["error"]["code"] == "not_found"


def test_confidential_entries_stay_out_of_the_minutes_and_their_exports(client, room):
    record(room["conns"]["chair"], "decisions.record", text=SECRET, confidential=True)
    record(room["conns"]["chair"], "decisions.record", text="Maintain the plan")
    for token in (room["chair"], room["participants"][0]):
        for path in ("/preview", "/export/md", "/export/csv", "/export/html"):
            r = client.get(f"/minutes/{token}{path}")
            assert r.status_code == 200 and SECRET.encode() not in r.data, path
    # The participant's minutes page carries nothing confidential at all.
    assert SECRET not in client.get(f"/minutes/{room['participants'][0]}").get_data(as_text=True)
    assert "Maintain the plan" in client.get(f"/minutes/{room['chair']}/export/md").get_data(as_text=True)


def test_the_shared_screen_page_never_carries_a_confidential_entry(client, room):
    record(room["conns"]["chair"], "decisions.record", text=SECRET, confidential=True)
    assert SECRET not in client.get(f"/screen/{room['screen']}").get_data(as_text=True)
    assert SECRET in room["notes_client"].get(f"/chair/{room['note_token']}").get_data(as_text=True)


# ---------------------------------------------------------------- the note-taker


def test_a_note_taker_records_but_does_not_run_the_clock_or_approve(room):
    notes = room["conns"]["note_taker"]
    record(notes, "decisions.record", text="Refer to SALT")
    for name in ("clock.start_meeting", "minutes.approve", "participants.add", "links.revoke"):
        answer = notes.emit("command", {"id": f"nt-{name}", "name": name, "args": {}}, callback=True)
        assert answer["error"]["code"] == "forbidden", name


def test_a_note_taker_link_needs_its_own_account_signed_in(app, client, room, sockets):
    # Without the account's session: the page asks for sign-in and the socket is refused.
    stranger = app.test_client()
    assert stranger.get(f"/chair/{room['note_token']}").status_code == 302
    assert not sockets(room["note_token"], stranger).is_connected()
    # Signed in as another account: as if there were no such link.
    other = add_staff(app, "other@school.test", "Mr Other", "note_taker")
    sign_in(stranger, other["email"])
    assert stranger.get(f"/chair/{room['note_token']}").status_code == 404
    assert not sockets(room["note_token"], stranger).is_connected()


def test_signing_out_cuts_off_the_accounts_open_meeting_connections(room):
    notes = room["conns"]["note_taker"]
    room["notes_client"].post("/logout")
    assert not notes.is_connected()
    assert room["conns"]["chair"].is_connected()


# ---------------------------------------------------------------- invite links


def test_invite_links_expire_after_the_organisations_period(app, client, room, sockets):
    with app.app_context():
        link = db.session.scalar(select(AccessLink).where(AccessLink.token == room["participants"][0]))
        assert link.expires_at is not None and link.expires_at > utcnow() + timedelta(days=300)
        link.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    parent = room["conns"]["participant"]
    # An open connection is refused at its next event; a new one is not opened; the page is gone.
    answer = parent.emit("sync", {}, callback=True)
    assert answer["ok"] is False and not parent.is_connected()
    assert not sockets(room["participants"][0]).is_connected()
    assert client.get(f"/join/{room['participants'][0]}").status_code == 404
    r = client.get(f"/api/v1/meetings/{room['id']}", headers={"Authorization": f"Bearer {room['participants'][0]}"})
    assert r.status_code == 401


def test_rescheduling_the_meeting_moves_the_invite_links_expiry(app, api, room):
    with app.app_context():
        before = db.session.scalar(select(AccessLink.expires_at).where(AccessLink.token == room["participants"][0]))
    status, snap = 200, room["conns"]["chair"].emit("sync", {}, callback=True)["snapshot"]
    new_end = (utcnow() + timedelta(days=30)).replace(microsecond=0)
    status, body = api(room["chair"], room["id"], "meeting.update", version=snap["meeting"]["version"],
                       scheduled_start=(new_end - timedelta(hours=1)).isoformat(), scheduled_end=new_end.isoformat())
    assert status == 200, body
    with app.app_context():
        after = db.session.scalar(select(AccessLink.expires_at).where(AccessLink.token == room["participants"][0]))
    assert after - before > timedelta(days=25)


def test_a_replaced_link_stops_at_once_and_the_new_one_works(app, client, room, sockets):
    with app.app_context():
        link_id = db.session.scalar(select(AccessLink.id).where(AccessLink.token == room["participants"][0]))
    ack = record(room["conns"]["chair"], "links.reissue", link_id=link_id)
    assert not room["conns"]["participant"].is_connected()
    new_token = ack["link"]["path"].rsplit("/", 1)[1]
    assert client.get(f"/join/{room['participants'][0]}").status_code == 404
    assert client.get(f"/join/{new_token}").status_code == 200
    assert sockets(new_token).is_connected()


def test_withdrawing_the_shared_screens_link_cuts_it_off(client, room):
    with client.application.app_context():
        link_id = db.session.scalar(select(AccessLink.id).where(AccessLink.token == room["screen"]))
    record(room["conns"]["chair"], "links.revoke", link_id=link_id)
    assert not room["conns"]["screen"].is_connected()
    assert client.get(f"/screen/{room['screen']}").status_code == 404


def test_the_chair_cannot_withdraw_their_own_link_or_one_of_another_meeting(app, room, make_meeting):
    other = make_meeting(child_ref="ZZ-1")
    with app.app_context():
        own = db.session.scalar(select(AccessLink.id).where(AccessLink.token == room["chair"]))
        foreign = db.session.scalar(select(AccessLink.id).where(AccessLink.token == other["screen"]))
    chair = room["conns"]["chair"]
    assert chair.emit("command", {"id": "rv-own", "name": "links.revoke", "args": {"link_id": own}}, callback=True)["ok"] is False
    answer = chair.emit("command", {"id": "rv-foreign", "name": "links.revoke", "args": {"link_id": foreign}}, callback=True)
    assert answer["error"]["code"] == "not_found"
    assert chair.is_connected()


def test_an_observer_follows_but_writes_nothing(room):
    observer = room["conns"]["observer"]
    record(room["conns"]["chair"], "decisions.record", text="Maintain the plan")
    assert events_of(observer)[0]["data"]["decisions"][0]["text"] == "Maintain the plan"
    for name in ("positions.add", "actions.confirm", "minutes.confirm", "decisions.record"):
        assert observer.emit("command", {"id": f"ob-{name}", "name": name, "args": {}}, callback=True)["error"]["code"] == "forbidden"


# ---------------------------------------------------------------- progress notes on confidential actions

NOTE = "Seen by CAMHS on Tuesday: medication started"


def _participant_ids(room) -> dict[str, int]:
    snap = room["conns"]["chair"].emit("sync", {}, callback=True)["snapshot"]
    return {p["name"]: p["id"] for p in snap["participants"]}


def _confidential_action_of_eve(room) -> int:
    eve = _participant_ids(room)["Dr Eve Psych"]
    ack = record(room["conns"]["chair"], "actions.record", what=SECRET, owner_participant_id=eve, confidential=True,
                 due_date=(utcnow() + timedelta(days=10)).date().isoformat(),
                 follow_up_date=(utcnow() + timedelta(days=20)).date().isoformat())
    for sc in room["conns"].values():
        events_of(sc)
    return ack["action_id"]


def test_progress_on_a_confidential_action_reaches_only_those_who_may_read_it_live_and_in_replay(client, room):
    action_id = _confidential_action_of_eve(room)
    eve = {"Authorization": f"Bearer {room['participants'][1]}"}
    r = client.post(f"/api/v1/actions/{action_id}/progress", json={"version": 1, "status": "in_progress", "note": NOTE},
                    headers=eve)
    assert r.status_code == 200, r.get_json()
    for role, sc in room["conns"].items():
        [event] = events_of(sc)
        if role in ("chair", "note_taker"):
            assert event["data"]["action_updates"][0]["note"] == NOTE
        else:
            assert NOTE not in json.dumps(event) and SECRET not in json.dumps(event), role
            assert event["data"]["action_updates"] == [] and event["data"]["removed_actions"] == [action_id]
    for role in ("participant", "observer", "screen"):
        assert NOTE not in json.dumps(room["conns"][role].emit("sync", {"last_seq": 0}, callback=True)), role
    for token in (room["screen"], room["participants"][0], room["observer"]):
        replay = client.get(f"/api/v1/meetings/{room['id']}/events?after_seq=0",
                            headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)
        assert NOTE not in replay and SECRET not in replay
    assert NOTE in json.dumps(room["conns"]["chair"].emit("sync", {"last_seq": 0}, callback=True))


def test_an_entry_marked_confidential_later_is_left_out_of_earlier_events_in_a_replay(client, room):
    ack = record(room["conns"]["chair"], "actions.record", what=SECRET, owner_name="Dr CAMHS", owner_agency="NHS",
                 due_date=(utcnow() + timedelta(days=10)).date().isoformat(),
                 follow_up_date=(utcnow() + timedelta(days=20)).date().isoformat())
    chair = {"Authorization": f"Bearer {room['chair']}"}
    r = client.post(f"/api/v1/actions/{ack['action_id']}/progress", json={"version": 1, "note": NOTE}, headers=chair)
    assert r.status_code == 200, r.get_json()
    record(room["conns"]["chair"], "actions.update", action_id=ack["action_id"], version=r.get_json()["version"],
           confidential=True)
    # A screen that was away since before the entry was recorded is replayed the whole story: the
    # entry's text and its notes stay out of it, and every event still arrives under its own seq.
    answer = room["conns"]["screen"].emit("sync", {"last_seq": 0}, callback=True)
    assert answer["ok"] and SECRET not in json.dumps(answer) and NOTE not in json.dumps(answer)
    assert [e["seq"] for e in answer["events"]] == list(range(1, answer["seq"] + 1))
    assert SECRET in json.dumps(room["conns"]["note_taker"].emit("sync", {"last_seq": 0}, callback=True))


def test_a_confidential_action_is_read_through_the_api_only_by_its_owner_and_the_chair(client, room):
    action_id = _confidential_action_of_eve(room)
    read = lambda token: client.get(f"/api/v1/actions/{action_id}", headers={"Authorization": f"Bearer {token}"})  # noqa: E731
    other_parent = read(room["participants"][0])
    assert other_parent.status_code == 404 and SECRET not in other_parent.get_data(as_text=True)
    assert read(room["participants"][1]).get_json()["what"] == SECRET  # the owner: their own action
    assert read(room["chair"]).get_json()["what"] == SECRET
    # Nor can another participant write to it by its id.
    r = client.post(f"/api/v1/actions/{action_id}/missed-provision", json={"occurred_on": utcnow().date().isoformat(),
                    "note": "x"}, headers={"Authorization": f"Bearer {room['participants'][0]}"})
    assert r.status_code == 404


def test_progress_on_a_confidential_earlier_action_in_a_later_meetings_review_stays_off_its_screen(
    room, make_meeting, sockets
):
    action_id = _confidential_action_of_eve(room)
    start = (utcnow() + timedelta(days=40)).replace(microsecond=0)
    later = make_meeting(scheduled_start=start.isoformat(), scheduled_end=(start + timedelta(minutes=90)).isoformat())
    chair, screen = sockets(later["chair"]), sockets(later["screen"])
    events_of(screen)
    ack = chair.emit("command", {"id": "review-1", "name": "actions.record_progress",
                                 "args": {"action_id": action_id, "version": 1, "note": NOTE}}, callback=True)
    assert ack["ok"], ack
    [event] = events_of(screen)
    assert NOTE not in json.dumps(event) and SECRET not in json.dumps(event)
    assert event["data"]["previous_actions"] == [] and event["data"]["removed_previous_actions"] == [action_id]
    assert NOTE in json.dumps(events_of(chair))
    # The earlier meeting's own room hears of it the same way: its screen gets nothing of the note.
    earlier = events_of(room["conns"]["screen"])
    assert earlier and NOTE not in json.dumps(earlier) and SECRET not in json.dumps(earlier)
    assert NOTE in json.dumps(events_of(room["conns"]["chair"]))
