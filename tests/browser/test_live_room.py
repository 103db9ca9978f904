"""Three people in three browsers: the chair runs the clock, the shared screen and a participant follow it live."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import seconds_shown

pytestmark = pytest.mark.browser

START = 'button[data-cmd="clock.start_meeting"]'
NEXT = 'button[data-cmd="clock.next_item"]'
PAUSE = 'button[data-cmd="clock.pause"]'
PLUS_TWO = 'button[data-cmd="clock.extend"][data-seconds="120"]'


def countdown(page: Page) -> int:
    return seconds_shown(page.locator("#countdown").inner_text())


def countdown_moves_down(page: Page, within_ms: int = 2500) -> None:
    """The countdown's text changes within `within_ms` and shows less time than before."""
    before = page.locator("#countdown").inner_text()
    page.wait_for_function(
        "before => document.getElementById('countdown').textContent !== before", arg=before, timeout=within_ms
    )
    assert countdown(page) < seconds_shown(before)


def open_three(people, room):
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair")
    screen = people.open(f"{room.url}/screen/{room.screen}", "screen", viewport=(1600, 900))
    participant = people.open(f"{room.url}/join/{room.participants[0]}", "participant", viewport=(420, 900))
    return chair, screen, participant


def test_advancing_the_agenda_reaches_the_shared_screen_and_every_participant(people, room, artifacts):
    titles = room.titles()
    chair, screen, participant = open_three(people, room)
    for page in (screen, participant):
        expect(page.locator("#current-title")).to_have_text("Waiting to start")
        expect(page.locator("#countdown")).to_have_text("--:--")

    chair.click(START)
    for page in (chair, screen, participant):
        expect(page.locator("#current-title")).to_have_text(titles[0], timeout=2000)

    chair.click(NEXT)
    for page in (chair, screen, participant):
        expect(page.locator("#current-title")).to_have_text(titles[1], timeout=2000)
    # The second item has 10 minutes: every face shows a clock that has just started.
    for page in (screen, participant):
        assert 590 <= countdown(page) <= 600
        expect(page.locator("#countdown")).to_have_attribute("data-running", "yes")
    expect(screen.locator("#item-counter")).to_have_text(f"Item 2 of {len(titles)}")
    expect(participant.locator('#agenda li[aria-current="step"] .title')).to_have_text(titles[1])

    # Nothing ticks over the wire: each browser draws the countdown from the item's timestamps.
    countdown_moves_down(screen)
    countdown_moves_down(participant)

    chair.screenshot(path=artifacts / "chair-console.png", full_page=True)
    screen.screenshot(path=artifacts / "shared-screen.png")
    participant.screenshot(path=artifacts / "participant.png", full_page=True)
    assert people.page_errors == []


def test_pausing_stops_the_countdown_on_the_shared_screen(people, room):
    chair, screen, participant = open_three(people, room)
    chair.click(START)
    expect(screen.locator("#countdown")).to_have_attribute("data-running", "yes", timeout=2000)
    countdown_moves_down(screen)

    chair.click(PAUSE)
    for page in (chair, screen, participant):
        expect(page.locator("#countdown-note")).to_contain_text("Paused", timeout=2000)
        expect(page.locator("#countdown")).to_have_attribute("data-running", "no")
    expect(screen.locator("#item-counter")).to_contain_text("paused")
    frozen = {id(page): page.locator("#countdown").inner_text() for page in (chair, screen, participant)}
    # A stopped clock can only be shown by waiting: it must not move for longer than a tick or two.
    time.sleep(1.6)
    for page in (chair, screen, participant):
        assert page.locator("#countdown").inner_text() == frozen[id(page)]
    # Resume is offered instead of Pause, and the clock runs again.
    chair.click('button[data-cmd="clock.resume"]')
    expect(screen.locator("#countdown-note")).not_to_contain_text("Paused", timeout=2000)
    countdown_moves_down(participant)
    assert people.page_errors == []


def test_extending_the_item_gives_the_participant_two_more_minutes(people, room):
    chair, screen, participant = open_three(people, room)
    chair.click(START)
    expect(participant.locator("#countdown")).to_have_attribute("data-running", "yes", timeout=2000)
    before, at = countdown(participant), time.monotonic()

    chair.click(PLUS_TWO)
    for page in (screen, participant):
        expect(page.locator("#countdown-note")).to_contain_text("extended by 2 min", timeout=2000)
    after, passed = countdown(participant), time.monotonic() - at
    # Two more minutes, less the seconds that ran meanwhile (the shown value is rounded up).
    assert 120 - passed - 1 <= after - before <= 120 + 1, (before, after, passed)
    assert abs(countdown(screen) - countdown(participant)) <= 1
    expect(chair.locator('#agenda li[aria-current="step"] .times')).to_contain_text("+ 2 min")
    assert people.page_errors == []
