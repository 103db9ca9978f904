"""The permission matrix: every command, socket event and route tried by every meeting role and by
an outsider. Allowed ones get past authorisation; the others are refused, change nothing and
broadcast nothing. The expected answers come from one table (domain.access.PERMISSIONS) for
commands, and from the table below for pages, so a change to either shows here."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from facilitation import services
from facilitation.auth import declared
from facilitation.domain import access
from facilitation.extensions import db
from facilitation.models import AuditEntry, Meeting, MeetingEvent
from tests.conftest import add_staff, events_of, sign_in

ROLES = ("chair", "note_taker", "participant", "observer", "screen")


@pytest.fixture
def people(app, client, meeting, make_meeting, api):
    """A meeting with a link of every role, the test client each uses, and an outsider's chair link."""
    note_taker = add_staff(app, "notes@school.test", "Mr Notes", "note_taker")
    status, body = api(meeting["chair"], meeting["id"], "links.add_note_taker", email=note_taker["email"])
    assert status == 200, body
    r = client.post(
        f"/api/v1/meetings/{meeting['id']}/commands/participants.add",
        json={"name": "Ms Watch", "role": "other", "agency": "other", "observer": True},
        headers={"Authorization": f"Bearer {meeting['chair']}"},
    )
    assert r.status_code == 200, r.get_json()
    notes_client = app.test_client()
    sign_in(notes_client, note_taker["email"])
    other = make_meeting(title="Another child's review", child_ref="ZZ-9")
    return {
        "tokens": {
            "chair": meeting["chair"],
            "note_taker": meeting_links(app, meeting["id"], "note_taker"),
            "participant": meeting["participants"][0],
            "observer": meeting_links(app, meeting["id"], "observer"),
            "screen": meeting["screen"],
        },
        "clients": {"note_taker": notes_client},
        "outsider": other["chair"],
        "meeting_id": meeting["id"],
    }


def meeting_links(app, meeting_id: int, role: str) -> str:
    from facilitation.models import AccessLink

    with app.app_context():
        return db.session.scalar(select(AccessLink.token).where(AccessLink.meeting_id == meeting_id, AccessLink.role == role))


def state(app, meeting_id: int) -> tuple:
    """What a refused command must not change: the meeting's seq, events and audit trail."""
    with app.app_context():
        return (
            db.session.get(Meeting, meeting_id).last_seq,
            db.session.scalar(select(func.count()).select_from(MeetingEvent).where(MeetingEvent.meeting_id == meeting_id)),
            db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.notlike("%.open"), AuditEntry.meeting_id == meeting_id)),
        )


@pytest.mark.parametrize("role", ROLES)
def test_every_command_over_the_api_is_allowed_or_refused_as_the_table_says(app, client, people, role):
    token = people["tokens"][role]
    http = people["clients"].get(role, client)
    for name in sorted(services.pipeline.COMMANDS):
        before = state(app, people["meeting_id"])
        r = http.post(f"/api/v1/meetings/{people['meeting_id']}/commands/{name}", json={}, headers={"Authorization": f"Bearer {token}"})
        if access.may(role, name):
            assert r.status_code not in (401, 403), (role, name, r.get_json())
        else:
            assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden", (role, name, r.get_json())
            assert state(app, people["meeting_id"]) == before, (role, name)


def test_an_outsider_reaches_nothing_of_another_meeting_whatever_the_command(app, client, people):
    before = state(app, people["meeting_id"])
    for name in sorted(services.pipeline.COMMANDS):
        r = client.post(
            f"/api/v1/meetings/{people['meeting_id']}/commands/{name}", json={}, headers={"Authorization": f"Bearer {people['outsider']}"}
        )
        # The same answer as for a meeting that does not exist: ids reveal nothing.
        assert r.status_code == 404, (name, r.get_json())
    for path in ("", "/events", "/links", "/minutes", "/previous-actions", "/history/decision/1", "/timeline"):
        r = client.get(f"/api/v1/meetings/{people['meeting_id']}{path}", headers={"Authorization": f"Bearer {people['outsider']}"})
        assert r.status_code == 404, path
    assert state(app, people["meeting_id"]) == before


