"""Reminders through a real SMTP server (aiosmtpd), with time moved forward by `flask send-reminders --now`,
after a restart, and from two sender processes at once: every reminder arrives exactly once."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from facilitation import create_app, services
from facilitation.config import TestConfig
from facilitation.extensions import db
from facilitation.models import AccessLink, OutboxMessage, ReminderSent
from tests.conftest import ROOT, LiveServer, local_today, meeting_payload
from tests.integration.conftest import Inbox, two_senders_at_once

pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")

pytestmark = pytest.mark.live



def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'live.db'}"


class Installation:
    """A database prepared by `flask init-db`, driven in this process, with `flask send-reminders` as a CLI."""

    def __init__(self, tmp_path, smtp: Inbox | None, database_url: str):
        env = {"DATABASE_URL": database_url, "REMINDER_DAYS_BEFORE": "3", "REMINDER_CATCH_UP_DAYS": "14",
               "DIGEST_WEEKDAY": "0", "DIGEST_HOUR": "8", "PUBLIC_URL": "http://cg.example"}
        if smtp is not None:
            env.update({"MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "SMTP_SECURITY": "none"})
        else:
            env.update({"MAIL_BACKEND": "outbox", "SMTP_HOST": ""})
        self.server = LiveServer(tmp_path, env)
        self.server.flask("init-db")
        from facilitation.config import database_url as to_url

        self.app = create_app(
            TestConfig, SQLALCHEMY_DATABASE_URI=to_url(database_url), PUBLIC_URL="http://cg.example",
            REMINDER_DAYS_BEFORE=3, REMINDER_CATCH_UP_DAYS=14, DIGEST_WEEKDAY=0, DIGEST_HOUR=8, MAIL_BACKEND="outbox",
        )

    def close(self):
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def run(self, name, args, link_id) -> dict:
        with self.app.app_context():
            link = db.session.get(AccessLink, link_id)
            return services.pipeline.execute(link, name, args).result

    def meeting(self, child="AB-1") -> int:
        with self.app.app_context():
            meeting, links = services.meetings.create_meeting(meeting_payload(child_ref=child))
            chair = db.session.scalar(select(AccessLink).where(AccessLink.meeting_id == meeting.id, AccessLink.role == "chair"))
            return chair.id

    def send(self, now: datetime, *, check=True) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "facilitation:create_app", "send-reminders", "--now", now.isoformat()],
            cwd=ROOT, env=self.server.env(), capture_output=True, text=True, timeout=120,
        )
        if check:
            assert out.returncode == 0, out.stderr + out.stdout
        return out.stdout + out.stderr


@pytest.fixture
def installation(tmp_path, smtp):
    inst = Installation(tmp_path, smtp, sqlite_url(tmp_path))
    yield inst
    inst.close()


def at(days: int, hour: int = 9) -> datetime:
    """`days` from today at `hour` o'clock London time, as an aware datetime."""
    return datetime.combine(local_today() + timedelta(days=days), datetime.min.time(), ZoneInfo("Europe/London")).replace(hour=hour)


def iso(days: int) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


def test_owners_are_reminded_before_the_due_date_when_overdue_and_before_follow_up_exactly_once(installation, smtp):
    chair = installation.meeting()
    sam = installation.run("participants.add", {"name": "Sam Parent", "role": "parent", "agency": "family", "email": "sam@family.example"}, chair)
    installation.run("actions.record", {"what": "Keep a home diary", "owner_participant_id": sam["participant_id"],
                                         "due_date": iso(5), "follow_up_date": iso(12)}, chair)
    salt = installation.run("actions.record", {"what": "Weekly SALT sessions", "owner_name": "J. Patel", "owner_agency": "Northshire SALT",
                                                "due_date": iso(5), "follow_up_date": iso(5)}, chair)
    installation.run("actions.set_owner_email", {"action_id": salt["action_id"], "version": 1, "email": "j.patel@nhs.example"}, chair)
    installation.run("actions.record", {"what": "No address known", "owner_name": "K. Lee", "owner_agency": "OT",
                                         "due_date": iso(5), "follow_up_date": iso(6)}, chair)

    out = installation.send(at(1))
    assert smtp.messages == [] and "0 sent" in out

    installation.send(at(2))  # three days before the due date
    assert smtp.subjects() == sorted([
        f"Action due {(local_today() + timedelta(days=5)).day} {local_today() + timedelta(days=5):%b %Y} (child AB-1): Keep a home diary",
        f"Action due {(local_today() + timedelta(days=5)).day} {local_today() + timedelta(days=5):%b %Y} (child AB-1): Weekly SALT sessions",
    ])
    to_sam = smtp.to("sam@family.example")[0]
    body = to_sam.get_content()
    assert "http://cg.example/join/" in body and "/actions" in body  # record progress from the personal link
    assert "http://cg.example/calendar/" in body
    assert to_sam["Message-ID"].startswith("<reminder-") and to_sam["Auto-Submitted"] == "auto-generated"
    assert "To record progress, reply to the chair" in smtp.to("j.patel@nhs.example")[0].get_content()

    out = installation.send(at(2, hour=15))  # a later run the same day, as after a restart
    assert len(smtp.messages) == 2 and "0 sent, 2 already claimed" in out

    installation.send(at(6))
    overdue = [m["Subject"] for m in smtp.messages[2:]]
    assert sorted(s.split(" since")[0] for s in overdue) == ["Overdue", "Overdue"]

    installation.send(at(9))  # three days before Sam's follow-up
    assert [m["Subject"].split(" ")[0] for m in smtp.messages[4:]] == ["Follow-up"]
    assert smtp.messages[4]["To"] == "sam@family.example"
    assert len({m["Message-ID"] for m in smtp.messages}) == len(smtp.messages) == 5


