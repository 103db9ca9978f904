"""Typed direction controls stay inside the value they were typed in, in every export.

A name with U+202E (right-to-left override) and no closing U+202C reverses everything after it on its
line when put into a sentence unchanged ("Sam‮evil, Parent, Family" reads "Sam" then "ylimaF ,tneraP ,live").
Every export isolates each typed value: the text that follows a value comes after the value's controls
are closed, and typed Arabic and Hebrew stay as typed.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import pytest
from sqlalchemy import update

from facilitation.domain.bidi import CONTROLS, balanced, isolate
from tests.exports.record import day

HOSTILE_NAME = "Sam\u202eevil"  # an override that is never closed
OVERRIDE_TEXT = "Agreed \u202eon a review"
ISOLATE_TEXT = "Weekly \u2067speech therapy"  # a right-to-left isolate that is never closed
STRAY_CLOSER = "Spare \u2069closer"  # would close the isolate around the value early
ARABIC_NAME, HEBREW_TEXT = "فاطمة حسن", "תוכנית דיבור בבית"


@pytest.fixture
def hostile(client, make_meeting):
    """An ended meeting whose names and texts hold unterminated direction controls, and an Arabic-speaking owner."""
    m = make_meeting(title="Review", child_ref="AB-1")

    def cmd(command, **args):
        r = client.post(f"/api/v1/meetings/{m['id']}/commands/{command}", json=args, headers={"Authorization": f"Bearer {m['chair']}"})
        assert r.status_code == 200, (command, r.get_json())
        return r.get_json()

    added = cmd("participants.add", name=HOSTILE_NAME, role="parent", agency="family")
    sam, m["sam"] = added["participant_id"], added["join_path"].rsplit("/", 1)[1]
    fatima = cmd("participants.add", name=ARABIC_NAME, role="salt", agency="health")["participant_id"]
    for pid in (sam, fatima):
        cmd("attendance.set", participant_id=pid, attendance="in_room")
    cmd("clock.start_meeting")
    cmd("clock.next_item")
    cmd("decisions.record", text=OVERRIDE_TEXT, status="agreed")
    cmd("decisions.record", text=STRAY_CLOSER, status="agreed")
    m["action"] = cmd("actions.record", what=ISOLATE_TEXT, owner_participant_id=sam, due_date=day(14), follow_up_date=day(28))["action_id"]
    cmd("actions.record", what=HEBREW_TEXT, owner_participant_id=fatima, due_date=day(15), follow_up_date=day(29))
    cmd("clock.end_meeting")
    return m


def export(client, token: str, fmt: str) -> str:
    r = client.get(f"/minutes/{token}/export/{fmt}")
    assert r.status_code == 200, r.data[:300]
    return r.data.decode("utf-8-sig")


def open_controls(text: str) -> list[str]:
    """The embeddings ("E") and isolates ("I") still open at the end of text, innermost last (UAX #9, X1-X8)."""
    stack: list[str] = []
    for c in text:
        if c in "\u202a\u202b\u202d\u202e":
            stack.append("E")
        elif c in "\u2066\u2067\u2068":
            stack.append("I")
        elif c == "\u202c" and stack and stack[-1] == "E":
            stack.pop()
        elif c == "\u2069" and "I" in stack:
            while stack.pop() != "I":
                pass
    return stack


def assert_kept_to_itself(text: str, value: str) -> None:
    """Every time `value` appears it is inside an isolate that its own closers end, so what follows it on the
    line is read with the controls that were open before the value: exactly as if the value were not there."""
    found = 0
    for line in text.split("\n"):
        start = 0
        while (n := line.find(value, start)) >= 0:
            found += 1
            before = open_controls(line[:n])
            assert before and before[-1] == "I", f"{value!r} is not inside an isolate: {line[max(0, n - 40):n + 60]!r}"
            end = n + len(value)
            while open_controls(line[:end]) != before[:-1] and end < len(line) and line[end] in "\u202c\u2069":
                end += 1
            assert open_controls(line[:end]) == before[:-1], f"controls left open by {value!r}: {line[max(0, n - 40):end + 40]!r}"
            start = end
    assert found, f"{value!r} not in the export"


def test_isolate_closes_what_a_value_opens_and_drops_closers_that_match_nothing():
    assert isolate(HOSTILE_NAME) == "\u2068Sam\u202eevil\u202c\u2069"
    assert isolate(ISOLATE_TEXT) == "\u2068Weekly \u2067speech therapy\u2069\u2069"
    assert isolate(STRAY_CLOSER) == "\u2068Spare closer\u2069"
    assert isolate(isolate(HOSTILE_NAME)) == isolate(HOSTILE_NAME)
    assert isolate(ARABIC_NAME) == ARABIC_NAME and isolate("Plain") == "Plain"
    assert balanced("a\u202eb\nc") == "a\u202eb\u202c\nc"  # each line closes its own


@pytest.mark.parametrize("fmt", ["md", "csv", "ics", "html"])
def test_a_name_or_text_with_direction_controls_cannot_reorder_the_rest_of_its_line(client, hostile, fmt):
    text = export(client, hostile["chair"], fmt)
    if fmt == "ics":
        text = text.replace("\r\n ", "").replace("\\n", "\n")  # unfold lines, unescape line breaks
    assert_kept_to_itself(text, HOSTILE_NAME)
    if fmt not in ("ics", "csv"):  # the calendar and the action register hold actions, not decisions
        assert_kept_to_itself(text, OVERRIDE_TEXT)
        assert "Spare closer" in text and "Spare \u2069closer" not in text
    assert_kept_to_itself(text, ISOLATE_TEXT)
    # right-to-left words with no controls stay exactly as typed
    assert ARABIC_NAME in text and HEBREW_TEXT in text
    assert f"\u2068{ARABIC_NAME}" not in text and f"\u2068{HEBREW_TEXT}" not in text


def test_the_markdown_puts_the_closing_isolate_between_a_name_and_the_rest_of_its_line(client, hostile):
    md = export(client, hostile["chair"], "md")
    assert "- \u2068Sam\u202eevil\u202c\u2069, Parent or carer, Family" in md
    assert "\u2068Sam\u202eevil\u202c\u2069: parent or carer" in md  # the family summary's sentence


def test_the_word_document_keeps_each_value_s_controls_to_itself(client, hostile):
    from docx import Document

    doc = Document(io.BytesIO(client.get(f"/minutes/{hostile['chair']}/export/docx").data))
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    text = "\n".join(texts)
    for value in (HOSTILE_NAME, OVERRIDE_TEXT, ISOLATE_TEXT):
        assert_kept_to_itself(text, value)
    assert any(t.startswith("\u2068Sam\u202eevil\u202c\u2069, Parent or carer") for t in texts)
    assert ARABIC_NAME in texts and HEBREW_TEXT in texts  # table cells exactly as typed


def test_the_pdf_does_not_reverse_the_text_after_a_name_with_an_override(client, hostile):
    from facilitation.exports import pdf
    from tests.exports.test_minutes_exports import drawn_lines

    if pdf.font_files() is None:
        pytest.skip("DejaVu Sans is not installed: the PDF can only carry Latin-1")
    # the controls are drawn as nothing (zero-width glyphs); read the visible characters in drawing order
    lines = [CONTROLS.sub("", line) for line in drawn_lines(client.get(f"/minutes/{hostile['chair']}/export/pdf").data)]
    # "evil" is drawn overridden (right to left, as its writer asked); what follows it reads as written
    attendee = [line for line in lines if "Parent or carer" in line and line.startswith("\u2022")]
    assert attendee and all(", Parent or carer, Family" in line for line in attendee), attendee
    assert any(line.startswith("\u2022Samlive, Parent or carer, Family") for line in attendee), attendee
    assert not any("\ufffd" in line for line in lines)  # the isolates are not drawn as missing glyphs


# ---------------------------------------------------------------- the action log's CSV


def test_the_action_log_csv_isolates_direction_controls_and_neutralises_control_characters_and_formulas(client, app, hostile):
    from facilitation.extensions import db
    from facilitation.models import Action

    # Rows imported before the input rules may hold control characters: written straight to the database.
    with app.app_context():
        db.session.execute(update(Action).where(Action.what == ISOLATE_TEXT).values(what="=cmd|' /C calc'!A0\x1b[31m", need="@SUM(A1)\x07"))
        db.session.commit()
    r = client.get(f"/actions/{hostile['chair']}/export.csv")
    assert r.status_code == 200
    text = r.data.decode("utf-8-sig")
    assert "\x1b" not in text and "\x07" not in text
    rows = list(csv.reader(io.StringIO(text)))
    heading = rows[0]
    row = next(r for r in rows[1:] if "calc" in r[heading.index("What")])
    assert row[heading.index("What")] == "'=cmd|' /C calc'!A0\ufffd[31m"
    assert row[heading.index("Need or outcome")] == "'@SUM(A1)\ufffd"
    assert_kept_to_itself(text, HOSTILE_NAME)
    hebrew = next(r for r in rows[1:] if r[heading.index("What")] == HEBREW_TEXT)
    assert hebrew[heading.index("Owner")] == ARABIC_NAME


# ---------------------------------------------------------------- HTML: every typed value in an isolating element

#: Elements that isolate their content from the text around them.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Isolation(HTMLParser):
    """Each text node holding the marker, and whether an enclosing element isolates it (<bdi>, dir=...)."""

    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker, self.stack, self.found = marker, [], []

    def handle_starttag(self, tag, attrs):
        if tag not in _VOID:
            self.stack.append((tag, tag == "bdi" or any(k == "dir" for k, _ in attrs) or tag in ("textarea", "option", "title", "script")))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.marker in data:
            self.found.append((any(iso for _, iso in self.stack), [t for t, _ in self.stack][-3:], data))


def not_isolated(html: str, value: str = HOSTILE_NAME, required: bool = True) -> list:
    """Text nodes holding `value` where neither an element (<bdi>, dir=) nor isolate characters keep it to itself."""
    parser = _Isolation(value)
    parser.feed(html)
    assert parser.found or not required, "the value is not on the page"
    bad = []
    for isolated, where, data in parser.found:
        if isolated:
            continue
        try:
            assert_kept_to_itself(data, value)
        except AssertionError:
            bad.append((where, data))
    return bad


def test_the_minutes_pages_put_every_typed_value_in_an_isolating_element(client, hostile):
    for path in (f"/minutes/{hostile['chair']}/export/html", f"/minutes/{hostile['chair']}/export/summary", f"/minutes/{hostile['chair']}"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert not not_isolated(r.data.decode()), path


def test_the_action_log_and_room_pages_put_every_typed_value_in_an_isolating_element(client, hostile):
    chair, sam, mid = hostile["chair"], hostile["sam"], hostile["id"]
    pages = [f"/actions/{chair}", f"/actions/{chair}/meetings/{mid}", f"/actions/{chair}/a/{hostile['action']}", f"/join/{sam}/actions"]
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200, path
        html = r.data.decode()
        assert not not_isolated(html, ISOLATE_TEXT), path
        assert not not_isolated(html, HOSTILE_NAME, required=path != pages[-1]), path
    # the live pages draw people's text with their scripts; what the server writes is isolated too
    for path in (f"/chair/{chair}", f"/join/{sam}", f"/screen/{hostile['screen']}", f"/actions/{chair}/overview"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert not not_isolated(r.data.decode(), HOSTILE_NAME, required=False), path
