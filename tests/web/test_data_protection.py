"""Data protection: the retention period and the purge, a child's records exported for subject access
or erased, from the service, the command line and the administrators' pages.

Every table is read before and after, row by row: a purge or an erasure must remove every row of the
meetings concerned (including rows reached through actions, addresses and sockets) and leave every
other row exactly as it was."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from facilitation.domain.errors import Conflict, InvalidValue, NotFound
from facilitation.extensions import db
from facilitation.models import AdminLogEntry, AuditEntry, Meeting, Organisation, utcnow
from facilitation.services import accounts
from facilitation.services import data_protection as dp
from facilitation.services.action_log import reminders
from tests import sample_files
from tests.conftest import add_staff, local_today, sign_in

LONDON = ZoneInfo("Europe/London")
#: tables that only the admin log's own bookkeeping may change
BOOKKEEPING = {"admin_log"}
#: tables a meeting's record does not reach
NOT_A_MEETING_S = {"users", "organisation", "organisation_grants", "admin_log"}


# ---------------------------------------------------------------- helpers


@pytest.fixture
def admin(app) -> dict:
    return add_staff(app, "admin@school.test", "Ms Admin", "admin")


def next_monday_morning() -> datetime:
    """09:00 London on the next Monday: owners' reminders and the chairs' weekly digest are both due."""
    today = local_today()
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    return datetime.combine(monday, time(9), tzinfo=LONDON)


def day(d) -> str:
    return d.isoformat()


def build_record(client, api, make_meeting, child_ref: str, tag: str, *, base=None, shared_email: str = "shared@nhs.example") -> dict:
    """A meeting with a whole record, made through the JSON API: participants (one with an e-mail
    address), attendance, a disagreement with two positions, decisions and actions (a confidential one
    of each), an invitation e-mailed and answered, an outside owner's address, progress, a refused command, the chair's digest address, statutory steps recorded and process dates set, minutes circulated,
    confirmed and approved, and a command sent with an idempotency key."""
    base = base or local_today() + timedelta(days=10)
    m = make_meeting(child_ref=child_ref, title=f"Review {tag}")
    chair, mid = m["chair"], m["id"]

    def cmd(command, /, token=None, key=None, **args):
        status, body = api(token or chair, mid, command, key=key, **args)
        assert status == 200, (command, body)
        return body

    def add_person(**args):  # `name` is also the api fixture's own parameter: sent as the body directly
        r = client.post(f"/api/v1/meetings/{mid}/commands/participants.add", json=args, headers={"Authorization": f"Bearer {chair}"})
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    parent = add_person(name=f"Parent {tag}", role="parent", agency="family", email=f"parent-{tag}@example.org")
    ep = add_person(name=f"Dr EP {tag}", role="educational_psychologist", agency="ep_service")
    pid, eid = parent["participant_id"], ep["participant_id"]
    parent_token = parent["join_path"].rsplit("/", 1)[1]
    cmd("invitations.send", participant_id=pid)  # sent to the outbox after the commit, claimed once
    cmd("invitations.reply", token=parent_token, response="accepted", note=f"Reply {tag}")
    # the evidence pack: the EP's advice (a PDF) and a confidential photo, the child's views, circulated
    ep_token = ep["join_path"].rsplit("/", 1)[1]
    asked = cmd("evidence.request", participant_id=eid, what=f"EP advice {tag}")["request_id"]
    for data, file_name, confidential in ((sample_files.pdf(f"Advice {tag}"), f"advice-{tag}.pdf", "false"),
                                          (sample_files.png(), f"health-{tag}.png", "true")):
        r = client.post(f"/api/v1/meetings/{mid}/documents", headers={"Authorization": f"Bearer {ep_token}"},
                        data={"file": (io.BytesIO(data), file_name), "request_id": str(asked), "confidential": confidential},
                        content_type="multipart/form-data")
        assert r.status_code == 201, r.get_json()
    views = cmd("evidence.request", participant_id=pid, kind="child_views", what=f"Views {tag}")["request_id"]
    cmd("evidence.answer", token=parent_token, request_id=views, answer=f"Child's own words {tag}", how_gathered="conversation")
    cmd("evidence.circulate")
    cmd("attendance.set", participant_id=pid, attendance="in_room")
    cmd("attendance.set", participant_id=eid, attendance="remote", arrived_late=True)
    cmd("clock.start_meeting", key=f"start-{tag}")
    assert api(parent_token, mid, "clock.next_item")[0] == 403  # a refusal: the security log counts it for this meeting
    g = cmd("disagreements.record", topic=f"Hours of support {tag}", positions=[{"participant_id": pid, "view": f"Parent view {tag}"}])
    g = g["disagreement_id"]
    cmd("positions.add", disagreement_id=g, party_name=f"SEND panel {tag}", agency="Northshire LA", view=f"Panel view {tag}")
    cmd("decisions.record", text=f"Decision {tag}", reasons="EP advice", disagreement_id=g)
    cmd("decisions.record", text=f"Confidential decision {tag}", confidential=True)
    home = cmd("actions.record", what=f"Home diary {tag}", owner_participant_id=pid, due_date=day(base + timedelta(days=2)),
               follow_up_date=day(base + timedelta(days=5)))["action_id"]
    salt = cmd("actions.record", what=f"SALT sessions {tag}", owner_name=f"J. Patel {tag}", owner_agency="Northshire SALT",
               due_date=day(base + timedelta(days=2)), follow_up_date=day(base + timedelta(days=6)))["action_id"]
    cmd("actions.set_owner_email", action_id=salt, version=1, email=f"salt-{tag}@nhs.example".lower())
    shared = cmd("actions.record", what=f"OT assessment {tag}", owner_name="K. Lee", owner_agency="Northshire OT",
                 due_date=day(base + timedelta(days=1)), follow_up_date=day(base + timedelta(days=6)))["action_id"]
    cmd("actions.set_owner_email", action_id=shared, version=1, email=shared_email)
    secret = cmd("actions.record", what=f"Confidential health action {tag}", owner_participant_id=eid,
                 due_date=day(base + timedelta(days=20)), follow_up_date=day(base + timedelta(days=30)), confidential=True)["action_id"]
    cmd("actions.record_progress", action_id=home, version=1, note=f"Progress {tag}", evidence="Diary kept for a week")
    asked = cmd("queue.ask", token=parent_token, kind="question", text=f"Parent question {tag}")["request_id"]
    cmd("queue.answer", request_id=asked)
    cmd("queue.raise_hand", token=parent_token)
    cmd("meeting.set_chair_email", email=f"chair-{tag}@school.example".lower())
    cmd("statutory.set_process_dates", phase_transfer="school", transfer_date=day(local_today() + timedelta(days=200)))
    cmd("statutory.record_done", rule_id="ENG-AR-05", done_on=day(local_today() - timedelta(days=20)))
    cmd("statutory.record_exception", rule_id="ENG-AR-08", exception="other", reason=f"Report late {tag}")
    cmd("minutes.update_details", version=1, child_views=f"Child views {tag}", family_views=f"Family views {tag}")
    cmd("outcomes.add", text=f"Outcome one {tag}\nOutcome two {tag}")
    cmd("amendments.record", section="F", wording=f"Amended provision {tag}")
    cmd("reports.record_sent", report="report", recipient=f"Parent {tag}", recipient_kind="parent", sent_on=day(local_today()))
    cmd("clock.end_meeting")
    cmd("minutes.circulate")
    cmd("minutes.confirm", token=parent_token, number=1, revision=1)
    cmd("minutes.answer_section", token=parent_token, number=1, revision=1, section="views", answer="dissent", comment=f"Not what I said {tag}")
    cmd("minutes.approve", number=1)
    return {**m, "tag": tag, "child_ref": child_ref, "participant_ids": [pid, eid], "action_ids": [home, salt, shared, secret]}


def set_times(app, meeting_id: int, end: datetime, *, ended: bool = True) -> None:
    """Put a meeting's times in the database directly: it ended (or was only scheduled to end) at `end`."""
    with app.app_context():
        m = db.session.get(Meeting, meeting_id)
        m.scheduled_start, m.scheduled_end = end - timedelta(minutes=90), end
        m.started_at = end - timedelta(minutes=90) if ended else None
        m.ended_at = end if ended else None
        db.session.commit()


