"""Every page of the product in every state a person sees, on one live server with data in it: the tour
that the accessibility and reflow tests walk. Each stop opens one page in a fresh browser context, signed
in where the page needs it, and waits until the page has drawn what it shows."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import requests
from playwright.sync_api import expect

from tests.conftest import STAFF_PASSWORD, LiveServer, create_staff_cli, local_today, prepared_server
from tests.integration.conftest import LiveMeeting

ADMIN_EMAIL, NOTE_TAKER_EMAIL, CHAIR_EMAIL = "admin@school.test", "notes@school.test", "senco@school.test"


def day(n: int) -> str:
    return (local_today() + timedelta(days=n)).isoformat()


@dataclass
class Site:
    """A live server with meetings in every state, their links, and the staff who may sign in."""

    server: LiveServer
    preparing: LiveMeeting
    live: LiveMeeting
    ended: LiveMeeting
    circulated: LiveMeeting
    approved: LiveMeeting
    #: the live meeting's links: the parent's (who owns actions), an observer's, the note-taker's path
    parent: str
    observer: str
    note_taker_path: str
    #: an action in the live meeting's log, for its detail page
    action_id: int
    #: signed-in browser state per staff account ("admin", "chair", "note_taker"), filled on first use
    sessions: dict

    @property
    def url(self) -> str:
        return self.server.url


def _participant_ids(meeting: LiveMeeting) -> dict[str, int]:
    return {p["name"]: p["id"] for p in meeting.snapshot()["participants"]}


def _record_actions(meeting: LiveMeeting) -> list[int]:
    """Four actions: one for the parent, one for the EP, two for named people outside the meeting."""
    ids = _participant_ids(meeting)
    made = [
        meeting.command("actions.record", what="Keep a home diary of sleep and mornings", owner_participant_id=ids["Sam Parent"],
                        due_date=day(10), follow_up_date=day(20), need="Settling into school in the morning"),
        meeting.command("actions.record", what="EP observation in class and at lunchtime", owner_participant_id=ids["Dr Eve Psych"],
                        due_date=day(12), follow_up_date=day(25), need="Understanding of the child's attention in class"),
        meeting.command("actions.record", what="Weekly speech and language sessions", owner_name="J. Patel",
                        owner_agency="Northshire SALT", due_date=day(3), follow_up_date=day(10), need="Expressive language"),
        meeting.command("actions.record", what="Visual timetable in class", owner_name="Mr Class Teacher",
                        owner_agency="School", due_date=day(5), follow_up_date=day(30), need="Transitions between lessons"),
    ]
    return [m["action_id"] for m in made]


def _backdate(server: LiveServer, action_ids: list[int], days: int) -> None:
    """Move actions' due and follow-up dates `days` into the past (the commands refuse past dates)."""
    with sqlite3.connect(server.workdir / "live.db") as db:
        for action_id in action_ids:
            db.execute(
                "UPDATE actions SET due_date = date(due_date, ?), follow_up_date = date(follow_up_date, ?) WHERE id = ?",
                (f"-{days} days", f"-{days} days", action_id),
            )


def _expire(server: LiveServer, meeting: LiveMeeting) -> None:
    """Put a meeting far in the past, beyond the retention period, so the purge page has one to list."""
    with sqlite3.connect(server.workdir / "live.db") as db:
        db.execute(
            "UPDATE meetings SET scheduled_start = '2012-03-01 09:00:00.000000', scheduled_end = '2012-03-01 10:30:00.000000',"
            " ended_at = NULL WHERE id = ?",
            (meeting.id,),
        )


def _action_version(meeting: LiveMeeting, action_id: int) -> int:
    return next(a["version"] for a in meeting.snapshot()["actions"] if a["id"] == action_id)


def build_site(workdir) -> Site:
    """Start a server and fill it: meetings preparing, live, ended (minutes draft, circulated, approved),
    actions overdue, lapsed and done, an administrator and a note-taker account."""
    server = prepared_server(workdir)
    try:
        return _fill(server)
    except BaseException:
        server.stop()
        raise


