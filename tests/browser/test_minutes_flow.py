"""The chair and two participants in three browsers: circulate the draft, one confirms, one asks for a
correction, the chair corrects and circulates again, both confirm, the chair approves; all of it live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import local_today

pytestmark = pytest.mark.browser


def day(n: int) -> str:
    return (local_today() + timedelta(days=n)).isoformat()


@pytest.fixture
def ended(room):
    """The browser fixture's meeting with a second participant, an action each, and the meeting ended."""
    eve = room.add_participant("Dr Eve Psych", "educational_psychologist", "ep_service")
    people = {p["name"]: p["id"] for p in room.snapshot()["participants"]}
    room.command("clock.start_meeting")
    room.command("actions.record", what="Write the SALT programme <b>for home</b>", owner_participant_id=people["Dr Eve Psych"], due_date=day(14), follow_up_date=day(28))
    room.command("actions.record", what="Share the report with the family", owner_participant_id=people["Sam Parent"], due_date=day(7), follow_up_date=day(10))
    room.command("clock.end_meeting")
    room.eve = eve
    return room


def test_two_participants_check_the_minutes_and_the_chair_corrects_and_approves_them_live(people, ended, artifacts):
    room = ended
    chair = people.open(f"{room.url}/minutes/{room.chair}", "chair", viewport=(1400, 900))
    chair.on("dialog", lambda dialog: dialog.accept())
    sam = people.open(f"{room.url}/minutes/{room.participants[0]}", "Sam", viewport=(900, 900))
    eve = people.open(f"{room.url}/minutes/{room.eve}", "Eve", viewport=(900, 900))

    # Before circulation: the chair previews the live draft; typed markup is text.
    expect(chair.locator("#preview")).to_contain_text("Write the SALT programme <b>for home</b>")
    expect(sam.locator("#not-circulated")).to_be_visible()
    # Before circulating, the chair sees how plain the family summary is; the family does not.
    expect(chair.locator("#plain-words .plain-score")).to_contain_text("Reading ease")
    expect(chair.locator("#plain-words .plain-score")).to_contain_text("aim for 60 or more")
    assert sam.locator("#plain-words").count() == 0

    chair.click("#circulate")
    for page in (sam, eve):
        expect(page.locator("#confirm")).to_be_visible(timeout=4000)
    expect(chair.locator("#tally")).to_contain_text("0 of 2 confirmed")

    sam.click("#confirm")
    expect(sam.locator("#my-answer")).to_contain_text("You confirmed this draft", timeout=4000)
    expect(chair.locator(f'#answers li[data-participant-id="{participant_id(room, "Sam Parent")}"]')).to_contain_text("Confirmed", timeout=4000)

    eve.fill("#correction-form textarea", "My action is due a week later.\nAlso <i>please</i> add my agency.")
    eve.click("#correction-form button[type=submit]")
    eve_row = chair.locator(f'#answers li[data-participant-id="{participant_id(room, "Dr Eve Psych")}"]')
    expect(eve_row).to_contain_text("Correction requested", timeout=4000)
    expect(eve_row.locator(".comment")).to_have_text("My action is due a week later.\nAlso <i>please</i> add my agency.")
    expect(chair.locator("#tally")).to_contain_text("1 of 2 confirmed · 1 asked for a correction")
    chair.screenshot(path=artifacts / "minutes-chair-circulated.png", full_page=True)

    # The chair corrects the minutes and circulates the corrected draft.
    chair.fill("#details-form textarea[name=family_views]", "Sam wants weekly updates.")
    chair.click("#details-form button[type=submit]")
    expect(chair.locator("#changed-note")).to_be_visible(timeout=4000)
    chair.click("#recirculate")
    for page in (sam, eve):
        expect(page.locator("#preview")).to_contain_text("Sam wants weekly updates.", timeout=4000)
    expect(sam.locator("#circulation")).to_contain_text("changed the draft since you answered")
    expect(chair.locator("#tally")).to_contain_text("0 of 2 confirmed", timeout=4000)

    sam.click("#confirm")
    eve.click("#confirm")
    expect(chair.locator("#tally")).to_contain_text("2 of 2 confirmed", timeout=4000)

    chair.click("#approve")
    for page in (chair, sam, eve):
        expect(page.locator("#approved-note")).to_contain_text("Version 1", timeout=4000)
        expect(page.locator("#minutes-status")).to_contain_text("Approved")
    expect(sam.locator("#preview .minutes-doc")).to_have_attribute("data-status", "approved")
    expect(sam.locator("#confirm")).to_have_count(0)
    expect(chair.locator("#details-form textarea[name=family_views]")).to_be_disabled()
    expect(chair.locator("#amend-form")).to_be_visible()

    chair.screenshot(path=artifacts / "minutes-chair-approved.png", full_page=True)
    sam.screenshot(path=artifacts / "minutes-participant-approved.png", full_page=True)
    assert people.page_errors == []


def test_the_room_pages_show_where_the_minutes_stand(people, ended):
    room = ended
    participant = people.open(f"{room.url}/join/{room.participants[0]}", "Sam", viewport=(900, 900))
    expect(participant.locator("#minutes-note")).to_contain_text("after the meeting")
    room.command("minutes.circulate")
    expect(participant.locator("#minutes-note")).to_contain_text("ready for you to check", timeout=4000)
    assert people.page_errors == []


def participant_id(room, name: str) -> int:
    return next(p["id"] for p in room.snapshot()["participants"] if p["name"] == name)


def test_a_participant_dissents_from_one_section_and_it_becomes_a_difference_of_opinion_in_the_approved_minutes(people, ended):
    room = ended
    room.command("minutes.circulate")
    chair = people.open(f"{room.url}/minutes/{room.chair}", "chair", viewport=(1400, 900))
    sam = people.open(f"{room.url}/minutes/{room.participants[0]}", "Sam", viewport=(900, 900))
    sam.locator("#section-sign-off summary").click()
    sections = sam.locator("#section-sign-off li")
    sections.filter(has_text="Who was there").locator("button.agree").click()
    expect(sections.filter(has_text="Who was there").locator(".section-answer")).to_have_text(" You agree.")
    actions = sections.filter(has_text="Actions: who does what")
    actions.locator("textarea[name=comment]").fill("The SALT programme should be written with us, not for us.")
    actions.locator("button[type=submit]").click()
    expect(actions.locator(".section-answer")).to_contain_text("You disagree: The SALT programme should be written with us")
    # the chair sees it in the section table and, in the live draft, as a difference of opinion
    tally = chair.locator("#section-tally tr[data-section=actions]")
    expect(tally).to_contain_text("Sam Parent: The SALT programme should be written with us, not for us.")
    expect(chair.locator("#section-tally tr[data-section=attendance]")).to_contain_text("Sam Parent")
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.click("#approve")
    expect(chair.locator("#preview")).to_contain_text("Minutes, \u201cActions: who does what, by when\u201d: disagrees with what this section records")
    # the approved version, as Sam reads it now, says who agreed to what
    expect(sam.locator("#approved-note")).to_be_visible()
    expect(sam.locator("#preview #sign-off")).to_contain_text("Actions: who does what, by when: disagreed: Sam Parent (see the differences of opinion).")
    expect(sam.locator("#preview #sign-off")).to_contain_text("Who was there: agreed by Sam Parent.")
    assert people.page_errors == []
