"""Browser fixtures: Debian's Chromium through Playwright, one browser context per person, and a
live meeting (chair, shared screen, one participant) to open in them."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS
from tests.integration.conftest import LiveMeeting, relaunch  # noqa: F401  (shared fixture)

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

#: How long a page may take to show what a test waits for. Generous: CI machines are shared and a
#: test runs three browsers and a server on two cores; a correct page answers in well under a second.
WAIT_MS = 15_000
sync_api.expect.set_options(timeout=WAIT_MS)

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


def stamp() -> str:
    """The wall-clock time to the millisecond, to line the browsers' console up with the server's log."""
    now = datetime.now()
    return f"{now:%H:%M:%S}.{now.microsecond // 1000:03d}"


class People:
    """Pages opened in separate browser contexts, with every uncaught page error and every Content Security
    Policy violation collected (the latter fail the test at teardown: every page must work under the policy)."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts = []
        self.page_errors: list[str] = []
        self.pages: dict[str, object] = {}
        self.console: list[str] = []
        self.csp_violations: list[str] = []

    def _watch_policy(self, who: str, msg) -> None:
        if msg.type == "error" and "Content Security Policy" in msg.text:
            self.csp_violations.append(f"{who}: {msg.text}")

    def open(self, url: str, who: str, viewport=(1280, 800), **context_options):
        """A page for `who` at `url` in a context of its own (`context_options`: has_touch, permissions ...)."""
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, **context_options)
        self.contexts.append(context)
        # On the context, so that every page of this person counts, popups and downloads opened in a tab too.
        context.on("console", lambda msg: self._watch_policy(who, msg))
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.on("pageerror", lambda exc: self.page_errors.append(f"{who}: {exc}"))
        page.on("console", lambda msg: self.console.append(f"{stamp()} {who} {msg.type}: {msg.text}"))
        self.pages[who] = page
        page.goto(url)
        return page

    def keep_evidence(self, folder: Path) -> None:
        """After a failure: a screenshot of every page and the browsers' console, for a person to read."""
        folder.mkdir(parents=True, exist_ok=True)
        for who, page in self.pages.items():
            try:
                page.screenshot(path=str(folder / f"{who}.png"), full_page=True)
            except Exception as exc:  # a page that has crashed still leaves the others' evidence
                self.console.append(f"{who}: no screenshot ({exc})")
        (folder / "console.txt").write_text("\n".join(self.console + self.page_errors), encoding="utf-8")

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Note each phase's outcome on the test item; when a test's own steps fail, keep its browsers'
    evidence at once.

    At once, not when `people` is torn down: it is set up before the live server a test asks for, so
    it is torn down after it, and by then every page has lost its server and shows the offline banner,
    which is not what the failing step saw.
    """
    report = yield
    setattr(item, f"report_{report.when}", report)
    crowd = getattr(item, "funcargs", {}).get("people")
    if report.when == "call" and report.failed and isinstance(crowd, People):
        crowd.keep_evidence(ARTIFACTS / "failed" / item.name)
    return report


@pytest.fixture
def people(chromium, request, artifacts):
    """people.open(url, who) -> a page in a fresh browser context; page errors in people.page_errors.

    When the test fails, screenshots of every page and the console, taken as it failed (see
    pytest_runtest_makereport), go to test-artifacts/failed/. A page
    that logged a Content Security Policy violation fails the test at teardown.
    """
    crowd = People(chromium)
    yield crowd
    report = getattr(request.node, "report_call", None)
    if crowd.csp_violations and not (report is not None and report.failed):  # a failure's was kept already
        crowd.keep_evidence(artifacts / "failed" / request.node.name)
    crowd.close()
    if crowd.csp_violations:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(crowd.csp_violations))


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
