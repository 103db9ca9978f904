"""axe-core in the page: run the WCAG 2.0/2.1/2.2 A and AA rules (and axe's best practices) on what the
page shows now, keep the full result, and judge it: serious and critical findings fail; a moderate or
minor one fails unless docs/accessibility.md lists its rule for that page with a reason."""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass

from tests.conftest import ARTIFACTS, ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DOC = ROOT / "docs" / "accessibility.md"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("critical", "serious")
#: the heading of the table of accepted moderate and minor findings in docs/accessibility.md
ACCEPTED_HEADING = "## Moderate and minor findings accepted"


@dataclass(frozen=True)
class Accepted:
    """A row of the document's table: axe rule id, page id (a pattern: `*` matches any), the reason."""

    rule: str
    page: str
    reason: str

    def covers(self, rule: str, page: str) -> bool:
        return self.rule == rule and fnmatch.fnmatchcase(page, self.page)


def accepted_findings(text: str | None = None) -> list[Accepted]:
    """The rows of the table under ACCEPTED_HEADING in docs/accessibility.md (code spans unwrapped)."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    section = text.split(ACCEPTED_HEADING, 1)
    assert len(section) == 2, f"{DOC.name} has no heading {ACCEPTED_HEADING!r}"
    body = re.split(r"\n## ", section[1], maxsplit=1)[0]
    rows = []
    for line in body.splitlines():
        cells = [c.strip().strip("`").strip() for c in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 3 or set(cells[0]) <= set("-: ") or cells[0].lower() == "rule":
            continue
        rule, page, reason = cells[0], cells[1], " | ".join(cells[2:])
        assert reason, f"{DOC.name}: the accepted finding {rule} on {page} gives no reason"
        rows.append(Accepted(rule, page, reason))
    return rows


def run_axe(page, name: str) -> dict:
    """Run axe-core on the page as it is now; save the whole result to test-artifacts/axe/<name>.json.

    The script is evaluated through the DevTools protocol, which the page's Content-Security-Policy does
    not govern, so nothing in the policy is loosened for the test."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                       resultTypes: ['violations']})""",
        TAGS,
    )
    folder = ARTIFACTS / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def describe(violation: dict) -> str:
    """One finding for a person to act on: rule, impact, what is wrong, where, and axe's help page."""
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
    shown = "\n      ".join(targets[:8]) + (f"\n      ... and {len(targets) - 8} more" if len(targets) > 8 else "")
    summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ") if violation["nodes"] else ""
    return (
        f"  {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"    {violation['helpUrl']}\n"
        f"    {summary[:300]}\n"
        f"    at {shown}"
    )


def problems(result: dict, page: str, accepted: list[Accepted]) -> list[str]:
    """The findings that fail the page: every serious or critical one, and moderate or minor ones not
    listed in the document for this page."""
    failing = []
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            failing.append(describe(violation))
        elif not any(a.covers(violation["id"], page) for a in accepted):
            failing.append(describe(violation) + f"\n    (not listed for {page!r} in docs/accessibility.md)")
    return failing


def check_page(page, name: str) -> None:
    """Fail with a readable list when axe finds anything on the page that is not accepted."""
    found = problems(run_axe(page, name), name, accepted_findings())
    assert not found, f"axe-core on {name} ({page.url}):\n" + "\n".join(found) + f"\n(full result: test-artifacts/axe/{name}.json)"
