"""Script-injection payloads in every text field people can type, checked in every page that shows
them, in the live updates and in every export: always shown as typed, never as markup."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from tests.conftest import add_staff, events_of, local_today, sign_in


def payload(field: str) -> str:
    """A hostile value that names its field, so a failure says which field leaked."""
    return f'<img src=x onerror=alert("{field}")><script>alert("{field}")</script>" onmouseover="x'


SHORT = "<b onclick=x>K"  # the child reference holds at most 40 characters
RAW_MARKUP = re.compile(r"<img src=x onerror|<script>alert|<b onclick|onmouseover=\"x")


@pytest.fixture
def hostile(app, client, make_meeting, sockets):
    """A meeting where every text field people type holds a script payload."""
    m = make_meeting(title=payload("meeting.title"), child_ref=SHORT)
    chair, mid = m["chair"], m["id"]

    def ok(token, command, **args):
        r = client.post(f"/api/v1/meetings/{mid}/commands/{command}", json=args, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, (command, r.get_json())
        return r.get_json()

    ok(chair, "agenda.add_item", title=payload("item.title"), presenter=payload("item.presenter"), minutes=10)
    added = ok(chair, "participants.add", name=payload("participant.name"), role="parent", agency="family",
               agency_name=payload("participant.agency_name"))
    parent = added["join_path"].rsplit("/", 1)[1]
    pid = added["participant_id"]
    watcher = sockets(parent)
    events_of(watcher)
    ok(chair, "clock.start_meeting")
    decision = ok(chair, "decisions.record", text=payload("decision.text"), reasons=payload("decision.reasons"),
                  evidence=payload("decision.evidence"), options_considered=payload("decision.options"))
    action = ok(chair, "actions.record", what=payload("action.what"), owner_participant_id=pid,
                owner_agency=payload("action.agency"), need=payload("action.need"),
                due_date=(local_today() + timedelta(days=7)).isoformat(),
                follow_up_date=(local_today() + timedelta(days=14)).isoformat())
    ok(chair, "actions.record", what="=HYPERLINK(\"http://evil.example\")", owner_name=payload("action.owner_name"),
       owner_agency="-1+1", due_date=(local_today() + timedelta(days=7)).isoformat(),
       follow_up_date=(local_today() + timedelta(days=14)).isoformat())
    dis = ok(chair, "disagreements.record", topic=payload("disagreement.topic"),
             positions=[{"party_name": payload("position.party"), "agency": payload("position.agency"),
                         "view": payload("position.view"), "evidence": payload("position.evidence")}])
    ok(chair, "disagreements.update", disagreement_id=dis["disagreement_id"], version=1,
       next_step="mediation", next_step_owner_name=payload("step.owner"), next_step_agency=payload("step.agency"),
       follow_up_date=(local_today() + timedelta(days=21)).isoformat())
    ok(parent, "positions.add", disagreement_id=dis["disagreement_id"], view=payload("parent.view"),
       evidence=payload("parent.evidence"))
    details = client.get(f"/api/v1/meetings/{mid}/minutes", headers={"Authorization": f"Bearer {chair}"}).get_json()
    ok(chair, "minutes.update_details", version=details.get("details", {}).get("version", 1) or 1,
       child_views=payload("minutes.child_views"), family_views=payload("minutes.family_views"))
    ok(chair, "actions.record_progress", action_id=action["action_id"], version=1, status="in_progress",
       note=payload("progress.note"), evidence=payload("progress.evidence"))
    ok(parent, "actions.report_missed", action_id=action["action_id"], occurred_on=local_today().isoformat(),
       note=payload("missed.note"))
    admin = add_staff(app, "admin@school.test", payload("staff.name")[:120], "admin")
    return {**m, "parent": parent, "action_id": action["action_id"], "decision_id": decision["decision_id"],
            "watcher": watcher, "admin": admin}


def pages(h) -> dict[str, str]:
    chair, parent = h["chair"], h["parent"]
    return {
        "chair console": f"/chair/{chair}",
        "shared screen": f"/screen/{h['screen']}",
        "participant page": f"/join/{parent}",
        "minutes (chair)": f"/minutes/{chair}",
        "minutes (parent)": f"/minutes/{parent}",
        "minutes preview": f"/minutes/{chair}/preview",
        "minutes printable": f"/minutes/{chair}/export/html",
        "action log": f"/actions/{chair}",
        "action overview": f"/actions/{chair}/overview",  # counts only: no typed text expected
        "action page": f"/actions/{chair}/a/{h['action_id']}",
        "my actions": f"/join/{parent}/actions",
    }


def test_no_page_turns_typed_text_into_markup(client, hostile):
    for where, path in pages(hostile).items():
        r = client.get(path)
        assert r.status_code == 200, where
        text = r.get_data(as_text=True)
        assert not RAW_MARKUP.search(text), f"{where}: typed markup came out as markup"
        # ...and the typed text is there, escaped (as HTML text, or in the page's JSON boot data):
        # a page that dropped it would pass the check above without proving anything.
        if where != "action overview":
            assert "&lt;img src=x onerror" in text or "\\u003cimg src=x onerror" in text, f"{where}: the typed text is missing"


def test_staff_pages_show_typed_names_as_text(client, hostile):
    sign_in(client, hostile["admin"]["email"])
    for path in ("/", "/admin/users", "/admin/access-log", "/account"):
        text = client.get(path).get_data(as_text=True)
        assert not RAW_MARKUP.search(text), path
    assert "&lt;img src=x onerror" in client.get("/admin/users").get_data(as_text=True)


def test_live_updates_carry_the_text_exactly_as_typed(hostile):
    decisions = [e for e in events_of(hostile["watcher"]) if e["type"] == "decisions.record"]
    assert decisions[0]["data"]["decisions"][0]["text"] == payload("decision.text")


def test_the_markdown_minutes_escape_every_payload(client, hostile):
    md = client.get(f"/minutes/{hostile['chair']}/export/md").get_data(as_text=True)
    assert not re.search(r"(?<!\\)<(img|script|b )", md), "an unescaped tag in the Markdown"
    assert 'onerror=alert("decision.text")' in md.replace("\\", "")


def test_the_csv_exports_never_start_a_cell_with_a_formula(client, hostile):
    for path in (f"/minutes/{hostile['chair']}/export/csv", f"/actions/{hostile['chair']}/export.csv"):
        rows = list(csv.reader(io.StringIO(client.get(path).get_data(as_text=True))))
        cells = [c for row in rows for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], path
        assert any("HYPERLINK" in c for c in cells), path  # the text is kept, only defused


def test_the_word_and_pdf_minutes_show_the_payload_as_text(client, hostile):
    from docx import Document
    from pypdf import PdfReader

    doc = Document(io.BytesIO(client.get(f"/minutes/{hostile['chair']}/export/docx").data))
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert any(payload("decision.text") in t for t in texts)
    assert any(payload("action.what") in t for t in texts)
    pdf = PdfReader(io.BytesIO(client.get(f"/minutes/{hostile['chair']}/export/pdf").data))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert 'onerror=alert("decision.text")' in text.replace("\n", "")


def test_the_calendar_file_keeps_each_payload_inside_its_own_property(client, hostile):
    ics = client.get(f"/minutes/{hostile['chair']}/export/ics").get_data(as_text=True)
    from icalendar import Calendar

    calendar = Calendar.from_ical(ics)
    summaries = [str(c.get("summary")) for c in calendar.walk("VEVENT")]
    assert summaries and all("\n" not in s for s in summaries)
    assert any("action.what" in s for s in summaries)
