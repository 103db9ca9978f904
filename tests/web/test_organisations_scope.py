"""Many organisations in one deployment: nothing of organisation B reaches anyone of organisation A.

The walks are derived from the app, not listed by hand: every route of the URL map, with B's ids in
its path and its form, tried by A's administrator and chair (signed in) and with A's link and staff
API token; every command of the registry sent over A's socket with B's entity ids. A route or
command added later is walked too; one that answers B's id differently from an id that does not
exist, shows B's data, or changes anything of B fails here.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from facilitation import services
from facilitation.auth import declared
from facilitation.domain import access
from facilitation.extensions import db
from facilitation.models import AccessLink, AdminLogEntry, AgendaItem, AuditEntry, Meeting, User
from tests.conftest import app_with, events_of
from tests.web.organisations import auth, grant, signed_in, state_of, two_schools

#: an id no row has: B's ids must be answered exactly as this one is
NO_SUCH = 987654

#: Admin pages whose scoping to the administrator's organisation is built with the administration
#: pages themselves (accounts, access and security logs): walked like the rest, and expected to fail
#: until then. strict: once they pass, this list must be emptied.
ADMIN_PAGES_PENDING: set[str] = set()


@pytest.fixture
def app(tmp_path):
    """The app without rate limits: the walks send hundreds of requests from one address."""
    with app_with(tmp_path, RATELIMIT_ENABLED=False) as app:
        yield app


@pytest.fixture
def schools(app):
    return two_schools(app)


def _path(rule, schools, *, missing: bool) -> str | None:
    """The rule's path with B's ids (or an id that does not exist) and A's own tokens."""
    a, b = schools["a"], schools["b"]
    ids = {
        "meeting_id": b["id"],
        "action_id": b["action_id"],
        "document_id": b["document_id"],
        "user_id": b["admin"]["id"],
        "entity_id": b["decision_id"],
        "grant_id": b["grant_id"],
        "organisation_id": schools["b_id"],
    }
    token = (
        a["participant"]
        if rule.rule.startswith("/join/")
        else a["screen"]
        if rule.rule.startswith("/screen/")
        else a["chair"]
    )
    values = {
        "token": token,
        "feed_token": "x" * 43,
        "name": "decisions.update",
        "fmt": "csv",
        "entity": "decision",
        "slug": "beta",
    }
    path = rule.rule
    for converter, name in re.findall(r"<(?:([a-z]+):)?([a-z_]+)>", rule.rule):
        if converter == "int":
            if name not in ids:
                raise AssertionError(f"{rule.rule}: no id of organisation B for <{name}>; add one to the walk")
            value = NO_SUCH if missing else ids[name]
        elif converter == "path":
            return None  # static files
        else:
            if name not in values:
                raise AssertionError(f"{rule.rule}: no value for <{name}>; add one to the walk")
            value = values[name]
        path = path.replace(f"<{converter + ':' if converter else ''}{name}>", str(value))
    return path


def _form(schools) -> dict:
    """What a form or a JSON body carries: B's ids and child reference in every field that takes one."""
    b = schools["b"]
    return {
        "participant_id": str(b["participant_id"]),
        "action_id": str(b["action_id"]),
        "meeting_id": str(b["id"]),
        "meeting": str(b["id"]),
        "meeting_ids": str(b["id"]),
        "user_id": str(b["admin"]["id"]),
        "version": "1",
        "child_ref": b["child_ref"],
        "confirm_child_ref": b["child_ref"],
        "confirmed": "yes",
        "kind": "participant",
        "email": "someone@alpha.test",
        "status": "done",
        "note": "note",
        "occurred_on": schools["start"].date().isoformat(),
    }


def _personas(app, schools) -> dict:
    """Who of A tries each route: its administrator and chair signed in, its chair link and staff API token."""
    a = schools["a"]
    return {
        "A's administrator": (signed_in(app, a["admin"]), {}),
        "A's chair": (signed_in(app, a["chair_account"]), {}),
        "A's chair link": (app.test_client(), auth(a["chair"])),
        "A's staff API token": (app.test_client(), auth(a["admin"]["api_token"])),
    }


