"""A disagreement's next step in the browser: routes open for what it is about, the dates a route's clock
starts from, its latest dates, and the warning when the follow-up comes after the appeal time limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import local_today

pytestmark = pytest.mark.browser


def day(n: int) -> str:
    return (local_today() + timedelta(days=n)).isoformat()


def test_an_appeal_route_asks_for_the_letters_date_and_warns_when_the_follow_up_is_after_the_deadline(people, room, artifacts):
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1400, 1000))
    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(900, 1000))
    chair.click('button[data-cmd="clock.start_meeting"]')
    chair.fill("#add-disagreement input[name=topic]", "Section F: hours of 1:1 support")
    chair.press("#add-disagreement input[name=topic]", "Enter")
    expect(chair.locator("#disagreements")).to_contain_text("Section F: hours of 1:1 support")
    chair.locator("form.add-position button", has_text="Cancel").click()
    chair.locator("#disagreements button", has_text="Next step / resolved").click()
    step = chair.locator("form.next-step-form")

    # Support at school: no mediation, no appeal (they are for decisions that can be appealed).
    step.locator("select[name=about]").select_option("provision")
    expect(step.locator("select[name=next_step] option[value=mediation]")).to_be_disabled()
    expect(step.locator("select[name=next_step] option[value=appeal]")).to_be_disabled()
    expect(step.locator("select[name=next_step] option[value=disagreement_resolution]")).to_be_enabled()
    assert step.locator("select[name=next_step] option", has_text="Due process").count() == 0  # England's routes only

    # A local authority decision: the appeal asks for the letter's and the certificate's dates.
    step.locator("select[name=about]").select_option("la_decision")
    step.locator("select[name=next_step]").select_option("appeal")
    expect(step.locator(".route-note")).to_contain_text("Only against a decision that can be appealed")
    letter = step.locator("input[name='route_dates.decision_letter_date']")
    expect(letter).to_be_visible()
    expect(step.locator("input[name='route_dates.certificate_date']")).to_be_visible()
    expect(step.locator("input[name='route_dates.knew_date']")).to_be_hidden()
    letter.fill(day(-20))
    step.locator("select[name=next_step_owner_participant_id]").select_option(label="Sam Parent (Parent or carer)")
    step.locator("input[name=follow_up_date]").fill(day(90))
    step.locator("input[name=follow_up_date]").dispatch_event("change")
    # Before saving: the deadline, and the warning that the follow-up comes after it.
    preview = step.locator(".route-preview")
    expect(preview.locator("li[data-rule=ENG-APP-01]")).to_contain_text("Appeal received by the Tribunal")
    expect(preview.locator(".route-warning")).to_contain_text("is after the latest date for")
    expect(preview.locator(".route-warning")).to_contain_text("ENG-APP-01")
    step.screenshot(path=str(artifacts / "disagreement-route-preview.png"))

    # Saved as it is (a warning, not a refusal): the record says it, for the chair and the family.
    step.locator("button[type=submit]").click()
    expect(chair.locator("form.next-step-form")).to_have_count(0)
    saved = chair.locator("#disagreements > li").first
    expect(saved.locator(".route-warning")).to_contain_text("ENG-APP-01")
    expect(saved).to_contain_text("About: A local authority decision that can be appealed")
    expect(parent.locator("#disagreements .route-warning")).to_contain_text("Follow up before it")
    expect(parent.locator("#disagreements li[data-rule=ENG-APP-02]")).to_contain_text("unverified")
    parent.locator("#disagreements").screenshot(path=str(artifacts / "disagreement-route-participant.png"))

    # The chair moves the follow-up before the deadline: the warning goes, everywhere.
    chair.locator("#disagreements button", has_text="Next step / resolved").click()
    step = chair.locator("form.next-step-form")
    expect(step.locator("input[name='route_dates.decision_letter_date']")).to_have_value(day(-20))
    step.locator("input[name=follow_up_date]").fill(day(7))
    step.locator("input[name=follow_up_date]").dispatch_event("change")
    expect(step.locator(".route-preview li[data-rule=ENG-APP-01]")).to_be_visible()
    expect(step.locator(".route-preview .route-warning")).to_have_count(0)
    step.locator("button[type=submit]").click()
    expect(parent.locator("#disagreements .route-warning")).to_have_count(0)
    expect(chair.locator("#disagreements .route-warning")).to_have_count(0)
    assert people.page_errors == []


def test_a_resolved_disagreement_gets_a_reflective_review_that_everyone_can_read(people, room):
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1400, 1000))
    parent = people.open(f"{room.url}/join/{room.participants[0]}", "parent", viewport=(900, 1000))
    chair.click('button[data-cmd="clock.start_meeting"]')
    chair.fill("#add-disagreement input[name=topic]", "Transport to school")
    chair.press("#add-disagreement input[name=topic]", "Enter")
    chair.locator("form.add-position button", has_text="Cancel").click()
    assert chair.locator("#disagreements button", has_text="Reflective review").count() == 0  # not while unresolved
    chair.locator("#disagreements button", has_text="Next step / resolved").click()
    step = chair.locator("form.next-step-form")
    step.locator("input[name=resolved]").check()
    step.locator("textarea[name=resolution]").fill("The council will fund a taxi")
    step.locator("button[type=submit]").click()
    chair.locator("#disagreements button", has_text="Reflective review").click()
    form = chair.locator("form.reflection-form")
    form.locator("input[name=reflection_date]").fill(day(0))
    form.locator("textarea[name=what_worked]").fill("Hearing the family's reasons early")
    form.locator("textarea[name=do_differently]").fill("Invite transport to the meeting")
    form.locator("button[type=submit]").click()
    expect(chair.locator("form.reflection-form")).to_have_count(0)
    expect(parent.locator("#disagreements .reflection")).to_contain_text("What worked: Hearing the family's reasons early")
    expect(parent.locator("#disagreements .reflection")).to_contain_text("What to do differently: Invite transport to the meeting")
    assert people.page_errors == []
