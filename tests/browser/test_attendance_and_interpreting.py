"""The chair's controls for attendance taken from joining, one-step attendance, interpreted items and
the agenda's item tools, in Chromium against a live server."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def person_row(page, participant_id: int):
    return page.locator(f'#participants li[data-participant-id="{participant_id}"]')


def participant_named(room, name: str) -> dict:
    return next(p for p in room.snapshot()["participants"] if p["name"] == name)


def test_the_chair_sees_a_joiner_and_confirms_them_and_marks_someone_in_the_room_in_one_click(people, room, artifacts):
    room.add_participant("Dr Eve Psych", "educational_psychologist", "ep_service")
    sam, eve = participant_named(room, "Sam Parent"), participant_named(room, "Dr Eve Psych")
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1366, 768))
    room.command("clock.start_meeting")

    people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(390, 844))
    joined = person_row(chair, sam["id"]).locator(".joined")
    expect(joined).to_contain_text("joined by link at")
    expect(joined).to_contain_text("confirm")
    chair.screenshot(path=artifacts / "chair-joiner-to-confirm.png", full_page=True)
    assert participant_named(room, "Sam Parent")["attendance_confirmed"] is False

    person_row(chair, sam["id"]).get_by_role("button", name="Confirm: Sam Parent joined remotely").click()
    expect(person_row(chair, sam["id"]).locator(".joined")).to_have_count(0)
    expect(person_row(chair, sam["id"]).get_by_role("button", name="Remote: Sam Parent")).to_have_attribute("aria-pressed", "true")
    confirmed = participant_named(room, "Sam Parent")
    assert (confirmed["attendance"], confirmed["attendance_confirmed"]) == ("remote", True)

    person_row(chair, eve["id"]).get_by_role("button", name="In room: Dr Eve Psych").click()
    expect(person_row(chair, eve["id"]).get_by_role("button", name="In room: Dr Eve Psych")).to_have_attribute("aria-pressed", "true")
    expect(person_row(chair, eve["id"]).locator("select")).to_have_value("in_room")
    assert participant_named(room, "Dr Eve Psych")["attendance"] == "in_room"
    assert people.page_errors == []


def test_every_item_tool_s_accessible_name_starts_with_its_visible_label(people, room):
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1366, 768))
    room.command("clock.start_meeting")
    expect(chair.locator("#agenda .item-tools button", has_text="Go to").first).to_be_visible()
    buttons = chair.locator("#agenda .item-tools button")
    labels = buttons.evaluate_all("bs => bs.map(b => [b.textContent.trim(), b.getAttribute('aria-label')])")
    assert {text for text, _ in labels} >= {"Go to", "Up", "Down", "Edit", "Skip", "Defer"}
    for text, name in labels:
        assert name.startswith(f"{text}: "), (text, name)


def test_the_chair_scales_items_for_interpreting_in_one_step_and_the_projected_end_moves(people, room):
    items = room.snapshot()["items"]
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1366, 768))
    before = room.snapshot()["meeting"]["projected_end"]
    expect(chair.locator("#projected-end")).not_to_have_text("–")
    shown_before = chair.locator("#projected-end").inner_text()
    form = chair.locator("#scale-items")
    for item in items[:2]:
        form.get_by_label(item["title"]).check()
    expect(form.locator("select[name=time_scale]")).to_have_value("150")
    form.get_by_role("button", name="Scale items for interpreting").click()
    expect(form.locator(".form-status")).to_have_text("2 items now x1.5.")
    extra_seconds = sum(i["allocated_seconds"] for i in items[:2]) // 2
    expect(chair.locator(f'#agenda li[data-item-id="{items[0]["id"]}"] .times')).to_contain_text("x1.5")
    expect(chair.locator("#projected-end")).not_to_have_text(shown_before)
    after = room.snapshot()
    assert [i["time_scale"] for i in after["items"][:3]] == [150, 150, 100]
    moved = datetime.fromisoformat(after["meeting"]["projected_end"]) - datetime.fromisoformat(before)
    assert moved.total_seconds() == extra_seconds

    # One item on its own: its select in the item's tools.
    third = items[2]
    chair.get_by_label(f"Time scale of {third['title']}").select_option("200")
    expect(chair.locator(f'#agenda li[data-item-id="{third["id"]}"] .times')).to_contain_text("x2")
    assert room.snapshot()["items"][2]["time_scale"] == 200
    assert people.page_errors == []