def _send(http, method: str, path: str, headers: dict, form: dict):
    if method == "GET":
        query = (
            ""
            if path.startswith("/api/")
            else "?"
            + "&".join(
                f"{k}={v}"
                for k, v in (
                    ("meeting_id", form["meeting_id"]),
                    ("meeting", form["meeting"]),
                    ("child_ref", form["child_ref"]),
                )
            )
        )
        return http.get(path + query, headers=headers)
    if path.startswith("/api/"):
        return http.post(path, json={k: int(v) if v.isdigit() else v for k, v in form.items()}, headers=headers)
    return http.post(path, data=form, headers=headers)


def test_no_route_answers_organisation_bs_ids_differently_from_ids_that_do_not_exist(app, schools):
    b = schools["b"]
    before = state_of(app, b["id"], schools["b_id"])
    personas = _personas(app, schools)
    form = _form(schools)
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "accounts.logout", r.rule))
    walked, failures = set(), {}
    # B's child reference is typed into the forms and query strings: pages echo what was typed.
    shown_only_by_b = [m for m in b["markers"] if m != b["child_ref"]]
    for rule in rules:
        if rule.endpoint == "static":
            continue
        path, nowhere = _path(rule, schools, missing=False), _path(rule, schools, missing=True)
        has_id = "<int:" in rule.rule
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who, (http, headers) in personas.items():
                r = _send(http, method, path, headers, form)
                body = r.get_data().decode("utf-8", "replace")
                problem = None
                if r.status_code >= 500:
                    problem = f"server error {r.status_code}"
                elif any(marker in body for marker in shown_only_by_b):
                    problem = "B's data in the answer"
                elif has_id:
                    r0 = _send(http, method, nowhere, headers, form)
                    if (
                        r.status_code != r0.status_code
                        or r.status_code < 300
                        or (r.location or "").split("?")[0] != (r0.location or "").split("?")[0]
                    ):
                        problem = f"B's id answered {r.status_code}, a missing id {r0.status_code}"
                after = state_of(app, b["id"], schools["b_id"])
                if after != before:
                    problem = f"changed B: {before} -> {after}"
                    before = after
                if problem:
                    failures.setdefault(rule.endpoint, []).append(f"{method} {path} as {who}: {problem}")
            walked.add(rule.endpoint)
    with app.test_request_context():
        every = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static" and declared(r.endpoint)}
    assert every - walked == set()
    unexpected = {k: v for k, v in failures.items() if k not in ADMIN_PAGES_PENDING}
    assert unexpected == {}, "\n".join(line for lines in unexpected.values() for line in lines)
    assert ADMIN_PAGES_PENDING <= set(failures), (
        f"now scoped, take out of ADMIN_PAGES_PENDING: {ADMIN_PAGES_PENDING - set(failures)}"
    )


# ---------------------------------------------------------------- every command and socket event


#: Which of B's rows a command argument names (by the table the id is of).
ID_ARGUMENTS = {
    "action_id": "actions",
    "agenda_item_id": "agenda_items",
    "item_id": "agenda_items",
    "item_ids": "agenda_items",
    "amendment_id": "plan_amendments",
    "decision_id": "decisions",
    "disagreement_id": "disagreements",
    "dissenter_ids": "participants",
    "participant_id": "participants",
    "owner_participant_id": "participants",
    "next_step_owner_participant_id": "participants",
    "document_id": "documents",
    "cited_document_ids": "documents",
    "link_id": "access_links",
    "outcome_id": "plan_outcomes",
    "position_id": "positions",
    "request_id": "evidence_requests",
    "sending_id": "report_sendings",
    "answers_view_ids": "participants",
}

#: Arguments named like ids that name no row (a statutory rule's name).
NOT_ROWS = {"rule_id"}

