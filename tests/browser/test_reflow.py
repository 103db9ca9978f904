"""WCAG 1.4.10 reflow: at 320 CSS px wide no page of the product scrolls sideways. A wide data table may
scroll inside its own container, which is then a labelled, focusable region (so a keyboard can scroll it)."""

from __future__ import annotations

import pytest

from tests.browser.site import STOPS, build_site, visit

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 320, 640

#: Elements reaching past the right edge of the viewport (the deepest ones, which cause the overflow),
#: and scrolling containers that are not a labelled, focusable region.
MEASURE = """(width) => {
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  const path = (e) => { const parts = []; for (let n = e; n && n !== document.body; n = n.parentElement) parts.unshift(name(n)); return parts.slice(-4).join(' > '); };
  const scrolls = (e) => { const s = getComputedStyle(e); return /(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1; };
  const clipped = (e) => { for (let n = e.parentElement; n; n = n.parentElement) if (scrolls(n) || getComputedStyle(n).overflowX === 'hidden') return true; return false; };
  const wide = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= width + 1 || clipped(e)) continue;
    if ([...e.children].some((c) => c.getBoundingClientRect().right > width + 1)) continue;
    wide.push(`${path(e)} (right edge ${Math.round(r.right)} px)`);
  }
  const regions = [...document.body.querySelectorAll('*')].filter(scrolls).filter((e) => e.tagName !== 'TEXTAREA' && e.tagName !== 'SELECT')
    .filter((e) => !(e.tabIndex >= 0 && e.getAttribute('role') === 'region' && (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'))))
    .map(path);
  return {scrollWidth: document.scrollingElement.scrollWidth, wide: wide.slice(0, 12), regions};
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One live server with meetings in every state, shared by the module's pages."""
    built = build_site(tmp_path_factory.mktemp("reflow"))
    yield built
    built.server.stop()


@pytest.mark.parametrize("stop", STOPS, ids=[s.id for s in STOPS])
def test_the_page_does_not_scroll_sideways_at_320_css_px(people, site, stop, artifacts):
    page = visit(people, site, stop, viewport=(WIDTH, HEIGHT))
    found = page.evaluate(MEASURE, WIDTH)
    if found["scrollWidth"] > WIDTH + 1 or found["regions"]:
        folder = artifacts / "reflow"
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / f"{stop.id}.png"), full_page=True)
    assert found["scrollWidth"] <= WIDTH + 1, (
        f"{stop.id} is {found['scrollWidth']} px wide at {WIDTH} px; past the edge:\n  " + "\n  ".join(found["wide"])
    )
    assert found["regions"] == [], f"{stop.id}: content scrolls sideways in a container that is not a labelled, focusable region: {found['regions']}"
    assert people.page_errors == []
