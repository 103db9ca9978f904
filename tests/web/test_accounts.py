"""Staff accounts: signing in and out, lockout after repeated failures, changing a password, the
first administrator from the command line, administrators managing accounts and settings, and
the pages that need a signed-in account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from facilitation.extensions import db
from facilitation.models import AdminLogEntry, Meeting, Organisation, User, utcnow
from tests.conftest import STAFF_PASSWORD, add_staff, meeting_payload, sign_in


def user_row(app, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


@pytest.fixture
def admin(app) -> dict:
    return add_staff(app, "admin@school.test", "Ms Admin", "admin")


# ---------------------------------------------------------------- signing in


@pytest.mark.real_password_hashing
def test_a_staff_member_signs_in_sees_their_meetings_and_signs_out(client, staff):
    r = sign_in(client, staff["email"])
    assert r.status_code == 303 and r.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Your meetings" in page and "Ms Senco" in page
    r = client.post("/logout")
    assert r.status_code == 303
    assert "Your meetings" not in client.get("/").get_data(as_text=True)
    assert client.get("/meetings/new").status_code == 302  # back to the sign-in page


def test_the_e_mail_address_is_matched_whatever_its_case_and_spaces(client, staff):
    assert sign_in(client, "  SENCO@School.TEST ").status_code == 303


@pytest.mark.parametrize(
    ("email", "password"),
    [("senco@school.test", "wrong password entirely"), ("nobody@school.test", STAFF_PASSWORD), ("", "")],
    ids=["wrong password", "unknown address", "empty"],
)
def test_a_failed_sign_in_says_the_same_whatever_was_wrong(client, staff, email, password):
    r = sign_in(client, email, password)
    assert r.status_code == 401
    text = r.get_data(as_text=True)
    assert "do not match an active account" in text
    assert "Your meetings" not in client.get("/").get_data(as_text=True)


def test_five_failures_in_a_row_lock_the_account_even_against_the_right_password(client, app, staff):
    for _ in range(5):
        assert sign_in(client, staff["email"], "not the password at all").status_code == 401
    assert user_row(app, staff["email"]).locked_until is not None
    # The right password is refused while the lock lasts, with the same message as any failure.
    r = sign_in(client, staff["email"])
    assert r.status_code == 401 and "locked for 15 minutes" in r.get_data(as_text=True)
    # When the lock has passed, the right password works and the count starts again.
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == staff["email"]))
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert sign_in(client, staff["email"]).status_code == 303
    assert user_row(app, staff["email"]).failed_logins == 0


def test_a_good_sign_in_resets_the_count_of_failures(client, app, staff):
    for _ in range(4):
        sign_in(client, staff["email"], "not the password at all")
    assert sign_in(client, staff["email"]).status_code == 303
    client.post("/logout")
    for _ in range(4):
        sign_in(client, staff["email"], "not the password at all")
    assert user_row(app, staff["email"]).locked_until is None


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_signing_in_never_sends_the_browser_to_another_site(client, staff, target):
    r = client.post("/login", query_string={"next": target}, data={"email": staff["email"], "password": STAFF_PASSWORD})
    assert r.status_code == 303 and r.headers["Location"] == "/"


def test_signing_in_returns_to_the_page_that_asked_for_it(client, staff):
    r = client.get("/meetings/new")
    assert r.status_code == 302 and "/login?next=" in r.headers["Location"]
    r = client.post("/login?next=/meetings/new", data={"email": staff["email"], "password": STAFF_PASSWORD})
    assert r.headers["Location"] == "/meetings/new"


def test_the_session_cookie_is_httponly_and_same_site(client, staff):
    r = sign_in(client, staff["email"])
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.real_password_hashing
def test_passwords_are_stored_only_as_slow_hashes(app, staff):
    stored = user_row(app, staff["email"]).password_hash
    # scrypt at werkzeug's default cost: N=2**15, r=8, p=1 (other tests use a cheap one, see conftest)
    assert STAFF_PASSWORD not in stored and stored.startswith("scrypt:32768:8:1$")


# ---------------------------------------------------------------- passwords and sessions


def test_changing_the_password_signs_the_account_out_of_every_other_browser(app, staff):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, staff["email"])
    sign_in(elsewhere, staff["email"])
    r = here.post(
        "/account", data={"what": "password", "current_password": STAFF_PASSWORD, "new_password": "a brand new long passphrase"}
    )
    assert r.status_code == 303
    assert here.get("/account").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/account").status_code == 302  # the other one is sent to sign in
    here.post("/logout")
    assert sign_in(here, staff["email"]).status_code == 401
    assert sign_in(here, staff["email"], "a brand new long passphrase").status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "field_text"),
    [
        ("wrong current password", "a brand new long passphrase", "not your current password"),
        (STAFF_PASSWORD, "short", "at least 12 characters"),
        (STAFF_PASSWORD, "password1234", "too easy to guess"),
        (STAFF_PASSWORD, "senco is my long password", "own name or e-mail"),
    ],
    ids=["wrong current", "short", "common", "own e-mail"],
)
def test_a_weak_or_unauthorised_password_change_is_refused_and_changes_nothing(client, app, staff, current, new, field_text):
    sign_in(client, staff["email"])
    before = user_row(app, staff["email"]).password_hash
    r = client.post("/account", data={"what": "password", "current_password": current, "new_password": new})
    assert r.status_code == 422 and field_text in r.get_data(as_text=True)
    assert user_row(app, staff["email"]).password_hash == before


def test_signing_out_everywhere_ends_every_session(app, staff):
    one, two = app.test_client(), app.test_client()
    sign_in(one, staff["email"])
    sign_in(two, staff["email"])
    one.post("/account", data={"what": "sign_out_everywhere"})
    assert one.get("/account").status_code == 302 and two.get("/account").status_code == 302


def test_an_api_token_from_the_account_page_prepares_meetings_and_a_new_one_replaces_it(client, staff):
    sign_in(client, staff["email"])
    page = client.post("/account", data={"what": "api_token"}).get_data(as_text=True)
    token = page.split('id="api-token">', 1)[1].split("<", 1)[0]
    other = client.application.test_client()
    ok = other.post("/api/v1/meetings", json=meeting_payload(), headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 201
    client.post("/account", data={"what": "api_token"})
    again = other.post("/api/v1/meetings", json=meeting_payload(), headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401


# ---------------------------------------------------------------- preparing meetings needs an account


def test_nobody_prepares_a_meeting_without_an_account(client, app):
    assert client.get("/meetings/new").status_code == 302
    r = client.post("/meetings/new", data={"title": "x"})
    assert r.status_code == 302
    r = client.post("/api/v1/meetings", json=meeting_payload())
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorised"
    r = client.post("/api/v1/meetings", json=meeting_payload(), headers={"Authorization": "Bearer cg_forged-token"})
    assert r.status_code == 401
    with app.app_context():
        assert db.session.scalar(select(Meeting)) is None


def test_a_note_taker_account_cannot_prepare_meetings(client, app):
    note_taker = add_staff(app, "notes@school.test", "Mr Notes", "note_taker")
    sign_in(client, note_taker["email"])
    assert client.get("/meetings/new").status_code == 403
    r = client.post("/api/v1/meetings", json=meeting_payload(), headers={"Authorization": f"Bearer {note_taker['api_token']}"})
    assert r.status_code == 403


def prepare_in_browser(client) -> str:
    """Prepare a meeting through the form as the signed-in client; returns the chair console's path."""
    r = client.post(
        "/meetings/new",
        data={"title": "Year 6 review", "meeting_type": "sen_support_review", "child_ref": "KT-7",
              "date": (utcnow() + timedelta(days=2)).date().isoformat(), "start": "09:30", "end": "10:30"},
    )
    assert r.status_code == 303, r.get_data(as_text=True)
    return r.headers["Location"]