#: Plausible values for the other required arguments, so that most commands get as far as their ids.
FILLERS = {
    "text": "Something",
    "due_date": "2031-01-06",
    "follow_up_date": "2031-01-20",
    "occurred_on": "2026-01-05",
    "what": "Something",
    "topic": "Something",
    "view": "Something",
    "title": "Something",
    "name": "Someone",
    "role": "parent",
    "agency": "family",
    "email": "someone@alpha.test",
    "minutes": 5,
    "seconds": 60,
    "version": 1,
    "status": "done",
    "note": "Something",
    "kind": "sent",
    "area": "employment",
    "answer": "yes",
    "reason": "Something",
    "attendance": "present",
    "position": 1,
    "days": 1,
    "recipient": "parent",
}


def _b_rows(app, meeting_id: int) -> dict[str, int]:
    """The first row of B's meeting in every table that has a meeting_id."""
    found = {}
    with app.app_context():
        for mapper in db.Model.registry.mappers:
            model = mapper.class_
            if "meeting_id" in inspect(model).columns and "id" in inspect(model).columns:
                first = db.session.scalar(
                    select(model.id).where(model.meeting_id == meeting_id).order_by(model.id).limit(1)
                )
                if first is not None:
                    found[model.__tablename__] = first
        from facilitation.models import Disagreement, Position

        found["positions"] = db.session.scalar(
            select(Position.id)
            .join(Disagreement, Disagreement.id == Position.disagreement_id)
            .where(Disagreement.meeting_id == meeting_id)
        )
    return found


#: Arguments whose table depends on the command: a request to speak, not for evidence.
ID_ARGUMENTS_OF = {("queue.", "request_id"): "speaking_requests"}


def _args_with_bs_ids(spec, rows: dict[str, int], schools) -> tuple[dict, bool]:
    """A command's arguments with B's ids in every id argument (and fillers for the rest it needs);
    and whether any argument names a row of B."""
    args, names_b = {}, False
    for field, info in spec.args.model_fields.items():
        table = next(
            (t for (prefix, f), t in ID_ARGUMENTS_OF.items() if spec.name.startswith(prefix) and f == field), None
        )
        table = table or ID_ARGUMENTS.get(field)
        if table is not None:
            value = rows.get(table, NO_SUCH)
            names_b = names_b or table in rows
            args[field] = [value] if field.endswith("_ids") else value
        elif (field.endswith("_id") or field.endswith("_ids")) and field not in NOT_ROWS:
            raise AssertionError(f"{spec.name}: no table of B for the argument {field}; add it to ID_ARGUMENTS")
        elif info.is_required() and field in FILLERS:
            args[field] = FILLERS[field]
    return args, names_b


def test_every_command_sent_over_a_socket_of_a_with_bs_ids_is_refused_and_changes_nothing_of_b(
    app, client, schools, sockets
):
    app.config["SOCKET_EVENT_BURST"] = 1000
    a, b = schools["a"], schools["b"]
    rows = _b_rows(app, b["id"])
    assert {"actions", "decisions", "disagreements", "participants", "documents", "agenda_items", "positions"} <= set(
        rows
    )
    # Each command is sent by a role of A that may send it, so that only B's ids stand in its way.
    actors = {"chair": sockets(a["chair"]), "participant": sockets(a["participant"])}
    actor = actors["chair"]
    watcher_b = sockets(b["chair"])
    assert all(sc.is_connected() for sc in actors.values()) and watcher_b.is_connected()
    events_of(watcher_b)
    before = state_of(app, b["id"], schools["b_id"])
    refusals = {}
    for name in sorted(services.pipeline.COMMANDS):
        spec = services.pipeline.COMMANDS[name]
        args, names_b = _args_with_bs_ids(spec, rows, schools)
        role = "chair" if access.may("chair", spec.permission) else "participant"
        ack = actors[role].emit("command", {"id": f"cross-{name}", "name": name, "args": args}, callback=True)
        if names_b:
            assert ack["ok"] is False, (name, args, ack)
            refusals[name] = ack["error"]["code"]
        assert not any(m in str(ack) for m in b["markers"]), (name, ack)
        assert state_of(app, b["id"], schools["b_id"]) == before, name
        assert events_of(watcher_b) == [], name
    # Most commands name an entry of B, and are refused for it: "no such ... in this meeting".
    not_found = sorted(name for name, code in refusals.items() if code == "not_found")
    assert len(not_found) >= 35, refusals
    # The other socket events: only A's own meeting, whatever is sent.
    from facilitation.realtime.connections import SOCKET_EVENTS

    for event in sorted(set(SOCKET_EVENTS) - {"command"}):
        ack = actor.emit(event, {"meeting_id": b["id"], "last_seq": 0}, callback=True)
        assert not any(m in str(ack) for m in b["markers"]), event
    snapshot = actor.emit("sync", {}, callback=True)["snapshot"]
    assert snapshot["meeting"]["id"] == a["id"]
    assert actor.emit("join_meeting", {"meeting_id": b["id"]}, callback=True)["error"]["code"] == "unknown_event"


