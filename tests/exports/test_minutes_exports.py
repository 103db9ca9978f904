"""Every export is read back and checked against the record: owners and dates, escaping, formula safety."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser

import pytest

from facilitation.exports import csv_register, markdown
from tests.exports.record import TRICKY_WHAT, make_rich_meeting, owners_and_dates, uk


@pytest.fixture
def rich(client, make_meeting):
    return make_rich_meeting(client, make_meeting)


def export(client, token: str, fmt: str, **params) -> bytes:
    r = client.get(f"/minutes/{token}/export/{fmt}", query_string=params)
    assert r.status_code == 200, r.data[:500]
    return r.data


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.parts.append(data)


def html_text(body: bytes) -> tuple[str, int]:
    parser = _Text()
    parser.feed(body.decode("utf-8"))
    return "".join(parser.parts), parser.scripts


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def docx_text(body: bytes) -> tuple[list[str], list[list[list[str]]]]:
    from docx import Document

    doc = Document(io.BytesIO(body))
    return [p.text for p in doc.paragraphs], [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def ics_events(body: bytes):
    from icalendar import Calendar

    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def csv_rows(body: bytes) -> list[dict]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


# ---------------------------------------------------------------- owners and follow-up dates, in every format


def text_of(client, token: str, fmt: str) -> str:
    """What a person reads in the export, as one string (dates as the format shows them)."""
    body = export(client, token, fmt)
    if fmt in ("html", "summary"):
        return squash(html_text(body)[0])
    if fmt == "pdf":
        return squash(pdf_text(body))
    if fmt == "docx":
        paragraphs, tables = docx_text(body)
        return squash(" ".join(paragraphs + [c for t in tables for row in t for c in row]))
    if fmt == "md":
        return squash(body.decode("utf-8"))
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx", "md"])
def test_every_owner_and_every_due_and_follow_up_date_appears_in_the_document(client, rich, fmt):
    owners, dates = owners_and_dates(rich.snapshot)
    assert len(owners) == 4 and len(dates) >= 8
    text = text_of(client, rich.chair, fmt)
    if fmt == "md":
        text = markdown_unescape(text)
    for owner in owners:
        assert owner in text, (fmt, owner)
    for d in dates:
        assert uk(d) in text, (fmt, uk(d))
    assert "Zoë Łukasiewicz-Ахмед" in text  # accents and Cyrillic survive, in the PDF too


def test_the_action_register_csv_has_every_action_and_next_step_with_its_owner_and_dates(client, rich):
    rows = csv_rows(export(client, rich.chair, "csv"))
    people = {p["id"]: p["name"] for p in rich.snapshot["participants"]}
    owners, dates = owners_and_dates(rich.snapshot)
    assert {r["Owner"] for r in rows} == owners
    assert {date.fromisoformat(r[k]) for r in rows for k in ("Due date", "Follow-up date") if r[k]} == dates
    actions = [r for r in rows if r["Type"] == "Action"]
    assert len(actions) == len(rich.snapshot["actions"])
    for a in rich.snapshot["actions"]:
        row = next(r for r in actions if r["Due date"] == a["due_date"] and r["Follow-up date"] == a["follow_up_date"])
        assert row["Owner"] == (people[a["owner_participant_id"]] if a["owner_participant_id"] else a["owner_name"])
        assert row["Agency"].lstrip("'") == a["owner_agency"]
    steps = [r for r in rows if r["Type"] == "Next step on a disagreement"]
    assert len(steps) == 2 and all(r["Follow-up date"] for r in steps)


def test_no_csv_cell_can_run_as_a_spreadsheet_formula(client, rich):
    rows = csv_rows(export(client, rich.chair, "csv"))
    cells = [v for r in rows for v in r.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    tricky = next(r for r in rows if r["Owner"] == "J. Patel")
    # Shown as typed, behind an apostrophe that spreadsheets hide.
    assert tricky["What"] == "'" + TRICKY_WHAT
    assert tricky["Agency"] == "'+44 Speech & language therapy service"
    assert tricky["Need or outcome"] == "'-5 sessions @school"


def test_formula_neutralising_leaves_ordinary_text_alone():
    assert csv_register.safe_cell("Speech and language") == "Speech and language"
    assert csv_register.safe_cell("@home") == "'@home"
    assert csv_register.safe_cell("a=b") == "a=b"
    assert csv_register.safe_cell(None) == ""


def test_the_calendar_has_an_all_day_event_for_every_due_and_follow_up_date(client, rich):
    events = ics_events(export(client, rich.chair, "ics"))
    owners, dates = owners_and_dates(rich.snapshot)
    starts = {e.decoded("dtstart") for e in events}
    assert dates <= starts
    summaries = " ".join(str(e.get("summary")) for e in events)
    for owner in owners:
        assert owner in summaries
    for e in events:
        assert isinstance(e.decoded("dtstart"), date) and e.decoded("dtend") == e.decoded("dtstart").fromordinal(e.decoded("dtstart").toordinal() + 1)
        assert str(e.get("transp")) == "TRANSPARENT"
    assert len({str(e.get("uid")) for e in events}) == len(events)
    review = [e for e in events if str(e.get("summary")).startswith("Next review")]
    assert len(review) == 1


def test_one_owners_calendar_holds_only_their_dates(client, rich):
    eve = rich.participant_ids["Dr Eve Psych"]
    events = ics_events(export(client, rich.participants["Sam Parent"], "ics", owner=f"p{eve}"))
    summaries = [str(e.get("summary")) for e in events if not str(e.get("summary")).startswith("Next review")]
    # Eve owns one action (due + follow-up) and one disagreement's next step.
    assert len(summaries) == 3 and all("Dr Eve Psych" in s for s in summaries)
    assert "Dr Eve Psych" in str(Calendar_name(export(client, rich.chair, "ics", owner=f"p{eve}")))


def Calendar_name(body: bytes) -> str:  # noqa: N802 - reads as a noun in the test above
    from icalendar import Calendar

    return Calendar.from_ical(body).get("x-wr-calname")


def test_the_word_document_has_the_action_table_with_owners_and_dates(client, rich):
    paragraphs, tables = docx_text(export(client, rich.chair, "docx"))
    action_table = next(t for t in tables if t[0][:3] == ["Ref", "Action", "Owner"])
    assert len(action_table) == 1 + len(rich.snapshot["actions"])
    rows = {r[1]: r for r in action_table[1:]}
    assert rows[TRICKY_WHAT][2] == "J. Patel"  # typed markup and formulas kept as plain text
    assert rows["Share the EP report with the family\nin plain words"][2] == "Dr Eve Psych \u2713"
    assert any(p.startswith("Minutes: Annual review <AB> & family") for p in paragraphs)
    positions = next(t for t in tables if t[0][0] == "Who")
    assert positions[1][2] == "He needs 25 hours *at least*.\nHe cannot cope at lunch."


def test_the_pdf_has_the_disagreements_next_steps_and_the_family_summary(client, rich):
    text = squash(pdf_text(export(client, rich.chair, "pdf")))
    assert "Differences of opinion" in text  # the statutory name for an EHCP annual review
    assert "Mediation" in text and "K. Obi (LA SEND officer)" in text
    assert "Summary for the family, in plain words" in text
    assert "SENDIASS" in text and "ipsea.org.uk" in text
    assert "<script>alert(1)</script>" in text  # drawn as typed, never run


def test_the_pdf_first_two_pages_are_saved_as_images_for_a_person_to_look_at(client, rich, artifacts):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed")
    path = artifacts / "minutes.pdf"
    path.write_bytes(export(client, rich.chair, "pdf"))
    for old in artifacts.glob("minutes-pdf-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(path), str(artifacts / "minutes-pdf-page")], check=True, timeout=60)
    pages = sorted(artifacts.glob("minutes-pdf-page-*.png"))
    assert len(pages) == 2 and all(p.stat().st_size > 10_000 for p in pages)


# ---------------------------------------------------------------- escaping


def test_typed_markup_is_escaped_in_the_printable_page(client, rich):
    body = export(client, rich.chair, "html")
    text, scripts = html_text(body)
    assert scripts == 0
    assert b"<script>alert(1)" not in body and b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert TRICKY_WHAT in text
    assert "Progress is slower than planned <b>see EP</b>" in text
    assert "@page" in body.decode() and "@media print" in body.decode()


def markdown_unescape(text: str) -> str:
    """What a CommonMark renderer shows for backslash escapes (and our <br> in table cells)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text.replace("<br>", "\n"))