def months_ago(months: int, days: int = 0) -> datetime:
    return dp.months_before(utcnow(), months) - timedelta(days=days)


def table_rows(app) -> dict[str, set[tuple]]:
    """Every row of every table, as comparable tuples."""
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table)).all()
            out[table.name] = {tuple(json.dumps(v, default=str, sort_keys=True) for v in row) for row in rows}
        return out


def assert_unchanged_but_the_log(before: dict, after: dict) -> None:
    for table in before:
        if table not in BOOKKEEPING:
            assert after[table] == before[table], table


def settings_row(app) -> None:
    """Make the organisation's settings row now, so that snapshots do not see it appear later."""
    with app.app_context():
        accounts.organisation()
        db.session.commit()


def log_entries(app, action: str) -> list[AdminLogEntry]:
    with app.app_context():
        rows = db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.action == action).order_by(AdminLogEntry.id)).all()
        for r in rows:
            db.session.expunge(r)
        return rows


def meeting_ids(app) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Meeting.id)))


def send_reminders(app, now: datetime) -> None:
    with app.app_context():
        reminders.send_reminders(now)


# ---------------------------------------------------------------- the retention rule


def test_months_are_counted_in_calendar_months_and_the_31st_becomes_the_month_s_last_day():
    moment = datetime(2031, 3, 31, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert dp.months_before(moment, 1) == datetime(2031, 2, 28, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert dp.months_before(moment, 84) == datetime(2024, 3, 31, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert dp.months_before(moment, 15) == datetime(2029, 12, 31, 10, 0, tzinfo=ZoneInfo("UTC"))


def test_the_retention_period_is_the_organisation_s_and_counts_from_the_meeting_s_end(app, make_meeting):
    made = {name: make_meeting(title=name, child_ref=f"R-{i}")["id"] for i, name in enumerate(["old", "old_unheld", "recent", "recent_unheld"])}
    set_times(app, made["old"], months_ago(84, days=1))
    set_times(app, made["old_unheld"], months_ago(84, days=1), ended=False)  # never held: counted from its scheduled end
    set_times(app, made["recent"], months_ago(83))
    set_times(app, made["recent_unheld"], months_ago(83), ended=False)
    with app.app_context():
        # Ended recently although scheduled long ago: the actual end counts.
        m = db.session.get(Meeting, made["recent"])
        m.scheduled_start, m.scheduled_end = months_ago(90), months_ago(90) + timedelta(hours=1)
        db.session.commit()
        assert accounts.organisation().retention_months == 84
        assert {m.id for m in dp.expired_meetings(utcnow())} == {made["old"], made["old_unheld"]}
        accounts.organisation().retention_months = 12
        db.session.commit()
        assert {m.id for m in dp.expired_meetings(utcnow())} == set(made.values())
        assert dp.expired_meetings(months_ago(85)) == []  # as of 85 months ago, none had even ended


# ---------------------------------------------------------------- purge


def test_a_purge_removes_exactly_the_meetings_past_the_period_and_every_row_of_theirs(app, client, api, make_meeting, sockets):
    settings_row(app)
    monday = next_monday_morning()
    kept = build_record(client, api, make_meeting, "KEEP-1", "Kept", base=monday.date())
    sockets(kept["chair"])
    send_reminders(app, monday)
    set_times(app, kept["id"], months_ago(83))  # inside the period by a month
    before = table_rows(app)

    old = build_record(client, api, make_meeting, "OLD-1", "Old", base=monday.date())
    sockets(old["chair"])
    send_reminders(app, monday)  # the kept meeting's reminders are claimed already: only the old one's are new
    set_times(app, old["id"], months_ago(84, days=2))
    with_old = table_rows(app)
    # The old meeting put rows in every table of a meeting's record, and changed none of the kept one's.
    for table, rows in with_old.items():
        assert rows >= before[table], table
        if table not in NOT_A_MEETING_S:
            assert rows > before[table], f"the test meeting has no rows in {table}"

    with app.app_context():
        summary = dp.purge_expired(utcnow(), by="tests")
    assert summary.meeting_ids == [old["id"]] and not summary.dry_run
    after = table_rows(app)
    assert_unchanged_but_the_log(before, after)  # everything of the old meeting gone; the kept one, row for row, untouched
    assert summary.counts == {t: len(with_old[t] - before[t]) for t in summary.counts}  # the counts are the rows removed
    assert {t for t, n in summary.counts.items() if n} == set(with_old) - NOT_A_MEETING_S
    assert summary.detached == {"action_updates.reviewed_in_meeting_id": 0, "action_updates.participant_id": 0, "plan_outcomes.carried_from_id": 0}


def test_the_purge_is_logged_with_the_rule_the_meeting_ids_and_counts_but_no_child_reference_or_name(app, client, api, make_meeting):
    old = build_record(client, api, make_meeting, "OLD-77", "Zebedee")
    set_times(app, old["id"], months_ago(85))
    with app.app_context():
        summary = dp.purge_expired(utcnow(), by="tests")
    [entry] = log_entries(app, "purge")
    detail = entry.detail
    assert entry.actor == "tests"
    assert detail["rule"]["retention_months"] == 84 and detail["rule"]["cutoff"] == summary.cutoff.isoformat(timespec="milliseconds")
    assert detail["meeting_ids"] == [old["id"]] and detail["meetings"] == 1
    assert detail["counts"]["meetings"] == 1 and detail["counts"]["actions"] == 4 and detail["counts"]["positions"] == 3  # two, and a dissent from the minutes
    text = json.dumps(detail).lower()
    assert "old-77" not in text and "zebedee" not in text and "@" not in text


def test_a_dry_run_changes_nothing_and_counts_what_the_purge_then_deletes(app, client, api, make_meeting):
    settings_row(app)
    old = build_record(client, api, make_meeting, "OLD-2", "Dry")
    set_times(app, old["id"], months_ago(90))
    before = table_rows(app)
    with app.app_context():
        dry = dp.purge_expired(utcnow(), by="tests", dry_run=True)
    assert dry.dry_run and dry.meeting_ids == [old["id"]]
    assert table_rows(app) == before  # the admin log included: a dry run is not logged
    with app.app_context(), pytest.raises(Conflict):  # confirmed for another list: refused, nothing deleted
        dp.purge_expired(utcnow(), by="tests", expected=[old["id"] + 1])
    assert table_rows(app) == before
    with app.app_context():
        real = dp.purge_expired(utcnow(), by="tests")
    assert real.counts == dry.counts and real.meeting_ids == dry.meeting_ids


def test_progress_recorded_in_a_later_review_goes_with_the_earlier_meeting_and_the_later_one_stays(app, client, api, make_meeting):
    earlier = build_record(client, api, make_meeting, "SAME-1", "Earlier")
    start = utcnow().replace(microsecond=0) + timedelta(days=40)
    later = make_meeting(child_ref="SAME-1", title="Next review", scheduled_start=start.isoformat(),
                         scheduled_end=(start + timedelta(minutes=90)).isoformat())
    salt = earlier["action_ids"][1]
    status, body = api(later["chair"], later["id"], "actions.record_progress", action_id=salt, version=2, note="Reviewed: going well")
    assert status == 200, body
    set_times(app, earlier["id"], months_ago(86))
    with app.app_context():
        summary = dp.purge_expired(utcnow(), by="tests")
        assert summary.meeting_ids == [earlier["id"]]
        assert summary.counts["action_updates"] == 2  # the progress in its own meeting, and the one recorded in the review
        assert db.session.get(Meeting, later["id"]) is not None
    status, body = api(later["chair"], later["id"], "decisions.record", text="The later meeting carries on")
    assert status == 200, body


def test_a_purge_with_nothing_past_the_period_deletes_nothing_and_logs_an_empty_run(app, client, api, make_meeting):
    build_record(client, api, make_meeting, "NEW-1", "New")
    settings_row(app)
    before = table_rows(app)
    with app.app_context():
        summary = dp.purge_expired(utcnow(), by="tests")
    assert summary.meeting_ids == [] and sum(summary.counts.values()) == 0
    assert_unchanged_but_the_log(before, table_rows(app))
    assert log_entries(app, "purge")[0].detail["meetings"] == 0


# ---------------------------------------------------------------- subject access


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_subject_access_zip_holds_every_meeting_of_the_child_and_nothing_of_another(app, client, api, make_meeting):
    one = build_record(client, api, make_meeting, "AB-7", "Tamsin")
    two = build_record(client, api, make_meeting, "ab-7", "Ulrike")  # the same child, typed in lower case
    other = build_record(client, api, make_meeting, "ZZ-9", "Qx7")
    with app.app_context():
        assert [m.id for m in dp.child_records(" Ab-7 ")] == [one["id"], two["id"]]
        assert dp.child_records("AB-") == [] and dp.child_records("") == []
        data = dp.subject_access_export("AB-7", by="tests")
    files = read_zip(data)
    readme = files["README.txt"].decode()
    assert "Confidential entries are included" in readme and "subject access" in readme
    records = {name: json.loads(body) for name, body in files.items() if name.endswith("/record.json")}
    assert {r["meeting"]["id"] for r in records.values()} == {one["id"], two["id"]}
    for name, body in files.items():
        if "/documents/" in name:
            continue  # the pack's files, checked below
        text = body.decode("utf-8")
        assert "Qx7" not in text and "ZZ-9" not in text, name  # nothing of the other child
    assert not any("Qx7" in name for name in files)
    made_by_id = {one["id"]: one, two["id"]: two}
    for name, record in records.items():
        made = made_by_id[record["meeting"]["id"]]
        tag, folder = made["tag"], name.rsplit("/", 1)[0]
        actions = {a["what"]: a for a in record["actions"]}
        assert actions[f"Home diary {tag}"]["owner"] == f"Parent {tag}"
        assert actions[f"SALT sessions {tag}"]["owner"] == f"J. Patel {tag}"
        assert [h["note"] for h in actions[f"Home diary {tag}"]["progress_history"]] == [f"Progress {tag}"]
        secret = actions[f"Confidential health action {tag}"]
        assert secret["confidential"] is True and secret["owner"] == f"Dr EP {tag}"
        decisions = {d["text"]: d for d in record["decisions"]}
        assert decisions[f"Confidential decision {tag}"]["confidential"] is True
        disagreement, dissent = record["disagreements"]  # the second: a dissent from the minutes' views
        assert dissent["minutes_section"] == "views" and [p["view"] for p in dissent["positions"]] == [f"Not what I said {tag}"]
        assert {p["view"] for p in disagreement["positions"]} == {f"Parent view {tag}", f"Panel view {tag}"}
        assert {p["party"] for p in disagreement["positions"]} == {f"Parent {tag}", f"SEND panel {tag}"}
        assert {a["name"]: a["attendance"] for a in record["attendance"]} == {f"Parent {tag}": "in_room", f"Dr EP {tag}": "remote"}
        [version] = record["minutes"]["versions"]
        assert version["status"] == "approved" and version["approved_content"] and version["responses"][0]["response"] == "confirmed"
        assert [(a["section"], a["answer"], a["comment"]) for a in version["section_answers"]] == [("views", "dissent", f"Not what I said {tag}")]
        [invited] = [i for i in record["invitations"] if i["reply"]]
        assert invited["reply"] == "accepted" and invited["reply_note"] == f"Reply {tag}" and invited["first_sent_at"]
        assert record["minutes"]["details"]["child_views"] == f"Child views {tag}"
        questions = [(r["kind"], r["text"], r["status"], r["participant"]) for r in record["speaking_requests"]]
        assert questions == [("question", f"Parent question {tag}", "answered", f"Parent {tag}"), ("hand", None, "waiting", f"Parent {tag}")]
        assert {"meeting.create", "decisions.record", "actions.record"} <= {e["action"] for e in record["audit_trail"]}
        steps = {r["rule_id"]: r for r in record["statutory_record"]}
        assert steps["ENG-AR-08"]["reason"] == f"Report late {tag}" and steps["ENG-AR-05"]["done_on"]
        assert {p["name"]: p["choice"] or p["date"] for p in record["process_dates"]}["phase_transfer"] == "school"
        # the evidence pack: every document as a file (the confidential one too), what was asked and answered
        documents = {d["name"]: d for d in record["documents"]}
        assert set(documents) == {f"advice-{tag}.pdf", f"health-{tag}.png"} and documents[f"health-{tag}.png"]["confidential"]
        assert files[f"{folder}/{documents[f'advice-{tag}.pdf']['file']}"].startswith(b"%PDF-")
        assert files[f"{folder}/{documents[f'health-{tag}.png']['file']}"].startswith(b"\x89PNG")
        answers = {r["what"]: r for r in record["evidence_requests"]}
        assert answers[f"Views {tag}"]["answer"] == f"Child's own words {tag}" and answers[f"Views {tag}"]["how_gathered"] == "conversation"
        assert record["pack_circulations"][0]["circulated_on"]
        markdown = files[f"{folder}/minutes-v1-approved.md"].decode()
        assert f"Home diary {tag}" in markdown and f"Confidential decision {tag}" not in markdown  # the minutes leave it out
        assert b"<html" in files[f"{folder}/minutes-v1-approved.html"].lower()
        assert f"{folder}/minutes-from-the-record-now.md" in files
        dumped = json.dumps(record)
        assert made["chair"] not in dumped and made["screen"] not in dumped  # no secret links
        for domain in ("@example.org", "@nhs.example", "@school.example"):  # no reminder addresses, audit trail included
            assert domain not in dumped.lower(), domain
        assert dp.ADDRESS_WITHHELD in dumped
    assert other["id"] not in {r["meeting"]["id"] for r in records.values()}


def test_a_subject_access_export_is_logged_with_a_hash_of_the_reference_not_the_reference(app, client, api, make_meeting):
    one = build_record(client, api, make_meeting, "AB-7", "Tamsin")
    with app.app_context():
        dp.subject_access_export("ab-7", by="tests")
    [entry] = log_entries(app, "subject_access_export")
    assert entry.detail["child_ref_hmac"] == ref_hmac(app, "AB-7")
    assert entry.detail["meeting_ids"] == [one["id"]] and entry.detail["meetings"] == 1
    assert "ab-7" not in json.dumps(entry.detail).lower()
    with app.app_context():  # and in the meeting's own access log
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.meeting_id == one["id"], AuditEntry.action == "subject_access_export")) == 1


# ---------------------------------------------------------------- erasure


def test_erasing_a_child_removes_their_meetings_only_and_is_logged(app, client, api, make_meeting):
    settings_row(app)
    build_record(client, api, make_meeting, "ZZ-9", "Other")
    before = table_rows(app)
    one = build_record(client, api, make_meeting, "AB-7", "Tamsin")
    two = build_record(client, api, make_meeting, "Ab-7", "Ulrike")
    with app.app_context():
        erasure = dp.erase_child("aB-7", by="tests")
    assert erasure.meeting_ids == sorted([one["id"], two["id"]])
    assert_unchanged_but_the_log(before, table_rows(app))
    [entry] = log_entries(app, "erase")
    assert entry.detail["child_ref_hmac"] == ref_hmac(app, "AB-7")
    assert entry.detail["meeting_ids"] == erasure.meeting_ids and entry.detail["counts"]["meetings"] == 2
    assert "ab-7" not in json.dumps(entry.detail).lower() and "tamsin" not in json.dumps(entry.detail).lower()


def test_erasing_a_reference_with_no_meetings_is_refused_and_changes_nothing(app, client, api, make_meeting):
    build_record(client, api, make_meeting, "ZZ-9", "Other")
    settings_row(app)
    before = table_rows(app)
    with app.app_context():
        with pytest.raises(NotFound):
            dp.erase_child("ZZ-", by="tests")
        with pytest.raises(InvalidValue):
            dp.erase_child("   ", by="tests")
    assert table_rows(app) == before


# ---------------------------------------------------------------- the command line


def test_purge_expired_from_the_command_line_shows_a_dry_run_then_purges(app, make_meeting):
    old = make_meeting(child_ref="OLD-3")["id"]
    kept = make_meeting(child_ref="NEW-3")["id"]
    set_times(app, old, months_ago(85))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["purge-expired", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Would purge 1 meetings: {old}" in dry.output and "meetings: 1" in dry.output and "Dry run" in dry.output
    assert meeting_ids(app) == {old, kept}
    future = runner.invoke(args=["purge-expired", "--now", (utcnow() + timedelta(days=3650)).isoformat()])
    assert future.exit_code != 0 and "only allowed with --dry-run" in future.output
    assert meeting_ids(app) == {old, kept}
    done = runner.invoke(args=["purge-expired"])
    assert done.exit_code == 0, done.output
    assert f"Purged 1 meetings: {old}" in done.output and "agenda_items:" in done.output
    assert meeting_ids(app) == {kept}
    assert log_entries(app, "purge")[0].actor.startswith("Command line")
    # Looking ahead: what a run in 8 years would purge (nothing is changed).
    ahead = runner.invoke(args=["purge-expired", "--dry-run", "--now", (utcnow() + timedelta(days=365 * 8)).isoformat()])
    assert ahead.exit_code == 0 and f"Would purge 1 meetings: {kept}" in ahead.output
    assert meeting_ids(app) == {kept}


def test_export_child_writes_the_zip_and_erase_child_needs_yes(app, client, api, make_meeting, tmp_path):
    one = build_record(client, api, make_meeting, "CL-1", "Cli")
    keep = make_meeting(child_ref="CL-2")["id"]
    runner = app.test_cli_runner()
    out = tmp_path / "sar.zip"
    result = runner.invoke(args=["export-child", "cl-1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 meetings" in result.output
    files = read_zip(out.read_bytes())
    assert "README.txt" in files and any(n.endswith("record.json") for n in files)
    refused = runner.invoke(args=["erase-child", "CL-1"])
    assert refused.exit_code == 1 and "--yes" in refused.output
    assert meeting_ids(app) == {one["id"], keep}
    erased = runner.invoke(args=["erase-child", "CL-1", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert f"Erased 1 meetings: {one['id']}" in erased.output
    assert meeting_ids(app) == {keep}
    assert runner.invoke(args=["erase-child", "CL-1", "--yes"]).exit_code == 1  # nothing left to erase


# ---------------------------------------------------------------- the administrators' pages

PAGES = [("get", "/admin/data-protection/"), ("post", "/admin/data-protection/purge"), ("post", "/admin/data-protection/child"),
         ("post", "/admin/data-protection/export"), ("post", "/admin/data-protection/erase")]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_the_data_protection_pages_are_for_administrators_only(app, client, staff, make_meeting, method, path):
    old = make_meeting(child_ref="AB-7")["id"]
    set_times(app, old, months_ago(85))
    form = {"child_ref": "AB-7", "confirm_child_ref": "AB-7", "confirmed": "yes", "meeting_ids": str(old)}
    r = getattr(client, method)(path, data=form)
    assert r.status_code == 302 and "/login" in r.headers["Location"]  # not signed in
    sign_in(client, staff["email"])
    assert getattr(client, method)(path, data=form).status_code == 403  # a chair's account
    assert meeting_ids(app) == {old}
    assert log_entries(app, "purge") == log_entries(app, "erase") == log_entries(app, "subject_access_export") == []


def test_an_administrator_sees_the_retention_period_and_purges_after_confirming(app, client, admin, make_meeting):
    old = make_meeting(child_ref="OLD-4", title="Old review")["id"]
    kept = make_meeting(child_ref="NEW-4")["id"]
    set_times(app, old, months_ago(85))
    sign_in(client, admin["email"])
    assert 'href="/admin/data-protection/"' in client.get("/admin/").get_data(as_text=True)  # in the admin menu
    page = client.get("/admin/data-protection/").get_data(as_text=True)
    assert "84 months" in page and 'id="expired-count"><strong>1</strong>' in page and "Old review" in page
    confirm = client.post("/admin/data-protection/purge")
    assert confirm.status_code == 200 and meeting_ids(app) == {old, kept}  # the first post only shows what would go
    html = confirm.get_data(as_text=True)
    assert 'name="confirmed" value="yes"' in html and f'name="meeting_ids" value="{old}"' in html and "agenda_items" in html
    # A confirmation for another list (it changed since) deletes nothing.
    stale = client.post("/admin/data-protection/purge", data={"confirmed": "yes", "meeting_ids": f"{old},{kept}"})
    assert stale.status_code == 200 and "changed since" in stale.get_data(as_text=True) and meeting_ids(app) == {old, kept}
    done = client.post("/admin/data-protection/purge", data={"confirmed": "yes", "meeting_ids": str(old)})
    assert done.status_code == 303 and meeting_ids(app) == {kept}
    [entry] = log_entries(app, "purge")
    assert entry.actor == "Ms Admin <admin@school.test>" and entry.detail["meeting_ids"] == [old]
    page = client.get("/admin/data-protection/").get_data(as_text=True)
    assert "No meetings are past the retention period now" in page and 'id="data-protection-log"' in page and "Purge" in page
    with app.app_context():
        assert db.session.get(Organisation, 1).retention_months == 84


def test_an_administrator_finds_a_child_downloads_their_records_and_erases_them_after_typing_the_reference(app, client, admin, api, make_meeting):
    one = build_record(client, api, make_meeting, "AB-7", "Tamsin")
    other = make_meeting(child_ref="ZZ-9")["id"]
    sign_in(client, admin["email"])
    found = client.post("/admin/data-protection/child", data={"child_ref": "ab-7"})
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert "Review Tamsin" in html and 'id="erase-child"' in html and 'id="export-child"' in html
    assert client.post("/admin/data-protection/child", data={"child_ref": ""}).status_code == 422

    download = client.post("/admin/data-protection/export", data={"child_ref": "AB-7"})
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "attachment" in download.headers["Content-Disposition"] and download.headers["Cache-Control"] == "no-store"
    files = read_zip(download.data)
    assert [json.loads(b)["meeting"]["id"] for n, b in files.items() if n.endswith("record.json")] == [one["id"]]
    assert log_entries(app, "subject_access_export")[0].actor == "Ms Admin <admin@school.test>"

    before = table_rows(app)
    for typed in ("AB-8", "", "AB-7 and more"):
        r = client.post("/admin/data-protection/erase", data={"child_ref": "AB-7", "confirm_child_ref": typed})
        assert r.status_code == 422 and "Nothing was deleted" in r.get_data(as_text=True), typed
    assert table_rows(app) == before  # a mistyped confirmation changes nothing, not even the log
    r = client.post("/admin/data-protection/erase", data={"child_ref": "AB-7", "confirm_child_ref": " ab-7 "})
    assert r.status_code == 303
    assert meeting_ids(app) == {other}
    assert log_entries(app, "erase")[0].detail["meeting_ids"] == [one["id"]]
    page = client.get("/admin/data-protection/").get_data(as_text=True)
    assert "Erasure" in page and "Subject access export" in page and "AB-7" not in page


def ref_hmac(app, ref: str) -> str:
    """The keyed hash the admin log keeps instead of a child reference."""
    with app.app_context():
        from facilitation.services.data_protection import child_ref_hash

        return child_ref_hash(ref)