def test_every_command_over_the_api_with_as_link_and_bs_meeting_is_answered_as_a_missing_meeting(app, client, schools):
    a, b = schools["a"], schools["b"]
    before = state_of(app, b["id"], schools["b_id"])
    for name in sorted(services.pipeline.COMMANDS):
        for meeting_id in (b["id"], NO_SUCH):
            r = client.post(f"/api/v1/meetings/{meeting_id}/commands/{name}", json={}, headers=auth(a["chair"]))
            assert r.status_code == 404, (name, r.get_json())
        r = client.post(f"/api/v1/meetings/{b['id']}/commands/{name}", json={}, headers=auth(a["admin"]["api_token"]))
        assert r.status_code == 401, name  # a staff token is no meeting link
    assert state_of(app, b["id"], schools["b_id"]) == before


# ---------------------------------------------------------------- lists, logs and settings per organisation


def test_an_administrators_meetings_are_their_own_organisations_only(app, schools):
    a, b = schools["a"], schools["b"]
    page = signed_in(app, a["admin"]).get("/").get_data(as_text=True)
    assert a["title"] in page and b["title"] not in page
    page = signed_in(app, b["admin"]).get("/").get_data(as_text=True)
    assert b["title"] in page and a["title"] not in page


def test_an_administrators_action_log_overview_and_statutory_view_hold_only_their_organisation(app, client, schools):
    a, b = schools["a"], schools["b"]
    for path in ("", "/overview", "/statutory", "/export.csv", f"/meetings/{a['id']}"):
        body = client.get(f"/actions/{a['chair']}{path}").get_data(as_text=True)
        assert not any(m in body for m in b["markers"]), path
    assert a["markers"][2] in client.get(f"/actions/{a['chair']}").get_data(as_text=True)
    listed = client.get("/api/v1/actions", headers=auth(a["chair"])).get_json()
    assert {row["meeting"]["id"] for row in listed["actions"]} == {a["id"]}
    assert client.get(f"/api/v1/actions/{b['action_id']}", headers=auth(a["chair"])).status_code == 404
    overview = client.get("/api/v1/actions/overview?from=2000-01-01&to=2100-01-01", headers=auth(a["chair"])).get_json()
    assert sum(row["actions"] for row in overview["by_agency"]) == 1


