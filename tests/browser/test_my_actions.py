"""In Chromium: a participant records progress on their own action from their personal link, and the
chair of the next meeting for the same child reviews an earlier action live in the room."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.conftest import local_today
from tests.integration.conftest import LiveMeeting

pytestmark = pytest.mark.browser



def iso(days: int) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


def participant_id(room: LiveMeeting, name: str) -> int:
    return next(p["id"] for p in room.snapshot()["participants"] if p["name"] == name)


def test_a_participant_updates_their_own_action_from_their_link(people, room, artifacts):
    room.add_participant("Dr Eve Psych", "educational_psychologist", "ep_service")
    sam = participant_id(room, "Sam Parent")
    eve = participant_id(room, "Dr Eve Psych")
    mine = room.command("actions.record", what="Keep a <home> diary of sleep", owner_participant_id=sam,
                        due_date=iso(10), follow_up_date=iso(20))["action_id"]
    room.command("actions.record", what="EP observation in class", owner_participant_id=eve, due_date=iso(12), follow_up_date=iso(25))

    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(420, 900))
    parent.get_by_role("link", name="My actions").click()
    expect(parent.get_by_role("heading", name="My actions")).to_be_visible()
    card = parent.locator(f"#action-{mine}")
    expect(card.locator("h3")).to_have_text("Keep a <home> diary of sleep")  # shown as typed
    expect(parent.locator("article.action-card")).to_have_count(1)  # only their own actions
    expect(parent.locator("article.action-card", has_text="EP observation in class")).to_have_count(0)

    card.locator('select[name="status"]').select_option("in_progress")
    card.locator('textarea[name="note"]').fill("Started the diary on Monday")
    card.locator('input[name="evidence"]').fill("Photos of the first week's pages")
    card.get_by_role("button", name="Record progress").click()

    expect(parent.locator(".flash")).to_have_text("Progress recorded.")
    card = parent.locator(f"#action-{mine}")
    expect(card.locator(".status")).to_have_text("In progress")
    entry = card.locator(".history li").first
    expect(entry).to_contain_text("Open → In progress")
    expect(entry).to_contain_text("Started the diary on Monday")
    expect(entry).to_contain_text("Photos of the first week's pages")
    expect(entry).to_contain_text(f"{local_today().day} {local_today():%b %Y}")

    # A contradiction gets a clear message and nothing is recorded.
    card.locator('select[name="status"]').select_option("cancelled")
    card.get_by_role("button", name="Record progress").click()
    expect(parent.get_by_role("alert").first).to_contain_text("Say why the action is cancelled")
    expect(parent.locator(f"#action-{mine} .history li")).to_have_count(1)

    # The chair's log shows the new status.
    chair = people.open(f"{room.url}/actions/{room.chair}", "chair")
    row = chair.locator(f'tr[data-action-id="{mine}"]')
    expect(row).to_contain_text("In progress")
    expect(row).to_contain_text("Started the diary on Monday")
    parent.screenshot(path=artifacts / "my-actions.png", full_page=True)
    chair.screenshot(path=artifacts / "action-log.png", full_page=True)
    assert people.page_errors == []


def test_the_chair_reviews_an_earlier_action_live_in_the_next_meeting(people, room, artifacts):
    sam = participant_id(room, "Sam Parent")
    earlier = room.command("actions.record", what="Weekly SALT sessions", owner_name="J. Patel", owner_agency="Northshire SALT",
                           due_date=iso(3), follow_up_date=iso(10))["action_id"]
    room.command("actions.record", what="Keep a home diary", owner_participant_id=sam, due_date=iso(5), follow_up_date=iso(15))
    start = datetime.now(ZoneInfo("UTC")).replace(microsecond=0) + timedelta(days=40)
    nxt = LiveMeeting(room.server, meeting_type="iep_meeting", scheduled_start=start.isoformat(),
                      scheduled_end=(start + timedelta(minutes=90)).isoformat())
    assert nxt.titles()[1] == "Review of previous actions"

    chair = people.open(f"{room.url}/chair/{nxt.chair}", "chair of the next meeting")
    section = chair.locator("#previous-actions")
    expect(section).to_be_visible()
    item = section.locator(f'li[data-action-id="{earlier}"]')
    expect(item).to_contain_text("Weekly SALT sessions")
    expect(item).to_contain_text("J. Patel (Northshire SALT)")

    # Going to the review item highlights the section.
    chair.click('button[data-cmd="clock.start_meeting"]')
    chair.click('button[data-cmd="clock.next_item"]')
    expect(section).to_have_attribute("data-current", "yes", timeout=3000)

    item.get_by_role("button", name="Record progress").click()
    form = item.locator("form")
    expect(form).to_be_visible()
    form.locator('select[name="status"]').select_option("done")
    form.locator('input[name="evidence"]').fill("6 SALT sessions delivered, log attached")
    form.get_by_role("button", name="Save").click()
    expect(item.locator(".status")).to_have_text("Done", timeout=3000)
    expect(item.locator(".history")).to_contain_text("6 SALT sessions delivered, log attached")

    # The action's own meeting heard of it too.
    home = room.snapshot()
    assert next(a for a in home["actions"] if a["id"] == earlier)["status"] == "done"
    chair.screenshot(path=artifacts / "review-of-previous-actions.png", full_page=True)
    assert people.page_errors == []


def test_progress_recorded_in_the_review_while_offline_goes_over_the_room_s_connection_once(people, room, artifacts):
    earlier = room.command("actions.record", what="Weekly SALT sessions", owner_name="J. Patel", owner_agency="Northshire SALT",
                           due_date=iso(3), follow_up_date=iso(10))["action_id"]
    start = datetime.now(ZoneInfo("UTC")).replace(microsecond=0) + timedelta(days=40)
    nxt = LiveMeeting(room.server, meeting_type="iep_meeting", scheduled_start=start.isoformat(),
                      scheduled_end=(start + timedelta(minutes=90)).isoformat())
    parent_token = nxt.add_participant("Sam Parent")

    chair = people.open(f"{room.url}/chair/{nxt.chair}", "chair of the next meeting")
    posted = []
    chair.on("request", lambda r: r.method == "POST" and "/api/" in r.url and posted.append(r.url))
    parent = people.open(f"{room.url}/join/{parent_token}", "parent in the next meeting", viewport=(420, 900))
    item = chair.locator(f'#previous-actions li[data-action-id="{earlier}"]')
    on_parent = parent.locator(f'#previous-actions li[data-action-id="{earlier}"]')
    expect(item).to_contain_text("Weekly SALT sessions")
    expect(on_parent).to_contain_text("Weekly SALT sessions")
    expect(chair.locator("#connection")).to_be_hidden()
    seq_before = nxt.snapshot()["seq"]

    # The chair's connection drops as she records the progress: it waits, and saying Save again sends
    # nothing more.
    chair.context.set_offline(True)
    expect(chair.locator("#connection")).to_be_visible()
    item.get_by_role("button", name="Record progress").click()
    form = item.locator("form")
    form.locator('select[name="status"]').select_option("done")
    form.locator('input[name="evidence"]').fill("6 SALT sessions delivered")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".field-error")).to_contain_text("Not sent yet")
    form.get_by_role("button", name="Save").click()
    expect(on_parent.locator(".status")).to_have_text("Open")

    # Back online, it goes once, over the room's connection, and the other screen in the room hears of it.
    chair.context.set_offline(False)
    expect(item.locator(".status")).to_have_text("Done")
    expect(on_parent.locator(".status")).to_have_text("Done")
    expect(on_parent.locator(".history li")).to_have_count(1)
    expect(on_parent.locator(".history")).to_contain_text("6 SALT sessions delivered")
    events = [e for e in nxt.events(after_seq=seq_before) if e["type"] == "actions.record_progress"]
    assert len(events) == 1 and events[0]["seq"] > seq_before
    assert next(a for a in room.snapshot()["actions"] if a["id"] == earlier)["status"] == "done"
    assert posted == []  # no command through the HTTP API
    chair.screenshot(path=artifacts / "review-progress-after-reconnect.png", full_page=True)
    assert people.page_errors == []
