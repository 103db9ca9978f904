"""A SENCO signs in, prepares a meeting and records a confidential note in the chair console; the
shared screen never shows it; the same chair link in a browser that is not signed in asks for
sign-in first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser

SECRET = "Health: awaiting CAMHS assessment <b>x</b>"


def test_a_senco_signs_in_prepares_a_meeting_and_keeps_a_note_off_the_shared_screen(people, live_server, artifacts):
    server = live_server()
    senco = people.open(f"{server.url}/", "senco", viewport=(1400, 1000))
    senco.click("text=Staff sign in")
    senco.fill("input[name=email]", "senco@school.test")
    senco.fill("input[name=password]", STAFF_PASSWORD)
    senco.click("#sign-in button[type=submit]")
    expect(senco.locator("h1")).to_have_text("Your meetings")

    senco.click("text=Prepare a meeting")
    senco.fill("input[name=title]", "Year 4 SEN support review")
    senco.fill("input[name=child_ref]", "RB-12")
    senco.click("main form button[type=submit]")
    expect(senco.locator("#meeting-title")).to_have_text("Year 4 SEN support review")
    chair_url = senco.url

    # A confidential note, marked as such for the chair.
    senco.click('button[data-cmd="clock.start_meeting"]')
    senco.fill("#add-decision input[name=text]", SECRET)
    senco.check("#add-decision input[name=confidential]")
    senco.press("#add-decision input[name=text]", "Enter")
    entry = senco.locator("#decisions li", has_text="awaiting CAMHS")
    expect(entry.locator(".badge.confidential")).to_have_text("Confidential")
    senco.fill("#add-decision input[name=text]", "Continue SEN support with a SALT programme")
    senco.press("#add-decision input[name=text]", "Enter")
    senco.screenshot(path=str(artifacts / "staff-chair-confidential.png"), full_page=True)

    # The shared screen shows the ordinary decision and never the confidential one.
    screen_url = senco.locator('#links li[data-role="screen"] input.link-url').input_value()
    screen = people.open(screen_url, "screen", viewport=(1600, 900))
    expect(screen.locator("#decisions li")).to_have_text(["Continue SEN support with a SALT programme · Agreed by all"])
    assert "CAMHS" not in screen.content()

    # The chair link alone, in another browser, leads to the sign-in page.
    stranger = people.open(chair_url, "stranger")
    expect(stranger.locator("h1")).to_have_text("Sign in")
    assert "Year 4 SEN support review" not in stranger.content()

    # Signing out closes the chair's own live connection too.
    senco.goto(f"{server.url}/")
    senco.click("text=Sign out")
    expect(senco.locator("h1")).to_have_text("Sign in")
    assert people.page_errors == []
