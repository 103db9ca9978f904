"""Many organisations administered: a deployment administrator adds organisations with their first
administrator (page and command line); each organisation's administrators see and manage only its
accounts, grants, settings and logs, and another organisation's rows are "not found" (404)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from facilitation import schemas
from facilitation.extensions import db
from facilitation.models import AdminLogEntry, AuditEntry, Meeting, Organisation, OrganisationGrant, SecurityEvent, User
from facilitation.services import accounts, grants, organisations, security_events
from tests.conftest import STAFF_PASSWORD, add_staff, sign_in
from tests.web.test_statutory_settings import GOOD

PASSWORD = "a fresh long passphrase"


def make_organisation(
    app, name="Riverside Academy", slug="riverside", email="head@riverside.test", admin_name="Mr River"
):
    """A second organisation with its first administrator, made as the deployment's page makes it."""
    with app.app_context():
        org, admin = organisations.create_organisation(name, slug, email, admin_name, STAFF_PASSWORD, by="tests")
        return {"id": org.id, "slug": org.slug, "admin_id": admin.id, "admin_email": admin.email}


def add_user(app, email, name, role, organisation_id, deployment_admin=False) -> dict:
    """An account of an organisation (tests' cheap password), returned as id and e-mail."""
    with app.app_context():
        user = accounts.create_user(
            email,
            name,
            role,
            STAFF_PASSWORD,
            by="tests",
            organisation_id=organisation_id,
            deployment_admin=deployment_admin,
        )
        return {"id": user.id, "email": user.email}


@pytest.fixture
def two(app):
    """Organisation A (the first, "main") and B ("riverside"), each with an administrator and a chair, and a
    deployment administrator who belongs to A."""
    a_admin = add_user(app, "admin@hillside.test", "Ms Hill", "admin", 1)
    a_chair = add_user(app, "chair@hillside.test", "Mr Chair", "chair", 1)
    b = make_organisation(app)
    b_chair = add_user(app, "chair@riverside.test", "Ms Brook", "chair", b["id"])
    deployer = add_user(app, "ops@council.test", "Ms Ops", "admin", 1, deployment_admin=True)
    return {
        "a_admin": a_admin,
        "a_chair": a_chair,
        "b": b,
        "b_admin": {"id": b["admin_id"], "email": b["admin_email"]},
        "b_chair": b_chair,
        "deployer": deployer,
    }


def signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 303
    return client


def row(app, model, **where):
    with app.app_context():
        found = db.session.scalar(select(model).filter_by(**where))
        if found is not None:
            db.session.expunge(found)
        return found


# ---------------------------------------------------------------- the deployment's organisations


def test_a_deployment_administrator_adds_an_organisation_with_its_first_administrator(app, two):
    ops = signed_in(app, two["deployer"]["email"])
    page = ops.get("/deployment/organisations").get_data(as_text=True)
    assert 'data-slug="main"' in page and 'data-slug="riverside"' in page
    r = ops.post(
        "/deployment/organisations",
        data={
            "name": "Oak Tree Primary",
            "slug": "oak-tree",
            "admin_email": "Head@OakTree.test",
            "admin_name": "Mrs Oak",
            "admin_password": PASSWORD,
        },
    )
    assert r.status_code == 303
    org = row(app, Organisation, slug="oak-tree")
    head = row(app, User, email="head@oaktree.test")
    assert org.name == "Oak Tree Primary" and org.retention_months == 84
    assert head.organisation_id == org.id and head.role == "admin" and not head.deployment_admin
    # The organisation's creation is in the deployment's log; its account's in the organisation's own.
    with app.app_context():
        entries = {e.action: e.organisation_id for e in db.session.scalars(select(AdminLogEntry))}
    assert entries["organisation.create"] is None
    with app.app_context():
        made = db.session.scalar(
            select(AdminLogEntry).where(
                AdminLogEntry.action == "account.create", AdminLogEntry.detail["user_id"].as_integer() == head.id
            )
        )
        assert made.organisation_id == org.id
    listing = ops.get("/deployment/organisations").get_data(as_text=True)
    oak = listing.split('data-slug="oak-tree"', 1)[1].split("</tr>", 1)[0]
    assert "<td>1</td><td>0</td>" in oak  # one account, no meetings
    assert "organisation.create" in listing  # the deployment log
    # The new administrator signs in to their own organisation's administration.
    theirs = app.test_client()
    assert sign_in(theirs, "head@oaktree.test", PASSWORD).status_code == 303
    overview = theirs.get("/admin/").get_data(as_text=True)
    assert "Oak Tree Primary" in overview and "Accounts</a>: 1" not in overview
    assert "head@oaktree.test" in theirs.get("/admin/users").get_data(as_text=True)
    assert "admin@hillside.test" not in theirs.get("/admin/users").get_data(as_text=True)