def _fill(server: LiveServer) -> Site:
    admin_token = create_staff_cli(server, ADMIN_EMAIL, role="admin")
    # The administrator also runs the deployment: a second organisation, with its own administrator.
    server.flask("create-user", "ops@council.test", "--name", "Ms Ops", "--role", "admin", "--deployment-admin",
                 "--password-stdin", input=STAFF_PASSWORD + "\n")
    server.flask("create-organisation", "--name", "Riverside Academy", "--slug", "riverside", "--admin-email",
                 "head@riverside.test", "--admin-name", "Mr River", "--password-stdin", input=STAFF_PASSWORD + "\n")
    create_staff_cli(server, NOTE_TAKER_EMAIL, role="note_taker")

    preparing = LiveMeeting(server, title="Year 4 SEN support review", child_ref="RB-12")
    preparing.add_participant("Sam Parent", "parent", "family")

    live = LiveMeeting(server, title="Annual review of the EHC plan", child_ref="AB-1")
    parent = live.add_participant("Sam Parent", "parent", "family")
    live.add_participant("Dr Eve Psych", "educational_psychologist", "ep_service")
    live.command("participants.add", name="Ana Nowak", role="parent", agency="family", language="Polish", needs_interpreter=True)
    observer = live.command("participants.add", name="Student Teacher", role="class_teacher", agency="school", observer=True)
    note_taker = live.command("links.add_note_taker", email=NOTE_TAKER_EMAIL)["link"]["path"]
    live.command("clock.start_meeting")
    items = live.snapshot()["items"]
    live.command("agenda.scale_time", item_ids=[items[2]["id"]], time_scale=150)
    # The parent raises a hand and writes a question: the chair's speaking queue has both waiting.
    for name, args in (("queue.raise_hand", {}), ("queue.ask", {"kind": "question", "text": "Who books the taxi to the new school?"})):
        asked = requests.post(f"{server.url}/api/v1/meetings/{live.id}/commands/{name}", json=args,
                              headers={"Authorization": f"Bearer {parent}"}, timeout=10)
        assert asked.status_code == 200, asked.text
    live.command("decisions.record", text="Continue SEN support with a SALT programme", agenda_item_id=items[0]["id"])
    actions = _record_actions(live)
    diary, observation, salt, timetable = actions
    live.command("clock.next_item")

    ended = LiveMeeting(server, title="Transition planning", child_ref="CD-3")
    ended.add_participant("Sam Parent", "parent", "family")
    ended.add_participant("Dr Eve Psych", "educational_psychologist", "ep_service")
    ended.command("clock.start_meeting")
    _record_actions(ended)
    ended.command("clock.end_meeting")

    circulated = LiveMeeting(server, title="Interim review", child_ref="AB-1")
    circulated.add_participant("Sam Parent", "parent", "family")
    circulated.command("clock.start_meeting")
    circulated.command("clock.end_meeting")
    circulated.command("minutes.circulate")

    approved = LiveMeeting(server, title="Early help review", child_ref="EF-5")
    approved.add_participant("Sam Parent", "parent", "family")
    approved.command("clock.start_meeting")
    approved.command("clock.end_meeting")
    approved.command("minutes.circulate")
    approved.command("minutes.approve", number=1)

    # The log's rows: overdue, lapsed (follow-up passed too) and done.
    _backdate(server, [salt], 20)
    _backdate(server, [timetable], 7)
    response = requests.post(
        f"{server.url}/api/v1/actions/{observation}/progress",
        json={"version": _action_version(live, observation), "status": "done", "note": "Observed on two mornings"},
        headers={"Authorization": f"Bearer {live.chair}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text

    # The administrator prepares a meeting of their own (their log is every meeting's), and one old
    # meeting is past the retention period.
    LiveMeeting(SimpleNamespace(url=server.url, api_token=admin_token), title="Admin's planning meeting", child_ref="GH-7")
    old = LiveMeeting(server, title="An old meeting", child_ref="ZZ-9")
    _expire(server, old)

    return Site(server, preparing, live, ended, circulated, approved, parent=parent,
                observer=observer["join_path"].rsplit("/", 1)[1], note_taker_path=note_taker,
                action_id=salt, sessions={})


def signed_in(people, site: Site, who: str) -> dict:
    """The browser state (cookies) of a staff account signed in through the form, made once per site."""
    if who not in site.sessions:
        email = {"admin": ADMIN_EMAIL, "chair": CHAIR_EMAIL, "note_taker": NOTE_TAKER_EMAIL, "deployment": "ops@council.test"}[who]
        page = people.open(f"{site.url}/login", f"sign-in-{who}")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", STAFF_PASSWORD)
        page.click("#sign-in button[type=submit]")
        expect(page.locator(".staff-nav")).to_contain_text("Sign out")
        site.sessions[who] = page.context.storage_state()
    return site.sessions[who]


@dataclass
class Stop:
    """One page in one state: who opens it (None: nobody signed in), where, and what shows it is drawn."""

    id: str
    path: Callable[[Site], str]
    who: str | None = None
    #: a selector that is visible once the page has drawn (a room page also waits to be online)
    ready: str = "main"
    room: bool = False
    #: after opening the path, a step to reach the state (e.g. submit a form)
    then: Callable | None = None


def _find_child(page) -> None:
    page.fill("#find-child input[name=child_ref]", "AB-1")
    page.click("#find-child button[type=submit]")


def _start_purge(page) -> None:
    page.click("#purge-start button[type=submit]")


def _refused_progress(page) -> None:
    card = page.locator("article.action-card").first
    card.locator('select[name="status"]').select_option("cancelled")
    card.get_by_role("button", name="Record progress").click()


def _refused_new_meeting(page) -> None:
    page.fill("input[name=title]", " ")
    page.click("main form button[type=submit]")


def _refused_grant(page) -> None:
    page.fill("#add-grant input[name=email]", "nobody@council.test")
    page.click("#add-grant button[type=submit]")


def _refused_organisation(page) -> None:
    page.fill("#add-organisation input[name=name]", "Oak Tree Primary")
    page.fill("#add-organisation input[name=slug]", "riverside")
    page.fill("#add-organisation input[name=admin_name]", "Mrs Oak")
    page.fill("#add-organisation input[name=admin_email]", "head@riverside.test")
    page.fill("#add-organisation input[name=admin_password]", "a fresh long passphrase")
    page.click("#add-organisation button[type=submit]")


def _refused_sign_in(page) -> None:
    page.fill("input[name=email]", "nobody@school.test")
    page.fill("input[name=password]", "not the password")
    page.click("#sign-in button[type=submit]")


STOPS: list[Stop] = [
    Stop("sign-in", lambda s: "/login", ready="#sign-in"),
    Stop("sign-in-refused", lambda s: "/login", ready=".error-summary, [role=alert]", then=_refused_sign_in),
    Stop("home-signed-out", lambda s: "/"),
    Stop("meetings-list", lambda s: "/", who="chair"),
    Stop("new-meeting", lambda s: "/meetings/new", who="chair", ready="main form"),
    Stop("new-meeting-refused", lambda s: "/meetings/new", who="chair", ready=".error-summary", then=_refused_new_meeting),
    Stop("account", lambda s: "/account", who="chair"),
    Stop("admin-index", lambda s: "/admin/", who="admin"),
    Stop("admin-users", lambda s: "/admin/users", who="admin"),
    Stop("admin-settings", lambda s: "/admin/settings", who="admin"),
    Stop("admin-sign-in-settings", lambda s: "/admin/settings/sign-in", who="admin", ready="#sign-in-settings"),
    Stop("admin-security", lambda s: "/admin/security", who="admin"),
    Stop("admin-access-log", lambda s: "/admin/access-log", who="admin"),
    Stop("admin-grants", lambda s: "/admin/grants", who="admin"),
    Stop("admin-grants-refused", lambda s: "/admin/grants", who="admin", ready=".error-summary", then=_refused_grant),
    Stop("deployment-organisations", lambda s: "/deployment/organisations", who="deployment"),
    Stop("deployment-organisations-refused", lambda s: "/deployment/organisations", who="deployment", ready=".error-summary",
         then=_refused_organisation),
    Stop("deployment-organisation", lambda s: "/deployment/organisations/2", who="deployment"),
    Stop("admin-data-protection", lambda s: "/admin/data-protection/", who="admin"),
    Stop("admin-data-protection-child", lambda s: "/admin/data-protection/", who="admin", then=_find_child),
    Stop("admin-data-protection-purge", lambda s: "/admin/data-protection/", who="admin", then=_start_purge),
    Stop("action-log-admin", lambda s: "/actions", who="admin", ready="#log"),
    Stop("action-log-chair-link", lambda s: f"/actions/{s.live.chair}", ready="#log"),
    Stop("action-log-filtered-overdue", lambda s: f"/actions/{s.live.chair}?overdue=1", ready="#log"),
    Stop("action-detail", lambda s: f"/actions/{s.live.chair}/a/{s.action_id}"),
    Stop("action-overview", lambda s: f"/actions/{s.live.chair}/overview"),
    Stop("action-statutory", lambda s: f"/actions/{s.live.chair}/statutory", ready="#statutory-missed"),
    Stop("reminder-emails", lambda s: f"/actions/{s.live.chair}/emails"),
    Stop("outbox", lambda s: f"/actions/{s.live.chair}/outbox"),
    Stop("my-actions", lambda s: f"/join/{s.parent}/actions"),
    Stop("my-actions-refused", lambda s: f"/join/{s.parent}/actions", ready="[role=alert]", then=_refused_progress),
    Stop("minutes-draft-chair", lambda s: f"/minutes/{s.ended.chair}", ready="#circulation-body button, #circulation-body p:not(.hint)"),
    Stop("minutes-circulated-chair", lambda s: f"/minutes/{s.circulated.chair}", ready="#tally"),
    Stop("minutes-circulated-participant", lambda s: f"/minutes/{s.circulated.participants[0]}", ready="#confirm"),
    Stop("minutes-approved-chair", lambda s: f"/minutes/{s.approved.chair}", ready="#circulation-body :is(p, button, ul)"),
    Stop("error-not-found", lambda s: "/join/no-such-link-at-all", ready="h1"),
    Stop("chair-preparing", lambda s: f"/chair/{s.preparing.chair}", room=True),
    Stop("chair-live", lambda s: f"/chair/{s.live.chair}", room=True),
    Stop("chair-live-prepare", lambda s: f"/chair/{s.live.chair}#prepare", room=True),
    Stop("chair-live-record", lambda s: f"/chair/{s.live.chair}#record", room=True),
    Stop("chair-ended", lambda s: f"/chair/{s.ended.chair}", room=True),
    Stop("note-taker-live", lambda s: s.note_taker_path, who="note_taker", room=True),
    Stop("participant-preparing", lambda s: f"/join/{s.preparing.participants[0]}", room=True),
    Stop("participant-live", lambda s: f"/join/{s.parent}", room=True),
    Stop("participant-live-calm", lambda s: f"/join/{s.parent}?calm=1", room=True),
    Stop("participant-ended", lambda s: f"/join/{s.ended.participants[0]}", room=True),
    Stop("observer-live", lambda s: f"/join/{s.observer}", room=True),
    Stop("screen-draft", lambda s: f"/screen/{s.preparing.screen}", room=True),
    Stop("screen-live", lambda s: f"/screen/{s.live.screen}", room=True),
    Stop("screen-live-calm", lambda s: f"/screen/{s.live.screen}?calm=1", room=True),
    Stop("screen-ended", lambda s: f"/screen/{s.ended.screen}", room=True),
]


def visit(people, site: Site, stop: Stop, viewport=(1280, 800)):
    """Open the stop's page in a fresh context (signed in as needed) and wait until it has drawn."""
    state = signed_in(people, site, stop.who) if stop.who else None
    page = people.open("about:blank", stop.id, viewport=viewport, storage_state=state)
    page.goto(site.url + stop.path(site))
    if stop.then:
        stop.then(page)
    if stop.room:
        expect(page.locator("body")).to_have_attribute("data-connection", "online")
    expect(page.locator(stop.ready).first).to_be_visible()
    # Fonts and late layout (a list drawn from the snapshot) settle before anything is measured.
    page.evaluate("() => document.fonts.ready")
    page.wait_for_timeout(300)
    return page
