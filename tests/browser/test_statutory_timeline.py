"""The statutory timeline on the chair's console: in the Prepare and Record views, with the dates the API
computes, each status in words and the rule linked to its source; never in the Run view, where the cockpit
must fit a laptop screen."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def api_timeline(room) -> dict:
    r = requests.get(
        f"{room.url}/api/v1/meetings/{room.id}/timeline",
        headers={"Authorization": f"Bearer {room.chair}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_an_annual_reviews_console_shows_the_report_step_with_the_apis_date_in_prepare_but_not_in_run(
    people, room, artifacts
):
    body = api_timeline(room)
    report = next(item for item in body["items"] if item["rule_id"] == "ENG-AR-08")
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1366, 768))
    expect(chair.locator("#cockpit")).to_have_attribute("data-view", "prepare")

    panel = chair.locator("#timeline-panel")
    expect(panel.get_by_role("heading", name="Statutory timeline")).to_be_visible()
    expect(panel).to_contain_text("this is not legal advice")
    step = panel.locator('li[data-rule="ENG-AR-08"]')
    expect(step).to_be_visible()
    expect(step.locator("time")).to_have_text(report["date_text"])
    expect(step.locator("time")).to_have_attribute("datetime", report["date"])
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}", report["date_text"])
    expect(step).to_contain_text(report["who"])
    expect(step.locator(".step-status")).to_have_text(
        re.compile(r"^(overdue|due|due today|due tomorrow|due in \d+ days)$")
    )
    link = step.get_by_role("link", name="ENG-AR-08")
    expect(link).to_have_attribute("href", report["sources"][0])
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    # the notice two weeks before a meeting in minutes is already late, and says so in words
    expect(panel.locator('li[data-rule="ENG-AR-05"] .step-status')).to_have_text("overdue")
    chair.screenshot(path=artifacts / "chair-timeline.png", full_page=True)

    chair.click(".cockpit-views a[data-view=record]")
    expect(step).to_be_visible()
    chair.click(".cockpit-views a[data-view=run]")
    expect(chair.locator("#cockpit")).to_have_attribute("data-view", "run")
    expect(panel).to_be_hidden()


def test_the_timeline_is_read_again_when_the_meetings_date_moves(people, room):
    chair = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1366, 768))
    step = chair.locator('#timeline-panel li[data-rule="ENG-AR-08"] time')
    before = api_timeline(room)
    first = next(i for i in before["items"] if i["rule_id"] == "ENG-AR-08")
    expect(step).to_have_text(first["date_text"])

    meeting = room.snapshot()["meeting"]

    start = datetime.fromisoformat(meeting["scheduled_start"]) + timedelta(days=21)
    end = datetime.fromisoformat(meeting["scheduled_end"]) + timedelta(days=21)
    room.command(
        "meeting.update",
        version=meeting["version"],
        title=meeting["title"],
        child_ref=meeting["child_ref"],
        scheduled_start=start.isoformat(),
        scheduled_end=end.isoformat(),
    )
    moved = next(i for i in api_timeline(room)["items"] if i["rule_id"] == "ENG-AR-08")
    assert moved["date"] != first["date"]
    expect(step).to_have_text(moved["date_text"])


def test_a_failed_read_leaves_a_quiet_note_and_the_console_working(people, room):
    context_page = people.open(f"{room.url}/chair/{room.chair}", "chair", viewport=(1366, 768))
    context_page.route(re.compile(r".*/timeline$"), lambda route: route.fulfill(status=500, body="{}"))
    context_page.reload()
    expect(context_page.locator("#timeline-note")).to_have_text("The statutory dates could not be loaded just now.")
    expect(context_page.locator("#timeline-panel li")).to_have_count(0)
    expect(context_page.locator("#agenda li").first).to_be_visible()


def test_at_320_css_px_the_timeline_does_not_scroll_sideways_and_its_links_are_big_enough_to_hit(people, room):
    chair = people.open(f"{room.url}/chair/{room.chair}#prepare", "chair", viewport=(320, 640))
    links = chair.locator("#timeline-panel .rule-link")
    expect(links.first).to_be_visible()
    assert chair.evaluate("document.documentElement.scrollWidth <= innerWidth")
    for box in (links.nth(i).bounding_box() for i in range(links.count())):
        assert box and box["width"] >= 24 and box["height"] >= 24, box


def test_the_chair_records_a_step_done_sees_met_records_an_exception_and_undoes_it(people, room):
    from tests.conftest import local_today

    chair = people.open(f"{room.url}/chair/{room.chair}#record", "chair", viewport=(1366, 768))
    step = chair.locator('#timeline-panel li[data-rule="ENG-AR-05"]')
    expect(step.locator(".step-status")).to_have_text("overdue")
    sent = local_today() - timedelta(days=20)
    step.locator("summary").click()
    step.get_by_label("Done on").fill(sent.isoformat())
    step.get_by_role("button", name="Record done").click()
    expect(step.locator(".step-status")).to_have_text(f"Met on {sent.day} {sent:%b %Y}")
    assert next(i for i in api_timeline(room)["items"] if i["rule_id"] == "ENG-AR-05")["status"] == "met"

    # an exception the rule does not provide for is recorded with its reason, and the date stands
    step.get_by_role("textbox", name="Reason").fill("Invitations went by post during the strike")
    step.get_by_role("button", name="Record exception").click()
    expect(step.locator(".step-exception")).to_contain_text("(date stands)")
    expect(step.locator(".step-exception")).to_contain_text("Invitations went by post during the strike")

    step.get_by_role("button", name="Undo done").click()
    expect(step.locator(".step-status")).to_have_text("overdue")
    step.get_by_role("button", name="Undo exception").click()
    expect(step.locator(".step-exception")).to_have_count(0)


def test_the_chair_sets_an_iep_meetings_last_evaluation_and_the_reevaluation_date_appears(people, live_server):
    from tests.integration.conftest import LiveMeeting

    room = LiveMeeting(live_server(), meeting_type="iep_meeting")
    chair = people.open(f"{room.url}/chair/{room.chair}#prepare", "chair", viewport=(1366, 768))
    panel = chair.locator("#timeline-panel")
    expect(panel.locator('li[data-rule="US-IEP-03"] .step-status')).to_have_text("needs: the date of the last evaluation")
    panel.get_by_label("Date of the last evaluation").fill("2025-06-02")
    panel.get_by_role("button", name="Save process dates").click()
    expect(panel.locator('li[data-rule="US-IEP-03"] time')).to_have_attribute("datetime", "2028-06-02")
