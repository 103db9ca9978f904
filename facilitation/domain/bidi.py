"""Keeping typed text's direction controls to itself.

People who write right to left may type the Unicode direction controls: embeddings and overrides
(U+202A-U+202E), isolates (U+2066-U+2069) and marks (U+200E, U+200F, U+061C). Put into a sentence of ours
unchanged, one of them reaches past the value it was typed in: an unterminated U+202E (right-to-left
override) in a name reverses the rest of its line. Every place that writes typed text next to other text
(the family summary, the comparison of versions, every export) wraps the value with `isolate`: in a first
strong isolate (U+2068 ... U+2069), with its own controls closed first (`balanced`), so it reads in its own
direction and nothing in it can change the text around it. Text without direction controls is left
exactly as typed: its letters alone cannot reorder what follows (right-to-left text in the exports is
handled by each format: <bdi> and dir="auto" in HTML, w:bidi and w:rtl in Word, text shaping in the PDF).
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

#: Openers of embeddings and overrides: LRE, RLE, LRO, RLO (closed by PDF, U+202C).
EMBEDDINGS = "\u202a\u202b\u202d\u202e"
PDF = "\u202c"
#: Openers of isolates: LRI, RLI, FSI (closed by PDI, U+2069).
ISOLATES = "\u2066\u2067\u2068"
PDI = "\u2069"
FSI = "\u2068"
#: Every direction control and mark: what makes a value need isolating.
CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")

T = TypeVar("T")


def balanced(text: str) -> str:
    """Text whose direction controls close within each of its lines: unterminated embeddings, overrides and
    isolates are closed at the line's end, and closers that match nothing in the line are dropped (a stray
    U+2069 would otherwise close the isolate around the value)."""
    if not text or not CONTROLS.search(text):
        return text
    return "\n".join(_balanced_line(line) for line in text.split("\n"))


def _balanced_line(line: str) -> str:
    out, open_ = [], []  # open_: "E" for an embedding or override, "I" for an isolate, innermost last
    for c in line:
        if c in EMBEDDINGS:
            open_.append("E")
        elif c in ISOLATES:
            open_.append("I")
        elif c == PDF:
            # closes the innermost embedding, and only when no isolate was opened after it (UAX #9, X7)
            if not open_ or open_[-1] != "E":
                continue
            open_.pop()
        elif c == PDI:
            # closes the innermost isolate and every embedding opened inside it (UAX #9, X6a)
            if "I" not in open_:
                continue
            while open_.pop() != "I":
                pass
        out.append(c)
    out.extend(PDF if kind == "E" else PDI for kind in reversed(open_))
    return "".join(out)


def _is_isolated(line: str) -> bool:
    """The line is one first strong isolate from its first character to its last, balanced inside."""
    if len(line) < 2 or line[0] != FSI or line[-1] != PDI or _balanced_line(line) != line:
        return False
    depth = 0
    for n, c in enumerate(line):
        if c in ISOLATES:
            depth += 1
        elif c == PDI:
            depth -= 1
            if depth == 0:
                return n == len(line) - 1
    return False


def isolate(text: str | None) -> str:
    """Typed text ready to sit beside other text: each line holding direction controls becomes a first strong
    isolate (U+2068 ... U+2069) with its controls balanced inside; text without them comes back unchanged."""
    if not text or not CONTROLS.search(text):
        return text or ""
    lines = []
    for line in text.split("\n"):
        if CONTROLS.search(line) and not _is_isolated(line):
            line = FSI + _balanced_line(line) + PDI
        lines.append(line)
    return "\n".join(lines)


def isolate_all(value: T) -> T:
    """The same value with every string in it (through dataclasses, lists and tuples) passed through `isolate`."""
    return _isolate_all(value)


def _isolate_all(value: Any) -> Any:
    if isinstance(value, str):
        return isolate(value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = _isolate_all(old)
            if new is not old:
                changes[f.name] = new
        return replace(value, **changes) if changes else value
    if isinstance(value, (list, tuple)):
        items = [_isolate_all(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        if isinstance(value, list):
            return items
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return value
