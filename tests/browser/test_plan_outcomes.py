"""The plan's outcomes in two browsers: the chair pastes the plan's outcomes and chooses preparation-for-
adulthood areas in Prepare (they join the agenda), records progress against an outcome in Record, and the
parent reads the outcomes and the progress on their own page; neither page has an accessibility failure."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import check_page

pytestmark = pytest.mark.browser


def test_the_chair_enters_outcomes_and_progress_and_the_parent_reads_them(people, room):
    room.add_participant()
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1400, 1000))
    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(400, 900))
    expect(chair.locator("#cockpit")).to_have_attribute("data-view", "prepare")

    # Prepare: the plan's outcomes pasted as the plan lists them, one per line
    chair.fill(
        "#add-outcomes textarea[name=text]", "1. Sam will read a bus timetable\n2. Sam will make a sandwich alone\n"
    )
    chair.click("#add-outcomes button[type=submit]")
    expect(chair.locator("#outcomes .outcome .entry-text")).to_have_text(
        ["O1 Sam will read a bus timetable", "O2 Sam will make a sandwich alone"]
    )
    # Year 10: preparing for adulthood, employment, goes on the agenda
    chair.select_option("#set-adulthood select[name=year_group]", label="Year 10")
    chair.check("#set-adulthood input[value=employment]")
    chair.click("#set-adulthood button[type=submit]")
    expect(chair.locator("#outcomes-note")).to_contain_text("1 preparing-for-adulthood item added to the agenda")
    expect(parent.locator("#agenda")).to_contain_text("Preparing for adulthood: employment")
    check_page(chair, "chair-outcomes-prepare")

    # Record: progress against the first outcome
    chair.click('button[data-cmd="clock.start_meeting"]')
    chair.click(".cockpit-views a[data-view=record]")
    form = chair.locator("#outcomes form.outcome-form").first
    form.locator("textarea[name=progress]").fill("Reads it with a prompt card")
    form.locator("input[name=evidence]").fill("Travel training log")
    form.locator("select[name=still_appropriate]").select_option("partly")
    form.locator("button[type=submit]").click()
    expect(chair.locator("#outcomes .outcome").first.locator("textarea[name=progress]")).to_have_value(
        "Reads it with a prompt card"
    )

    # The parent reads the outcomes and the progress, and has nothing to edit them with
    first = parent.locator("#outcomes .outcome").first
    expect(first).to_contain_text("Progress: Reads it with a prompt card")
    expect(first).to_contain_text("Still appropriate? Partly")
    expect(parent.locator("#outcomes textarea, #outcomes button")).to_have_count(0)
    check_page(parent, "participant-outcomes")
