"""The minutes and the family summary of an EHCP annual review and of a US IEP meeting, read back: each
disagreement's route in its own jurisdiction's words, with its latest dates, and none of the other's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import local_today
from tests.exports.test_minutes_exports import export, html_text, squash, text_of

FORMATS = ["html", "pdf", "docx", "md"]
#: domain.md: a US meeting never mentions certificates or the Tribunal, an English one never mentions due process.
ENGLAND_ONLY = ["Tribunal", "certificate", "SENDIASS", "ENG-", "council", "local authority", "rung", "ladder"]
US_ONLY = ["due process", "Due process", "resolution meeting", "US-", "state complaint", "rung", "ladder"]


def day(n: int) -> str:
    return (local_today() + timedelta(days=n)).isoformat()


def make(client, make_meeting, meeting_type, title, route_args):
    m = make_meeting(meeting_type=meeting_type, title=title, child_ref="CD-2")

    def cmd(command, **args):
        r = client.post(f"/api/v1/meetings/{m['id']}/commands/{command}", json=args, headers={"Authorization": f"Bearer {m['chair']}"})
        assert r.status_code == 200, (command, r.get_json())
        return r.get_json()

    parent = cmd("participants.add", name="Sam Parent", role="parent", agency="family")
    cmd("clock.start_meeting")
    g = cmd("disagreements.record", topic="How much support is needed", positions=[{"participant_id": parent["participant_id"], "view": "More than offered"}])
    cmd("disagreements.update", disagreement_id=g["disagreement_id"], version=1, next_step_owner_participant_id=parent["participant_id"], **route_args)
    cmd("clock.end_meeting")
    return m, parent["join_path"].rsplit("/", 1)[1]


@pytest.fixture
def england(client, make_meeting):
    return make(client, make_meeting, "ehcp_annual_review", "Annual review", {
        "about": "la_decision", "next_step": "appeal", "route_dates": {"decision_letter_date": day(-10)}, "follow_up_date": day(70),
    })


@pytest.fixture
def us(client, make_meeting):
    return make(client, make_meeting, "iep_meeting", "IEP meeting", {
        "about": "iep", "next_step": "due_process", "route_dates": {"complaint_received_date": day(-1)}, "follow_up_date": day(20),
    })


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_ehcp_annual_reviews_minutes_give_the_appeal_route_its_deadline_and_the_late_follow_up(client, england, fmt):
    m, _ = england
    text = text_of(client, m["chair"], fmt)
    assert "Appeal to the First-tier Tribunal (SEND)" in text
    assert "About: A local authority decision that can be appealed" in text
    assert "ENG-APP-01" in text and "ENG-APP-02" in text and "unverified" in text
    assert "Warning: The follow-up date" in text  # 70 days after the meeting is after two months from the letter
    for word in US_ONLY:
        assert word not in text, word


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_us_iep_meetings_minutes_give_the_due_process_route_and_no_english_words(client, us, fmt):
    m, _ = us
    text = text_of(client, m["chair"], fmt)
    assert "Due process complaint, with its resolution meeting" in text
    assert "US-DP-03" in text and "US-DP-04" in text
    assert "Warning: The follow-up date" in text  # after the resolution meeting's 15 days
    for word in ENGLAND_ONLY:
        assert word not in text, word


def test_the_family_summaries_name_their_own_routes_and_dates_only(client, england, us):
    m, parent = england
    text = squash(html_text(export(client, parent, "summary"))[0])
    assert "an appeal to the tribunal" in text and "ENG-APP-01" in text
    for word in ("due process", "resolution meeting", "US-"):
        assert word not in text, word
    m, parent = us
    text = squash(html_text(export(client, parent, "summary"))[0])
    assert "a due process complaint" in text and "US-DP-03" in text
    for word in ("Tribunal", "tribunal", "certificate", "SENDIASS", "ENG-", "council"):
        assert word not in text, word


def test_the_meetings_calendar_has_the_routes_dates_as_events(client, england):
    from tests.exports.test_minutes_exports import ics_events

    m, _ = england
    events = {str(e["UID"]): e for e in ics_events(export(client, m["chair"], "ics"))}
    appeal = [e for uid, e in events.items() if "ENG-APP-01" in uid]
    assert len(appeal) == 1 and "How much support is needed" in str(appeal[0]["SUMMARY"])
    assert "not legal advice" in str(appeal[0]["DESCRIPTION"])