def test_a_chair_link_made_when_signed_in_opens_only_for_that_account(client, app, staff):
    sign_in(client, staff["email"])
    chair_path = prepare_in_browser(client)
    assert client.get(chair_path).status_code == 200
    assert "Year 6 review" in client.get("/").get_data(as_text=True)  # listed among their meetings
    # The same link in a browser that is not signed in: sign in first.
    stranger = app.test_client()
    r = stranger.get(chair_path)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    # Signed in as someone else: as if the link did not exist.
    other = add_staff(app, "other@school.test", "Mr Other", "chair")
    sign_in(stranger, other["email"])
    assert stranger.get(chair_path).status_code == 404
    token = chair_path.rsplit("/", 1)[1]
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id))
    r = stranger.get(f"/api/v1/meetings/{meeting_id}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


# ---------------------------------------------------------------- the command line


def test_the_first_administrator_is_created_from_the_command_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "Head@School.test", "--name", "Mrs Head", "--password-stdin", "--api-token"],
        input="a long enough admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created administrator account head@school.test" in result.output and "API token: cg_" in result.output
    assert user_row(app, "head@school.test").role == "admin"
    again = runner.invoke(args=["create-user", "head@school.test", "--name", "X", "--password-stdin"], input="another long passphrase\n")
    assert again.exit_code == 1 and "already an account" in again.output