def test_the_chair_gets_one_weekly_digest_per_week(installation, smtp):
    chair = installation.meeting()
    installation.run("meeting.set_chair_email", {"email": "senco@hillside.example"}, chair)
    days_to_monday = (7 - local_today().weekday()) % 7 or 7
    # Due the day before that Monday (today at the earliest), so it is overdue by the digest on any weekday.
    installation.run("actions.record", {"what": "Visual timetable", "owner_name": "T. Reid", "owner_agency": "School",
                                         "due_date": iso(days_to_monday - 1), "follow_up_date": iso(days_to_monday + 6)}, chair)
    installation.send(at(days_to_monday, hour=7))  # Monday before 08:00: not yet
    assert smtp.to("senco@hillside.example") == []
    installation.send(at(days_to_monday, hour=8))
    installation.send(at(days_to_monday + 2, hour=12))  # later that week: already sent
    digests = smtp.to("senco@hillside.example")
    assert len(digests) == 1
    assert digests[0]["Subject"].startswith("Weekly action digest, week of")
    body = digests[0].get_content()
    assert "Overdue (1):" in body and "Visual timetable" in body and "http://cg.example/actions/" in body
    installation.send(at(days_to_monday + 7, hour=8))  # the next week: a new digest
    assert len(smtp.to("senco@hillside.example")) == 2


def test_a_refused_send_is_tried_again_by_a_later_run_and_then_sent_once(installation, smtp):
    chair = installation.meeting()
    action = installation.run("actions.record", {"what": "OT assessment", "owner_name": "K. Lee", "owner_agency": "OT",
                                                  "due_date": iso(3), "follow_up_date": iso(9)}, chair)
    installation.run("actions.set_owner_email", {"action_id": action["action_id"], "version": 1, "email": "k.lee@ot.example"}, chair)
    smtp.refuse.add("k.lee@ot.example")
    out = installation.send(at(1), check=False)
    assert "1 failed" in out and smtp.messages == []
    with installation.app.app_context():
        claim = db.session.scalars(select(ReminderSent)).one()
        assert claim.status == "failed" and "550" in claim.error
    installation.send(at(1, hour=10))
    installation.send(at(1, hour=11))
    assert len(smtp.to("k.lee@ot.example")) == 1
    with installation.app.app_context():
        claim = db.session.scalars(select(ReminderSent)).one()
        assert (claim.status, claim.attempts) == ("sent", 2)


def _two_senders_at_once(inst: Installation, smtp: Inbox) -> None:
    chair = inst.meeting()
    expected = set()
    for n in range(24):
        p = inst.run("participants.add", {"name": f"Owner {n}", "role": "other", "agency": "other", "email": f"owner{n}@example.org"}, chair)
        inst.run("actions.record", {"what": f"Action {n}", "owner_participant_id": p["participant_id"], "due_date": iso(2), "follow_up_date": iso(20)}, chair)
        expected.add(f"owner{n}@example.org")
    two_senders_at_once(["send-reminders", "--now", at(1).isoformat()], inst.server.env(), smtp, expected)
    inst.send(at(1, hour=12))  # and a third run afterwards sends nothing more
    assert len(smtp.messages) == 24


def test_two_sender_processes_at_once_send_each_reminder_once_on_sqlite(installation, smtp):
    _two_senders_at_once(installation, smtp)


def test_two_sender_processes_at_once_send_each_reminder_once_on_postgresql(tmp_path, smtp, postgres_url):
    inst = Installation(tmp_path, smtp, postgres_url)
    try:
        _two_senders_at_once(inst, smtp)
    finally:
        inst.close()


