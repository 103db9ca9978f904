"""Signing in with the school's own accounts, against a real OpenID provider (tests/oidc/provider.mjs, run
by Node on 127.0.0.1): first sign-in, linking, refusals, replayed states, rotated keys, signing out, and
staff who must use single sign-on."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from facilitation.extensions import db
from facilitation.models import AdminLogEntry, Organisation, SecurityEvent, User
from facilitation.services import accounts
from facilitation.services import single_sign_on as sso
from tests.conftest import STAFF_PASSWORD, add_staff, app_with, sign_in
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, oidc_provider  # noqa: F401  (shared fixture)

CALLBACK = "http://localhost/sign-in/sso/callback"


@pytest.fixture
def app(tmp_path, oidc_provider):  # noqa: F811
    """The app, with the first organisation signing in at the test provider (people of school.test)."""
    oidc_provider.register([CALLBACK], ["http://localhost/login"])
    with app_with(tmp_path, OIDC_ALLOW_HTTP=True) as app:
        with app.app_context():
            org = db.session.get(Organisation, 1)
            org.oidc_issuer, org.oidc_client_id, org.oidc_client_secret = oidc_provider.issuer, CLIENT_ID, CLIENT_SECRET
            org.oidc_domains, org.sso_default_role = ["school.test"], "note_taker"
            db.session.commit()
        yield app


@pytest.fixture
def provider(oidc_provider):  # noqa: F811
    return oidc_provider


def sso_sign_in(client, provider, email: str, *, start: str = "/sign-in/sso/main", cancel: bool = False):
    """Start at the app, sign in at the provider as `email`, and come back: the callback's answer."""
    started = (
        client.get(start) if start.startswith("/sign-in/sso/") else client.post("/sign-in/sso", data={"email": email})
    )
    assert started.status_code == 303, started.get_data(as_text=True)
    back = provider.sign_in(started.headers["Location"], email, CALLBACK, cancel=cancel)
    return client.get(back.removeprefix("http://localhost"))


def user(app, email: str) -> User | None:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        if found is not None:
            db.session.expunge(found)
        return found


def admin_log(app, action: str) -> list[dict]:
    with app.app_context():
        return [e.detail for e in db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.action == action))]


def refusals(app) -> list[str]:
    with app.app_context():
        accounts_ = db.session.scalars(select(SecurityEvent.detail).where(SecurityEvent.kind == "sso_refused"))
        return list(accounts_)


def test_a_first_sign_in_from_an_allowed_domain_makes_an_account_with_the_default_role(app, client, provider):
    answer = sso_sign_in(client, provider, "new.teacher@school.test")
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    made = user(app, "new.teacher@school.test")
    assert made.role == "note_taker" and made.organisation_id == 1
    assert (made.oidc_issuer, made.oidc_subject) == (provider.issuer, "sub-new.teacher@school.test")
    assert made.password_hash == accounts.NO_PASSWORD
    assert admin_log(app, "account.sso_create") == [
        {"user_id": made.id, "role": "note_taker", "issuer": provider.issuer}
    ]
    assert client.get("/account").status_code == 200  # signed in


def test_a_sign_in_returns_to_the_page_the_person_was_going_to(app, client, provider):
    assert (
        sso_sign_in(client, provider, "teacher@school.test", start="/sign-in/sso/main?next=/account").headers[
            "Location"
        ]
        == "/account"
    )
    client.post("/logout")
    away = sso_sign_in(client, provider, "teacher@school.test", start="/sign-in/sso/main?next=//evil.example/")
    assert away.headers["Location"] == "/"  # only a path on this site


def test_a_first_sign_in_never_makes_an_administrator(app, client, provider):
    with app.app_context():
        db.session.get(Organisation, 1).sso_default_role = "admin"
        db.session.commit()
    sso_sign_in(client, provider, "teacher@school.test")
    assert user(app, "teacher@school.test").role == "note_taker"


def test_the_next_sign_in_finds_the_account_by_its_subject(app, client, provider):
    sso_sign_in(client, provider, "new.teacher@school.test")
    client.post("/logout")
    again = sso_sign_in(client, provider, "new.teacher@school.test")
    assert again.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 1
    assert len(admin_log(app, "account.sso_create")) == 1


def test_an_existing_account_with_the_same_address_is_linked_and_keeps_its_role(app, client, provider):
    senco = add_staff(app, "senco@school.test", role="chair")
    answer = sso_sign_in(client, provider, "senco@school.test")
    assert answer.status_code == 303
    linked = user(app, "senco@school.test")
    assert linked.id == senco["id"] and linked.role == "chair" and linked.oidc_subject == "sub-senco@school.test"
    assert admin_log(app, "account.sso_link") == [{"user_id": senco["id"], "issuer": provider.issuer}]
    client.post("/logout")
    assert sign_in(client, "senco@school.test").status_code == 303  # the password still works