def test_a_bad_short_name_or_a_taken_e_mail_makes_nothing_and_names_no_other_organisation(app, two):
    ops = signed_in(app, two["deployer"]["email"])
    with app.app_context():
        before = (
            db.session.scalar(select(db.func.count()).select_from(Organisation)),
            db.session.scalar(select(db.func.count()).select_from(User)),
        )
    for slug in ("Oak Tree", "oak_tree", "-oak", "riverside", "", "x" * 61):
        r = ops.post(
            "/deployment/organisations",
            data={
                "name": "Oak",
                "slug": slug,
                "admin_email": "new@oak.test",
                "admin_name": "Mrs Oak",
                "admin_password": PASSWORD,
            },
        )
        assert r.status_code == 422, slug
    r = ops.post(
        "/deployment/organisations",
        data={
            "name": "Oak",
            "slug": "oak",
            "admin_email": "CHAIR@riverside.test",
            "admin_name": "Mrs Oak",
            "admin_password": PASSWORD,
        },
    )
    html = r.get_data(as_text=True)
    summary = html.split("error-summary", 1)[1].split("</div>", 1)[0]
    assert r.status_code == 422 and "already an account" in summary and "Riverside" not in summary
    r = ops.post(
        "/deployment/organisations",
        data={
            "name": "",
            "slug": "oak",
            "admin_email": "new@oak.test",
            "admin_name": "Mrs Oak",
            "admin_password": "short",
        },
    )
    assert r.status_code == 422 and "at least 12 characters" in r.get_data(as_text=True)
    with app.app_context():
        after = (
            db.session.scalar(select(db.func.count()).select_from(Organisation)),
            db.session.scalar(select(db.func.count()).select_from(User)),
        )
    assert after == before


def test_a_deployment_administrator_renames_an_organisation_and_short_names_stay_unique(app, two):
    ops = signed_in(app, two["deployer"]["email"])
    b = two["b"]["id"]
    assert ops.get(f"/deployment/organisations/{b}").status_code == 200
    assert ops.post(f"/deployment/organisations/{b}", data={"name": "Riverside", "slug": "main"}).status_code == 422
    assert (
        ops.post(
            f"/deployment/organisations/{b}", data={"name": "Riverside Academy Trust", "slug": "riverside-trust"}
        ).status_code
        == 303
    )
    org = row(app, Organisation, id=b)
    assert (org.name, org.slug) == ("Riverside Academy Trust", "riverside-trust")
    assert ops.get("/deployment/organisations/999").status_code == 404
    with app.app_context():
        entry = db.session.scalar(select(AdminLogEntry).where(AdminLogEntry.action == "organisation.update"))
        assert entry.organisation_id is None and entry.detail["before"]["slug"] == "riverside"


def test_the_deployment_s_pages_are_not_there_for_anyone_but_its_administrators(app, two):
    anonymous = app.test_client()
    assert anonymous.get("/deployment/organisations").status_code == 302
    for who in ("a_admin", "b_admin", "a_chair"):
        client = signed_in(app, two[who]["email"])
        assert client.get("/deployment/organisations").status_code == 404
        assert client.get(f"/deployment/organisations/{two['b']['id']}").status_code == 404
        r = client.post(
            "/deployment/organisations",
            data={"name": "X", "slug": "x", "admin_email": "x@x.test", "admin_name": "X", "admin_password": PASSWORD},
        )
        assert r.status_code == 404 and row(app, Organisation, slug="x") is None
        assert "/deployment/organisations" not in client.get("/").get_data(as_text=True)
    assert "/deployment/organisations" in signed_in(app, two["deployer"]["email"]).get("/").get_data(as_text=True)


# ---------------------------------------------------------------- an organisation's own accounts


