"""A participant whose connection drops catches up on what happened meanwhile, without reloading the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_participant_cut_off_during_a_server_crash_catches_up_without_a_reload(people, room, relaunch):
    titles = room.titles()
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair")
    participant = people.open(f"{room.url}/join/{room.participants[0]}", "participant")
    documents = []
    participant.on("request", lambda r: r.resource_type == "document" and documents.append(r.url))
    room.command("clock.start_meeting")
    # Seeing the first item proves the participant's socket is live before the crash.
    expect(participant.locator("#current-title")).to_have_text(titles[0], timeout=3000)
    participant.evaluate("window.__marker = 1")
    banner = participant.locator("#connection")
    expect(banner).to_be_hidden()

    # The participant's network goes down and the server process dies (SIGKILL, no goodbyes).
    participant.context.set_offline(True)
    room.server.kill()
    expect(banner).to_be_visible(timeout=3000)
    expect(banner).to_have_attribute("data-state", "offline")
    expect(participant.locator("#connection-text")).to_contain_text("Offline")
    expect(chair.locator("#connection")).to_be_visible(timeout=3000)

    # A new server process on the same port and database; the chair carries on meanwhile.
    room.server = relaunch(room.server)
    room.command("clock.next_item")
    room.command("clock.extend", seconds=120)
    expect(chair.locator("#connection")).to_be_hidden(timeout=10000)  # the chair's page reconnected by itself
    expect(chair.locator("#current-title")).to_have_text(titles[1], timeout=3000)
    chair.click('button[data-cmd="clock.pause"]')
    expect(chair.locator("#countdown-note")).to_contain_text("Paused", timeout=3000)
    # The participant, still cut off, shows the old state and says so.
    expect(banner).to_be_visible()
    expect(participant.locator("#current-title")).to_have_text(titles[0])

    participant.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=10000)
    expect(banner).to_have_attribute("data-state", "online")
    expect(participant.locator("#current-title")).to_have_text(titles[1], timeout=3000)
    expect(participant.locator("#countdown-note")).to_contain_text("Paused")
    expect(participant.locator("#countdown-note")).to_contain_text("extended by 2 min")
    expect(participant.locator("#countdown")).to_have_attribute("data-running", "no")
    expect(participant.locator('#agenda li[data-status="done"] .title')).to_have_text([titles[0]])
    # Caught up by replaying events over the socket, not by reloading the page.
    assert participant.evaluate("window.__marker") == 1
    assert documents == []
    # And it is live again: the next command reaches it directly.
    room.command("clock.resume")
    expect(participant.locator("#countdown")).to_have_attribute("data-running", "yes", timeout=3000)
    assert people.page_errors == []
