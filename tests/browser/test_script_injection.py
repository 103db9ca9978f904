"""Script payloads typed into every kind of field, opened in a real browser on every page that
shows them: nothing runs (and the pages' Content Security Policy reports no blocked attempt)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def hostile(field: str) -> str:
    return f'<img src=x onerror="window.__pwned=\'{field}\'"><script>window.__pwned="{field}"</script>{field}'


def test_payloads_in_every_field_stay_text_on_every_page(people, live_server):
    from tests.integration.conftest import LiveMeeting

    room = LiveMeeting(live_server(), title=hostile("title"))
    room.command("agenda.add_item", title=hostile("item"), presenter=hostile("presenter"), minutes=5)
    pid = room.command("participants.add", name=hostile("name"), role="parent", agency="family",
                       agency_name=hostile("agency"))["participant_id"]
    parent = room.add_participant("Dr P", "educational_psychologist", "ep_service")
    room.command("clock.start_meeting")
    room.command("decisions.record", text=hostile("decision"), reasons=hostile("reasons"), evidence=hostile("evidence"))
    due = (date.today() + timedelta(days=7)).isoformat()
    room.command("actions.record", what=hostile("action"), owner_participant_id=pid, need=hostile("need"),
                 due_date=due, follow_up_date=(date.today() + timedelta(days=14)).isoformat())
    room.command("disagreements.record", topic=hostile("topic"),
                 positions=[{"party_name": hostile("party"), "agency": hostile("pagency"), "view": hostile("view")}])

    pages = {
        "chair": f"{room.url}/chair/{room.chair}",
        "screen": f"{room.url}/screen/{room.screen}",
        "participant": f"{room.url}/join/{parent}",
        "minutes": f"{room.url}/minutes/{room.chair}",
        "log": f"{room.url}/actions/{room.chair}",
    }
    for who, url in pages.items():
        page = people.open(url, who, viewport=(1400, 1000))
        expect(page.locator("body")).to_contain_text("decision" if who != "log" else "action")
        assert page.evaluate("window.__pwned") is None, who
    assert people.page_errors == []