def test_an_administrator_sees_and_manages_only_their_organisation_s_accounts(app, two):
    b_admin = signed_in(app, two["b_admin"]["email"])
    page = b_admin.get("/admin/users").get_data(as_text=True)
    assert "chair@riverside.test" in page and "chair@hillside.test" not in page and "ops@council.test" not in page
    a_chair = two["a_chair"]["id"]
    assert b_admin.post(f"/admin/users/{a_chair}/active", data={"active": "0"}).status_code == 404
    assert b_admin.post(f"/admin/users/{a_chair}/password", data={"new_password": PASSWORD}).status_code == 404
    still = row(app, User, id=a_chair)
    assert still.active and still.session_version == 1
    assert sign_in(app.test_client(), "chair@hillside.test").status_code == 303  # the password is unchanged
    # Their own organisation's chair they can turn off.
    assert b_admin.post(f"/admin/users/{two['b_chair']['id']}/active", data={"active": "0"}).status_code == 303
    assert not row(app, User, id=two["b_chair"]["id"]).active


def test_a_new_account_belongs_to_the_administrator_s_organisation(app, two):
    b_admin = signed_in(app, two["b_admin"]["email"])
    r = b_admin.post(
        "/admin/users",
        data={"name": "Mr Teach", "email": "teach@riverside.test", "role": "note_taker", "password": PASSWORD},
    )
    assert r.status_code == 303
    made = row(app, User, email="teach@riverside.test")
    assert made.organisation_id == two["b"]["id"]
    with app.app_context():
        entry = db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.action == "account.create")).all()[-1]
        assert entry.organisation_id == two["b"]["id"] and entry.detail["user_id"] == made.id
    # An address taken in another organisation: refused, without saying which organisation has it.
    r = b_admin.post(
        "/admin/users", data={"name": "Dup", "email": "chair@hillside.test", "role": "chair", "password": PASSWORD}
    )
    html = r.get_data(as_text=True)
    assert (
        r.status_code == 422
        and "already an account" in html
        and "main" not in html.split("error-summary", 1)[1].split("</div>", 1)[0]
    )


def test_at_least_one_active_administrator_is_kept_in_each_organisation(app, two):
    # Organisation A has two administrators; B's only one still cannot be turned off.
    with app.app_context():
        a_admin = db.session.get(User, two["a_admin"]["id"])
        b_admin = db.session.get(User, two["b_admin"]["id"])
        with pytest.raises(schemas.FieldErrors) as refused:
            accounts.set_active(b_admin, False, by=a_admin)
        assert "at least one active administrator" in str(refused.value.fields)
        assert db.session.get(User, two["b_admin"]["id"]).active
        # In A, one of two administrators may be turned off.
        accounts.set_active(db.session.get(User, two["deployer"]["id"]), False, by=a_admin)
        assert not db.session.get(User, two["deployer"]["id"]).active


# ---------------------------------------------------------------- settings and logs


def test_settings_are_the_organisation_s_own(app, two):
    b_admin = signed_in(app, two["b_admin"]["email"])
    assert "Riverside Academy" in b_admin.get("/admin/settings").get_data(as_text=True)
    r = b_admin.post("/admin/settings", data={"name": "Riverside", "retention_months": "24", "invite_link_days": "30"})
    assert r.status_code == 303
    assert row(app, Organisation, id=two["b"]["id"]).retention_months == 24
    a = row(app, Organisation, id=1)
    assert a.retention_months == 84 and a.name != "Riverside"
    r = b_admin.post("/admin/settings/statutory", data={**GOOD, "advice.name": "Riverside SENDIASS"})
    assert r.status_code == 303
    assert row(app, Organisation, id=two["b"]["id"]).contacts["advice"]["name"] == "Riverside SENDIASS"
    assert row(app, Organisation, id=1).contacts is None
    a_admin = signed_in(app, two["a_admin"]["email"])
    page = a_admin.get("/admin/settings").get_data(as_text=True)
    assert "Riverside" not in page
    assert "Organisation: <strong>Riverside" in b_admin.get("/admin/").get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.action == "settings.update")).all()[0]
        assert entry.organisation_id == two["b"]["id"]


