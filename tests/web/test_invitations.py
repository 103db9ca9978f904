"""Invitations by e-mail over the JSON API (development outbox): inviting one person or everyone, the chair's
list of where each stands, replies through the invitee's own link, and the bad inputs that change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from facilitation.extensions import db
from facilitation.models import AccessLink, AuditEntry, Invitation, OutboxMessage


def _add(client, m, name, role, agency, **extra):
    r = client.post(f"/api/v1/meetings/{m['id']}/commands/participants.add", json={"name": name, "role": role, "agency": agency, **extra},
                    headers={"Authorization": f"Bearer {m['chair']}"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    return body["participant_id"], body["join_path"].rsplit("/", 1)[1]


def _view(client, m, token=None):
    r = client.get(f"/api/v1/meetings/{m['id']}/invitations", headers={"Authorization": f"Bearer {token or m['chair']}"})
    return r.status_code, r.get_json()


def _person(view, participant_id):
    return next(p for p in view["people"] if p["participant_id"] == participant_id)


def _outbox(app):
    with app.app_context():
        return [(m.recipient, m.subject, m.body) for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_the_chair_invites_a_parent_who_gets_their_own_link_and_is_shown_as_invited(app, client, make_meeting, api):
    m = make_meeting()
    sam, sam_token = _add(client, m, "Sam Parent", "parent", "family", email="sam@family.example")
    status, view = _view(client, m)
    assert status == 200 and _person(view, sam)["state"] == "not_invited" and _person(view, sam)["state_text"] == "Not invited"

    status, body = api(m["chair"], m["id"], "invitations.send", participant_id=sam)
    assert status == 200, body
    sent = _outbox(app)
    assert len(sent) == 1
    to, subject, text = sent[0]
    assert to == "sam@family.example" and subject.startswith("Invitation: Annual review")
    assert f"/join/{sam_token}" in text and "What to bring" in text and "How to reply" in text
    person = _person(_view(client, m)[1], sam)
    assert person["state"] == "invited" and person["state_text"].startswith("Invited on ")
    assert person["notice"]["days"] == 0 and person["notice"]["short"] is True  # sent on the day: short of 14 days
    assert "short notice" in person["notice"]["text"]


def test_inviting_everyone_not_yet_invited_skips_those_without_an_address_and_those_already_invited(app, client, make_meeting, api):
    m = make_meeting()
    a, _ = _add(client, m, "Sam Parent", "parent", "family", email="sam@family.example")
    b, _ = _add(client, m, "Dr Eve Psych", "educational_psychologist", "ep_service", email="eve@ep.example")
    c, _ = _add(client, m, "No Address", "social_worker", "social_care")
    api(m["chair"], m["id"], "invitations.send", participant_id=a)
    status, body = api(m["chair"], m["id"], "invitations.send_all")
    assert status == 200 and body["invited"] == [b]
    assert body["skipped"] == [{"participant_id": c, "name": "No Address", "reason": "no e-mail address"}]
    assert sorted(to for to, _, _ in _outbox(app)) == ["eve@ep.example", "sam@family.example"]


def test_the_chair_reminds_those_who_have_not_answered_once_each(app, client, make_meeting, api):
    m = make_meeting()
    sam, sam_token = _add(client, m, "Sam Parent", "parent", "family", email="sam@family.example")
    eve, _ = _add(client, m, "Dr Eve Psych", "educational_psychologist", "ep_service", email="eve@ep.example")
    api(m["chair"], m["id"], "invitations.send_all")
    api(sam_token, m["id"], "invitations.reply", response="accepted")
    status, body = api(m["chair"], m["id"], "invitations.remind")
    assert status == 200 and body["reminded"] == [eve]
    to, subject, text = _outbox(app)[-1]
    assert to == "eve@ep.example" and subject.startswith("Reminder: please answer") and "/join/" in text
    assert len(_outbox(app)) == 3
    with app.app_context():
        assert db.session.scalar(select(Invitation.sequence).where(Invitation.participant_id == eve)) == 0  # the same request
    assert _person(_view(client, m)[1], eve)["state"] == "invited"


def test_a_malformed_address_is_refused_naming_the_field_and_nothing_is_sent_or_kept(app, client, make_meeting, api):
    m = make_meeting()
    sam, _ = _add(client, m, "Sam Parent", "parent", "family")
    status, body = api(m["chair"], m["id"], "invitations.send", participant_id=sam, email="sam at family")
    assert status == 422 and "email" in body["error"]["fields"]
    status, body = api(m["chair"], m["id"], "invitations.send", participant_id=sam)
    assert status == 422 and "email" in body["error"]["fields"]  # no address on file
    assert _outbox(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert _person(_view(client, m)[1], sam)["email"] is None


def test_forged_participant_ids_and_other_roles_cannot_invite(app, client, make_meeting, api):
    m = make_meeting()
    other = make_meeting(child_ref="ZZ-9")
    sam, sam_token = _add(client, m, "Sam Parent", "parent", "family", email="sam@family.example")
    stranger, _ = _add(client, other, "Someone Else", "parent", "family", email="else@family.example")
    _, observer_token = _add(client, m, "Watcher", "other", "other", observer=True)

    status, body = api(m["chair"], m["id"], "invitations.send", participant_id=stranger)
    assert status == 404 and "participant_id" in body["error"]["fields"]
    for token in (sam_token, observer_token, m["screen"]):
        status, body = api(token, m["id"], "invitations.send", participant_id=sam)
        assert status == 403, body
        status, _ = api(token, m["id"], "invitations.send_all")
        assert status == 403
        assert _view(client, m, token)[0] == 403  # nor read the addresses and replies
    assert _outbox(app) == []


def test_an_invitee_replies_through_their_own_link_and_the_chair_sees_it(app, client, make_meeting, api):
    m = make_meeting()
    sam, sam_token = _add(client, m, "Sam Parent", "parent", "family", email="sam@family.example")
    api(m["chair"], m["id"], "invitations.send", participant_id=sam)
    page = client.get(f"/join/{sam_token}").get_data(as_text=True)
    assert 'id="invitation-form"' in page and "I can only join remotely" in page

    status, body = api(sam_token, m["id"], "invitations.reply", response="remote_only", interpreter_language="Polish",
                       note="Mornings are hard for us")
    assert status == 200 and body["invitation"]["reply_label"] == "Can only join remotely"
    person = _person(_view(client, m)[1], sam)
    assert person["state"] == "remote_only" and person["reply_note"] == "Mornings are hard for us"
    assert person["state_text"].startswith("Can only join remotely (invited on ")
    snapshot = client.get(f"/api/v1/meetings/{m['id']}", headers={"Authorization": f"Bearer {m['chair']}"}).get_json()
    parent = next(p for p in snapshot["participants"] if p["id"] == sam)
    assert parent["language"] == "Polish" and parent["needs_interpreter"] is True

    status, body = api(sam_token, m["id"], "invitations.reply", response="maybe")
    assert status == 422 and "response" in body["error"]["fields"]
    status, body = api(sam_token, m["id"], "invitations.reply", response="accepted", interpreter_language="  ")
    assert status == 422 and "interpreter_language" in body["error"]["fields"]
    assert _person(_view(client, m)[1], sam)["state"] == "remote_only"


def test_a_reply_through_a_withdrawn_link_is_refused_and_changes_nothing(app, client, make_meeting, api):
    m = make_meeting()
    sam, sam_token = _add(client, m, "Sam Parent", "parent", "family", email="sam@family.example")
    with app.app_context():
        link_id = db.session.scalar(select(AccessLink.id).where(AccessLink.participant_id == sam))
    api(m["chair"], m["id"], "links.revoke", link_id=link_id)
    with app.app_context():
        audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    status, body = api(sam_token, m["id"], "invitations.reply", response="accepted")
    assert status == 401 and body["error"]["code"] == "unauthorised"
    assert client.get(f"/join/{sam_token}").status_code == 404
    assert _person(_view(client, m)[1], sam)["reply"] is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    # and the chair cannot invite someone whose link was withdrawn: it would not open
    status, body = api(m["chair"], m["id"], "invitations.send", participant_id=sam)
    assert status == 409 and "withdrawn" in body["error"]["message"]


def test_moving_the_meeting_sends_an_update_and_removing_someone_sends_a_cancellation(app, client, make_meeting, api):
    m = make_meeting()
    sam, _ = _add(client, m, "Sam Parent", "parent", "family", email="sam@family.example")
    eve, _ = _add(client, m, "Dr Eve Psych", "educational_psychologist", "ep_service", email="eve@ep.example")
    api(m["chair"], m["id"], "invitations.send_all")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    status, body = api(m["chair"], m["id"], "meeting.update", version=1, scheduled_start=start.isoformat(),
                       scheduled_end=(start + timedelta(hours=1)).isoformat())
    assert status == 200, body
    status, _ = api(m["chair"], m["id"], "meeting.update", version=2, title="Annual review (Year 6)")  # not moved: no mail
    subjects = [s for _, s, _ in _outbox(app)]
    assert len(subjects) == 4 and sum(s.startswith("Changed:") for s in subjects) == 2
    api(m["chair"], m["id"], "participants.remove", participant_id=eve)
    to, subject, text = _outbox(app)[-1]
    assert to == "eve@ep.example" and subject.startswith("Cancelled for you:") and "/join/" not in text
    with app.app_context():
        rows = {i.participant_id: i for i in db.session.scalars(select(Invitation))}
        assert (rows[sam].sequence, rows[sam].kind) == (1, "invitation_update")
        assert (rows[eve].sequence, rows[eve].kind, rows[eve].status) == (2, "invitation_cancel", "sent")
    assert [p["participant_id"] for p in _view(client, m)[1]["people"]] == [sam]


def test_the_must_invite_check_warns_of_each_missing_role_of_an_annual_review(client, make_meeting, api):
    m = make_meeting()
    sam, _ = _add(client, m, "Sam Parent", "parent", "family", email="sam@family.example")
    _add(client, m, "Ms Head", "head_teacher", "school")
    api(m["chair"], m["id"], "invitations.send", participant_id=sam)
    view = _view(client, m)[1]
    checks = {c["key"]: c for c in view["expected"]["checks"]}
    assert view["expected"]["rule"] == "ENG-AR-04"
    assert checks["parent"]["state"] == "invited" and not checks["parent"]["warning"]
    assert checks["head"]["state"] == "not_invited" and checks["head"]["warning"]
    assert {k for k, c in checks.items() if c["state"] == "missing"} == {"la", "health", "social_care"}
    assert view["notice_rule"]["rule_id"] == "ENG-AR-05" and view["notice_rule"]["latest"]


def test_an_iep_meeting_lists_the_iep_team_and_a_notice_rule_without_fixed_days(client, make_meeting, api):
    m = make_meeting(meeting_type="iep_meeting")
    _add(client, m, "Pat Parent", "parent", "family")
    _add(client, m, "Mr Rep", "district_representative", "local_authority")
    view = _view(client, m)[1]
    checks = {c["key"]: c for c in view["expected"]["checks"]}
    assert set(checks) == {"parent", "regular_teacher", "special_teacher", "district", "evaluation", "child"}
    assert checks["evaluation"]["state"] == "not_invited"  # the district representative may interpret evaluations
    assert checks["special_teacher"]["state"] == "missing" and checks["child"]["warning"] is False
    assert view["notice_rule"] == {"rule_id": "US-IEP-04", "latest": None,
                                   "text": "US-IEP-04: notice early enough for the parent to attend; the rule sets no fixed number of days."}
