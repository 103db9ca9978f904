"""Schema migrations: upgrading a database with data keeps the data; the models match the migrations."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from facilitation import create_app
from facilitation.config import TestConfig
from facilitation.extensions import db

FIRST = "0466c640b44e"


@pytest.fixture
def empty_app(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migrate.db'}")
    yield app, tmp_path / "migrate.db"
    with app.app_context():
        db.engine.dispose()


def test_upgrading_a_database_with_data_keeps_every_row_and_link(empty_app):
    app, path = empty_app
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision=FIRST)
    with sqlite3.connect(path) as c:
        c.execute(
            "insert into meetings (id,title,meeting_type,child_ref,scheduled_start,scheduled_end,status,last_seq,version,created_at)"
            " values (1,'Review','multi_agency','AB','2026-01-01 10:00:00','2026-01-01 11:00:00','live',3,1,'2026-01-01 09:00:00')"
        )
        c.execute(
            "insert into participants (id,meeting_id,name,role,agency,version,created_at)"
            " values (1,1,'Sam','parent','family',1,'2026-01-01 09:00:00')"
        )
        c.execute(
            "insert into access_links (id,meeting_id,role,participant_id,token,created_at)"
            " values (1,1,'participant',1,'token-token-token-token-1','2026-01-01 09:00:00')"
        )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    with sqlite3.connect(path) as c:
        assert c.execute("select last_seq from meetings").fetchall() == [(3,)]
        assert c.execute("select name, attendance, arrived_late from participants").fetchall() == [("Sam", "expected", 0)]
        # Rebuilding the participants table must not cascade-delete the links that point at it.
        assert c.execute("select token from access_links").fetchall() == [("token-token-token-token-1",)]


def test_the_models_and_the_migrations_describe_the_same_schema(empty_app):
    app, _ = empty_app
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_a_migrated_sqlite_database_has_every_index_the_models_declare(empty_app):
    # Alembic cannot compare expression indexes on SQLite, so the schema comparison above does not see
    # them: ask SQLite itself which indexes a database made by the migrations (as `flask init-db` makes
    # it) has, against the ones the models declare.
    app, path = empty_app
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    declared = {index.name for table in db.metadata.tables.values() for index in table.indexes}
    dialect_only = {"ix_participants_name_trgm", "ix_actions_owner_name_trgm"}  # PostgreSQL's trigram indexes
    with sqlite3.connect(path) as c:
        present = {name for (name,) in c.execute("select name from sqlite_master where type = 'index'")}
    assert declared - dialect_only - present == set()


def test_the_escalation_ladders_next_steps_become_each_jurisdictions_routes(empty_app):
    app, path = empty_app
    directory = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=directory, revision="4c1e2a9b7d55")  # the last revision with the ladder
    ladder = ["tribunal", "complaint", "independent_evaluation", "disagreement_resolution", "mediation", "follow_up_meeting"]
    with sqlite3.connect(path) as c:
        for mid, kind in ((1, "ehcp_annual_review"), (2, "iep_meeting")):
            c.execute(
                "insert into meetings (id,title,meeting_type,child_ref,scheduled_start,scheduled_end,status,last_seq,version,created_at)"
                f" values ({mid},'Review','{kind}','AB','2026-01-01 10:00:00','2026-01-01 11:00:00','ended',3,1,'2026-01-01 09:00:00')"
            )
            for n, step in enumerate(ladder, 1):
                c.execute(
                    "insert into disagreements (meeting_id,topic,resolved,next_step,version,created_at,confidential)"
                    f" values ({mid},'{step} {n}',0,'{step}',1,'2026-01-01 09:00:00',0)"
                )
    with app.app_context():
        upgrade(directory=directory)
    with sqlite3.connect(path) as c:
        rows = c.execute("select meeting_id, next_step from disagreements order by id").fetchall()
    assert [step for mid, step in rows if mid == 1] == [
        "appeal", "complaint_school", "follow_up_meeting", "disagreement_resolution", "mediation", "follow_up_meeting"
    ]
    assert [step for mid, step in rows if mid == 2] == [
        "due_process", "state_complaint", "independent_evaluation", "mediation", "mediation", "follow_up_meeting"
    ]
