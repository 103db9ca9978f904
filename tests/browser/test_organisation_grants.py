"""A local-authority officer, an account of another organisation granted observer access to a school's
meetings, signs in, finds the school's meeting under the school's name, opens it and follows it live;
the school's chair sees them among the people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from facilitation import create_app
from facilitation.config import TestConfig
from facilitation.extensions import db
from facilitation.models import Organisation, OrganisationGrant
from facilitation.services import accounts
from tests.browser.accessibility import check_page
from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser


def _officer_with_a_grant(server) -> None:
    """A second organisation (the local authority), its officer, and the first organisation's grant."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{server.workdir / 'live.db'}")
    with app.app_context():
        school = db.session.get(Organisation, 1)
        school.name = "Hillside Primary School"
        la = Organisation(name="Northshire SEND Team", slug="northshire")
        db.session.add(la)
        db.session.commit()
        officer = accounts.create_user(
            "officer@northshire.test", "Ms K. Lindqvist", "chair", STAFF_PASSWORD, by="tests"
        )
        officer.organisation_id = la.id
        db.session.add(OrganisationGrant(organisation_id=1, user_id=officer.id, role="observer"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_a_granted_officer_finds_the_schools_meeting_under_its_name_and_follows_it(people, live_server, artifacts):
    server = live_server()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    r = requests.post(
        f"{server.url}/api/v1/meetings",
        json={
            "title": "Year 6 annual review",
            "meeting_type": "ehcp_annual_review",
            "child_ref": "JM-6",
            "scheduled_start": start.isoformat(),
            "scheduled_end": (start + timedelta(minutes=90)).isoformat(),
            "use_usual_agenda": True,
        },
        headers={"Authorization": f"Bearer {server.api_token}"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    chair_url = r.json()["links"]["chair"]
    _officer_with_a_grant(server)

    officer = people.open(f"{server.url}/login", "officer", viewport=(1280, 800))
    officer.fill("input[name=email]", "officer@northshire.test")
    officer.fill("input[name=password]", STAFF_PASSWORD)
    officer.click("#sign-in button[type=submit]")
    row = officer.locator("#meetings tbody tr", has_text="Year 6 annual review")
    expect(row).to_contain_text("Hillside Primary School")
    check_page(officer, "meetings-granted")
    officer.screenshot(path=str(artifacts / "granted-officer-meetings.png"), full_page=True)

    chair = people.open(chair_url, "chair", viewport=(1400, 1000))
    expect(chair.locator("#meeting-title")).to_have_text("Year 6 annual review")
    row.get_by_role("button", name="Open as observer").click()
    expect(officer.locator("h1, #meeting-title").first).to_contain_text("Year 6 annual review")
    # The chair's people list shows the officer, live, as a local-authority officer of their team.
    expect(chair.locator("main")).to_contain_text("Ms K. Lindqvist")
    chair.click('button[data-cmd="clock.start_meeting"]')
    expect(officer.locator("main")).to_contain_text("Welcome")  # the first agenda item, live
    assert people.page_errors == []
