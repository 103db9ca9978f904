"""Minutes over HTTP and sockets: circulate, confirm or correct, approve, amend; who may read and export them."""

from __future__ import annotations

import pytest

from facilitation.extensions import db
from facilitation.models import AuditEntry
from tests.conftest import events_of
from tests.exports.record import make_rich_meeting


@pytest.fixture
def rich(client, make_meeting):
    return make_rich_meeting(client, make_meeting)


def send(client, rich, token, name, key=None, **args):
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    r = client.post(f"/api/v1/meetings/{rich.id}/commands/{name}", json=args, headers=headers)
    return r.status_code, r.get_json()


def state(client, token):
    r = client.get(f"/minutes/{token}/state.json")
    assert r.status_code == 200
    return r.get_json()


def sam(rich):
    return rich.participants["Sam Parent"]


def eve(rich):
    return rich.participants["Dr Eve Psych"]


def test_the_chair_can_preview_the_live_draft_at_any_time_during_the_meeting(client, make_meeting):
    rich = make_rich_meeting(client, make_meeting, end=False)
    page = client.get(f"/minutes/{rich.chair}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert b"Write the SALT programme for home and school" in page.data and b"DRAFT: not yet approved" in page.data
    rich.cmd("actions.record", what="Added a moment ago", owner_name="Office", owner_agency="School", due_date="2999-01-01", follow_up_date="2999-01-02")
    assert b"Added a moment ago" in client.get(f"/minutes/{rich.chair}/preview").data
    assert "The meeting has not ended yet: this is a live draft." in state(client, rich.chair)["completeness"]


def test_circulating_waits_until_the_meeting_has_ended(client, make_meeting):
    rich = make_rich_meeting(client, make_meeting, end=False)
    status, body = send(client, rich, rich.chair, "minutes.circulate")
    assert status == 409 and body["error"]["code"] == "not_ended"
    rich.cmd("clock.end_meeting")
    status, body = send(client, rich, rich.chair, "minutes.circulate")
    assert status == 200 and (body["number"], body["revision"]) == (1, 1)


def test_each_participant_confirms_or_asks_for_a_correction_and_the_chair_sees_it_live(client, rich, sockets):
    chair_socket = sockets(rich.chair)
    events_of(chair_socket)
    assert send(client, rich, rich.chair, "minutes.circulate")[0] == 200
    status, body = send(client, rich, sam(rich), "minutes.confirm", number=1, revision=1)
    assert status == 200 and body["response"] == "confirmed"
    status, _ = send(client, rich, eve(rich), "minutes.request_correction", number=1, revision=1, comment="I joined at 09:45, not <b>late</b>")
    assert status == 200

    events = events_of(chair_socket)
    assert [e["type"] for e in events] == ["minutes.circulate", "minutes.confirm", "minutes.request_correction"]
    assert [e["seq"] for e in events] == list(range(events[0]["seq"], events[0]["seq"] + 3))
    answers = {a["participant_id"]: a for a in events[-1]["data"]["minutes"][0]["responses"]}
    assert answers[rich.participant_ids["Sam Parent"]]["response"] == "confirmed"
    assert answers[rich.participant_ids["Dr Eve Psych"]] == {**answers[rich.participant_ids["Dr Eve Psych"]], "response": "correction", "has_comment": True}
    assert "I joined" not in str(events)  # comments are not broadcast to the whole room

    chair_view = state(client, rich.chair)
    by_name = {a["name"]: a for a in chair_view["answers"]}
    assert by_name["Dr Eve Psych"]["comment"] == "I joined at 09:45, not <b>late</b>"
    assert chair_view["tally"]["confirmed"] == ["Sam Parent"] and chair_view["tally"]["corrections"] == ["Dr Eve Psych"]
    assert chair_view["tally"]["waiting"] == ["Zoë Łukasiewicz-Ахмед"]
    # Another participant sees who answered, but not someone else's comment; the author sees their own.
    assert {a["name"]: a["comment"] for a in state(client, sam(rich))["answers"]}["Dr Eve Psych"] is None
    assert {a["name"]: a["comment"] for a in state(client, eve(rich))["answers"]}["Dr Eve Psych"].startswith("I joined")


def test_a_participant_answers_section_by_section_and_a_dissent_becomes_a_difference_of_opinion(client, rich, sockets):
    chair_socket = sockets(rich.chair)
    assert send(client, rich, rich.chair, "minutes.circulate")[0] == 200
    sections = {x["key"]: x["label"] for x in state(client, sam(rich))["sections"]}
    item = next(k for k in sections if k.startswith("item:"))
    assert {"attendance", "actions", "disagreements", "views", "recommendation", "next_review"} <= set(sections)
    assert send(client, rich, sam(rich), "minutes.answer_section", number=1, revision=1, section="attendance", answer="agree")[0] == 200
    events_of(chair_socket)
    status, body = send(client, rich, sam(rich), "minutes.answer_section", number=1, revision=1, section=item, answer="dissent",
                        comment="The school did not offer weekly SALT; it offered fortnightly.")
    assert status == 200 and body["disagreement_id"]
    # the chair sees the new difference of opinion at once, with Sam's words as his position
    [event] = [e for e in events_of(chair_socket) if e["type"] == "minutes.answer_section"]
    [g] = event["data"]["disagreements"]
    assert g["minutes_section"] == item and g["agenda_item_id"] == int(item.split(":")[1])
    assert g["topic"] == f"Minutes, \u201c{sections[item]}\u201d: disagrees with what this section records"
    assert [(p["participant_id"], p["view"]) for p in g["positions"]] == [(rich.participant_ids["Sam Parent"], "The school did not offer weekly SALT; it offered fortnightly.")]
    # refused: a dissent without words, a section that does not exist, the chair answering, a stale draft
    assert "comment" in send(client, rich, eve(rich), "minutes.answer_section", number=1, revision=1, section="views", answer="dissent")[1]["error"]["fields"]
    assert "section" in send(client, rich, eve(rich), "minutes.answer_section", number=1, revision=1, section="item:999999", answer="agree")[1]["error"]["fields"]
    assert send(client, rich, rich.chair, "minutes.answer_section", number=1, revision=1, section="views", answer="agree")[0] == 403
    assert send(client, rich, eve(rich), "minutes.answer_section", number=1, revision=2, section="views", answer="agree")[0] == 409
    # the chair sees every answer; a participant only their own
    assert {(a["section"], a["answer"]) for a in state(client, rich.chair)["section_answers"]} == {("attendance", "agree"), (item, "dissent")}
    assert state(client, eve(rich))["section_answers"] == []
    # the live draft lists it among the differences of opinion; approval says who agreed to what
    assert send(client, rich, rich.chair, "minutes.approve", number=1)[0] == 200
    md = client.get(f"/minutes/{sam(rich)}/export/md").get_data(as_text=True)
    assert "## Agreed section by section" in md
    assert "Who was there: agreed by Sam Parent." in md
    assert f"{sections[item]}: disagreed: Sam Parent (see the differences of opinion)." in md
    assert "The school did not offer weekly SALT; it offered fortnightly." in md


def test_withdrawing_a_dissent_resolves_its_difference_of_opinion(client, rich):
    send(client, rich, rich.chair, "minutes.circulate")
    body = send(client, rich, sam(rich), "minutes.answer_section", number=1, revision=1, section="views", answer="dissent", comment="Not my words")[1]
    assert send(client, rich, sam(rich), "minutes.answer_section", number=1, revision=1, section="views", answer="agree")[0] == 200
    g = next(d for d in client.get(f"/api/v1/meetings/{rich.id}", headers={"Authorization": f"Bearer {rich.chair}"}).get_json()["disagreements"]
             if d["id"] == body["disagreement_id"])
    assert g["resolved"] and g["resolution"] == "Sam Parent withdrew the dissent and agrees with this section of the minutes."
    # dissenting again reopens the same one, with the new words
    send(client, rich, sam(rich), "minutes.answer_section", number=1, revision=1, section="views", answer="dissent", comment="Second thoughts")
    g = next(d for d in client.get(f"/api/v1/meetings/{rich.id}", headers={"Authorization": f"Bearer {rich.chair}"}).get_json()["disagreements"]
             if d["id"] == body["disagreement_id"])
    assert not g["resolved"] and [p["view"] for p in g["positions"]] == ["Second thoughts"]


def test_only_participants_answer_and_only_for_themselves_and_only_the_chair_circulates_approves_and_amends(client, rich):
    send(client, rich, rich.chair, "minutes.circulate")
    assert send(client, rich, rich.chair, "minutes.confirm", number=1, revision=1)[0] == 403
    assert send(client, rich, rich.screen, "minutes.confirm", number=1, revision=1)[0] == 403
    for name, args in (("minutes.circulate", {}), ("minutes.approve", {"number": 1}), ("minutes.amend", {"number": 1, "note": "x"}), ("minutes.update_details", {"version": 2})):
        assert send(client, rich, sam(rich), name, **args)[0] == 403, name
        assert send(client, rich, rich.screen, name, **args)[0] == 403, name
    # There is no argument naming whose answer it is: a participant can only answer for their own link.
    status, body = send(client, rich, sam(rich), "minutes.confirm", number=1, revision=1, participant_id=rich.participant_ids["Dr Eve Psych"])
    assert status == 422 and "participant_id" in body["error"]["fields"]


def test_a_correction_needs_a_comment_saying_what_is_wrong(client, rich):
    send(client, rich, rich.chair, "minutes.circulate")
    status, body = send(client, rich, sam(rich), "minutes.request_correction", number=1, revision=1, comment="   ")
    assert status == 422 and body["error"]["fields"] == {"comment": "Say what needs correcting is required."}


def test_after_corrections_the_chair_circulates_again_and_answers_to_the_older_draft_are_refused(client, rich):
    send(client, rich, rich.chair, "minutes.circulate")
    send(client, rich, sam(rich), "minutes.confirm", number=1, revision=1)
    send(client, rich, eve(rich), "minutes.request_correction", number=1, revision=1, comment="Eve was remote")
    action = rich.snapshot["actions"][0]
    rich.cmd("actions.update", action_id=action["id"], version=action["version"], what="Write the SALT programme (corrected)")
    assert state(client, rich.chair)["live_differs_from_circulated"] is True
    status, body = send(client, rich, rich.chair, "minutes.circulate")
    assert (status, body["revision"]) == (200, 2)
    assert state(client, rich.chair)["live_differs_from_circulated"] is False
    assert b"(corrected)" in client.get(f"/minutes/{sam(rich)}/preview").data
    status, body = send(client, rich, eve(rich), "minutes.confirm", number=1, revision=1)
    assert status == 409 and body["error"]["code"] == "conflict" and body["error"]["current"] == {"number": 1, "revision": 2}
    view = state(client, rich.chair)
    assert view["tally"]["earlier_draft"] == ["Sam Parent", "Dr Eve Psych"] and view["tally"]["confirmed"] == []


def test_approved_minutes_are_frozen_locked_and_still_readable_after_the_record_changes(client, rich):
    send(client, rich, rich.chair, "minutes.circulate")
    for token in (sam(rich), eve(rich)):
        send(client, rich, token, "minutes.confirm", number=1, revision=1)
    status, body = send(client, rich, rich.chair, "minutes.approve", number=1)
    assert status == 200 and body == {**body, "number": 1, "changed_since_circulation": False, "confirmed": 2}
    approved_pdf = client.get(f"/minutes/{sam(rich)}/export/md?version=1").data

    action = rich.snapshot["actions"][0]
    rich.cmd("actions.update", action_id=action["id"], version=action["version"], what="Changed after approval")
    assert client.get(f"/minutes/{sam(rich)}/export/md?version=1").data == approved_pdf
    assert b"Changed after approval" not in client.get(f"/minutes/{sam(rich)}/export/md").data  # the latest = approved
    assert b"Changed after approval" in client.get(f"/minutes/{rich.chair}/export/md?version=live").data

    for name, args in (("minutes.update_details", {"version": 2, "family_views": "x"}), ("minutes.circulate", {}), ("minutes.approve", {"number": 1})):
        status, body = send(client, rich, rich.chair, name, **args)
        assert (status, body["error"]["code"]) == (409, "locked"), name
    status, body = send(client, rich, sam(rich), "minutes.confirm", number=1, revision=1)
    assert (status, body["error"]["code"]) == (409, "locked")


def test_an_amendment_creates_version_two_with_a_note_and_a_list_of_changes_while_version_one_stays_readable(client, rich):
    send(client, rich, rich.chair, "minutes.circulate")
    send(client, rich, rich.chair, "minutes.approve", number=1)
    status, body = send(client, rich, rich.chair, "minutes.amend", number=1, note="Eve's attendance was recorded wrongly")
    assert (status, body["number"]) == (200, 2)
    rich.cmd("attendance.set", participant_id=rich.participant_ids["Dr Eve Psych"], attendance="in_room")
    send(client, rich, rich.chair, "minutes.circulate")
    send(client, rich, eve(rich), "minutes.confirm", number=2, revision=1)
    status, _ = send(client, rich, rich.chair, "minutes.approve", number=2)
    assert status == 200

    r = client.get(f"/api/v1/meetings/{rich.id}/minutes", headers={"Authorization": f"Bearer {sam(rich)}"})
    latest = r.get_json()["minutes"]
    assert latest["stamp"]["number"] == 2 and latest["stamp"]["amendment_note"] == "Eve's attendance was recorded wrongly"
    assert any(line.startswith("Attendance: Dr Eve Psych now") for line in latest["stamp"]["changes"])
    assert [v["status"] for v in r.get_json()["circulation"]["versions"]] == ["approved", "approved"]
    v1 = client.get(f"/api/v1/meetings/{rich.id}/minutes?version=1", headers={"Authorization": f"Bearer {sam(rich)}"}).get_json()["minutes"]
    assert [p["name"] for p in v1["attendance"]["remote"]] == ["Dr Eve Psych"]
    assert b"Amendment (version 2)" in client.get(f"/minutes/{sam(rich)}/export/html?version=2").data
    assert send(client, rich, rich.chair, "minutes.amend", number=1, note="again")[1]["error"]["code"] == "conflict"


def test_retrying_a_minutes_command_with_the_same_key_applies_it_once(client, rich):
    first = send(client, rich, rich.chair, "minutes.circulate", key="circ-1")
    again = send(client, rich, rich.chair, "minutes.circulate", key="circ-1")
    assert first == again and first[1]["revision"] == 1
    assert state(client, rich.chair)["current"]["revision"] == 1


def test_details_for_the_minutes_keep_text_as_typed_and_refuse_stale_edits(client, rich):
    view = state(client, rich.chair)["details"]
    assert view["child_views"] == "I like Lego.\nI don't like the noisy hall." and view["version"] == 2
    status, body = send(client, rich, rich.chair, "minutes.update_details", version=1, family_views="stale")
    assert status == 409 and body["error"]["current"]["family_views"] == "We want weekly SALT <b>in school</b>."
    status, body = send(client, rich, rich.chair, "minutes.update_details", version=2, recommendation="keep")
    assert status == 422 and "recommendation" in body["error"]["fields"]
    status, body = send(client, rich, rich.chair, "minutes.update_details", version=2, next_review_date="2000-01-01")
    assert status == 422 and "next_review_date" in body["error"]["fields"]
    status, _ = send(client, rich, rich.chair, "minutes.update_details", version=2, family_views=None)
    assert status == 200 and state(client, rich.chair)["details"] == {**view, "family_views": None, "version": 3}


def test_the_chair_sees_the_summarys_reading_ease_and_words_to_replace_and_can_add_an_easy_read_version(client, rich):
    check = state(client, rich.chair)["plain_words"]
    summary = check["summary"]
    assert summary["target_ease"] == 60 and isinstance(summary["ease"], float) and summary["reading_age"] >= 5
    assert summary["summary"].startswith(f"Reading ease {summary['ease']:.0f} (aim for 60 or more)")
    # the decision typed by professionals ("Maintain the EHCP; amend section F") reaches the family summary
    assert {"term": "maintain", "plain": "keep"}.items() <= next(j for j in summary["jargon"] if j["term"] == "maintain").items()
    assert check["easy_read"] is None
    assert "plain_words" not in state(client, sam(rich))  # the chair's check, not the family's
    easy = "We met about Sam.\nSam will get more help with talking.\nWe disagree about provision."
    status, _ = send(client, rich, rich.chair, "minutes.update_details", version=2, easy_read=easy)
    assert status == 200
    check = state(client, rich.chair)["plain_words"]["easy_read"]
    assert check["plain_enough"] and [j["term"] for j in check["jargon"]] == ["provision"]
    for fmt, marker in (("summary", "Easy read"), ("md", "### Easy read"), ("html", "Easy read")):
        body = client.get(f"/minutes/{sam(rich)}/export/{fmt}").get_data(as_text=True)
        assert marker in body and "Sam will get more help with talking." in body, fmt
    status, body = send(client, rich, rich.chair, "minutes.update_details", version=3, easy_read="x" * 8001)
    assert status == 422 and "easy_read" in body["error"]["fields"]


# ---------------------------------------------------------------- who may read and export


FORMATS = ["html", "pdf", "docx", "md", "csv", "ics", "summary"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_link_of_the_meeting_can_export_and_no_other_meetings_link_can(client, rich, make_meeting, fmt):
    other = make_meeting()
    for token in (rich.chair, rich.screen, sam(rich)):
        assert client.get(f"/minutes/{token}/export/{fmt}").status_code == 200
        r = client.get(f"/api/v1/meetings/{rich.id}/minutes/export/{fmt}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment;")
    # Another meeting's link reaches only its own meeting; over the API it cannot name this one.
    r = client.get(f"/api/v1/meetings/{rich.id}/minutes/export/{fmt}", headers={"Authorization": f"Bearer {other['chair']}"})
    assert r.status_code == 404
    assert client.get(f"/api/v1/meetings/{rich.id}/minutes/export/{fmt}").status_code == 401
    assert client.get(f"/minutes/{'x' * 43}/export/{fmt}").status_code == 404
    assert b"Write the SALT programme" not in client.get(f"/minutes/{other['chair']}/export/{fmt}").data


def test_a_removed_participants_link_no_longer_opens_the_minutes(client, rich):
    token = rich.participants["Zoë Łukasiewicz-Ахмед"]
    assert client.get(f"/minutes/{token}").status_code == 200
    rich.cmd("participants.remove", participant_id=rich.participant_ids["Zoë Łukasiewicz-Ахмед"])
    for path in ("", "/state.json", "/preview", "/export/pdf"):
        assert client.get(f"/minutes/{token}{path}").status_code == 404, path


def test_every_export_is_logged_with_who_which_format_and_which_version(client, rich, app):
    client.get(f"/minutes/{sam(rich)}/export/pdf")
    client.get(f"/minutes/{rich.chair}/export/csv?version=live")
    client.get(f"/api/v1/meetings/{rich.id}/minutes/export/ics?owner=p1", headers={"Authorization": f"Bearer {rich.screen}"})
    with app.app_context():
        rows = db.session.query(AuditEntry).filter_by(meeting_id=rich.id, action="minutes.export").order_by(AuditEntry.id).all()
        assert [(r.actor, r.note) for r in rows] == [
            ("Sam Parent (participant)", "minutes pdf version=latest"),
            ("Chair", "minutes csv version=live"),
            ("Shared screen", "minutes ics version=latest"),
        ]


def test_the_printable_page_forbids_scripts_and_unknown_versions_or_formats_are_not_found(client, rich):
    r = client.get(f"/minutes/{rich.chair}/export/html")
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert r.headers["Content-Disposition"].startswith("inline;") and r.mimetype == "text/html"
    assert client.get(f"/minutes/{rich.chair}/export/exe").status_code == 404
    assert client.get(f"/minutes/{rich.chair}/export/pdf?version=7").status_code == 404
    assert client.get(f"/minutes/{rich.chair}/export/pdf?version=x").status_code == 400
    assert client.get(f"/minutes/{rich.chair}/export/pdf?owner=p1").status_code == 404  # only calendars are per owner
    r = client.get(f"/api/v1/meetings/{rich.id}/minutes?version=x", headers={"Authorization": f"Bearer {rich.chair}"})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == {"version": "Must be 'live' or a version number."}


def test_the_minutes_page_shows_typed_markup_as_text(client, rich):
    body = client.get(f"/minutes/{sam(rich)}").data
    assert b"<script>alert(1)" not in body and b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert b"We want weekly SALT &lt;b&gt;in school&lt;/b&gt;." in body


def test_the_room_pages_link_to_the_minutes(client, rich):
    assert f"/minutes/{rich.chair}".encode() in client.get(f"/chair/{rich.chair}").data
    assert f"/minutes/{sam(rich)}".encode() in client.get(f"/join/{sam(rich)}").data
