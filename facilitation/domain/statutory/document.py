"""docs/statutory-rules.md, written from the rules' data.

Regenerate with `python -m facilitation.domain.statutory.document > docs/statutory-rules.md`.
"""

from __future__ import annotations

from facilitation.domain.dates import uk_date
from facilitation.domain.statutory.rules import (
    ADJUSTMENTS,
    DATE_IN_YEAR,
    EARLIEST,
    EFFECTS,
    EXCEPTIONS,
    MOVES,
    RULES,
    VERIFICATION,
    WORKING_DAYS,
    Clock,
    Rule,
)

JURISDICTIONS = {"ENG": "England", "US": "United States (IDEA Part B federal defaults)"}
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


def clock_in_words(clock: Clock, jurisdiction: str = "ENG") -> str:
    """'2 weeks after the meeting date', '15 days beginning with the draft served date (day 1)'."""
    event = clock.start.replace("_", " ")
    if clock.unit == DATE_IN_YEAR:
        return f"{clock.amount % 100} {MONTH_NAMES[clock.amount // 100 - 1]} of the year of the {event}"
    unit = "business days" if (clock.unit, jurisdiction) == (WORKING_DAYS, "US") else clock.unit.replace("_", " ")
    if clock.amount == 1:
        unit = unit.removesuffix("s")
    if clock.optional:
        event += " (when there is one)"
    if clock.inclusive:
        return f"{clock.amount} {unit} beginning with the {event} (day 1)"
    return f"{clock.amount} {unit} {clock.direction} the {event}"


def formula_in_words(rule: Rule) -> str:
    """The rule's whole formula in plain English."""
    if not rule.clocks:
        return "no fixed date"
    words = " or ".join(clock_in_words(clock, rule.jurisdiction) for clock in rule.clocks)
    if len(rule.clocks) > 1:
        words += ", whichever is " + ("earlier" if rule.combine == EARLIEST else "later")
    for name in rule.adjustments:
        words += "; " + ADJUSTMENTS[name]
    return words


def exceptions_in_words(rule: Rule) -> str:
    """The exceptions the regulations allow for a rule and what each does, e.g. 'school closed ... (no fixed date)'."""
    words = []
    for allowance in rule.exceptions:
        effect = EFFECTS[allowance.effect]
        if allowance.effect == MOVES:
            effect = f"date moved by {allowance.days} days" if allowance.days else "date moved by the days recorded"
        words.append(f"{EXCEPTIONS[allowance.key]} ({effect})")
    return "; ".join(words)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(rules: tuple[Rule, ...] = RULES) -> str:
    """The whole Markdown document."""
    lines = [
        "# Statutory rules",
        "",
        "Generated from `facilitation/domain/statutory/rules.py`; do not edit by hand. Regenerate with",
        "`python -m facilitation.domain.statutory.document > docs/statutory-rules.md`.",
        "",
        "Dates computed from these rules are the statutory latest dates per their source, **not legal advice**.",
        "Verification: **P** checked against primary text, **S** secondary sources only, **U** unverified",
        "(a date computed from a U rule, or through an unverified convention such as the month-end or",
        "working-day rule, is shown as unverified).",
        "Working days skip weekends, bank holidays and the organisation's closure days; school days also skip",
        "days outside the school's terms. US days are calendar days (34 CFR 300.11).",
        "An exception listed with a rule can be recorded on a meeting's timeline with its reason; it moves the",
        "date or removes the fixed date only as listed. Any rule with a date also accepts another reason, which",
        "is recorded and shown while the date stands.",
    ]
    for jurisdiction, name in JURISDICTIONS.items():
        lines += ["", f"## {name}", "", "| Id | Rule | Formula | Who acts | Ver. | In force | Source |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for rule in (rule for rule in rules if rule.jurisdiction == jurisdiction):
            title = rule.title + (f". {rule.note}" if rule.note else "")
            if rule.exceptions:
                title = title.rstrip(".") + f". Exceptions: {exceptions_in_words(rule)}"
            span = f"from {uk_date(rule.effective_from)}" + (f" to {uk_date(rule.effective_to)}"
                                                              if rule.effective_to else "")
            sources = " ; ".join(f"<{s}>" if s.startswith("http") else s for s in rule.sources) or "none found"
            lines.append(f"| {rule.id} v{rule.version} | {_cell(title)} | {_cell(formula_in_words(rule))} | "
                         f"{_cell(rule.who)} | {rule.verification} ({VERIFICATION[rule.verification]}) | {span} | "
                         f"{_cell(sources)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