def test_each_organisations_time_zone_gives_its_own_meetings_local_dates(app, client, schools):
    a, b = schools["a"], schools["b"]
    start = schools["start"]
    from zoneinfo import ZoneInfo

    from facilitation.domain.dates import uk_date

    auckland = uk_date(start.astimezone(ZoneInfo("Pacific/Auckland")).date())
    los_angeles = uk_date(start.astimezone(ZoneInfo("America/Los_Angeles")).date())
    assert auckland != los_angeles  # the same instant, two local days
    # Signed in as A's administrator (the request is first scoped to A), B's meeting still reads B's zone.
    http = signed_in(app, a["admin"])
    page_b = http.get(f"/actions/{b['chair']}/meetings/{b['id']}").get_data(as_text=True)
    page_a = http.get(f"/actions/{a['chair']}/meetings/{a['id']}").get_data(as_text=True)
    assert los_angeles in page_b and auckland not in page_b
    assert auckland in page_a and los_angeles not in page_a
    # Each organisation's meetings list shows the day in its own zone (UK style, "09 Dec 2026").
    for account, day in (
        (a["admin"], start.astimezone(ZoneInfo("Pacific/Auckland"))),
        (b["admin"], start.astimezone(ZoneInfo("America/Los_Angeles"))),
    ):
        assert day.strftime("%d %b %Y") in signed_in(app, account).get("/").get_data(as_text=True)


def test_a_chair_cannot_give_a_note_taker_link_to_an_account_of_another_organisation(app, client, schools, api):
    a, b = schools["a"], schools["b"]
    status, body = api(a["chair"], a["id"], "links.add_note_taker", email=b["chair_account"]["email"])
    nobody, _ = api(a["chair"], a["id"], "links.add_note_taker", email="nobody@nowhere.test")
    assert status == nobody == 404 and list(body["error"]["fields"]) == ["email"]
    status, body = api(a["chair"], a["id"], "links.add_note_taker", email=a["chair_account"]["email"])
    assert status == 200, body


def test_data_protection_finds_purges_and_erases_only_the_administrators_organisation(app, schools):
    a, b = schools["a"], schools["b"]
    before = state_of(app, b["id"], schools["b_id"])
    http = signed_in(app, a["admin"])
    found = http.post("/admin/data-protection/child", data={"child_ref": b["child_ref"]}).get_data(as_text=True)
    assert b["title"] not in found
    r = http.post(
        "/admin/data-protection/erase", data={"child_ref": b["child_ref"], "confirm_child_ref": b["child_ref"]}
    )
    assert r.status_code == 422
    r = http.post("/admin/data-protection/export", data={"child_ref": b["child_ref"]})
    assert b"secret" not in r.data
    assert state_of(app, b["id"], schools["b_id"]) == before
    with app.app_context():
        logged = db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.action == "subject_access_export")).all()
        assert [e.organisation_id for e in logged] == [schools["a_id"]]
        assert (
            db.session.scalar(
                select(AuditEntry.id).where(
                    AuditEntry.meeting_id == b["id"], AuditEntry.action == "subject_access_export"
                )
            )
            is None
        )


def test_purging_applies_each_organisations_own_retention_period(app, schools):
    from facilitation.cli import purge_expired
    from facilitation.models import Organisation

    a, b = schools["a"], schools["b"]
    with app.app_context():
        db.session.get(Organisation, schools["a_id"]).retention_months = 1
        db.session.get(Organisation, schools["b_id"]).retention_months = 120
        db.session.commit()
    later = (schools["start"] + timedelta(days=90)).isoformat()
    out = app.test_cli_runner().invoke(purge_expired, ["--now", later, "--dry-run"])
    assert out.exit_code == 0, out.output
    alpha, beta = out.output.split("Beta School (beta):")
    assert f"Would purge 1 meetings: {a['id']}" in alpha
    assert "Retention: 120 months" in beta and "No meetings are past the retention period." in beta
    with app.app_context():
        assert db.session.get(Meeting, b["id"]) is not None and db.session.get(Meeting, a["id"]) is not None


def test_security_events_and_the_admin_log_are_written_to_the_organisation_they_happened_in(app, client, schools):
    a, b = schools["a"], schools["b"]
    r = client.get(f"/api/v1/meetings/{a['id']}/links", headers=auth(b["participant"]))
    assert r.status_code == 404
    r = client.get(f"/api/v1/meetings/{b['id']}/links", headers=auth(b["participant"]))
    assert r.status_code == 403
    from facilitation.models import SecurityEvent

    with app.app_context():
        kinds = {(e.kind, e.organisation_id) for e in db.session.scalars(select(SecurityEvent))}
    assert ("forbidden", schools["b_id"]) in kinds
    assert all(org == schools["b_id"] for _, org in kinds)