def test_the_access_log_shows_only_the_organisation_s_meetings_and_admin_entries(app, two, meeting, client):
    # The fixture's meeting (opened once over the API) belongs to A; a second one is moved to B.
    with app.app_context():
        b_meeting = Meeting(
            **{
                c: getattr(db.session.get(Meeting, meeting["id"]), c)
                for c in ("title", "meeting_type", "child_ref", "scheduled_start", "scheduled_end")
            }
        )
        b_meeting.title, b_meeting.child_ref, b_meeting.organisation_id = "Riverside review", "RV-77", two["b"]["id"]
        db.session.add(b_meeting)
        db.session.flush()
        from facilitation.models import utcnow

        for meeting_id in (meeting["id"], b_meeting.id):
            db.session.add(
                AuditEntry(meeting_id=meeting_id, action="meeting.open", actor="someone", entity="meeting", at=utcnow())
            )
        db.session.commit()
        b_meeting_id = b_meeting.id
    a_admin = signed_in(app, two["a_admin"]["email"])
    b_admin = signed_in(app, two["b_admin"]["email"])
    a_log = a_admin.get("/admin/access-log").get_data(as_text=True)
    b_log = b_admin.get("/admin/access-log").get_data(as_text=True)
    assert "RV-77" not in a_log and "RV-77" in b_log
    assert meeting_title(app, meeting["id"]) in a_log and meeting_title(app, meeting["id"]) not in b_log
    assert "RV-77" not in b_admin.get("/admin/access-log", query_string={"meeting": str(meeting["id"])}).get_data(
        as_text=True
    )
    assert "RV-77" not in a_admin.get("/admin/access-log", query_string={"meeting": str(b_meeting_id)}).get_data(
        as_text=True
    )
    # Admin entries: B's account creation is on B's page, A's on A's.
    assert "account.create" in b_log
    with app.app_context():
        b_ids = {
            e.id
            for e in db.session.scalars(select(AdminLogEntry).where(AdminLogEntry.organisation_id == two["b"]["id"]))
        }
    assert b_ids
    assert a_admin.get("/admin/").status_code == 200
    overview = b_admin.get("/admin/").get_data(as_text=True)
    assert "Staff accounts</a>: 2" in overview  # B's administrator and chair only


def meeting_title(app, meeting_id: int) -> str:
    with app.app_context():
        return db.session.get(Meeting, meeting_id).child_ref


def test_the_security_page_shows_the_organisation_s_events_only(app, two):
    # Failed sign-ins of an account of A, and of B, each counted in its own organisation's log.
    app.test_client().post("/login", data={"email": "chair@hillside.test", "password": "wrong password here"})
    app.test_client().post("/login", data={"email": "chair@riverside.test", "password": "wrong password here"})
    with app.app_context():
        security_events.flush()
        orgs = {e.user_id: e.organisation_id for e in db.session.scalars(select(SecurityEvent))}
    assert orgs[two["a_chair"]["id"]] == 1 and orgs[two["b_chair"]["id"]] == two["b"]["id"]
    b_page = signed_in(app, two["b_admin"]["email"]).get("/admin/security").get_data(as_text=True)
    failed = b_page.split('data-kind="sign_in_failed"', 1)[1].split("</tr>", 1)[0]
    assert "<td>1</td><td>1</td>" in failed
    recent = b_page.split('id="security-recent"', 1)[1]
    assert f"<td>{two['b_chair']['id']}</td>" in recent and f"<td>{two['a_chair']['id']}</td>" not in recent
    a_page = signed_in(app, two["a_admin"]["email"]).get("/admin/security").get_data(as_text=True)
    assert f"<td>{two['a_chair']['id']}</td>" in a_page.split('id="security-recent"', 1)[1]
    assert f"<td>{two['b_chair']['id']}</td>" not in a_page.split('id="security-recent"', 1)[1]


# ---------------------------------------------------------------- grants


