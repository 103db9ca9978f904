"""In Chromium: what the room pages ask the server for when they open. One Socket.IO connection per page,
every request made once, the review of previous actions loaded only when there is something to review,
and on a reload the static files come from the browser's cache without asking the server."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.integration.conftest import LiveMeeting

pytestmark = pytest.mark.browser


class Traffic:
    """The page's requests (path, query) and the WebSockets it opened."""

    def __init__(self, page):
        self.requests: list[tuple[str, str]] = []
        self.websockets: list[str] = []
        page.on("request", lambda r: self.requests.append((urlsplit(r.url).path, urlsplit(r.url).query)))
        page.on("websocket", lambda ws: self.websockets.append(ws.url))

    def socketio_handshakes(self) -> int:
        """Engine.IO connections started: a first polling request carries no session id yet."""
        return sum(1 for path, query in self.requests if path == "/socket.io/" and "sid=" not in query)

    def counts(self) -> Counter:
        return Counter(path for path, _ in self.requests if path != "/socket.io/")


def open_and_settle(people, url: str, who: str):
    page = people.open("about:blank", who)
    traffic = Traffic(page)
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-connection", "online")
    # Socket.IO starts by long-polling and then upgrades to a WebSocket; a second connection or a late
    # repeated request would show within a second or so after that.
    for _ in range(50):
        if traffic.websockets:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(1500)
    return page, traffic


def assert_one_connection_and_no_repeats(traffic: Traffic, who: str) -> None:
    assert traffic.socketio_handshakes() == 1, f"{who}: {traffic.requests}"
    assert len(traffic.websockets) == 1, f"{who}: {traffic.websockets}"
    repeated = {path: n for path, n in traffic.counts().items() if n > 1}
    assert repeated == {}, f"{who} asked more than once for {repeated}"


def test_the_participant_page_and_the_chair_console_open_one_socket_and_ask_for_each_thing_once(people, room):
    for path, who in ((f"/join/{room.participants[0]}", "participant"), (f"/chair/{room.chair}", "chair")):
        page, traffic = open_and_settle(people, f"{room.url}{path}", who)
        assert_one_connection_and_no_repeats(traffic, who)
        counts = traffic.counts()
        # the minutes' state once; the previous actions came with the page (there are none: no script,
        # no style, no request for them)
        assert sum(n for p, n in counts.items() if p.endswith("/state.json")) == 1, counts
        assert not any("previous-actions" in p or p.endswith(("/actions.js", "/actions.css")) for p in counts), counts
        # every static file asked for by its version
        assert all("v=" in q for p, q in traffic.requests if p.startswith("/static/")), traffic.requests
        expect(page.locator("#previous-actions")).to_be_hidden()

        # A reload takes every static file from the browser's cache without asking the server.
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-connection", "online")
        fetched = page.evaluate(
            "() => performance.getEntriesByType('resource')"
            ".filter((e) => new URL(e.name).pathname.startsWith('/static/') && e.transferSize > 0).map((e) => e.name)"
        )
        assert fetched == [], f"{who}: after a reload these were fetched again: {fetched}"
    assert people.page_errors == []


def test_with_earlier_actions_to_review_the_chair_console_still_opens_one_socket(people, room):
    today = datetime.now(ZoneInfo("Europe/London")).date()
    earlier = room.command(
        "actions.record",
        what="Weekly SALT sessions",
        owner_name="J. Patel",
        owner_agency="Northshire SALT",
        due_date=str(today + timedelta(days=3)),
        follow_up_date=str(today + timedelta(days=10)),
    )["action_id"]
    start = datetime.now(ZoneInfo("UTC")).replace(microsecond=0) + timedelta(days=40)
    nxt = LiveMeeting(
        room.server, scheduled_start=start.isoformat(), scheduled_end=(start + timedelta(minutes=90)).isoformat()
    )
    page, traffic = open_and_settle(people, f"{room.url}/chair/{nxt.chair}", "chair of the next meeting")
    expect(page.locator(f'#previous-actions li[data-action-id="{earlier}"]')).to_contain_text("Weekly SALT sessions")
    assert_one_connection_and_no_repeats(traffic, "chair")
    counts = traffic.counts()
    assert counts["/static/js/actions.js"] == 1 and counts["/static/css/actions.css"] == 1, counts
    assert not any("previous-actions" in p for p in counts), counts  # the list came with the page

    # The review follows the room through the page's one connection: the highlight when the chair reaches
    # the review item, and progress recorded elsewhere (here over the API) redrawn from the room's event.
    section = page.locator("#previous-actions")
    page.click('button[data-cmd="clock.start_meeting"]')
    page.click('button[data-cmd="clock.next_item"]')
    expect(section).to_have_attribute("data-current", "yes")
    nxt.command(
        "actions.record_progress", action_id=earlier, version=1, status="in_progress", note="Started in January"
    )
    item = section.locator(f'li[data-action-id="{earlier}"]')
    expect(item.locator(".status")).to_have_text("In progress")
    expect(item.locator(".history")).to_contain_text("Started in January")
    assert len(traffic.websockets) == 1 and traffic.socketio_handshakes() == 1
    assert people.page_errors == []
