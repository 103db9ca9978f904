"""The Content Security Policy in a real browser: markup that slipped into a page cannot run a script, and
the violation is noticed (every other browser test fails if any of its pages logs one)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

INJECT = """() => {
  // What an injection would add to the page: an inline script, an inline handler, an inline style.
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.head.append(script);
  const img = document.createElement("div");
  img.innerHTML = '<img src="data:," onerror="window.handler = true">';
  document.body.append(img);
  const styled = document.createElement("p");
  styled.id = "styled";
  styled.setAttribute("style", "color: rgb(255, 0, 0)");
  styled.textContent = "styled";
  document.body.append(styled);
}"""


def test_a_script_injected_into_a_live_page_does_not_run_and_the_violation_is_noticed(people, room):
    page = people.open(f"{room.url}/join/{room.participants[0]}", "participant")
    expect(page.locator("#current-title")).to_have_text("Waiting to start")
    assert people.csp_violations == []  # the page itself, its scripts, styles and socket: all within the policy

    page.evaluate(INJECT)
    page.wait_for_function("() => document.getElementById('styled') !== null")
    assert page.evaluate("() => window.injected") is None
    assert page.evaluate("() => window.handler") is None
    assert page.evaluate("() => getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
    page.wait_for_timeout(300)  # console messages arrive asynchronously
    assert any("script" in v for v in people.csp_violations), people.csp_violations
    assert any("style" in v for v in people.csp_violations), people.csp_violations
    people.csp_violations.clear()  # expected here; anywhere else they fail the test
    # The page still works: the room is live.
    expect(page.locator("#current-title")).to_have_text("Waiting to start")
    assert people.page_errors == []