def test_the_command_line_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(args=["create-user", "a@b.test", "--name", "A", "--password-stdin"], input="short\n")
    assert result.exit_code == 1 and "at least 12 characters" in result.output
    with app.app_context():
        assert db.session.scalar(select(User)) is None


# ---------------------------------------------------------------- administration


@pytest.mark.parametrize("path", ["/admin/", "/admin/users", "/admin/settings", "/admin/access-log"])
def test_administration_is_for_administrators_only(client, app, staff, path):
    assert client.get(path).status_code == 302  # not signed in: to the sign-in page
    sign_in(client, staff["email"])
    assert client.get(path).status_code == 403  # a chair's account
    client.post("/logout")
    add_staff(app, "admin@school.test", "Ms Admin", "admin")
    sign_in(client, "admin@school.test")
    assert client.get(path).status_code == 200


def test_an_administrator_adds_an_account_and_turns_one_off(client, app, admin, staff):
    sign_in(client, admin["email"])
    r = client.post("/admin/users", data={"name": "Mr New", "email": "new@school.test", "role": "note_taker", "password": "a fresh long passphrase"})
    assert r.status_code == 303
    assert user_row(app, "new@school.test").role == "note_taker"
    # Turning an account off ends its sessions and stops it signing in.
    theirs = app.test_client()
    sign_in(theirs, staff["email"])
    client.post(f"/admin/users/{staff['id']}/active", data={"active": "0"})
    assert theirs.get("/account").status_code == 302
    assert sign_in(theirs, staff["email"]).status_code == 401
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AdminLogEntry).order_by(AdminLogEntry.id))]
    assert "account.create" in actions and "account.deactivate" in actions


def test_an_administrator_cannot_turn_off_the_last_administrator_or_themselves(client, app, admin):
    sign_in(client, admin["email"])
    client.post(f"/admin/users/{admin['id']}/active", data={"active": "0"})
    assert user_row(app, admin["email"]).active is True


def test_an_account_with_a_taken_e_mail_or_unknown_role_is_refused(client, app, admin):
    sign_in(client, admin["email"])
    r = client.post("/admin/users", data={"name": "Dup", "email": "ADMIN@school.test", "role": "admin", "password": "a fresh long passphrase"})
    assert r.status_code == 422 and "already an account" in r.get_data(as_text=True)
    r = client.post("/admin/users", data={"name": "X", "email": "x@school.test", "role": "superuser", "password": "a fresh long passphrase"})
    assert r.status_code == 422
    assert user_row(app, admin["email"]) is not None
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@school.test")) is None


def test_settings_are_checked_and_saved(client, app, admin):
    sign_in(client, admin["email"])
    r = client.post("/admin/settings", data={"name": "Hillside", "retention_months": "6", "invite_link_days": "abc"})
    assert r.status_code == 422
    with app.app_context():
        assert db.session.get(Organisation, 1) is None or db.session.get(Organisation, 1).name != "Hillside"
    r = client.post("/admin/settings", data={"name": "Hillside", "retention_months": "120", "invite_link_days": "60"})
    assert r.status_code == 303
    with app.app_context():
        org = db.session.get(Organisation, 1)
        assert (org.name, org.retention_months, org.invite_link_days) == ("Hillside", 120, 60)


def test_the_access_log_shows_who_opened_and_exported_a_meeting(client, app, admin, meeting):
    client.get(f"/join/{meeting['participant_tokens'][0]}" if "participant_tokens" in meeting else f"/screen/{meeting['screen']}")
    client.get(f"/minutes/{meeting['chair']}/export/csv")
    sign_in(client, admin["email"])
    page = client.get(f"/admin/access-log?meeting={meeting['id']}").get_data(as_text=True)
    assert "meeting.open" in page and "Shared screen" in page
    assert "minutes.export" in page


def test_sign_in_attempts_from_one_address_are_rate_limited(client, app, staff):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert sign_in(client, "nobody@school.test", "some wrong password").status_code == 401
    r = sign_in(client, staff["email"])
    assert r.status_code == 429 and "Retry-After" in r.headers
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert sign_in(other, staff["email"]).status_code == 303


def test_a_refused_new_meeting_marks_each_field_at_fault_and_links_its_message_to_it(client, staff):
    sign_in(client, staff["email"])
    r = client.post("/meetings/new", data={"title": " ", "meeting_type": "ehcp_annual_review", "child_ref": "AB-1",
                                           "date": "2031-05-02", "start": "10:00", "end": "11:00"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="field-title" name="title" aria-invalid="true" aria-describedby="error-title"' in html
    assert '<li id="error-title"><a href="#field-title">' in html
    assert 'name="child_ref" aria-invalid' not in html  # only the field at fault
