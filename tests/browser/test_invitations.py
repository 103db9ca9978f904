"""The chair invites by e-mail from the People panel and sees the invitee's reply arrive live; the must-invite
check warns of the places nobody fills, in Chromium against a live server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_chair_invites_a_parent_and_sees_their_reply_arrive(people, room, artifacts):
    sam = next(p for p in room.snapshot()["participants"] if p["name"] == "Sam Parent")
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1366, 768))
    row = chair.locator(f'#participants li[data-participant-id="{sam["id"]}"]')
    expect(row.locator(".invitation-state")).to_have_text("Not invited")
    warnings = chair.locator("#must-invite li.warning")
    expect(warnings).to_have_count(5)  # nobody of the annual review's list is invited yet
    expect(chair.locator('#must-invite li[data-key="la"]')).to_contain_text("nobody with this role is on the list")

    row.get_by_label("E-mail address of Sam Parent").fill("sam at family")
    row.get_by_role("button", name="Invite Sam Parent by e-mail").click()
    expect(row.locator(".field-error")).to_contain_text("e-mail address")
    row.get_by_label("E-mail address of Sam Parent").fill("sam@family.example")
    row.get_by_role("button", name="Invite Sam Parent by e-mail").click()
    expect(row.locator(".invitation-state")).to_contain_text("Invited on")
    expect(row.locator(".notice")).to_contain_text("short notice")
    expect(warnings).to_have_count(4)

    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(390, 844))
    form = parent.locator("#invitation-form")
    form.get_by_label("I can only join remotely").check()
    form.get_by_label("I need an interpreter").check()
    form.get_by_label("Language for the interpreter").fill("Polish")
    form.get_by_label("A note for the chair (optional)").fill("Mornings are hard for us")
    form.get_by_role("button", name="Send my answer").click()
    expect(parent.locator("#invitation-state")).to_contain_text("Your answer: Can only join remotely.")

    expect(row.locator(".invitation-state")).to_contain_text("Can only join remotely (invited on")
    expect(row.locator(".reply-note")).to_have_text("Mornings are hard for us")
    expect(row.locator(".language-label")).to_contain_text("needs an interpreter")
    chair.screenshot(path=artifacts / "chair-invitation-reply.png", full_page=True)
    assert people.page_errors == []
