"""Fields people type into follow the direction of what they type (an Arabic or Hebrew name reads right to left)."""

from __future__ import annotations

import re

TYPED_FIELDS = re.compile(r"<(?:textarea|input)\b[^>]*>")


def text_fields(html: str) -> list[str]:
    """Every textarea and every text input (an input with no type is a text input) of a page."""
    fields = []
    for tag in TYPED_FIELDS.findall(html):
        kind = re.search(r'type="([^"]+)"', tag)
        if tag.startswith("<textarea") or kind is None or kind.group(1) in ("text", "search"):
            fields.append(tag)
    return fields


def test_every_field_of_the_chair_console_and_the_participant_page_takes_its_direction_from_the_text(client, meeting):
    pages = {
        "chair": client.get(f"/chair/{meeting['chair']}").data.decode(),
        "participant": client.get(f"/join/{meeting['participants'][0]}").data.decode(),
    }
    assert len(text_fields(pages["chair"])) >= 10  # agenda, decision, action, disagreement forms ...
    for name, html in pages.items():
        for field in text_fields(html):
            assert 'dir="auto"' in field, (name, field)


def test_fields_drawn_by_the_pages_scripts_do_too(client):
    script = client.get("/static/js/room-core.js").data.decode()
    assert 'node.setAttribute("dir", "auto")' in script