# ---------------------------------------------------------------- grants to another organisation's account


@pytest.fixture
def officer(app, schools):
    """A local-authority officer: an account of a third organisation, granted observer access to A."""
    from tests.web.organisations import add_account, add_organisation

    la = add_organisation(app, "Northshire Local Authority", "northshire")
    account = add_account(app, la, "officer@northshire.test", "Ms Officer", "chair")
    account["grant_id"] = grant(app, schools["a_id"], account["id"], "observer")
    return account


def test_a_granted_account_sees_the_granting_organisations_meetings_labelled_and_opens_one_as_its_role(
    app, schools, officer
):
    a, b = schools["a"], schools["b"]
    http = signed_in(app, officer)
    page = http.get("/").get_data(as_text=True)
    assert a["title"] in page and "Alpha School" in page and b["title"] not in page
    assert f'action="/meetings/{a["id"]}/open"' in page and "Open as observer" in page
    assert http.get(f"/meetings/{a['id']}/open").status_code == 405  # opening may add them to the meeting: a form
    r = http.post(f"/meetings/{a['id']}/open")
    assert r.status_code == 303 and r.location.startswith("/join/")
    assert f'href="{r.location}"' in http.get("/").get_data(as_text=True)  # from now on, their link
    assert http.get(r.location).status_code == 200
    again = http.post(f"/meetings/{a['id']}/open")
    assert again.location == r.location  # one link, made on first open
    with app.app_context():
        links = db.session.scalars(select(AccessLink).where(AccessLink.user_id == officer["id"])).all()
        assert [(link.meeting_id, link.role) for link in links] == [(a["id"], "observer")]
        audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "links.open_granted")).all()
        assert [(e.meeting_id, e.user_id) for e in audit] == [(a["id"], officer["id"])]
    # B granted nothing: its meeting is answered as one that does not exist, and so is a missing one.
    assert http.post(f"/meetings/{b['id']}/open").status_code == 404
    assert http.post(f"/meetings/{NO_SUCH}/open").status_code == 404
    # The link works only for the officer, signed in.
    assert signed_in(app, a["chair_account"]).get(r.location).status_code == 404


def test_a_granted_accounts_action_log_includes_the_granting_organisations_meetings(app, client, schools, officer):
    a, b = schools["a"], schools["b"]
    made = client.post(
        "/api/v1/meetings",
        json={
            "title": "LA panel",
            "meeting_type": "ehcp_annual_review",
            "child_ref": "LA-1",
            "scheduled_start": schools["start"].isoformat(),
            "scheduled_end": (schools["start"] + timedelta(hours=1)).isoformat(),
        },
        headers=auth(officer["api_token"]),
    ).get_json()
    chair = made["tokens"]["chair"]
    with app.app_context():
        assert db.session.get(Meeting, made["meeting"]["id"]).organisation_id == officer["organisation_id"]
    body = client.get(f"/actions/{chair}").get_data(as_text=True)
    assert a["markers"][2] in body and b["markers"][2] not in body
    assert client.get(f"/actions/{chair}/meetings/{a['id']}").status_code == 200
    assert client.get(f"/actions/{chair}/meetings/{b['id']}").status_code == 404


def test_a_granted_account_may_be_given_a_note_taker_link_by_the_granting_organisations_chair(
    app, schools, officer, api
):
    a = schools["a"]
    status, body = api(a["chair"], a["id"], "links.add_note_taker", email=officer["email"])
    assert status == 200, body


