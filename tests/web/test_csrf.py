"""CSRF: a form that changes something is accepted only with the token of a page the same browser was shown.

These tests build the app with CSRF protection on (TestConfig switches it off for the other tests).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from facilitation.extensions import db
from facilitation.models import Meeting
from tests.conftest import ROOT, app_with, local_today, meeting_payload


@pytest.fixture
def app(tmp_path):
    """The app as deployed: CSRF protection on (overrides the shared fixture for this module)."""
    with app_with(tmp_path, WTF_CSRF_ENABLED=True) as app:
        yield app


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def token_in(html: str, form_action: str) -> str:
    """The csrf_token field of the form that posts to `form_action`."""
    form = re.search(r'<form[^>]*action="' + re.escape(form_action) + r'"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {form_action}"
    field = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1))
    assert field, f"the form posting to {form_action} has no csrf_token"
    return field.group(1)


def meta_token(html: str) -> str:
    """The token base.html gives scripts, for the X-CSRFToken header."""
    return re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)


def meetings_in(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Meeting.id)))


@pytest.fixture
def missed_form(client, meeting):
    """A parent's "support that did not happen" form, for an action of their meeting (made over the API)."""
    r = client.post(
        f"/api/v1/meetings/{meeting['id']}/commands/actions.record",
        json={
            "what": "Weekly SALT sessions",
            "owner_name": "J. Patel",
            "owner_agency": "Northshire SALT",
            "due_date": (local_today() + timedelta(days=7)).isoformat(),
            "follow_up_date": (local_today() + timedelta(days=14)).isoformat(),
        },
        headers=bearer(meeting["chair"]),
    )
    assert r.status_code == 200, r.get_json()  # the JSON API needs no CSRF token: see below
    parent = meeting["participants"][0]
    action_id = r.get_json()["action_id"]
    data = {"action_id": str(action_id), "occurred_on": local_today().isoformat(), "note": "No SALT session this week"}
    return {
        "parent": parent,
        "page": f"/join/{parent}/actions",
        "url": f"/join/{parent}/actions/missed",
        "data": data,
        "action_id": action_id,
        "chair": meeting["chair"],
    }


def history(client, form) -> list[dict]:
    r = client.get(f"/api/v1/actions/{form['action_id']}", headers=bearer(form["chair"]))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["history"]


def test_a_form_posted_without_its_csrf_token_is_refused_with_400_and_changes_nothing(client, missed_form):
    client.get(missed_form["page"])  # the browser has a session: only the token is missing
    r = client.post(missed_form["url"], data=missed_form["data"])
    assert r.status_code == 400
    assert history(client, missed_form) == []


def test_a_form_posted_with_the_token_from_its_page_is_accepted(client, missed_form):
    token = token_in(client.get(missed_form["page"]).get_data(as_text=True), missed_form["url"])
    r = client.post(missed_form["url"], data={**missed_form["data"], "csrf_token": token})
    assert r.status_code == 303, r.get_data(as_text=True)
    assert [h["kind"] for h in history(client, missed_form)] == ["missed_provision"]


def test_a_token_taken_from_another_browser_is_refused(app, client, missed_form):
    # What a forging site could do at best: fetch a page itself and copy its token into the victim's form.
    attacker = app.test_client()
    stolen = token_in(attacker.get(missed_form["page"]).get_data(as_text=True), missed_form["url"])
    client.get(missed_form["page"])
    r = client.post(missed_form["url"], data={**missed_form["data"], "csrf_token": stolen})
    assert r.status_code == 400
    assert history(client, missed_form) == []


def test_a_script_may_send_the_token_from_the_page_meta_as_a_header(client, missed_form):
    token = meta_token(client.get(missed_form["page"]).get_data(as_text=True))  # base.html carries it for scripts
    r = client.post(missed_form["url"], data=missed_form["data"], headers={"X-CSRFToken": token})
    assert r.status_code == 303


def test_the_refusal_is_a_clear_page_not_a_stack_trace(client, missed_form):
    r = client.post(missed_form["url"], data={**missed_form["data"], "csrf_token": "forged"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "This form could not be sent" in html and "Nothing was changed" in html
    assert "Traceback" not in html and "CSRFError" not in html
    assert r.headers["Content-Security-Policy"]  # error pages get the same headers


def test_the_json_api_takes_no_csrf_token_when_authorised_by_a_bearer_token(client, meeting):
    client.get(f"/chair/{meeting['chair']}")  # the browser has a session cookie too: the bearer token decides
    r = client.post(
        f"/api/v1/meetings/{meeting['id']}/commands/clock.start_meeting", json={}, headers=bearer(meeting["chair"])
    )
    assert r.status_code == 200 and r.get_json()["ok"] is True
    # A client without cookies or a token (a script elsewhere) is simply not authorised.
    r = client.application.test_client().post(f"/api/v1/meetings/{meeting['id']}/commands/clock.pause", json={})
    assert r.status_code == 401


def test_an_api_request_that_relies_on_the_signed_in_session_needs_the_csrf_header(app, staff):
    browser = app.test_client()
    login = browser.get("/login").get_data(as_text=True)
    signed_in = browser.post(
        "/login", data={"email": staff["email"], "password": staff["password"], "csrf_token": meta_token(login)}
    )
    assert signed_in.status_code == 303, signed_in.get_data(as_text=True)
    # What a forging page could send with the chair's cookies: refused, and no meeting is made.
    forged = browser.post("/api/v1/meetings", json=meeting_payload())
    assert forged.status_code == 400 and forged.get_json()["error"]["code"] == "csrf_failed"
    assert meetings_in(app) == 0
    # The app's own page sends the token from its meta tag: accepted.
    token = meta_token(browser.get("/").get_data(as_text=True))
    made = browser.post("/api/v1/meetings", json=meeting_payload(), headers={"X-CSRFToken": token})
    assert made.status_code == 201, made.get_json()
    assert meetings_in(app) == 1


def test_every_form_that_posts_carries_the_csrf_token():
    forms = 0
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for form in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, re.S | re.I):
            opening = form.group(0)[: form.group(0).index(">") + 1]
            if re.search(r'method="post"', opening, re.I):
                forms += 1
                assert 'name="csrf_token" value="{{ csrf_token() }}"' in form.group(1), (
                    f"{path.relative_to(ROOT)}: {opening}"
                )
    assert forms >= 8


def test_a_token_lasts_a_working_day_so_a_page_open_through_a_long_meeting_still_posts(app):
    assert timedelta(seconds=app.config["WTF_CSRF_TIME_LIMIT"]) >= timedelta(hours=8)
