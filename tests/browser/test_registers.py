"""The record in three browsers: the chair writes decisions, actions and a disagreement; the shared
screen and a participant see them; the participant adds their own position and the chair sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=window.__pwned=1> Amend section F"
RTL_NAME = "مريم حداد"


def test_the_record_written_by_the_chair_reaches_everyone_and_a_participant_adds_their_position(people, room, artifacts):
    room.add_participant(RTL_NAME, "educational_psychologist", "ep_service")
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1400, 1000))
    screen = people.open(f"{room.url}/screen/{room.screen}", "screen", viewport=(1600, 900))
    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(900, 1000))
    chair.click('button[data-cmd="clock.start_meeting"]')

    # A decision, by keyboard: type and press Enter.
    chair.fill("#add-decision input[name=text]", HOSTILE)
    chair.press("#add-decision input[name=text]", "Enter")
    # An action owned by a participant, with the agency taken from them.
    chair.fill("#add-action input[name=what]", "Weekly SALT sessions in school")
    chair.select_option("#add-action select[name=owner_participant_id]", label=f"{RTL_NAME} (Educational psychologist)")
    chair.fill("#add-action input[name=need]", "Communication and interaction: outcome 2")
    chair.press("#add-action input[name=what]", "Enter")
    # A disagreement; its position form opens straight away: the EP's position, then the LA's.
    chair.fill("#add-disagreement input[name=topic]", "Placement for Year 7")
    chair.press("#add-disagreement input[name=topic]", "Enter")
    expect(chair.locator("#disagreements")).to_contain_text("Placement for Year 7")
    form = chair.locator("form.add-position")
    form.locator("select[name=participant_id]").select_option(label=f"{RTL_NAME} (Educational psychologist)")
    form.locator("textarea[name=view]").fill("Mainstream with support meets the need")
    form.locator("input[name=evidence]").fill("EP report, 3 Feb")
    form.locator("button[type=submit]").click()
    # Saved and closed (the button toggles the form: pressed before that, it would close it).
    expect(chair.locator("#disagreements .position .view")).to_have_text(["Mainstream with support meets the need"])
    expect(chair.locator("form.add-position")).to_have_count(0)
    chair.locator("#disagreements button", has_text="Add a position").click()
    form = chair.locator("form.add-position")
    form.locator("input[name=party_name]").fill("Northshire SEND panel")
    form.locator("input[name=agency]").fill("Local authority")
    form.locator("textarea[name=view]").fill("A specialist place is not agreed")
    form.locator("button[type=submit]").click()

    # The shared screen: decisions, actions with owner and dates, open disagreements.
    expect(screen.locator("#decisions li")).to_have_text([HOSTILE + " · Agreed by all"])
    expect(screen.locator("#actions li")).to_contain_text(["Weekly SALT sessions in school"])
    expect(screen.locator("#actions li")).to_contain_text([f"{RTL_NAME} (Educational psychology service)"])
    expect(screen.locator("#disagreements li")).to_contain_text(["Placement for Year 7 · 2 positions"])
    # The participant's page shows the same record.
    expect(parent.locator("#decisions .entry-text")).to_have_text([HOSTILE])
    expect(parent.locator("#actions .owner")).to_have_text([f"{RTL_NAME} (Educational psychology service)"])
    expect(parent.locator("#disagreements .position .view")).to_have_text(
        ["Mainstream with support meets the need", "A specialist place is not agreed"]
    )

    # The parent adds their own position from their own page; the chair sees it arrive.
    parent.locator("#disagreements button", has_text="Add my position").click()
    parent.fill(".my-position textarea[name=view]", "We want a specialist setting")
    parent.fill(".my-position input[name=evidence]", "OT letter")
    parent.locator(".my-position button[type=submit]").click()
    mine = chair.locator("#disagreements .position", has_text="We want a specialist setting")
    expect(mine).to_contain_text("Sam Parent (Family)")
    expect(mine).to_contain_text("OT letter")
    expect(screen.locator("#disagreements li")).to_contain_text(["3 positions"])

    # Full edit afterwards: the chair corrects the decision and deletes the action; everyone follows.
    chair.locator("#decisions button", has_text="Edit").click()
    chair.locator("#decisions form.edit-entry textarea[name=text]").fill("Amend section F: weekly SALT")
    chair.locator("#decisions form.edit-entry button[type=submit]").click()
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.locator("#actions button", has_text="Delete").click()
    expect(screen.locator("#decisions li")).to_have_text(["Amend section F: weekly SALT · Agreed by all"])
    expect(parent.locator("#actions .entry-text")).to_have_count(0)
    expect(screen.locator("#actions li")).to_have_text(["None yet"])

    # The next step on the ladder, its owner and follow-up date: shown on the screen.
    chair.locator("#disagreements button", has_text="Next step / resolved").click()
    step = chair.locator("form.next-step-form")
    step.locator("select[name=next_step]").select_option("mediation")
    step.locator("select[name=next_step_owner_participant_id]").select_option(label="Sam Parent (Parent or carer)")
    step.locator("input[name=follow_up_date]").fill("2099-01-15")
    step.locator("button[type=submit]").click()
    expect(screen.locator("#disagreements li")).to_contain_text(["next: Mediation"])
    expect(parent.locator("#disagreements .next-step")).to_contain_text("Sam Parent (Family) follows up by 15 Jan 2099")

    # Markup typed by anyone is shown as text and never runs, on every page.
    for page in (chair, screen, parent):
        assert page.evaluate("window.__pwned") is None
        assert page.locator("img").count() == 0
    screen.screenshot(path=str(artifacts / "shared-screen-record.png"))
    chair.screenshot(path=str(artifacts / "chair-console-record.png"), full_page=True)
    assert people.page_errors == []