def test_an_administrator_gives_takes_back_and_lists_access_for_another_organisation_s_account(app, two):
    officer = add_user(app, "officer@council.test", "Ms Lindqvist", "note_taker", 1)
    b_admin = signed_in(app, two["b_admin"]["email"])
    r = b_admin.post("/admin/grants", data={"email": "Officer@Council.test", "role": "observer"})
    assert r.status_code == 303
    grant = row(app, OrganisationGrant, user_id=officer["id"])
    assert (grant.organisation_id, grant.role, grant.granted_by_user_id) == (
        two["b"]["id"],
        "observer",
        two["b_admin"]["id"],
    )
    page = b_admin.get("/admin/grants").get_data(as_text=True)
    assert 'data-email="officer@council.test"' in page and "Observer" in page
    # Giving it again changes the role; still one grant.
    assert (
        b_admin.post("/admin/grants", data={"email": "officer@council.test", "role": "note_taker"}).status_code == 303
    )
    with app.app_context():
        assert [g.role for g in db.session.scalars(select(OrganisationGrant))] == ["note_taker"]
    # Clear errors change nothing: an unknown address, an account of B itself, a role not grantable.
    for data, field_text in (
        ({"email": "nobody@council.test", "role": "observer"}, "No active account"),
        ({"email": "chair@riverside.test", "role": "observer"}, "already one of this organisation"),
        ({"email": "officer@council.test", "role": "chair"}, "Choose one of"),
        ({"email": "not an address", "role": "observer"}, "Give an e-mail address"),
    ):
        r = b_admin.post("/admin/grants", data=data)
        assert r.status_code == 422 and field_text in r.get_data(as_text=True), data
    with app.app_context():
        assert [g.role for g in db.session.scalars(select(OrganisationGrant))] == ["note_taker"]
    # A's administrator neither sees nor takes back B's grant.
    a_admin = signed_in(app, two["a_admin"]["email"])
    assert "officer@council.test" not in a_admin.get("/admin/grants").get_data(as_text=True)
    assert a_admin.post(f"/admin/grants/{grant.id}/revoke").status_code == 404
    assert row(app, OrganisationGrant, id=grant.id) is not None
    assert b_admin.post(f"/admin/grants/{grant.id}/revoke").status_code == 303
    assert row(app, OrganisationGrant, id=grant.id) is None
    assert b_admin.post(f"/admin/grants/{grant.id}/revoke").status_code == 404
    with app.app_context():
        log = [
            (e.action, e.organisation_id)
            for e in db.session.scalars(
                select(AdminLogEntry).where(AdminLogEntry.action.like("grant.%")).order_by(AdminLogEntry.id)
            )
        ]
    assert log == [("grant.create", two["b"]["id"]), ("grant.change", two["b"]["id"]), ("grant.remove", two["b"]["id"])]


def test_grants_are_for_administrators_only(app, two):
    chair = signed_in(app, two["b_chair"]["email"])
    assert chair.get("/admin/grants").status_code == 403
    assert chair.post("/admin/grants", data={"email": "chair@hillside.test", "role": "observer"}).status_code == 403
    assert row(app, OrganisationGrant, user_id=two["a_chair"]["id"]) is None


# ---------------------------------------------------------------- the command line


