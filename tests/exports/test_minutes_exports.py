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
from tests.conftest import ROOT
from tests.exports.record import (
    QUEUE_COMMENT,
    QUEUE_QUESTION,
    TRICKY_WHAT,
    day,
    make_rich_meeting,
    owners_and_dates,
    uk,
)


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


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx", "md"])
def test_participants_questions_and_comments_are_in_the_minutes_with_who_which_item_and_whether_answered(client, rich, fmt):
    text = text_of(client, rich.chair, fmt)
    if fmt == "md":
        text = markdown_unescape(text)
    item = sorted(rich.snapshot["items"], key=lambda i: i["position"])[1]["title"]
    assert "Questions and comments from participants" in text
    question = text.index(QUEUE_QUESTION)
    comment = text.index(QUEUE_COMMENT)
    assert text.rindex("Sam Parent", 0, question) > text.rindex("Answered", 0, question)  # the asker on the question's row
    assert text[question:comment].count(item) == 1 and "Answered" in text[question:comment]
    assert "Dr Eve Psych" in text[question:comment] and "Not answered" in text[comment:]
    assert "Withdrawn before it was read" not in text  # a withdrawn question is not kept in the minutes
    assert "1 raised hand and 1 request for a break (counted, not listed)" in text


def test_the_action_register_csv_has_every_action_and_next_step_with_its_owner_and_dates(client, rich):
    registered = ("Action", "Next step on a disagreement")  # the statutory dates' rows: tests/exports/test_statutory_dates.py
    rows = [r for r in csv_rows(export(client, rich.chair, "csv")) if r["Type"] in registered]
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


# ---------------------------------------------------------------- right-to-left names and text

ARABIC_NAME, HEBREW_NAME = "فاطمة حسن", "דוד כהן"  # Fatima Hassan, David Cohen
ARABIC_WHAT = "برنامج النطق في المنزل"  # the speech programme at home
HEBREW_IN_ENGLISH = f"Share the report with {HEBREW_NAME} by {{nb}}"  # "{nb}" is fpdf2's page-count alias


@pytest.fixture
def rtl(client, make_meeting):
    """The rich record plus an Arabic-speaking and a Hebrew-speaking participant who each own an action."""
    rich = make_rich_meeting(client, make_meeting, end=False)
    ids = {}
    for name, attendance in ((ARABIC_NAME, "in_room"), (HEBREW_NAME, "remote")):
        ids[name] = rich.cmd("participants.add", name=name, role="salt", agency="health", agency_name=None)["participant_id"]
        rich.cmd("attendance.set", participant_id=ids[name], attendance=attendance)
    rich.cmd("actions.record", what=ARABIC_WHAT, owner_participant_id=ids[ARABIC_NAME], due_date=day(15), follow_up_date=day(29))
    rich.cmd("actions.record", what=HEBREW_IN_ENGLISH, owner_participant_id=ids[HEBREW_NAME], due_date=day(16), follow_up_date=day(30))
    rich.cmd("clock.end_meeting")
    return rich


def drawn_lines(body: bytes) -> list[str]:
    """Each line of text in the PDF as it appears on the page, read left to right: every piece of text placed
    with Tj is mapped back to characters (the font's ToUnicode map) and put in order of where it is drawn.
    Unlike text extraction, this shows the visual order, which is what right-to-left text gets wrong."""
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(body))
    lines = []
    for page in reader.pages:
        maps = {}
        for name, font in page["/Resources"]["/Font"].items():
            cmap = font.get_object().get("/ToUnicode")
            data = cmap.get_object().get_data().decode("latin-1") if cmap else ""
            maps[name] = {int(code, 16): bytes.fromhex(text).decode("utf-16-be") for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S)
                          for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block)}
        pieces, cmap, x, y = [], {}, 0.0, 0.0
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                cmap = maps.get(operands[0], {})
            elif op == b"Td":  # fpdf2 starts each text object with an absolute Td
                x, y = float(operands[0]), float(operands[1])
            elif op == b"Tm":
                x, y = float(operands[4]), float(operands[5])
            elif op == b"Tj":
                raw = bytes(getattr(operands[0], "original_bytes", operands[0]))
                pieces.append((round(y, 1), x, "".join(cmap.get(int.from_bytes(raw[i:i + 2], "big"), "?") for i in range(0, len(raw), 2))))
        by_y: dict[float, list] = {}
        for py, px, text in pieces:
            by_y.setdefault(py, []).append((px, text))
        lines += ["".join(text for _, text in sorted(row)) for _, row in sorted(by_y.items(), reverse=True)]
    return lines


def embedded_glyph_names(body: bytes) -> set[str]:
    """The names of the glyphs in the fonts embedded in the PDF (fpdf2 embeds only the glyphs it draws)."""
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(body)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                file = descendant.get_object()["/FontDescriptor"].get_object().get("/FontFile2")
                if file is not None:
                    names |= set(TTFont(io.BytesIO(file.get_object().get_data())).getGlyphOrder())
    return names