@pytest.mark.parametrize("role", ROLES)
def test_every_command_over_a_socket_is_allowed_or_refused_and_a_refusal_reaches_nobody(app, people, sockets, role):
    app.config["SOCKET_EVENT_BURST"] = 1000  # this test sends every command at once; flooding is tested elsewhere
    watcher = sockets(people["tokens"]["chair"])
    actor = sockets(people["tokens"][role], people["clients"].get(role))
    assert actor.is_connected()
    events_of(watcher)
    for name in sorted(services.pipeline.COMMANDS):
        ack = actor.emit("command", {"id": f"matrix-{role}-{name}", "name": name, "args": {}}, callback=True)
        if access.may(role, name):
            assert ack["ok"] or ack["error"]["code"] not in ("forbidden", "unauthorised"), (role, name, ack)
            events_of(watcher)  # an allowed command may have succeeded (e.g. starting the meeting)
        else:
            assert ack == {"ok": False, "error": {"code": "forbidden", "message": ack["error"]["message"]}}, (role, name)
            assert events_of(watcher) == [], (role, name)
    for event in ("sync", "time"):
        assert actor.emit(event, {}, callback=True)["ok"] is True
    assert actor.emit("delete_everything", {}, callback=True)["error"]["code"] == "unknown_event"


def test_a_forged_or_foreign_token_opens_no_socket(sockets, people):
    assert not sockets("x" * 43).is_connected()
    outsider = sockets(people["outsider"])
    snapshot = outsider.emit("sync", {}, callback=True)["snapshot"]
    assert snapshot["meeting"]["id"] != people["meeting_id"]  # only ever its own meeting


# ---------------------------------------------------------------- routes


def test_every_route_declares_who_may_use_it(app):
    with app.test_request_context():
        missing = [rule.endpoint for rule in app.url_map.iter_rules() if declared(rule.endpoint) is None]
    assert missing == []


def test_a_route_that_declares_nobody_is_refused_before_its_view_runs(app, client):
    ran = []

    @app.get("/undeclared-test-route")
    def undeclared():
        ran.append(True)
        return "should not be served"

    assert client.get("/undeclared-test-route").status_code == 404 and ran == []


#: Pages a link opens, and the link roles each serves (every other role, and outsiders, get 404).
LINK_PAGES = {
    "/chair/{t}": {"chair", "note_taker"},
    "/screen/{t}": {"screen"},
    "/join/{t}": {"participant", "observer"},
    "/minutes/{t}": {"chair", "note_taker", "participant", "observer", "screen"},
    "/minutes/{t}/state.json": {"chair", "note_taker", "participant", "observer", "screen"},
    "/minutes/{t}/preview": {"chair", "note_taker", "participant", "observer", "screen"},
    "/minutes/{t}/export/csv": {"chair", "note_taker", "participant", "observer", "screen"},
    "/actions/{t}": {"chair"},
    "/actions/{t}/overview": {"chair"},
    "/actions/{t}/statutory": {"chair"},
    "/actions/{t}/export.csv": {"chair"},
    "/actions/{t}/emails": {"chair"},
    "/actions/{t}/outbox": {"chair"},
    "/join/{t}/actions": {"participant"},
}


@pytest.mark.parametrize("page", sorted(LINK_PAGES))
def test_every_link_page_opens_for_its_roles_only(app, client, people, page):
    for role in ROLES:
        http = people["clients"].get(role, client)
        r = http.get(page.format(t=people["tokens"][role]))
        expected = 200 if role in LINK_PAGES[page] else 404
        assert r.status_code == expected, (page, role, r.status_code)
    assert client.get(page.format(t="x" * 43)).status_code == 404


def test_every_link_page_is_in_the_table(app):
    with app.app_context():
        link_rules = {
            rule.rule.replace("<token>", "{t}")
            for rule in app.url_map.iter_rules()
            if "<token>" in rule.rule and "<" not in rule.rule.replace("<token>", "") and "GET" in rule.methods
            and declared(rule.endpoint) == {"link"}
        }
    assert link_rules - set(LINK_PAGES) == set()
