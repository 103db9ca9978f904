"""What people type is stored as they meant it: one-line fields (names, titles, references) refuse line
breaks and control characters with a clear message; longer text keeps its line breaks (CR LF and the
Unicode separators become LF) and refuses other control characters; everything is stored in NFC."""

from __future__ import annotations

import unicodedata

import pytest

from tests.conftest import events_of

DAY = "2030-01-10"
NFD_NAME = unicodedata.normalize("NFD", "Zoë Renée Ibáñez")


def send(client, meeting, command_name, /, **args):
    r = client.post(f"/api/v1/meetings/{meeting['id']}/commands/{command_name}", json=args,
                    headers={"Authorization": f"Bearer {meeting['chair']}"})
    return r.status_code, r.get_json()


@pytest.mark.parametrize("bad", ["Sam\r\nParent", "Sam\nParent", "Sam\x00", "Sam\x1b[31m", "Sam\x7f", "Sam\u2028Parent",
                                 "Sam\tParent", "Sam\x85"])
def test_a_one_line_field_refuses_line_breaks_and_control_characters_and_changes_nothing(client, meeting, bad):
    before = client.get(f"/api/v1/meetings/{meeting['id']}", headers={"Authorization": f"Bearer {meeting['chair']}"}).get_json()
    status, body = send(client, meeting, "participants.add", name=bad, role="parent", agency="family")
    assert status == 422 and body["error"]["code"] == "invalid"
    message = body["error"]["fields"]["name"]
    assert message in ("Must be one line, without line breaks.",
                       "Must not contain control characters (such as NUL, escape or tab).")
    if "\n" in bad or "\u2028" in bad:
        assert "one line" in message
    after = client.get(f"/api/v1/meetings/{meeting['id']}", headers={"Authorization": f"Bearer {meeting['chair']}"}).get_json()
    assert after["seq"] == before["seq"] and len(after["participants"]) == len(before["participants"])


@pytest.mark.parametrize("field", ["title", "child_ref"])
def test_a_meeting_title_or_child_reference_with_a_line_break_is_refused(client, auth, field):
    from tests.conftest import meeting_payload

    r = client.post("/api/v1/meetings", headers=auth, json=meeting_payload(**{field: "AB\r\n-1"}))
    assert r.status_code == 422 and r.get_json()["error"]["fields"][field] == "Must be one line, without line breaks."


@pytest.fixture
def auth(staff):
    return {"Authorization": f"Bearer {staff['api_token']}"}


def test_multi_line_text_keeps_its_line_breaks_as_lf_and_refuses_other_control_characters(client, meeting):
    status, body = send(client, meeting, "decisions.record", text="First line\r\nSecond line\rThird\u2028Fourth")
    assert status == 200, body
    snap = client.get(f"/api/v1/meetings/{meeting['id']}", headers={"Authorization": f"Bearer {meeting['chair']}"}).get_json()
    assert snap["decisions"][0]["text"] == "First line\nSecond line\nThird\nFourth"
    for bad in ("Agreed\x00", "Agreed\x1b]0;title\x07", "Agreed\x7f", "Agreed\tplan"):
        status, body = send(client, meeting, "decisions.record", text=bad)
        assert status == 422 and body["error"]["fields"]["text"].startswith("Must not contain control characters"), bad


def test_text_typed_in_decomposed_form_is_stored_composed(client, meeting, sockets):
    screen = sockets(meeting["screen"])
    events_of(screen)
    status, body = send(client, meeting, "participants.add", name=NFD_NAME, role="parent", agency="family")
    assert status == 200, body
    status, body = send(client, meeting, "decisions.record", text=f"{NFD_NAME} agrees")
    assert status == 200, body
    received = events_of(screen)
    name = received[0]["data"]["participants"][0]["name"]
    assert name == unicodedata.normalize("NFC", NFD_NAME) and name != NFD_NAME
    assert received[1]["data"]["decisions"][0]["text"] == unicodedata.normalize("NFC", f"{NFD_NAME} agrees")


def test_the_same_rules_hold_over_a_socket(meeting, sockets):
    chair = sockets(meeting["chair"])
    answer = chair.emit("command", {"id": "ctl-1", "name": "agenda.add_item",
                                    "args": {"title": "Item\nwith a break", "minutes": 5}}, callback=True)
    assert answer["ok"] is False and answer["error"]["fields"]["title"] == "Must be one line, without line breaks."
    answer = chair.emit("command", {"id": "ctl-2", "name": "agenda.add_item",
                                    "args": {"title": "Item\x1b[2J", "minutes": 5}}, callback=True)
    assert answer["ok"] is False and "control characters" in answer["error"]["fields"]["title"]
