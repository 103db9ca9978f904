"""The action log's owner search and indexes on PostgreSQL (trigram indexes) and SQLite, and the
migration that adds them (9c4e2b7d1f30): it creates them on PostgreSQL only and does nothing else
on SQLite but the index both databases share."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, insert, text

from facilitation import create_app
from facilitation.config import TestConfig
from facilitation.extensions import db
from facilitation.models import Action
from tests.conftest import add_staff, app_with, local_today, meeting_payload
from tests.web.test_action_log import api, log, other_senco, record, two_meetings, whats  # noqa: F401 (fixtures)

REVISION, BEFORE = "9c4e2b7d1f30", "6acc0a7757e6"
TRIGRAM = {"ix_participants_name_trgm", "ix_actions_owner_name_trgm"}


@pytest.fixture
def app(postgres_url, tmp_path):
    """The app on a temporary PostgreSQL database, tables created from the models (the pg_trgm
    extension and the trigram indexes with them); the shared fixtures build on it."""
    with app_with(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url) as app:
        yield app


def _indexes(app) -> set[str]:
    with app.app_context(), db.engine.connect() as c:
        return set(c.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")))


def test_the_owner_search_on_postgresql_finds_what_it_finds_on_sqlite(client, two_meetings, other_senco, api):  # noqa: F811
    # The same searches as tests/web/test_action_log.py, answered here by the trigram indexes:
    # participants by name, outside owners by name in the same query, any case, within one account.
    chair, hers = two_meetings["a"]["chair"], other_senco["chair"]
    assert whats(log(client, chair, owner="patel")) == ["Weekly SALT sessions"]
    assert whats(log(client, chair, owner="EVE")) == ["EP observation in class"]
    assert whats(log(client, chair, owner="Lee")) == ["OT assessment"]
    assert log(client, chair, owner="patel")["counts"]["all"] == 1
    assert log(client, chair, owner="nobody-like-this")["total"] == 0
    # a % or _ typed in a search is a character, not a wildcard
    assert log(client, chair, owner="%")["total"] == 0
    assert log(client, chair, owner="_")["total"] == 0
    # two letters: too short for a trigram, still found
    assert set(whats(log(client, chair, owner="pa"))) == {"Keep a home diary", "Weekly SALT sessions"}
    # another account's owners of the same name are not in this log, nor this log's in hers
    status, body = api(hers, other_senco["id"], "participants.add", name="Dr Eve Psych", role="educational_psychologist", agency="ep_service")
    assert status == 200, body
    record(api, other_senco, "Her EP visit", owner_participant_id=body["participant_id"], owner_agency="NHS")
    record(api, other_senco, "Her SALT report", owner_name="J. Patel", owner_agency="NHS")
    assert whats(log(client, chair, owner="eve")) == ["EP observation in class"]
    assert whats(log(client, hers, owner="eve")) == ["Her EP visit"]
    assert whats(log(client, hers, owner="PATEL", sort="owner")) == ["Her SALT report"]
    page = client.get(f"/actions/{hers}?owner=patel").get_data(as_text=True)
    assert "Her SALT report" in page and "Weekly SALT sessions" not in page
    assert "J. Patel" in client.get(f"/actions/{chair}/export.csv?owner=patel").get_data(as_text=True)


def test_the_owner_search_s_queries_use_the_trigram_indexes(app, client, two_meetings, api):  # noqa: F811
    # The queries of a page with the owner filter, from an administrator's log (every meeting: no
    # narrowing by meeting), over 6,000 actions of outside owners (1 in 40 a Patel), explained: the
    # counts find the outside owners by their trigram index, and the participants are found by
    # theirs (explained with sequential scans off: the test has a handful of participants). So the
    # expressions the service writes match the indexes.
    assert TRIGRAM <= _indexes(app)
    admin = add_staff(app, "admin@la.test", "Ms Admin", "admin")
    r = client.post("/api/v1/meetings", json=meeting_payload(child_ref="CD-2"), headers={"Authorization": f"Bearer {admin['api_token']}"})
    assert r.status_code == 201, r.get_json()
    token, meeting_id = r.get_json()["tokens"]["chair"], r.get_json()["meeting"]["id"]
    surnames = [f"Surname{n:02d}" for n in range(39)] + ["Patel"]
    with app.app_context():
        due = local_today() + timedelta(days=30)
        db.session.execute(insert(Action), [
            dict(meeting_id=meeting_id, what=f"Support {n}", owner_name=f"{chr(65 + n % 26)}. {surnames[n % 40]}",
                 owner_agency="School", due_date=due, follow_up_date=due, status="open", version=1)
            for n in range(6000)
        ])
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")  # as autovacuum would: statistics, and the GIN pending list merged
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "LIKE" in statement:
            statements.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            assert log(client, token, owner="patel")["total"] == 150 + 1  # and the Weekly SALT sessions' J. Patel
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        assert len(statements) == 3  # the participants; the counts; the page
        plans = []
        with db.engine.connect() as c:
            for n, (statement, parameters) in enumerate(statements):
                c.exec_driver_sql(f"SET enable_seqscan = {'off' if n == 0 else 'on'}")
                plans.append("\n".join(r[0] for r in c.exec_driver_sql("EXPLAIN " + statement, parameters)))
    assert "ix_participants_name_trgm" in plans[0], plans[0]
    assert "ix_actions_owner_name_trgm" in plans[1], plans[1]
    # (the page may as well walk the due dates in order, as here where 1 action in 40 matches)


def test_the_migration_adds_the_trigram_indexes_on_postgresql_and_the_models_match(postgres_url):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory)
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), db.metadata) == []
        assert TRIGRAM | {"ix_actions_log_meeting_agency"} <= _indexes(app)
        downgrade(directory=directory, revision=BEFORE)
        assert not (TRIGRAM | {"ix_actions_log_meeting_agency"}) & _indexes(app)
        upgrade(directory=directory)
        assert TRIGRAM <= _indexes(app)
        db.engine.dispose()


def test_the_migration_adds_only_the_shared_index_on_sqlite_and_goes_back(tmp_path):
    path = tmp_path / "migrate.db"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")

    def indexes() -> set[str]:
        with sqlite3.connect(path) as c:
            return {name for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('actions', 'participants')")}

    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision=BEFORE)
        before = indexes()
        upgrade(directory=directory, revision=REVISION)
        assert indexes() - before == {"ix_actions_log_meeting_agency"}
        downgrade(directory=directory, revision=BEFORE)
        assert indexes() == before
        upgrade(directory=directory)
        db.engine.dispose()
