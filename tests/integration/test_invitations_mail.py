"""Invitations through a real SMTP server (aiosmtpd), sent by `flask send-invitations`: the calendar parts
parsed with `icalendar` (METHOD, UID, SEQUENCE, ATTENDEE, the join link) for an invitation, an update and a
cancellation; two sender processes at once send each message once; a refused send is shown and retried."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from facilitation.extensions import db
from facilitation.models import AccessLink, Invitation, Meeting, ReminderSent
from facilitation.services import invitations
from tests.conftest import ROOT
from tests.integration.conftest import two_senders_at_once
from tests.integration.test_reminders import Installation, sqlite_url

pytestmark = pytest.mark.live


class Invitations(Installation):
    """An installation with `flask send-invitations` as a CLI."""

    def send_invitations(self, *, check=True) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "facilitation:create_app", "send-invitations"],
            cwd=ROOT, env=self.server.env(), capture_output=True, text=True, timeout=120,
        )
        if check:
            assert out.returncode == 0, out.stderr + out.stdout
        return out.stdout + out.stderr

    def token_of(self, participant_id: int) -> str:
        with self.app.app_context():
            return db.session.scalar(select(AccessLink.token).where(AccessLink.participant_id == participant_id))


@pytest.fixture
def inst(tmp_path, smtp):
    installation = Invitations(tmp_path, smtp, sqlite_url(tmp_path))
    yield installation
    installation.close()


def calendar_of(message) -> tuple[str, Calendar]:
    """The METHOD parameter of the text/calendar part and the calendar it holds."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0].get_param("method"), Calendar.from_ical(parts[0].get_content())


def event_of(cal: Calendar):
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return events[0]


def test_invitation_update_and_cancellation_arrive_as_calendar_requests_with_one_uid(inst, smtp):
    chair = inst.meeting()
    inst.run("meeting.set_chair_email", {"email": "senco@hillside.example"}, chair)
    sam = inst.run("participants.add", {"name": "Sam Parent", "role": "parent", "agency": "family", "email": "sam@family.example"}, chair)
    inst.run("invitations.send", {"participant_id": sam["participant_id"]}, chair)
    out = inst.send_invitations()
    assert "1 sent, 0 already claimed, 0 failed" in out

    [invite] = smtp.to("sam@family.example")
    assert invite["Subject"].startswith("Invitation: Annual review")
    link = f"http://cg.example/join/{inst.token_of(sam['participant_id'])}"
    text = invite.get_body(preferencelist=("plain",)).get_content()
    html = invite.get_body(preferencelist=("html",)).get_content()
    assert link in text and f'href="{link}"' in html and "What to bring" in text
    method, cal = calendar_of(invite)
    assert method == "REQUEST" and str(cal["METHOD"]) == "REQUEST"
    event = event_of(cal)
    uid = str(event["UID"])
    assert int(event["SEQUENCE"]) == 0 and str(event["URL"]) == link and link in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == "mailto:senco@hillside.example"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:sam@family.example"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["CN"] == "Sam Parent" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"

    with inst.app.app_context():
        meeting = db.session.get(Meeting, db.session.get(AccessLink, chair).meeting_id)
        start, version = meeting.scheduled_start + timedelta(days=7), meeting.version
    inst.run("meeting.update", {"version": version, "scheduled_start": start.isoformat(),
                                "scheduled_end": (start + timedelta(hours=1)).isoformat()}, chair)
    inst.send_invitations()
    update = smtp.to("sam@family.example")[1]
    method, cal = calendar_of(update)
    event = event_of(cal)
    assert update["Subject"].startswith("Changed:") and method == "REQUEST"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == start.astimezone(UTC)

    inst.run("participants.remove", {"participant_id": sam["participant_id"]}, chair)
    inst.send_invitations()
    cancel = smtp.to("sam@family.example")[2]
    method, cal = calendar_of(cancel)
    event = event_of(cal)
    assert cancel["Subject"].startswith("Cancelled for you:") and method == "CANCEL" and str(cal["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 2 and str(event["STATUS"]) == "CANCELLED"
    assert "URL" not in event and "/join/" not in cancel.get_body(preferencelist=("plain",)).get_content()

    assert "0 sent" in inst.send_invitations()  # nothing more to send
    assert len(smtp.to("sam@family.example")) == 3


def test_a_refused_send_is_shown_to_the_chair_then_retried_by_the_next_run_and_sent_once(inst, smtp):
    chair = inst.meeting()
    eve = inst.run("participants.add", {"name": "Dr Eve Psych", "role": "educational_psychologist", "agency": "ep_service",
                                        "email": "eve@ep.example"}, chair)
    inst.run("invitations.send", {"participant_id": eve["participant_id"]}, chair)
    smtp.refuse.add("eve@ep.example")
    out = inst.send_invitations(check=False)
    assert "1 failed" in out and smtp.messages == []
    with inst.app.app_context():
        row = db.session.scalars(select(Invitation)).one()
        assert row.status == "failed" and "550" in row.error
        person = invitations.chair_view(db.session.get(Meeting, row.meeting_id), datetime.now(UTC).date())["people"][0]
        assert person["state"] == "failed" and person["state_text"].startswith("Failed: ") and person["can_retry"]
    inst.send_invitations()
    inst.send_invitations()
    assert len(smtp.to("eve@ep.example")) == 1
    with inst.app.app_context():
        claim = db.session.scalars(select(ReminderSent)).one()
        assert (claim.kind, claim.status, claim.attempts) == ("invitation", "sent", 2)
        assert db.session.scalars(select(Invitation)).one().status == "sent"


def _race(inst: Invitations, smtp) -> None:
    chair = inst.meeting()
    expected = set()
    for n in range(20):
        inst.run("participants.add", {"name": f"Invitee {n}", "role": "other", "agency": "other", "email": f"invitee{n}@example.org"}, chair)
        expected.add(f"invitee{n}@example.org")
    result = inst.run("invitations.send_all", {}, chair)
    assert len(result["invited"]) == 20
    two_senders_at_once(["send-invitations"], inst.server.env(), smtp, expected)
    inst.send_invitations()  # a third run afterwards sends nothing more
    assert len(smtp.messages) == 20
    with inst.app.app_context():
        assert {i.status for i in db.session.scalars(select(Invitation))} == {"sent"}


def test_two_sender_processes_at_once_send_each_invitation_once_on_sqlite(inst, smtp):
    _race(inst, smtp)


def test_two_sender_processes_at_once_send_each_invitation_once_on_postgresql(tmp_path, smtp, postgres_url):
    installation = Invitations(tmp_path, smtp, postgres_url)
    try:
        _race(installation, smtp)
    finally:
        installation.close()