def test_removing_a_grant_withdraws_its_links_and_cuts_their_sockets(app, schools, officer):
    from facilitation.extensions import socketio
    from facilitation.models import OrganisationGrant
    from facilitation.realtime.broadcast import cut_off_links
    from facilitation.services import grants

    a = schools["a"]
    http = signed_in(app, officer)
    token = http.post(f"/meetings/{a['id']}/open").location.rsplit("/", 1)[1]
    sc = socketio.test_client(app, auth={"token": token}, flask_test_client=http)
    assert sc.is_connected()
    with app.app_context():
        row = db.session.get(OrganisationGrant, officer["grant_id"])
        admin = db.session.get(User, a["admin"]["id"])
        revoked = grants.remove_grant(row, by=admin)
        cut_off_links(revoked, "Your access to this organisation's meetings was removed.")
    assert not sc.is_connected()
    assert http.get(f"/join/{token}").status_code == 404
    assert http.post(f"/meetings/{a['id']}/open").status_code == 404
    assert a["title"] not in http.get("/").get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.action == "grant.remove")).one()
        assert entry.organisation_id == schools["a_id"] and entry.detail["revoked_link_ids"] == revoked
        assert (
            db.session.scalar(
                select(AuditEntry.id).where(AuditEntry.meeting_id == a["id"], AuditEntry.action == "links.revoke")
            )
            is not None
        )


def test_new_meetings_belong_to_the_preparing_accounts_organisation(app, schools):
    with app.app_context():
        assert db.session.get(Meeting, schools["a"]["id"]).organisation_id == schools["a_id"]
        assert db.session.get(Meeting, schools["b"]["id"]).organisation_id == schools["b_id"]
        assert db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == schools["b"]["id"])) is not None


def test_a_meeting_time_given_without_a_zone_is_read_in_the_preparing_accounts_organisations_zone(app, client, schools):
    b = schools["b"]
    r = client.post(
        "/api/v1/meetings",
        json={
            "title": "Morning review",
            "meeting_type": "ehcp_annual_review",
            "child_ref": "LA-2",
            "scheduled_start": "2031-01-06T09:00",
            "scheduled_end": "2031-01-06T10:00",
        },
        headers=auth(b["admin"]["api_token"]),
    )
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        meeting = db.session.get(Meeting, r.get_json()["meeting"]["id"])
        assert meeting.organisation_id == schools["b_id"]
        assert meeting.scheduled_start.isoformat().startswith("2031-01-06T17:00")  # 09:00 in Los Angeles


def outside_owners_action(api, meeting: dict, what: str, due: str, email: str) -> int:
    """An action recorded in a school's meeting for K. Lee of an outside service, with her e-mail address."""
    status, body = api(
        meeting["chair"],
        meeting["id"],
        "actions.record",
        what=what,
        owner_name="K. Lee",
        owner_agency="Northshire OT",
        due_date=due,
        follow_up_date=due,
    )
    assert status == 200, body
    action_id = body["action_id"]
    status, body = api(meeting["chair"], meeting["id"], "actions.set_owner_email", action_id=action_id, version=1, email=email)
    assert status == 200, body
    return action_id


def test_an_outside_owners_calendar_feed_shown_to_one_organisation_holds_only_its_actions(app, client, schools, api):
    a, b = schools["a"], schools["b"]
    due = (schools["start"] + timedelta(days=20)).date().isoformat()
    ids = {}
    for tag, m in (("alpha", a), ("beta", b)):
        ids[tag] = outside_owners_action(api, m, f"Therapy plan {tag}", due, "k.lee@therapy.test")
    feeds = {}
    for tag, m in (("alpha", a), ("beta", b)):
        page = client.get(f"/actions/{m['chair']}/a/{ids[tag]}").get_data(as_text=True)
        feeds[tag] = re.search(r'href="http://localhost(/calendar/[^"]+\.ics)"', page).group(1)
    assert feeds["alpha"] != feeds["beta"]
    alpha, beta = (client.get(feeds[tag]).get_data(as_text=True) for tag in ("alpha", "beta"))
    assert "Therapy plan alpha" in alpha and "Therapy plan beta" not in alpha and b["child_ref"] not in alpha
    assert "Therapy plan beta" in beta and "Therapy plan alpha" not in beta and a["child_ref"] not in beta


