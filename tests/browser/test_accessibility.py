"""axe-core on every page of the product in every state a person sees: no serious or critical finding,
and every moderate or minor one listed in docs/accessibility.md with its reason."""

from __future__ import annotations

import pytest

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