def test_an_address_of_a_domain_not_allowed_is_refused_and_no_account_is_made(app, client, provider):
    answer = sso_sign_in(client, provider, "someone@elsewhere.test")
    assert answer.status_code == 403
    assert "e-mail domain cannot sign in" in answer.get_data(as_text=True)
    assert user(app, "someone@elsewhere.test") is None
    assert client.get("/account").status_code == 302  # not signed in
    assert refusals(app) == ["domain_not_allowed"]


def test_an_unverified_address_is_refused(app, client, provider):
    answer = sso_sign_in(client, provider, "unverified.teacher@school.test")
    assert answer.status_code == 403 and user(app, "unverified.teacher@school.test") is None
    assert refusals(app) == ["email_not_verified"]


def test_an_account_of_another_organisation_with_that_address_is_not_linked(app, client, provider):
    with app.app_context():
        db.session.add(Organisation(id=2, name="Other school", slug="other"))
        db.session.commit()
    other = add_staff(app, "moved@school.test")
    with app.app_context():
        db.session.get(User, other["id"]).organisation_id = 2
        db.session.commit()
    answer = sso_sign_in(client, provider, "moved@school.test")
    assert answer.status_code == 403 and "another organisation" in answer.get_data(as_text=True)
    assert user(app, "moved@school.test").oidc_subject is None


def test_a_turned_off_account_is_refused(app, client, provider):
    sso_sign_in(client, provider, "leaver@school.test")
    client.post("/logout")
    with app.app_context():
        db.session.scalar(select(User).where(User.email == "leaver@school.test")).active = False
        db.session.commit()
    answer = sso_sign_in(client, provider, "leaver@school.test")
    assert answer.status_code == 403 and "turned off" in answer.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_a_replayed_state_is_refused(app, client, provider):
    started = client.get("/sign-in/sso/main")
    with client.session_transaction() as kept:
        cookie_session = dict(kept)  # the browser's session before the answer came back
    back = provider.sign_in(started.headers["Location"], "replay@school.test", CALLBACK).removeprefix(
        "http://localhost"
    )
    assert client.get(back).status_code == 303
    client.post("/logout")
    # The same answer again in this browser: its state was used up.
    assert client.get(back).status_code == 403
    # Again with the session as it was before (a copied cookie): the provider's code works only once.
    with client.session_transaction() as restored:
        restored.update(cookie_session)
    assert client.get(back).status_code == 403
    assert client.get("/account").status_code == 302
    assert refusals(app) == ["state_mismatch", "code_refused"]


def test_an_answer_for_another_browser_is_refused(app, client, provider):
    started = client.get("/sign-in/sso/main")
    back = provider.sign_in(started.headers["Location"], "victim@school.test", CALLBACK).removeprefix(
        "http://localhost"
    )
    stranger = app.test_client()
    assert stranger.get(back).status_code == 403
    assert user(app, "victim@school.test") is None


