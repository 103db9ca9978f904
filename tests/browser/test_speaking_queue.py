"""The speaking queue in two browsers: a parent on a phone raises a hand and writes a question; the
chair sees both in the queue, hears them announced, and marks them answered; the parent sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

QUESTION = "Can Sam keep his SALT sessions on Tuesdays?"


def test_a_parent_on_a_phone_raises_a_hand_and_asks_a_question_and_the_chair_answers_both(people, room, artifacts):
    room.command("clock.start_meeting")
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1280, 800))
    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(390, 844))
    expect(chair.locator("#queue-heading")).to_contain_text("(0 waiting)")

    # The parent's panel comes right after "Now", before the agenda and the record.
    speak = parent.locator("#speak")
    expect(speak.get_by_role("heading", name="Speak to the chair")).to_be_visible()
    panels = parent.locator("main > section:not([hidden])").evaluate_all("nodes => nodes.map(n => n.id || n.className)")
    assert panels.index("speak") == 1, panels
    hand = speak.get_by_role("button", name="Raise hand")
    box = hand.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    hand.click()
    expect(speak.get_by_role("button", name="Lower hand")).to_have_attribute("aria-pressed", "true")
    speak.get_by_label("Question").check()
    speak.get_by_label("Your words").fill(QUESTION)
    speak.get_by_role("button", name="Send to the chair").click()
    expect(speak.locator("#speak-status")).to_have_text("Your question was sent to the chair.")
    expect(speak.locator("#my-requests li")).to_have_count(2)
    expect(speak.locator("#my-requests li").first).to_contain_text(QUESTION)
    assert parent.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways

    # The chair: both waiting, oldest first, named, announced politely.
    waiting = chair.locator("#queue-waiting li")
    expect(waiting).to_have_count(2)
    expect(waiting.nth(0)).to_contain_text("Sam Parent · Raised hand")
    expect(waiting.nth(1)).to_contain_text(QUESTION)
    expect(chair.locator("#queue-heading")).to_contain_text("(2 waiting)")
    expect(chair.locator("#queue-announce")).to_have_attribute("aria-live", "polite")
    expect(chair.locator("#queue-announce")).to_contain_text("Sam Parent sent a question.")
    chair.screenshot(path=str(artifacts / "queue-chair-waiting.png"))
    parent.screenshot(path=str(artifacts / "queue-parent-phone.png"), full_page=True)

    # Marked answered: the question first, by keyboard; the hand by a click.
    question_button = waiting.nth(1).get_by_role("button", name="Mark answered")
    question_button.focus()
    chair.keyboard.press("Enter")
    expect(waiting).to_have_count(1)
    waiting.first.get_by_role("button", name="Mark answered").click()
    expect(chair.locator("#queue-waiting li.empty")).to_have_text("No one is waiting to speak.")
    expect(chair.locator("#queue-heading")).to_contain_text("(0 waiting)")
    chair.locator("#speaking-queue summary").click()
    expect(chair.locator("#queue-done li")).to_have_count(2)

    # The parent sees both answered, and can raise the hand again.
    expect(speak.locator("#my-requests .request-status")).to_have_text(["Answered", "Answered"])
    expect(speak.get_by_role("button", name="Raise hand")).to_have_attribute("aria-pressed", "false")
    assert people.page_errors == []


def test_a_break_request_is_shown_above_the_queue_and_lowering_a_hand_takes_it_off(people, room):
    room.command("clock.start_meeting")
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair")
    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(390, 844))
    parent.get_by_role("button", name="Raise hand").click()
    expect(chair.locator("#queue-waiting li")).to_have_count(1)
    parent.get_by_role("button", name="Lower hand").click()
    expect(chair.locator("#queue-waiting li.empty")).to_be_visible()
    # The calm mode's Break button sends queue.ask_break: the same command, sent here from the page's room.
    parent.evaluate("""() => new Promise((resolve) => {
        const socket = io({ auth: { token: location.pathname.split('/').pop() } });
        socket.on('connect', () => socket.emit('command', { name: 'queue.ask_break', args: {} }, (ack) => { socket.disconnect(); resolve(ack); }));
    })""")
    expect(chair.locator("#queue-breaks .queue-break")).to_contain_text("Break requested by Sam Parent.")
    chair.locator("#queue-breaks").get_by_role("button", name="Mark answered: break requested by Sam Parent").click()
    expect(chair.locator("#queue-breaks .queue-break")).to_have_count(0)
    assert people.page_errors == []
