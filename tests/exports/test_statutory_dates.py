"""The meeting's statutory timeline in the minutes, read back from every format and from the calendar."""

from __future__ import annotations

from datetime import date

import pytest

from facilitation.domain.dates import uk_date
from facilitation.domain.minutes import STATUTORY_NOTICE
from tests.exports.record import make_rich_meeting
from tests.exports.test_minutes_exports import (
    csv_rows,
    docx_text,
    export,
    html_text,
    ics_events,
    markdown_unescape,
    squash,
    text_of,
)


@pytest.fixture
def rich(client, make_meeting):
    return make_rich_meeting(client, make_meeting)


def timeline(client, meeting_id: int, token: str) -> list[dict]:
    r = client.get(f"/api/v1/meetings/{meeting_id}/timeline", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def section(text: str) -> str:
    """The statutory dates section of a document's text: from its heading to the next section's."""
    start = text.index("Statutory dates")
    return text[start : text.index("Attendance", start)]


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx", "md"])
def test_the_minutes_list_every_statutory_step_with_its_date_who_acts_and_rule(client, rich, fmt):
    steps = timeline(client, rich.id, rich.chair)
    assert len(steps) >= 5 and any(not s["verified"] for s in steps) and any(s["verified"] for s in steps)
    text = text_of(client, rich.chair, fmt)
    if fmt == "md":
        text = markdown_unescape(text)
    part = section(text)
    assert STATUTORY_NOTICE in part
    for step in steps:
        assert step["rule_id"] in part, (fmt, step["rule_id"])
        line = part[part.index(uk_date(date.fromisoformat(step["date"]), weekday=True)) :]
        assert step["who"] in line and step["rule_id"] in line
        line = line[: line.index(step["rule_id"])]  # date, what, who: up to its rule
        assert ("(unverified)" in line) == (not step["verified"]), (fmt, step["rule_id"])
    # The annual-review report date is one step of the list, not a second line elsewhere in the minutes
    # (the family summary after them says it again, in the family's words).
    minutes_part = text.split("Dates the law sets after this meeting")[0]
    assert minutes_part.count("ENG-AR-08") == 1


def test_the_printable_page_links_each_rule_to_its_source(client, rich):
    steps = timeline(client, rich.id, rich.chair)
    body = export(client, rich.chair, "html").decode()
    for step in steps:
        assert f'<a href="{step["sources"][0]}">{step["rule_id"]}</a>' in body


def test_the_word_and_markdown_files_carry_each_rules_source_address(client, rich):
    steps = timeline(client, rich.id, rich.chair)
    paragraphs, _ = docx_text(export(client, rich.chair, "docx"))
    words = " ".join(paragraphs)
    md = export(client, rich.chair, "md").decode()
    for step in steps:
        for url in step["sources"]:
            assert url in words and f"<{url}>" in md


def test_the_action_register_has_a_row_per_statutory_step(client, rich):
    steps = timeline(client, rich.id, rich.chair)
    rows = [r for r in csv_rows(export(client, rich.chair, "csv")) if r["Type"] == "Statutory date"]
    assert [(r["Ref"], r["Due date"], r["Owner"]) for r in rows] == [(s["rule_id"], s["date"], s["who"]) for s in steps]
    for row, step in zip(rows, steps, strict=True):
        assert row["What"].endswith("(unverified)") == (not step["verified"])
        assert step["sources"][0] in row["Need or outcome"] and STATUTORY_NOTICE in row["Need or outcome"]


def test_the_calendar_has_an_all_day_event_per_statutory_step_with_a_stable_uid(client, rich):
    steps = timeline(client, rich.id, rich.chair)

    def statutory(body: bytes) -> dict[str, object]:
        return {
            str(e.get("uid")): e for e in ics_events(body) if "Statutory" in [str(c) for c in e.get("categories").cats]
        }

    events = statutory(export(client, rich.chair, "ics"))
    assert set(events) == {f"statutory-{s['rule_id']}.meeting-{rich.id}@common-ground" for s in steps}
    for step in steps:
        e = events[f"statutory-{step['rule_id']}.meeting-{rich.id}@common-ground"]
        assert e.decoded("dtstart") == date.fromisoformat(step["date"]) and not hasattr(e.decoded("dtstart"), "hour")
        assert str(e.get("summary")) == f"Statutory: {step['title']}"
        description = squash(str(e.get("description")))
        assert step["who"] in description and step["rule_id"] in description and step["sources"][0] in description
        assert STATUTORY_NOTICE in description
        assert ("(unverified)" in description) == (not step["verified"])
    # Exported again later (another version of the minutes), the same events are updated, not added.
    rich.cmd("minutes.circulate")
    again = statutory(export(client, rich.chair, "ics", version=1))
    assert set(again) == set(events)
    # One owner's calendar holds only that person's dates, not the law's steps.
    eve = rich.participant_ids["Dr Eve Psych"]
    assert statutory(export(client, rich.chair, "ics", owner=f"p{eve}")) == {}


def test_minutes_of_a_meeting_type_without_a_timeline_have_no_statutory_section(client, make_meeting):
    m = make_meeting(meeting_type="multi_agency", title="Team around the family")
    assert timeline(client, m["id"], m["chair"]) == []
    text, _ = html_text(export(client, m["chair"], "html"))
    assert "Statutory dates" not in text and STATUTORY_NOTICE not in text
    assert "Statutory dates" not in export(client, m["chair"], "md").decode()
    assert not [r for r in csv_rows(export(client, m["chair"], "csv")) if r["Type"] == "Statutory date"]
    assert not [
        e for e in ics_events(export(client, m["chair"], "ics")) if str(e.get("summary")).startswith("Statutory")
    ]