def test_the_child_commands_act_on_the_organisation_named_and_on_the_first_by_default(app, schools, tmp_path):
    from facilitation.cli import erase_child, export_child

    a, b = schools["a"], schools["b"]
    runner = app.test_cli_runner()
    out = runner.invoke(erase_child, [b["child_ref"]])
    assert out.exit_code == 1 and "delete 0 meetings" in out.output
    out = runner.invoke(export_child, [b["child_ref"], "--out", str(tmp_path / "b.zip")])
    assert out.exit_code == 0 and "No meetings are held" in out.output
    out = runner.invoke(erase_child, [b["child_ref"], "--organisation", "nowhere", "--yes"])
    assert out.exit_code != 0 and "no organisation 'nowhere'" in out.output
    out = runner.invoke(erase_child, [b["child_ref"], "--organisation", "beta", "--yes"])
    assert out.exit_code == 0 and f"Erased 1 meetings: {b['id']}" in out.output, out.output
    with app.app_context():
        assert db.session.get(Meeting, b["id"]) is None and db.session.get(Meeting, a["id"]) is not None
        entry = db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.action == "erase")).one()
        assert entry.organisation_id == schools["b_id"]


def test_reminders_are_sent_organisation_by_organisation_with_each_ones_local_dates(app, client, schools, api):
    from zoneinfo import ZoneInfo

    from facilitation.domain.dates import uk_date
    from facilitation.models import OutboxMessage
    from facilitation.services.action_log import reminders

    a, b = schools["a"], schools["b"]
    due = (schools["start"] + timedelta(days=3)).date().isoformat()
    for tag, m in (("alpha", a), ("beta", b)):
        outside_owners_action(api, m, f"Send the report {tag}", due, f"lee@{tag}.test")
    with app.app_context():
        run = reminders.send_reminders(schools["start"] + timedelta(days=1))
        assert run.failed == [] and len(run.sent) == 2, run
        mail = {m.recipient: m.body for m in db.session.scalars(select(OutboxMessage))}
    start = schools["start"]
    for tag, m, zone, other in (("alpha", a, "Pacific/Auckland", b), ("beta", b, "America/Los_Angeles", a)):
        body = mail[f"lee@{tag}.test"]
        assert f"Agreed at: {m['title']}, {uk_date(start.astimezone(ZoneInfo(zone)).date())}" in body
        assert other["title"] not in body and f"Send the report {tag}" in body


def test_queued_invitations_sent_by_the_worker_carry_their_own_organisations_name_and_time_zone(
    app, client, schools, api
):
    from facilitation.models import OutboxMessage, utcnow
    from facilitation.services import invitations

    app.config["INVITATIONS_SEND_AT_ONCE"] = False  # queued, then sent by the worker (flask send-invitations)
    for m in (schools["a"], schools["b"]):
        status, body = api(m["chair"], m["id"], "invitations.send", participant_id=m["participant_id"])
        assert status == 200, body
    with app.app_context():
        run = invitations.send_queued(utcnow())
        assert run.failed == [] and len(run.sent) == 2, run.sent
        mail = {m.recipient: m.body for m in db.session.scalars(select(OutboxMessage))}
    assert "Alpha School" in mail["parent@alpha.test"] and "Pacific/Auckland" in mail["parent@alpha.test"]
    assert "Beta School" in mail["parent@beta.test"] and "America/Los_Angeles" in mail["parent@beta.test"]
    assert "Alpha School" not in mail["parent@beta.test"]


def test_an_account_an_administrator_creates_belongs_to_the_administrators_organisation(app, schools):
    http = signed_in(app, schools["b"]["admin"])
    r = http.post(
        "/admin/users",
        data={
            "email": "new@beta.test",
            "name": "New Person",
            "role": "chair",
            "password": "correct horse battery staple",
        },
    )
    assert r.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@beta.test"))
        assert user.organisation_id == schools["b_id"]
        entry = db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.action == "account.create")).all()[-1]
        assert entry.organisation_id == schools["b_id"]
