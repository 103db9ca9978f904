"""What a screen reader is told when the meeting moves on: the new item, once, on every room page; the
countdown is never in a live region."""

import re

from playwright.sync_api import expect


def live_texts(page) -> list[str]:
    """The text of every live region on the page that is not switched off."""
    return page.locator("[aria-live]:not([aria-live=off]), [role=status], [role=alert]").evaluate_all(
        "nodes => nodes.map(n => n.textContent.trim())"
    )


def test_every_room_page_announces_the_new_item_once_and_never_the_countdown(people, room):
    room.command("clock.start_meeting")
    pages = {
        "participant": people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(390, 844)),
        "screen": people.open(f"{room.url}/screen/{room.screen}", "screen", viewport=(1280, 720)),
        "chair": people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1366, 768)),
    }
    for page in pages.values():
        expect(page.locator("#countdown")).to_have_text(re.compile(r"\d+:\d\d"))
        # Opening the page says nothing: its heading does.
        expect(page.locator("#room-announcer")).to_have_text("")
        for text in live_texts(page):
            assert not re.search(r"\d+:\d\d", text), f"a countdown in a live region: {text!r}"

    first = pages["chair"].locator("#current-title").text_content()
    room.command("clock.next_item")
    expect(pages["chair"].locator("#current-title")).not_to_have_text(first)
    second = pages["chair"].locator("#current-title").text_content()
    for who, page in pages.items():
        expect(page.locator("#room-announcer"), who).to_have_text(re.compile(rf"^Now: {re.escape(second)}(, presented by .*)?\.$"))

    room.command("clock.end_meeting")
    for who, page in pages.items():
        expect(page.locator("#room-announcer"), who).to_have_text("The meeting has ended.")
    assert people.page_errors == []