def test_the_provider_asks_with_pkce_state_and_nonce(app, client, provider):
    started = client.get("/sign-in/sso/main")
    query = parse_qs(urlsplit(started.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"] and query["nonce"] and query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == [CALLBACK] and query["client_id"] == [CLIENT_ID]
    with client.session_transaction() as kept:
        assert kept["sso_pending"]["state"] == query["state"][0]


def test_the_address_typed_picks_the_organisation_by_its_domain(app, client, provider):
    answer = sso_sign_in(client, provider, "typed@school.test", start="by e-mail")
    assert answer.status_code == 303 and user(app, "typed@school.test") is not None
    unknown = client.post("/sign-in/sso", data={"email": "someone@nowhere.test"})
    assert unknown.status_code == 422 and "No organisation here signs in" in unknown.get_data(as_text=True)


def test_the_sign_in_page_may_send_its_form_on_to_the_provider(app, client, provider):
    page = client.get("/login")
    assert "Sign in with your school account" in page.get_data(as_text=True)
    assert f"form-action 'self' {provider.issuer}" in page.headers["Content-Security-Policy"]


def test_an_unknown_organisation_link_is_not_found(app, client):
    assert client.get("/sign-in/sso/nowhere").status_code == 404


def test_a_provider_refusal_ends_the_sessions_of_the_account_it_was_for(app, client, provider):
    sso_sign_in(client, provider, "teacher@school.test")
    assert client.get("/account").status_code == 200
    elsewhere = app.test_client()
    refused = sso_sign_in(elsewhere, provider, "teacher@school.test", start="by e-mail", cancel=True)
    assert refused.status_code == 403 and "did not sign you in" in refused.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # the first browser's session ended too
    assert refusals(app) == ["provider_access_denied"]


def test_signing_out_ends_the_session_and_offers_the_providers_sign_out(app, client, provider):
    sso_sign_in(client, provider, "teacher@school.test")
    answer = client.post("/logout")
    assert answer.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    link = page.split('id="provider-sign-out"', 1)[1].split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    target = urlsplit(link)
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.issuer}/session/end"
    assert parse_qs(target.query) == {"client_id": [CLIENT_ID], "post_logout_redirect_uri": ["http://localhost/login"]}
    assert client.get("/account").status_code == 302
    assert "provider-sign-out" not in client.get("/login").get_data(as_text=True)  # offered once


def test_signing_out_of_a_password_session_offers_no_provider_sign_out(app, client):
    add_staff(app, "senco@school.test")
    sign_in(client, "senco@school.test")
    client.post("/logout")
    assert "provider-sign-out" not in client.get("/login").get_data(as_text=True)


def test_a_rotated_signing_key_is_fetched_when_a_token_names_it(app, client, provider):
    sso_sign_in(client, provider, "teacher@school.test")
    client.post("/logout")
    with app.app_context():
        old = {key.kid for key in app.extensions["single_sign_on"].keys[provider.issuer][1]}
    new_kid = provider.rotate_keys()
    assert new_kid not in old
    assert sso_sign_in(client, provider, "teacher@school.test").status_code == 303
    with app.app_context():
        assert {key.kid for key in app.extensions["single_sign_on"].keys[provider.issuer][1]} == {new_kid}


def test_staff_of_an_organisation_that_requires_single_sign_on_cannot_use_passwords(app, client):
    add_staff(app, "chair@school.test", role="chair")
    add_staff(app, "admin@school.test", role="admin")
    with app.app_context():
        db.session.get(Organisation, 1).sso_required = True
        db.session.commit()
    refused = sign_in(client, "chair@school.test")
    assert refused.status_code == 401 and "signs you in with your school account" in refused.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    wrong = sign_in(client, "chair@school.test", "not the password at all")
    assert "signs you in with" not in wrong.get_data(as_text=True)  # nothing said without the password
    assert sign_in(client, "admin@school.test").status_code == 303  # administrators keep theirs


def test_an_account_made_by_single_sign_on_has_no_password(app, client, provider):
    sso_sign_in(client, provider, "teacher@school.test")
    page = client.get("/account").get_data(as_text=True)
    assert "has no password of its own" in page and 'id="change-password"' not in page
    client.post("/logout")
    for password in (accounts.NO_PASSWORD, "", STAFF_PASSWORD):
        assert sign_in(client, "teacher@school.test", password).status_code == 401


# ---------------------------------------------------------------- the ID token's checks, with tokens the provider signed


def claims(provider, **changes) -> dict:
    now = int(time.time())
    base = {
        "iss": provider.issuer,
        "sub": "sub-x@school.test",
        "aud": CLIENT_ID,
        "exp": now + 300,
        "iat": now,
        "nonce": "n-1",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def verify(app, token: str, nonce: str = "n-1") -> dict:
    with app.app_context():
        return sso.verify_id_token(token, issuer=app.config["TEST_ISSUER"], client_id=CLIENT_ID, nonce=nonce)


@pytest.fixture
def checker(app, provider):
    app.config["TEST_ISSUER"] = provider.issuer
    return app


def refused_reason(app, token: str, nonce: str = "n-1") -> str:
    with pytest.raises(sso.SignInRefused) as refused:
        verify(app, token, nonce)
    return refused.value.reason


def test_a_token_the_provider_signed_is_accepted(checker, provider):
    assert verify(checker, provider.sign(claims(provider)))["sub"] == "sub-x@school.test"


def test_a_tampered_token_is_refused(checker, provider):
    header, payload, signature = provider.sign(claims(provider)).split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["sub"] = "sub-headteacher@school.test"
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    assert refused_reason(checker, f"{header}.{forged}.{signature}") == "bad_token"
    assert refused_reason(checker, f"{header}.{payload}.{signature[:-4]}AAAA") == "bad_token"


def test_an_expired_token_is_refused(checker, provider):
    long_ago = int(time.time()) - 3600
    assert refused_reason(checker, provider.sign(claims(provider, exp=long_ago, iat=long_ago - 60))) == "expired_token"


def test_a_token_for_another_audience_is_refused(checker, provider):
    assert refused_reason(checker, provider.sign(claims(provider, aud="another-app"))) == "wrong_audience"
    assert (
        refused_reason(checker, provider.sign(claims(provider, aud=[CLIENT_ID, "another-app"], azp="another-app")))
        == "wrong_audience"
    )


def test_a_token_from_another_issuer_or_with_another_nonce_is_refused(checker, provider):
    assert refused_reason(checker, provider.sign(claims(provider, iss="https://attacker.example"))) == "bad_claim.iss"
    assert refused_reason(checker, provider.sign(claims(provider)), nonce="n-2") == "bad_claim.nonce"
    assert refused_reason(checker, provider.sign(claims(provider, exp=None))) == "bad_claim.exp"


def test_an_issuer_must_be_https_unless_the_configuration_allows_http(tmp_path):
    with app_with(tmp_path) as plain, plain.app_context():
        with pytest.raises(Exception, match="https"):
            sso.check_issuer("http://127.0.0.1:9/")
        assert sso.check_issuer("https://login.microsoftonline.com/x/v2.0")


def test_a_provider_refusal_cuts_off_the_accounts_open_meeting_connections(app, provider, meeting, api, sockets):
    notes = add_staff(app, "notes@school.test", "Mr Notes", "note_taker")
    status, body = api(meeting["chair"], meeting["id"], "links.add_note_taker", email=notes["email"])
    assert status == 200, body
    notes_client = app.test_client()
    assert sso_sign_in(notes_client, provider, "notes@school.test").status_code == 303  # links the account
    notes_socket = sockets(body["link"]["path"].rsplit("/", 1)[1], notes_client)
    chair_socket = sockets(meeting["chair"])
    assert notes_socket.is_connected() and chair_socket.is_connected()
    refused = sso_sign_in(app.test_client(), provider, "notes@school.test", start="by e-mail", cancel=True)
    assert refused.status_code == 403
    assert not notes_socket.is_connected()
    assert chair_socket.is_connected()
    assert notes_client.get("/account").status_code == 302


def test_a_refusal_for_an_address_of_a_password_only_account_ends_nothing(app, client, provider):
    senco = add_staff(app, "senco@school.test")
    sign_in(client, senco["email"])
    refused = sso_sign_in(app.test_client(), provider, "senco@school.test", start="by e-mail", cancel=True)
    assert refused.status_code == 403
    assert client.get("/account").status_code == 200  # not linked to the provider: its refusal says nothing of it


def test_an_answer_naming_another_issuer_is_refused(app, client, provider):
    started = client.get("/sign-in/sso/main")
    back = provider.sign_in(started.headers["Location"], "teacher@school.test", CALLBACK)
    assert "iss=" in back
    tampered = back.replace("iss=", "iss=https%3A%2F%2Fattacker.example&was=")
    assert client.get(tampered.removeprefix("http://localhost")).status_code == 403
    assert refusals(app) == ["wrong_issuer"] and user(app, "teacher@school.test") is None


def test_a_provider_that_does_not_answer_gets_a_clear_page(app, client):
    with app.app_context():
        db.session.get(Organisation, 1).oidc_issuer = "http://127.0.0.1:9"
        db.session.commit()
    answer = client.get("/sign-in/sso/main")
    assert answer.status_code == 503 and "did not answer" in answer.get_data(as_text=True)


def test_unknown_key_ids_fetch_the_keys_again_at_most_once_in_a_while(checker, provider, monkeypatch):
    token = provider.sign(claims(provider))
    verify(checker, token)  # keys fetched and cached
    fetched = []
    real = sso._get_json
    monkeypatch.setattr(sso, "_get_json", lambda url: fetched.append(url) or real(url))
    header, payload, signature = token.split(".")

    def with_kid(kid: str) -> str:
        head = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": kid}).encode()).rstrip(b"=").decode()
        return f"{head}.{payload}.{signature}"

    assert refused_reason(checker, with_kid("made-up-1")) == "unknown_key"
    assert refused_reason(checker, with_kid("made-up-2")) == "unknown_key"
    assert len(fetched) == 1  # the second made-up key id did not fetch again


@pytest.mark.parametrize(
    ("issuer", "token_claims", "expected"),
    [
        ("https://accounts.google.com", {"email": "A@School.test", "email_verified": True}, "a@school.test"),
        ("https://accounts.google.com", {"email": "a@school.test", "email_verified": False}, None),
        ("https://accounts.google.com", {"email": "a@school.test"}, None),
        (
            "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
            {"email": "a@school.test"},
            "a@school.test",
        ),
        (
            "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
            {"preferred_username": "b@school.test"},
            "b@school.test",
        ),
        (
            "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0",
            {"email": "a@school.test", "xms_edov": False},
            None,
        ),
        ("https://login.microsoftonline.com/common/v2.0", {"email": "a@school.test"}, None),
    ],
)
def test_which_addresses_count_as_verified(issuer, token_claims, expected):
    assert sso.verified_email(Organisation(oidc_issuer=issuer), token_claims) == expected


def test_the_single_sign_on_routes_are_rate_limited_per_address(app, client):
    app.config["SSO_RATE_LIMIT"] = "2 per minute"
    assert [client.get("/sign-in/sso/main").status_code for _ in range(3)] == [303, 303, 429]
