"""A database made by the release before organisations (revision d4f7b2c8e1a6), with its data, upgraded in
place: everything is kept and becomes the first organisation's ("main"), and the app serves the old
administrator the administration pages and the meeting. On SQLite, and on PostgreSQL when reachable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.security import generate_password_hash

from facilitation import create_app
from facilitation.config import TestConfig
from facilitation.extensions import db
from tests.conftest import FAST_PASSWORD_HASH, STAFF_PASSWORD, sign_in

PREVIOUS_RELEASE = "d4f7b2c8e1a6"
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ADMIN_EMAIL, CHAIR_EMAIL = "senco@hillside.test", "chair@hillside.test"
CHAIR_TOKEN, PARENT_TOKEN = "c" * 43, "p" * 43


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A new, empty database of each kind (PostgreSQL's is skipped when the server is not reachable)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'previous-release.db'}"
    return request.getfixturevalue("postgres_url")


def insert_as_the_previous_release(connection: sa.Connection) -> None:
    """Rows as the release before organisations wrote them: its settings, accounts, a meeting with its
    participants, links, agenda, a decision and an action, its access log, admin log and security log."""
    meta = sa.MetaData()
    meta.reflect(
        connection,
        only=[
            "organisation",
            "users",
            "meetings",
            "participants",
            "access_links",
            "agenda_items",
            "decisions",
            "actions",
            "audit_entries",
            "admin_log",
            "security_events",
        ],
    )
    t = meta.tables

    def add(table: str, **row) -> int:
        # no explicit ids: PostgreSQL's sequences must move on as they did when the release wrote the rows
        return connection.execute(t[table].insert().values(**row)).inserted_primary_key[0]

    # The settings row was made by an earlier migration (7b1e5c3a9d42); the school had edited it.
    connection.execute(
        t["organisation"]
        .update()
        .where(t["organisation"].c.id == 1)
        .values(
            name="Hillside Primary",
            retention_months=60,
            invite_link_days=120,
            timezone="Europe/London",
            contacts={"sendiass": {"name": "Northshire SENDIASS", "phone": "01234 567890"}},
            updated_at=AT,
        )
    )
    password = generate_password_hash(STAFF_PASSWORD, method=FAST_PASSWORD_HASH)
    admin, chair = (
        add(
            "users",
            email=email,
            name=name,
            role=role,
            password_hash=password,
            password_changed_at=AT,
            created_at=AT,
            active=True,
        )
        for email, name, role in ((ADMIN_EMAIL, "Ms Okafor", "admin"), (CHAIR_EMAIL, "Mr Reid", "chair"))
    )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    meeting = add(
        "meetings",
        title="Annual review: Year 5",
        meeting_type="ehcp_annual_review",
        child_ref="JM-2231",
        scheduled_start=start,
        scheduled_end=start + timedelta(minutes=90),
        status="scheduled",
        last_seq=4,
        version=2,
        created_at=AT,
        owner_user_id=admin,
    )
    parent = add(
        "participants", meeting_id=meeting, name="Mrs Malik", role="parent", agency="family", version=1, created_at=AT
    )
    add(
        "participants",
        meeting_id=meeting,
        name="Dr Evans",
        role="educational_psychologist",
        agency="ep_service",
        version=1,
        created_at=AT,
    )
    add("access_links", meeting_id=meeting, role="chair", token=CHAIR_TOKEN, created_at=AT, user_id=admin)
    add(
        "access_links", meeting_id=meeting, role="participant", participant_id=parent, token=PARENT_TOKEN, created_at=AT
    )
    add(
        "agenda_items",
        meeting_id=meeting,
        position=1,
        title="Welcome and introductions",
        allocated_seconds=300,
        extended_seconds=0,
        status="pending",
        deferred=False,
        elapsed_before=0.0,
        version=1,
    )
    add(
        "decisions",
        meeting_id=meeting,
        text="Keep the speech and language sessions weekly",
        status="agreed",
        dissenter_ids=[],
        version=1,
        created_at=AT,
    )
    add(
        "actions",
        meeting_id=meeting,
        what="Send the SALT report to the family",
        owner_agency="health",
        due_date=(AT + timedelta(days=14)).date(),
        follow_up_date=(AT + timedelta(days=21)).date(),
        status="open",
        version=1,
        created_at=AT,
    )
    add(
        "audit_entries",
        meeting_id=meeting,
        actor="Ms Okafor",
        action="meeting.open",
        entity="meeting",
        at=AT,
        user_id=admin,
    )
    add("admin_log", action="account.create", actor="Command line", detail={"user_id": chair, "role": "chair"}, at=AT)
    add(
        "admin_log",
        action="settings.update",
        actor="Ms Okafor <senco@hillside.test>",
        user_id=admin,
        detail={"before": {}, "after": {}},
        at=AT,
    )
    an_hour_ago = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    add("security_events", kind="sign_in_failed", minute=an_hour_ago, user_id=chair, detail="wrong_password", count=3)


def test_a_database_of_the_previous_release_becomes_the_first_organisation_with_everything_kept(database_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    directory = app.extensions["migrate"].directory
    try:
        with app.app_context():
            upgrade(directory=directory, revision=PREVIOUS_RELEASE)
            with db.engine.begin() as connection:
                insert_as_the_previous_release(connection)
            upgrade(directory=directory)
            with db.engine.connect() as c:
                org = c.execute(
                    sa.text("select id, slug, name, retention_months, invite_link_days, sso_required from organisation")
                ).all()
                assert [tuple(r) for r in org] == [(1, "main", "Hillside Primary", 60, 120, False)]
                users = c.execute(
                    sa.text(
                        "select email, role, organisation_id, deployment_admin, oidc_subject from users order by id"
                    )
                ).all()
                assert [tuple(r) for r in users] == [
                    (ADMIN_EMAIL, "admin", 1, False, None),
                    (CHAIR_EMAIL, "chair", 1, False, None),
                ]
                assert c.execute(sa.text("select organisation_id, last_seq, title from meetings")).all() == [
                    (1, 4, "Annual review: Year 5")
                ]
                assert c.execute(sa.text("select count(*) from participants")).scalar() == 2
                assert c.execute(sa.text("select token from access_links order by id")).scalars().all() == [
                    CHAIR_TOKEN,
                    PARENT_TOKEN,
                ]
                assert c.execute(sa.text("select count(*) from agenda_items")).scalar() == 1
                assert c.execute(sa.text("select text from decisions")).scalars().all() == [
                    "Keep the speech and language sessions weekly"
                ]
                assert c.execute(sa.text("select what from actions")).scalars().all() == [
                    "Send the SALT report to the family"
                ]
                assert c.execute(sa.text("select organisation_id from admin_log order by id")).scalars().all() == [1, 1]
                assert [tuple(r) for r in c.execute(sa.text("select organisation_id, count from security_events"))] == [
                    (1, 3)
                ]
                assert c.execute(sa.text("select count(*) from organisation_grants")).scalar() == 0
                assert c.execute(sa.text("select count(*) from audit_entries")).scalar() == 1

        # The app on the upgraded database: the old administrator signs in and finds everything.
        client = app.test_client()
        assert sign_in(client, ADMIN_EMAIL).status_code == 303
        overview = client.get("/admin/").get_data(as_text=True)
        assert "Hillside Primary" in overview and "Staff accounts</a>: 2" in overview
        users_page = client.get("/admin/users").get_data(as_text=True)
        assert CHAIR_EMAIL in users_page and ADMIN_EMAIL in users_page
        access = client.get("/admin/access-log").get_data(as_text=True)
        assert "JM-2231" in access and "account.create" in access and "settings.update" in access
        security = client.get("/admin/security").get_data(as_text=True)
        assert "<td>3</td><td>3</td>" in security.split('data-kind="sign_in_failed"', 1)[1].split("</tr>", 1)[0]
        assert 'value="Hillside Primary"' in client.get("/admin/settings").get_data(as_text=True)
        assert client.get("/admin/grants").status_code == 200
        assert "Annual review: Year 5" in client.get("/").get_data(as_text=True)
        console = client.get(f"/chair/{CHAIR_TOKEN}")
        assert console.status_code == 200 and "Welcome and introductions" in console.get_data(as_text=True)
        # A participant still joins by their personal link, without an account.
        assert app.test_client().get(f"/join/{PARENT_TOKEN}").status_code == 200
        # The chair's account also still signs in.
        assert sign_in(app.test_client(), CHAIR_EMAIL).status_code == 303
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