def test_typed_text_in_markdown_shows_exactly_as_typed_and_makes_no_markup():
    for typed in [TRICKY_WHAT, "# not a heading", "- not a list", "1. not a list", "> not a quote", "a_b_c *d* `e`", "&amp; &copy;", "==="]:
        escaped = markdown.esc(typed)
        assert markdown_unescape(escaped) == typed
        assert not re.search(r"(?<!\\)[<>*_`\[\]|&]", escaped), escaped
        assert not re.match(r"^\s*(#|>|=+\s*$|[-+] |\d+[.)])", escaped), escaped


def test_the_markdown_file_has_the_action_table_with_pipes_escaped(client, rich):
    body = export(client, rich.chair, "md").decode()
    row = next(line for line in body.splitlines() if line.startswith("| A") and "J. Patel" in line)
    assert row.count("|") - row.count("\\|") == 9  # 8 columns
    assert markdown_unescape(row.split(" | ")[1]) == TRICKY_WHAT


def test_the_family_summary_explains_jargon_and_says_what_happens_next_with_dates(client, rich):
    text = squash(html_text(export(client, rich.participants["Sam Parent"], "summary"))[0])
    assert "EHCP annual review: the yearly review of the child's Education, Health and Care Plan" in text
    for term in ("EHCP", "SALT", "EP", "1:1", "LA"):
        assert re.search(rf"{re.escape(term)} [a-zA-Z]", text), term
    owners, dates = owners_and_dates(rich.snapshot)
    for owner in owners:
        assert owner in text
    assert "Where to get independent advice" in text and "SENDIASS" in text
    assert "mediation" in text.lower()


def test_without_the_dejavu_font_the_pdf_still_renders_latin_1_and_marks_what_it_cannot_draw(client, rich, monkeypatch):
    from facilitation.exports import pdf

    pdf._covered.cache_clear()
    monkeypatch.setattr(pdf, "font_files", lambda: None)
    try:
        text = squash(pdf_text(export(client, rich.chair, "pdf")))
    finally:
        pdf._covered.cache_clear()
    assert "J. Patel" in text and "Zo\u00eb \u0141" not in text and "Zo\u00eb ?ukasiewicz-?????" in text