def test_an_organisation_and_its_first_administrator_are_created_from_the_command_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-organisation",
            "--name",
            "Oak Tree Primary",
            "--slug",
            "oak-tree",
            "--admin-email",
            "Head@Oak.test",
            "--admin-name",
            "Mrs Oak",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created organisation Oak Tree Primary (oak-tree) with administrator head@oak.test" in result.output
    assert "Next:" in result.output and "/login" in result.output
    org = row(app, Organisation, slug="oak-tree")
    assert row(app, User, email="head@oak.test").organisation_id == org.id
    again = runner.invoke(
        args=[
            "create-organisation",
            "--name",
            "Oak",
            "--slug",
            "Oak Tree",
            "--admin-email",
            "head@oak.test",
            "--admin-name",
            "Mrs Oak",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert (
        again.exit_code == 1 and "slug: Use lower-case letters" in again.output and "already an account" in again.output
    )
    # An account of that organisation, and a deployment administrator.
    made = runner.invoke(
        args=[
            "create-user",
            "teach@oak.test",
            "--name",
            "Mr Teach",
            "--role",
            "chair",
            "--organisation",
            "oak-tree",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    assert row(app, User, email="teach@oak.test").organisation_id == org.id
    ops = runner.invoke(
        args=["create-user", "ops@council.test", "--name", "Ms Ops", "--deployment-admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert ops.exit_code == 0 and "deployment administrator" in ops.output
    user = row(app, User, email="ops@council.test")
    assert user.deployment_admin and user.organisation_id == 1
    unknown = runner.invoke(
        args=["create-user", "x@oak.test", "--name", "X", "--organisation", "nowhere", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert unknown.exit_code != 0 and "No organisation has that short name" in unknown.output
    assert row(app, User, email="x@oak.test") is None


def test_an_existing_account_is_made_a_deployment_administrator_and_back_from_the_command_line(app):
    admin = add_staff(app, "admin@school.test", "Ms Admin", "admin")
    runner = app.test_cli_runner()
    made = runner.invoke(args=["deployment-admin", "ADMIN@school.test"])
    assert made.exit_code == 0 and "now a deployment administrator" in made.output
    assert row(app, User, id=admin["id"]).deployment_admin
    assert signed_in(app, admin["email"]).get("/deployment/organisations").status_code == 200
    off = runner.invoke(args=["deployment-admin", "admin@school.test", "--off"])
    assert off.exit_code == 0 and not row(app, User, id=admin["id"]).deployment_admin
    assert runner.invoke(args=["deployment-admin", "nobody@school.test"]).exit_code != 0
    with app.app_context():
        log = [
            (e.detail["deployment_admin"], e.organisation_id)
            for e in db.session.scalars(
                select(AdminLogEntry)
                .where(AdminLogEntry.action == "account.deployment_admin")
                .order_by(AdminLogEntry.id)
            )
        ]
    assert log == [(True, None), (False, None)]


def test_the_demo_s_administrator_is_a_deployment_administrator_too(app, tmp_path):
    app.instance_path = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    admin = row(app, User, email="a.okafor@hillside.example")
    assert admin.deployment_admin and admin.role == "admin" and admin.organisation_id == 1


def test_an_unscoped_session_keeps_reading_the_first_organisation(app):
    """Nothing here changes a single-organisation deployment: its settings row is the first one, "main"."""
    with app.app_context():
        assert accounts.organisation().slug == "main"
        db.session.execute(update(Organisation).where(Organisation.id == 1).values(name="Hillside"))
        db.session.commit()
    admin = add_staff(app, "admin@school.test", "Ms Admin", "admin")
    client = signed_in(app, admin["email"])
    assert "Organisation: <strong>Hillside" in client.get("/admin/users").get_data(as_text=True)


def test_a_deployment_administrator_adds_an_administrator_to_an_organisation_whose_own_have_left(app, two):
    ops = signed_in(app, two["deployer"]["email"])
    b = two["b"]["id"]
    assert "head@riverside.test" in ops.get(f"/deployment/organisations/{b}").get_data(as_text=True)
    r = ops.post(
        f"/deployment/organisations/{b}/administrators",
        data={"admin_email": "chair@hillside.test", "admin_name": "X", "admin_password": PASSWORD},
    )
    assert r.status_code == 422 and "already an account" in r.get_data(as_text=True)
    r = ops.post(
        f"/deployment/organisations/{b}/administrators",
        data={"admin_email": "deputy@riverside.test", "admin_name": "Mrs Deputy", "admin_password": PASSWORD},
    )
    assert r.status_code == 303
    deputy = row(app, User, email="deputy@riverside.test")
    assert (deputy.organisation_id, deputy.role) == (b, "admin")
    with app.app_context():
        entry = db.session.scalar(select(AdminLogEntry).where(AdminLogEntry.action == "organisation.add_admin"))
        assert entry.organisation_id is None and entry.detail == {"organisation_id": b, "user_id": deputy.id}
    assert ops.post("/deployment/organisations/999/administrators", data={}).status_code == 404
    b_admin = signed_in(app, two["b_admin"]["email"])
    assert (
        b_admin.post(
            f"/deployment/organisations/{b}/administrators",
            data={"admin_email": "x@riverside.test", "admin_name": "X", "admin_password": PASSWORD},
        ).status_code
        == 404
    )
    assert row(app, User, email="x@riverside.test") is None


def test_an_administrator_withdraws_an_api_token_of_their_organisation_only(app, two):
    with app.app_context():
        b_token = accounts.issue_api_token(db.session.get(User, two["b_chair"]["id"]))
        a_token = accounts.issue_api_token(db.session.get(User, two["a_chair"]["id"]))
    b_admin = signed_in(app, two["b_admin"]["email"])
    assert "Withdraw API token" in b_admin.get("/admin/users").get_data(as_text=True)
    assert b_admin.post(f"/admin/users/{two['a_chair']['id']}/api-token").status_code == 404
    assert b_admin.post(f"/admin/users/{two['b_chair']['id']}/api-token").status_code == 303
    with app.app_context():
        assert accounts.user_for_api_token(b_token) is None
        assert accounts.user_for_api_token(a_token).id == two["a_chair"]["id"]
        entry = db.session.scalar(select(AdminLogEntry).where(AdminLogEntry.action == "account.api_token_withdrawn"))
        assert entry.organisation_id == two["b"]["id"]


# ---------------------------------------------------------------- every admin route, across organisations


def test_every_admin_route_with_an_id_answers_another_organisation_s_row_as_not_found(app, two):
    """Each administration route that names a row by id, given a row of organisation A, is "not found" to
    B's administrator, and changes nothing."""
    officer = add_user(app, "officer@council.test", "Ms Lindqvist", "note_taker", two["b"]["id"])
    with app.app_context():
        a_admin = db.session.get(User, two["a_admin"]["id"])
        a_grant = grants.grant_access(1, officer["email"], "observer", by=a_admin).id
    ids_of_a = {"user_id": two["a_chair"]["id"], "grant_id": a_grant, "organisation_id": 1}
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(("/admin", "/deployment")) and "<int:" in r.rule]
    assert {r.endpoint for r in rules} >= {
        "admin.set_active",
        "admin.reset_password",
        "admin.withdraw_api_token",
        "admin.revoke_grant",
        "deployment.organisation",
        "deployment.add_administrator",
    }
    b_admin = signed_in(app, two["b_admin"]["email"])
    for rule in rules:
        path = rule.rule
        for name, value in ids_of_a.items():
            path = path.replace(f"<int:{name}>", str(value))
        assert "<" not in path, rule.rule
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {
                "active": "0",
                "new_password": PASSWORD,
                "name": "Taken",
                "slug": "taken",
                "admin_email": "t@t.test",
                "admin_name": "T",
                "admin_password": PASSWORD,
            }
            r = b_admin.open(path, method=method, data=data if method == "POST" else None)
            assert r.status_code == 404, (method, path, r.status_code)
    a_chair = row(app, User, id=two["a_chair"]["id"])
    assert a_chair.active and a_chair.api_token_hash is None and a_chair.session_version == 1
    assert row(app, OrganisationGrant, id=a_grant) is not None and row(app, Organisation, id=1).slug == "main"
    assert row(app, User, email="t@t.test") is None


def test_no_admin_page_of_one_organisation_shows_another_s_accounts_or_meetings(app, two, meeting):
    # A's meeting (the fixture's, child AB-1) has been opened and A's chair has failed to sign in.
    app.test_client().post("/login", data={"email": "chair@hillside.test", "password": "wrong password here"})
    b_admin = signed_in(app, two["b_admin"]["email"])
    pages = [
        r.rule
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/admin") and "<" not in r.rule and "GET" in r.methods
    ]
    assert len(pages) >= 7
    for path in pages:
        r = b_admin.get(path)
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        for secret in ("chair@hillside.test", "admin@hillside.test", "AB-1", "Mr Chair"):
            assert secret not in html, (path, secret)


def test_refusals_tied_to_no_organisation_show_in_the_first_organisation_and_to_deployment_administrators(app, two):
    app.test_client().get("/join/" + "x" * 43)  # an unknown link: no organisation to put it in
    with app.app_context():
        security_events.record("unauthorised", detail="unknown_link")
        security_events.flush()
        assert (
            db.session.scalar(select(SecurityEvent.organisation_id).where(SecurityEvent.kind == "unauthorised")) is None
        )

    def unauthorised(email):
        page = signed_in(app, email).get("/admin/security").get_data(as_text=True)
        return page.split('data-kind="unauthorised"', 1)[1].split("</tr>", 1)[0]

    assert "<td>0</td>" not in unauthorised(two["a_admin"]["email"])
    assert "<td>0</td><td>0</td>" in unauthorised(two["b_admin"]["email"])
    with app.app_context():
        db.session.execute(update(User).where(User.id == two["b_admin"]["id"]).values(deployment_admin=True))
        db.session.commit()
    assert "<td>0</td>" not in unauthorised(two["b_admin"]["email"])
