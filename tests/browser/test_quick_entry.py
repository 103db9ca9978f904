"""The chair's quick-entry forms (decision, action, disagreement) when her connection drops: what she
typed stays in its own field, an entry sent meanwhile is saved exactly once, and an answer that comes
late clears only its own form, and only if it still says what was sent."""

from __future__ import annotations

import os
import re
import signal

import pytest
from playwright.sync_api import expect

from tests.integration.conftest import LiveMeeting

pytestmark = pytest.mark.browser

DECISION = "Maintain the EHC plan"
ACTION = "Send the OT referral"
TOPIC = "Hours of 1:1 support"


def exactly(text: str) -> list:
    """One entry on the shared screen, and only one, containing `text`."""
    return [re.compile(re.escape(text))]


def open_console(people, meeting: LiveMeeting):
    chair = people.open(f"{meeting.url}/chair/{meeting.chair}", "chair", viewport=(1400, 1000))
    screen = people.open(f"{meeting.url}/screen/{meeting.screen}", "screen", viewport=(1600, 900))
    meeting.command("clock.start_meeting")
    expect(chair.locator("#meeting-status")).to_have_attribute("data-status", "live")
    expect(chair.locator("#connection")).to_be_hidden()
    return chair, screen


def test_the_chairs_drafts_survive_going_offline_and_what_she_sent_offline_is_saved_once(people, live_server):
    # A replay of at most two events: the chair's page, further behind than that, takes a snapshot.
    meeting = LiveMeeting(live_server(env={"REPLAY_LIMIT": "2"}))
    chair, screen = open_console(people, meeting)
    decision = chair.locator("#add-decision input[name=text]")
    what = chair.locator("#add-action input[name=what]")
    topic = chair.locator("#add-disagreement input[name=topic]")
    decision.fill(DECISION)
    what.fill(ACTION)
    chair.fill("#add-action input[name=owner_name]", "Class teacher")
    chair.fill("#add-action input[name=owner_agency]", "School")
    topic.fill(TOPIC)

    chair.context.set_offline(True)
    expect(chair.locator("#connection")).to_be_visible()
    # The action is sent while offline: it stays in its form, which says it has not gone yet.
    what.press("Enter")
    expect(chair.locator("#add-action .form-status")).to_contain_text("Not sent yet")
    # So is the decision, and then the chair adds to it: the later words are a new draft.
    decision.press("Enter")
    decision.press("End")
    decision.press_sequentially(", amend section F")
    # Meanwhile the meeting moves on, further than a replay covers.
    for _ in range(3):
        meeting.command("clock.extend", seconds=60)
    expect(what).to_have_value(ACTION)
    expect(topic).to_have_value(TOPIC)

    # The connection comes back while she types on in the disagreement's field.
    chair.context.set_offline(False)
    topic.press("End")
    topic.press_sequentially(" in section F")
    expect(chair.locator("#connection")).to_be_hidden()
    expect(chair.locator("#countdown-note")).to_contain_text("extended by 3 min")  # caught up by a snapshot

    # Each entry sent offline arrived exactly once.
    expect(screen.locator("#actions li")).to_have_text(exactly(ACTION))
    expect(screen.locator("#decisions li")).to_have_text(exactly(DECISION))
    snapshot = meeting.snapshot()
    assert [a["what"] for a in snapshot["actions"]] == [ACTION]
    assert [d["text"] for d in snapshot["decisions"]] == [DECISION]
    # The action's form, unchanged since it was sent, is cleared by its answer; the decision's, changed
    # since, keeps the new words; the disagreement's field has everything typed into it, and the focus.
    expect(what).to_have_value("")
    expect(chair.locator("#add-action .form-status")).to_have_text("Saved.")
    expect(decision).to_have_value(DECISION + ", amend section F")
    expect(chair.locator("#add-decision .form-status")).to_contain_text("What you typed since is still here")
    expect(topic).to_have_value(TOPIC + " in section F")
    expect(topic).to_be_focused()

    topic.press("Enter")
    expect(screen.locator("#disagreements li")).to_have_text(exactly(TOPIC + " in section F"))
    expect(topic).to_have_value("")
    assert people.page_errors == []


def test_an_entry_awaiting_its_answer_through_a_server_restart_is_saved_once_and_moves_nothing_typed(
    people, room, relaunch
):
    chair, screen = open_console(people, room)
    decision = chair.locator("#add-decision input[name=text]")
    what = chair.locator("#add-action input[name=what]")
    topic = chair.locator("#add-disagreement input[name=topic]")
    status = chair.locator("#add-decision .form-status")

    # The server stalls: the decision goes out and no answer comes.
    os.killpg(room.server.proc.pid, signal.SIGSTOP)
    try:
        decision.fill(DECISION)
        decision.press("Enter")
        expect(status).to_have_text("Saving…")
        # The chair carries on in the other forms while the answer is outstanding.
        what.fill(ACTION)
        chair.select_option("#add-action select[name=owner_participant_id]", label="Sam Parent (Parent or carer)")
        topic.press_sequentially(TOPIC)
    finally:
        room.server.kill()  # and then it dies
    expect(chair.locator("#connection")).to_be_visible()
    expect(status).to_contain_text("Not sent yet")
    expect(decision).to_have_value(DECISION)

    room.server = relaunch(room.server)
    expect(chair.locator("#connection")).to_be_hidden()
    # Sent again with its id on reconnect: one decision, its form cleared by that answer; the fields
    # the chair was typing in keep their text, and the focus stays where she is.
    expect(screen.locator("#decisions li")).to_have_text(exactly(DECISION))
    expect(decision).to_have_value("")
    expect(status).to_have_text("Saved.")
    expect(what).to_have_value(ACTION)
    expect(topic).to_have_value(TOPIC)
    expect(topic).to_be_focused()
    assert [d["text"] for d in room.snapshot()["decisions"]] == [DECISION]

    what.press("Enter")
    expect(screen.locator("#actions li")).to_have_text(exactly(ACTION))
    expect(chair.locator("#add-action .form-status")).to_have_text("Saved.")
    assert [a["what"] for a in room.snapshot()["actions"]] == [ACTION]
    assert people.page_errors == []