def test_in_development_reminders_go_to_the_outbox_the_app_shows(tmp_path):
    inst = Installation(tmp_path, None, sqlite_url(tmp_path))
    try:
        chair = inst.meeting()
        action = inst.run("actions.record", {"what": "Send the <EP> report", "owner_name": "R. Evans", "owner_agency": "EP service",
                                              "due_date": iso(2), "follow_up_date": iso(9)}, chair)
        inst.run("actions.set_owner_email", {"action_id": action["action_id"], "version": 1, "email": "r.evans@ep.example"}, chair)
        out = inst.send(at(0))
        assert "1 sent" in out
        with inst.app.app_context():
            kept = db.session.scalars(select(OutboxMessage)).one()
            assert kept.recipient == "r.evans@ep.example" and "Send the <EP> report" in kept.body
            token = db.session.get(AccessLink, chair).token
        page = inst.app.test_client().get(f"/actions/{token}/outbox").data.decode()
        assert "r.evans@ep.example" in page and "Send the &lt;EP&gt; report" in page and "sent" in page
    finally:
        inst.close()


def test_the_dry_run_lists_what_is_due_and_sends_nothing(installation, smtp):
    chair = installation.meeting()
    action = installation.run("actions.record", {"what": "Check the timetable", "owner_name": "T. Reid", "owner_agency": "School",
                                                  "due_date": iso(2), "follow_up_date": iso(9)}, chair)
    installation.run("actions.set_owner_email", {"action_id": action["action_id"], "version": 1, "email": "t.reid@school.example"}, chair)
    out = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "facilitation:create_app", "send-reminders", "--now", at(1).isoformat(), "--dry-run"],
        cwd=ROOT, env=installation.server.env(), capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0 and "due: due_soon to t.reid@school.example" in out.stdout
    assert smtp.messages == []
    bad = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "facilitation:create_app", "send-reminders", "--now", "next tuesday"],
        cwd=ROOT, env=installation.server.env(), capture_output=True, text=True, timeout=60,
    )
    assert bad.returncode != 0 and "2027-03-14T08:00" in bad.stderr


def _hold(installation: Installation, chair_link_id: int, day) -> int:
    """Move a meeting (by its chair link) to noon London time on `day`; returns its id."""
    from facilitation.models import Meeting

    with installation.app.app_context():
        meeting = db.session.get(Meeting, db.session.get(AccessLink, chair_link_id).meeting_id)
        start = datetime.combine(day, datetime.min.time(), ZoneInfo("Europe/London")).replace(hour=12)
        meeting.scheduled_start, meeting.scheduled_end = start, start + timedelta(hours=1)
        db.session.commit()
        return meeting.id


def _block(body: str, heading: str) -> str:
    """The lines of one block of the digest, from its heading to the blank line after it."""
    body = body.replace("\r\n", "\n")
    start = body.index(heading)
    return body[start : body.index("\n\n", start)]


def test_the_weekly_digest_lists_the_statutory_dates_due_in_7_days_and_those_missed(installation, smtp):
    days_to_monday = (7 - local_today().weekday()) % 7 or 7
    monday = local_today() + timedelta(days=days_to_monday)
    mine = installation.meeting(child="AB-1")
    installation.run("meeting.set_chair_email", {"email": "senco@hillside.example"}, mine)
    # An annual review ten days before the digest: its invitations (2 weeks before) are missed, and the
    # review report (2 weeks after) is due in four days.
    _hold(installation, mine, monday - timedelta(days=10))
    theirs = installation.meeting(child="ZZ-9")  # another chair's meeting, with missed steps of its own
    installation.run("meeting.set_chair_email", {"email": "other@school.example"}, theirs)
    _hold(installation, theirs, monday - timedelta(days=40))

    installation.send(at(days_to_monday, hour=8))
    (digest,) = smtp.to("senco@hillside.example")
    body = digest.get_content()
    missed = _block(body, "Statutory dates missed")
    soon = _block(body, "Statutory dates in the next 7 days")
    invitations = f"{(monday - timedelta(days=24)).day} {monday - timedelta(days=24):%b %Y}"
    report = f"{(monday + timedelta(days=4)).day} {monday + timedelta(days=4):%b %Y}"
    assert "ENG-AR-05" in missed and invitations in missed and "child AB-1" in missed
    assert "ENG-AR-08" in soon and report in soon and "Head teacher" in soon
    assert "https://send.essex.gov.uk/" in soon  # the rule's source
    assert "ENG-AR-08" not in missed and "ENG-AR-05" not in soon
    assert "ZZ-9" not in body  # another chair's meeting is not in this digest
    assert "Latest dates the law allows, computed from the rules; this is not legal advice." in body
    assert "http://cg.example/actions/" in body and "/statutory" in body
    (other,) = smtp.to("other@school.example")
    assert "ZZ-9" in _block(other.get_content(), "Statutory dates missed")
