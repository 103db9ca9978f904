"""The evidence pack in the browser: the chair asks the EP for advice from the Prepare view; the EP opens
their own link, sees the request under "Before the meeting" and uploads their report; the chair sees it
arrive (received, with the document), circulates the pack (the day against the two-week rule), records a
decision citing the report; the record shows the citation as a link and the minutes list the advice."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from tests import sample_files
from tests.browser.accessibility import check_page
from tests.integration.conftest import LiveMeeting

pytestmark = pytest.mark.browser


@pytest.fixture
def review(live_server) -> LiveMeeting:
    """An annual review four weeks ahead with a parent and an educational psychologist."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=28)
    meeting = LiveMeeting(live_server(), scheduled_start=start.isoformat(), scheduled_end=(start + timedelta(minutes=90)).isoformat())
    meeting.add_participant("Sam Parent", "parent", "family")
    meeting.ep = meeting.add_participant("Dr Eve Psych", "educational_psychologist", "ep_service")
    return meeting


def test_an_invitee_uploads_advice_the_chair_sees_it_circulates_and_a_decision_cites_it(people, review, tmp_path, artifacts):
    chair = people.open(f"{review.url}/chair/{review.chair}", "chair", viewport=(1366, 900))
    expect(chair.locator("#cockpit")).to_have_attribute("data-view", "prepare")
    panel = chair.locator("#evidence-panel")
    expect(panel.get_by_role("heading", name="Evidence pack")).to_be_visible()
    expect(panel.locator("#pack-circulation")).to_contain_text("Not circulated yet")

    # the chair asks the EP for their advice; the due date is left to the rules (two weeks before)
    form = panel.get_by_role("form", name="Ask for advice or views")
    form.get_by_label("From").select_option(label="Dr Eve Psych")
    form.get_by_label("What is asked").fill("Educational psychology advice")
    expect(form).to_contain_text("ENG-AR-06")
    form.get_by_role("button", name="Ask").click()
    request = panel.locator("#evidence-requests > li[data-request-id]")
    expect(request).to_contain_text("Educational psychology advice")
    expect(request.locator(".evidence-state")).to_have_text("Requested")

    # the EP, from their own link, uploads their report
    ep = people.open(f"{review.url}/join/{review.ep}", "ep", viewport=(390, 844))
    before = ep.locator("#before-meeting")
    expect(before.get_by_role("heading", name="Before the meeting")).to_be_visible()
    expect(before).to_contain_text("Educational psychology advice")
    report = tmp_path / "EP report.pdf"
    report.write_bytes(sample_files.pdf("Eve's advice for the review"))
    upload = before.get_by_role("form", name=re.compile("Upload a document for"))
    upload.get_by_label(re.compile("upload your report")).set_input_files(report)
    upload.get_by_role("button", name="Upload this file").click()
    expect(before.locator(".evidence-status")).to_have_text("EP report.pdf was uploaded.")
    expect(before.locator(".document-link")).to_contain_text("EP report.pdf")
    check_page(ep, "participant-before-the-meeting")
    ep.set_viewport_size({"width": 320, "height": 720})  # phones first: nothing scrolls sideways at 320 px
    assert ep.evaluate("document.scrollingElement.scrollWidth") <= 320
    ep.screenshot(path=artifacts / "evidence-participant.png", full_page=True)

    # the chair sees it arrive without reloading: received, with the document as a download link
    expect(request.locator(".evidence-state")).to_have_text("Received")
    link = request.get_by_role("link", name=re.compile("EP report.pdf"))
    expect(link).to_have_attribute("href", re.compile(rf"^/documents/{review.chair}/\d+$"))
    with chair.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "EP report.pdf"
    expect(panel.locator(".evidence-people")).to_contain_text("Dr Eve Psych")

    # circulated to everyone invited, four weeks ahead: on time against the two-week rule
    panel.get_by_role("button", name="Circulate the pack to everyone invited").click()
    expect(panel.locator("#pack-circulation")).to_contain_text("as required")
    check_page(chair, "chair-evidence-pack")
    chair.screenshot(path=artifacts / "evidence-chair.png", full_page=True)

    # the meeting: a decision that cites the report
    chair.click(".cockpit-views a[data-view=run]")
    decision = chair.locator("#add-decision")
    decision.locator("summary").first.click()
    decision.get_by_label("EP report.pdf").check()
    decision.get_by_label("Decision").fill("Maintain the plan; add SALT sessions")
    decision.get_by_role("button", name="Record decision").click()
    chair.click(".cockpit-views a[data-view=record]")
    cites = chair.locator("#decisions li.decision .cites")
    expect(cites).to_contain_text("EP report.pdf")
    expect(cites.get_by_role("link", name="EP report.pdf")).to_have_attribute("href", re.compile(rf"/documents/{review.chair}/\d+$"))
    # an action's need can rest on it too
    chair.click(".cockpit-views a[data-view=run]")
    action = chair.locator("#add-action")
    action.locator("details.cites summary").click()
    action.get_by_label("EP report.pdf").check()
    action.locator("input[name=what]").fill("Weekly SALT sessions in school")
    action.locator("input[name=owner_name]").fill("J. Patel")
    action.locator("input[name=owner_agency]").fill("SALT service")
    action.get_by_role("button", name="Record action").click()
    chair.click(".cockpit-views a[data-view=record]")
    expect(chair.locator("#actions li .cites")).to_contain_text("EP report.pdf")

    # the parent reads the circulated pack and sees the citation in the record
    parent = people.open(f"{review.url}/join/{review.participants[0]}", "parent", viewport=(390, 844))
    expect(parent.locator("#before-meeting")).to_contain_text("EP report.pdf")
    expect(parent.locator("#decisions .cites")).to_contain_text("EP report.pdf")

    # the minutes list the advice received and the citation
    r = requests.get(f"{review.url}/minutes/{review.chair}/export/md", timeout=10)
    assert r.status_code == 200
    text = r.text
    assert "Dr Eve Psych: Educational psychology advice" in text and "on time" in text
    assert re.search(r"EP report\.pdf \(pack document \d+\)", text.replace("\\", ""))
