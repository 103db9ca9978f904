"""An organisation's administrator sets up signing in with the school's own accounts: the form validates,
keeps the client secret write-only, and logs the change without it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from facilitation.extensions import db
from facilitation.models import AdminLogEntry, Organisation
from tests.conftest import add_staff, sign_in

ISSUER = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"
GOOD = {
    "issuer": ISSUER,
    "client_id": "app-id-1",
    "client_secret": "first-secret-value",
    "domains": "School.Example.org, @other.example.org\nschool.example.org",
    "default_role": "chair",
    "sso_required": "1",
}


@pytest.fixture
def admin_client(app, client):
    add_staff(app, "admin@school.test", role="admin")
    sign_in(client, "admin@school.test")
    return client


def org(app) -> Organisation:
    with app.app_context():
        row = db.session.get(Organisation, 1)
        db.session.expunge(row)
        return row


def test_an_administrator_sets_up_single_sign_on(app, admin_client):
    answer = admin_client.post("/admin/settings/sign-in", data=GOOD)
    assert answer.status_code == 303
    saved = org(app)
    assert (saved.oidc_issuer, saved.oidc_client_id, saved.oidc_client_secret) == (
        ISSUER,
        "app-id-1",
        "first-secret-value",
    )
    assert saved.oidc_domains == ["school.example.org", "other.example.org"]
    assert saved.sso_default_role == "chair" and saved.sso_required is True


def test_the_client_secret_is_kept_encrypted_and_unreadable_under_another_secret_key(app, admin_client):
    admin_client.post("/admin/settings/sign-in", data=GOOD)
    with app.app_context():
        stored = db.session.execute(text("select oidc_client_secret from organisation where id = 1")).scalar_one()
    # A dump of the database holds a sealed value, not the secret.
    assert stored.startswith("fernet:") and "first-secret-value" not in stored
    assert org(app).oidc_client_secret == "first-secret-value"
    # The longest secret the form takes still fits its column sealed; a longer one is refused.
    assert admin_client.post("/admin/settings/sign-in", data={**GOOD, "client_secret": "x" * 257}).status_code == 422
    assert admin_client.post("/admin/settings/sign-in", data={**GOOD, "client_secret": "y" * 256}).status_code == 303
    assert org(app).oidc_client_secret == "y" * 256
    app.config["SECRET_KEY"] = "another-deployment-key"
    # Under another key it cannot be read: single sign-on counts as not set up until it is entered again.
    assert org(app).oidc_client_secret is None


def test_the_client_secret_is_never_shown_and_blank_keeps_it(app, admin_client):
    admin_client.post("/admin/settings/sign-in", data=GOOD)
    page = admin_client.get("/admin/settings/sign-in").get_data(as_text=True)
    assert "first-secret-value" not in page and "leave blank to keep it" in page
    assert admin_client.post("/admin/settings/sign-in", data={**GOOD, "client_secret": ""}).status_code == 303
    assert org(app).oidc_client_secret == "first-secret-value"
    admin_client.post("/admin/settings/sign-in", data={**GOOD, "client_secret": "second-secret-value"})
    assert org(app).oidc_client_secret == "second-secret-value"
    with app.app_context():
        logged = [
            e.detail for e in db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.action == "settings.update"))
        ]
    assert len(logged) == 3 and all(entry["part"] == "sign_in" for entry in logged)
    assert "secret-value" not in repr(logged)
    assert logged[2]["after"]["client_secret_changed"] is True


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"issuer": "http://login.example.org"}, "issuer", "https://"),
        ({"issuer": "https://example.org/?x=1"}, "issuer", "issuer address"),
        ({"domains": "not a domain!"}, "domains", "is not an e-mail domain"),
        ({"domains": ""}, "domains", "at least one e-mail domain"),
        ({"client_id": ""}, "client_id", "client (application) id"),
        ({"client_secret": ""}, "client_secret", "client secret"),
        ({"default_role": "admin"}, "default_role", "Chair (SENCO) or Note-taker"),
        ({"issuer": "", "client_id": "", "domains": ""}, "sso_required", "cannot be required"),
    ],
)
def test_bad_settings_are_refused_with_a_message_at_the_field_and_change_nothing(
    app, admin_client, change, field, message
):
    answer = admin_client.post("/admin/settings/sign-in", data={**GOOD, **change})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert f'id="error-{field}"' in page and message in page
    assert org(app).oidc_issuer is None


def test_a_domain_another_organisation_signs_in_is_refused(app, admin_client):
    with app.app_context():
        db.session.add(Organisation(id=2, name="Other", slug="other", oidc_domains=["other.example.org"]))
        db.session.commit()
    answer = admin_client.post("/admin/settings/sign-in", data=GOOD)
    assert answer.status_code == 422 and "already signs in people of other.example.org" in answer.get_data(as_text=True)


def test_an_empty_issuer_switches_single_sign_on_off(app, admin_client):
    admin_client.post("/admin/settings/sign-in", data=GOOD)
    off = {"issuer": "", "client_id": "", "client_secret": "", "domains": "", "default_role": "note_taker"}
    assert admin_client.post("/admin/settings/sign-in", data=off).status_code == 303
    saved = org(app)
    assert (saved.oidc_issuer, saved.oidc_client_secret, saved.oidc_domains, saved.sso_required) == (
        None,
        None,
        None,
        False,
    )


def test_only_administrators_reach_the_sign_in_settings(app, client):
    add_staff(app, "chair@school.test", role="chair")
    sign_in(client, "chair@school.test")
    assert client.get("/admin/settings/sign-in").status_code == 403
    assert client.post("/admin/settings/sign-in", data=GOOD).status_code == 403
