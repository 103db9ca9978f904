"""Two organisations' live rooms side by side: what happens in one reaches nobody of the other, each
socket event is scoped to its meeting's organisation, and an account's access through another
organisation's grant ends, sockets and all, when the grant is removed."""

from __future__ import annotations

from sqlalchemy import select

from facilitation.extensions import db, socketio
from facilitation.models import OrganisationGrant, SecurityEvent, User
from facilitation.realtime.broadcast import cut_off_links
from facilitation.services import grants
from tests.conftest import events_of
from tests.web.organisations import add_account, add_organisation, grant, signed_in, two_schools


def test_a_command_in_one_organisations_meeting_reaches_only_that_meetings_sockets(app, client, sockets):
    schools = two_schools(app)
    a, b = schools["a"], schools["b"]
    in_a = [sockets(a["chair"]), sockets(a["participant"]), sockets(a["screen"])]
    in_b = sockets(b["participant"])
    for sc in [*in_a, in_b]:
        events_of(sc)
    ack = sockets(b["chair"]).emit(
        "command", {"id": "b-start", "name": "clock.start_meeting", "args": {}}, callback=True
    )
    assert ack["ok"] is True
    assert [e["type"] for e in events_of(in_b)] == ["clock.start_meeting"]
    assert all(events_of(sc) == [] for sc in in_a)


def test_a_refused_socket_event_is_logged_in_the_organisation_of_the_meeting(app, client, sockets):
    schools = two_schools(app)
    b = schools["b"]
    participant = sockets(b["participant"])
    ack = participant.emit("command", {"id": "b-end", "name": "clock.end_meeting", "args": {}}, callback=True)
    assert ack["error"]["code"] == "forbidden"
    with app.app_context():
        rows = db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "forbidden")).all()
        assert [(r.detail, r.organisation_id) for r in rows] == [("clock.end_meeting", schools["b_id"])]


def granted_officer(app):
    """A local-authority officer whom school A granted observer access, after opening A's meeting: A,
    the grant's id, the officer's signed-in client and the link token the opening gave them."""
    schools = two_schools(app)
    la = add_organisation(app, "Northshire Local Authority", "northshire")
    officer = add_account(app, la, "officer@northshire.test", "Ms Officer", "chair")
    grant_id = grant(app, schools["a_id"], officer["id"], "observer")
    http = signed_in(app, officer)
    token = http.post(f"/meetings/{schools['a']['id']}/open").location.rsplit("/", 1)[1]
    return schools["a"], grant_id, http, token


def test_a_granted_officers_socket_joins_in_the_grants_role_and_is_cut_off_when_the_grant_goes(app, client, sockets):
    a, grant_id, http, token = granted_officer(app)
    sc = socketio.test_client(app, auth={"token": token}, flask_test_client=http)
    try:
        assert sc.is_connected()
        snapshot = sc.emit("sync", {}, callback=True)["snapshot"]
        assert snapshot["meeting"]["id"] == a["id"] and snapshot["viewer"]["role"] == "observer"
        ack = sc.emit("command", {"id": "o-1", "name": "decisions.record", "args": {"text": "x"}}, callback=True)
        assert ack["error"]["code"] == "forbidden"  # an observer writes nothing
        with app.app_context():
            row = db.session.get(OrganisationGrant, grant_id)
            revoked = grants.remove_grant(row, by=db.session.get(User, a["admin"]["id"]))
            cut_off_links(revoked, "Your access to this organisation's meetings was removed.")
        assert not sc.is_connected()
        again = socketio.test_client(app, auth={"token": token}, flask_test_client=http)
        assert not again.is_connected()
    finally:
        if sc.is_connected():
            sc.disconnect()


def test_a_grant_deleted_by_any_means_stops_the_officers_link_at_its_next_request_and_socket_event(app, client):
    a, grant_id, http, token = granted_officer(app)
    sc = socketio.test_client(app, auth={"token": token}, flask_test_client=http)
    try:
        assert sc.emit("time", {}, callback=True)["ok"] is True
        with app.app_context():
            db.session.delete(db.session.get(OrganisationGrant, grant_id))  # its link left as it was
            db.session.commit()
        assert http.get(f"/join/{token}").status_code == 404
        assert sc.emit("time", {}, callback=True)["error"]["code"] == "unauthorised"
    finally:
        if sc.is_connected():
            sc.disconnect()


def test_a_failed_sign_in_and_a_withdrawn_links_socket_event_are_logged_in_their_organisation(
    app, client, sockets, api
):
    schools = two_schools(app)
    b = schools["b"]
    assert (
        client.post("/login", data={"email": b["admin"]["email"], "password": "wrong password here"}).status_code == 401
    )
    participant = sockets(b["participant"])
    with app.app_context():
        from facilitation.models import AccessLink, utcnow

        link = db.session.scalar(select(AccessLink).where(AccessLink.token == b["participant"]))
        link.revoked_at = utcnow()
        db.session.commit()
    assert participant.emit("time", {}, callback=True)["error"]["code"] == "unauthorised"
    with app.app_context():
        rows = {(r.kind, r.organisation_id) for r in db.session.scalars(select(SecurityEvent))}
    assert ("sign_in_failed", schools["b_id"]) in rows and ("unauthorised", schools["b_id"]) in rows


def test_an_officer_granted_the_participant_role_gets_clear_answers_to_participant_commands(app, client):
    from facilitation import services
    from facilitation.domain import access

    schools = two_schools(app)
    a = schools["a"]
    la = add_organisation(app, "Northshire Local Authority", "northshire")
    officer = add_account(app, la, "officer@northshire.test", "Ms Officer", "chair")
    grant(app, schools["a_id"], officer["id"], "participant")
    chair = socketio.test_client(app, auth={"token": a["chair"]}, flask_test_client=client)
    events_of(chair)
    http = signed_in(app, officer)
    r = http.post(f"/meetings/{a['id']}/open")
    assert r.location.startswith("/join/") and http.get(r.location).status_code == 200
    # The chair's people list gains them, once, as a local-authority officer of their organisation.
    assert http.post(f"/meetings/{a['id']}/open").location == r.location
    added = [e for e in events_of(chair) if e["type"] == "participants.add"]
    chair.disconnect()
    assert [(p["name"], p["role"], p["agency_label"]) for e in added for p in e["data"]["participants"]] == [
        ("Ms Officer", "la_officer", "Northshire Local Authority")
    ]
    token = r.location.rsplit("/", 1)[1]
    app.config["SOCKET_EVENT_BURST"] = 1000
    sc = socketio.test_client(app, auth={"token": token}, flask_test_client=http)
    try:
        # The commands with arguments that pass validation, so each gets as far as who the sender is.
        given = {
            "queue.ask": {"kind": "question", "text": "When is the next review?"},
            "positions.add": {"disagreement_id": a["disagreement_id"], "view": "Full-time support"},
            "actions.confirm": {"action_id": a["action_id"]},
            "minutes.confirm": {"number": 1},
        }
        answers = {}
        for name in sorted(services.pipeline.COMMANDS):
            if access.may("participant", services.pipeline.COMMANDS[name].permission):
                ack = sc.emit("command", {"id": f"p-{name}", "name": name, "args": given.get(name, {})}, callback=True)
                answers[name] = "ok" if ack["ok"] else ack["error"]["code"]
        assert "server_error" not in answers.values(), answers
        assert (
            answers["queue.ask"] == "ok"
            and answers["positions.add"] == "ok"
            and answers["actions.confirm"] != "server_error"
        ), answers
    finally:
        sc.disconnect()
