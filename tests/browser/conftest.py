"""Browser fixtures: Debian's Chromium through Playwright, one browser context per person, and a
live meeting (chair, shared screen, one participant) to open in them."""

from __future__ import annotations

import re

import pytest

from tests.integration.conftest import LiveMeeting, relaunch  # noqa: F401  (shared fixture)

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the session; each person gets their own context (cookies, storage)."""
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class People:
    """Pages opened in separate browser contexts, with every uncaught page error collected."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts = []
        self.page_errors: list[str] = []

    def open(self, url: str, who: str, viewport=(1280, 800)):
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(5000)
        page.on("pageerror", lambda exc: self.page_errors.append(f"{who}: {exc}"))
        page.goto(url)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(chromium):
    """people.open(url, who) -> a page in a fresh browser context; page errors in people.page_errors."""
    crowd = People(chromium)
    yield crowd
    crowd.close()


@pytest.fixture
def room(live_server) -> LiveMeeting:
    """A meeting with the usual agenda and one participant, on a live server process."""
    meeting = LiveMeeting(live_server())
    meeting.add_participant("Sam Parent", "parent", "family")
    return meeting


def seconds_shown(text: str) -> int:
    """A countdown as drawn ('09:58', '1:02:03', '+00:12' when over time) in seconds, negative when over."""
    match = re.fullmatch(r"(\+?)(?:(\d+):)?(\d+):(\d\d)", text.strip())
    assert match, f"not a countdown: {text!r}"
    over, hours, mins, secs = match.groups()
    value = int(hours or 0) * 3600 + int(mins) * 60 + int(secs)
    return -value if over else value
