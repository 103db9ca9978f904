"""axe-core on every page of the product in every state a person sees: no serious or critical finding,
and every moderate or minor one listed in docs/accessibility.md with its reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import Accepted, accepted_findings, check_page, problems
from tests.browser.site import STOPS, build_site, visit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One live server with meetings in every state, shared by the module's pages."""
    built = build_site(tmp_path_factory.mktemp("accessibility"))
    yield built
    built.server.stop()


@pytest.mark.parametrize("stop", STOPS, ids=[s.id for s in STOPS])
def test_the_page_has_no_accessibility_finding_that_is_not_accepted(people, site, stop):
    page = visit(people, site, stop)
    check_page(page, stop.id)
    assert people.page_errors == []


def test_the_first_tab_on_a_staff_page_shows_a_skip_link_that_moves_focus_past_the_menu(people, site):
    page = visit(people, site, next(s for s in STOPS if s.id == "meetings-list"))
    skip = page.get_by_role("link", name="Skip to the content")
    assert skip.bounding_box()["y"] < 0  # out of sight until it is needed
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is the page's own first link, not the staff menu
    expect(page.get_by_role("link", name="Prepare a meeting")).to_be_focused()


def test_every_accepted_finding_names_a_page_of_the_tour_and_gives_a_reason():
    pages = [s.id for s in STOPS]
    for row in accepted_findings():
        assert any(Accepted(row.rule, row.page, row.reason).covers(row.rule, p) for p in pages), row
        assert len(row.reason) > 15, row


def test_a_moderate_finding_fails_unless_the_document_lists_it_for_that_page():
    moderate = {"id": "region", "impact": "moderate", "help": "All content in landmarks", "helpUrl": "https://x",
                "nodes": [{"target": ["#x"], "failureSummary": "Fix this"}]}
    serious = {**moderate, "id": "color-contrast", "impact": "serious"}
    listed = accepted_findings("## Moderate and minor findings accepted\n\n| Rule | Page | Reason |\n|---|---|---|\n"
                               "| `region` | `screen-*` | The screen is a single view |\n\n## Next\n| `x` | `y` | z |\n")
    assert listed == [Accepted("region", "screen-*", "The screen is a single view")]
    assert problems({"violations": [moderate]}, "screen-live", listed) == []
    assert problems({"violations": [moderate]}, "sign-in", listed) != []
    failing = problems({"violations": [serious]}, "screen-live", [Accepted("color-contrast", "*", "no")])
    assert len(failing) == 1 and "color-contrast (serious)" in failing[0] and "https://x" in failing[0] and "#x" in failing[0]