def test_right_to_left_names_are_drawn_in_the_pdf_in_their_reading_order_with_arabic_letters_joined(client, rtl):
    from facilitation.exports import pdf

    if pdf.font_files() is None:
        pytest.skip("DejaVu Sans is not installed: the PDF can only carry Latin-1")
    body = export(client, rtl.chair, "pdf")
    lines = drawn_lines(body)
    page_text = "\n".join(lines)
    # Read left to right, a right-to-left name is its letters last to first; drawn in typing order it
    # would read backwards on the page (what the PDF did before text shaping).
    for name in (ARABIC_NAME, HEBREW_NAME):
        assert name[::-1] in page_text, name
        assert name not in page_text, name
    # Within an English sentence the name keeps its place: name first, then the rest of the line.
    assert any(line.startswith(f"\u2022{ARABIC_NAME[::-1]}, Speech and language therapist") for line in lines)
    assert any(f"Share the report with {HEBREW_NAME[::-1]} by" in line for line in lines)
    # Joined Arabic letters are drawn with the font's contextual forms (Arabic Presentation Forms-B).
    assert any(re.fullmatch(r"uniFE[7-9A-F][0-9A-F]", g) for g in embedded_glyph_names(body))
    # A typed "{nb}" is text, not fpdf2's page-count alias.
    assert "by {nb}" in page_text


def test_right_to_left_text_in_the_word_document_is_marked_right_to_left_and_kept_exact(client, rtl):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(export(client, rtl.chair, "docx")))
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:3] == ["Ref", "Action", "Owner"])
    rows = {row.cells[1].text: row.cells for row in table.rows[1:]}

    def marks(cell):
        p = cell.paragraphs[0]._p
        return p.find(f"{qn('w:pPr')}/{qn('w:bidi')}") is not None, [r.find(f"{qn('w:rPr')}/{qn('w:rtl')}") is not None for r in p.iter(qn("w:r"))]

    arabic = rows[ARABIC_WHAT]
    assert arabic[2].text == ARABIC_NAME
    assert marks(arabic[1]) == (True, [True]) and marks(arabic[2]) == (True, [True])  # right-to-left paragraph and run
    mixed = rows[HEBREW_IN_ENGLISH]
    assert mixed[2].text == HEBREW_NAME and marks(mixed[2]) == (True, [True])
    assert marks(mixed[1]) == (False, [False])  # an English sentence with a Hebrew name stays left to right
    bullet = next(p for p in doc.paragraphs if p.text.startswith(ARABIC_NAME))
    assert bullet.text.startswith(f"{ARABIC_NAME}, Speech and language therapist") and bullet._p.find(f"{qn('w:pPr')}/{qn('w:bidi')}") is None


def test_the_printable_page_isolates_right_to_left_names_and_text_from_the_text_around_them(client, rtl):
    body = export(client, rtl.chair, "html").decode()
    assert f'<td class="user-text" dir="auto">{ARABIC_WHAT}</td><td class="owner" dir="auto">{ARABIC_NAME}</td>' in body
    assert f"<li><bdi>{ARABIC_NAME}</bdi>, Speech and language therapist" in body
    assert f'<strong dir="auto">{HEBREW_NAME}</strong> (<bdi>' in body
    assert HEBREW_IN_ENGLISH in html_text(body.encode())[0]


#: Word's default cell margins, left and right (108 twentieths of a point each), in cm
CELL_MARGINS_CM = 2 * 108 / 567
#: longer than any word of ordinary English ("responsibilities" has 16 letters)
WORD_MAX = 20


def longest_word_cm(cell, fonts: dict) -> tuple[float, str]:
    """The widest word of a table cell as set in DejaVu Sans, which runs wider than the document's Calibri:
    a word that fits in DejaVu fits in Word. A hyphen is a place a line may break; a run of more than
    WORD_MAX characters (an address, a formula typed as text) has to break somewhere and is left out."""
    widest = (0.0, "")
    for paragraph in cell.paragraphs:
        for run in paragraph.runs:
            size_pt = run.font.size.pt if run.font.size else 10.5
            font = fonts[bool(run.bold)]
            for word in re.findall(r"[^\s-]+-?", run.text):
                if len(word) > WORD_MAX:
                    continue
                width = font.getlength(word) / 100 * size_pt / 72 * 2.54  # the font is loaded at 100 px per em
                widest = max(widest, (width, word))
    return widest


def test_no_word_in_a_word_document_table_is_split_across_lines(client, rich):
    from docx import Document
    from docx.oxml.ns import qn
    from PIL import ImageFont

    fonts = {bold: ImageFont.truetype(str(ROOT / "node_modules/dejavu-fonts-ttf/ttf" / name), 100)
             for bold, name in ((False, "DejaVuSans.ttf"), (True, "DejaVuSans-Bold.ttf"))}
    doc = Document(io.BytesIO(export(client, rich.chair, "docx")))
    checked = 0
    for table in doc.tables:
        widths = [int(col.get(qn("w:w"))) / 567 for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(widths) <= 17.4 + 0.01, f"wider than the page between its margins: {widths}"
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                word_cm, word = longest_word_cm(cell, fonts)
                assert word_cm + CELL_MARGINS_CM <= width, f"{word!r} needs {word_cm + CELL_MARGINS_CM:.2f} cm; its column is {width:.2f} cm"
                checked += 1
    actions = next(t for t in doc.tables if t.rows[0].cells[-1].text == "Need or outcome")
    need_cm = int(actions._tbl.tblGrid.findall(qn("w:gridCol"))[-1].get(qn("w:w"))) / 567
    assert need_cm >= 3.0 and checked > 40
