"""The embedded database: WAL, foreign keys, and the sync level the deployment chose."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from facilitation import create_app
from facilitation.config import TestConfig
from facilitation.extensions import db
from tests.conftest import app_with

#: PRAGMA synchronous answers with a number
LEVELS = {"NORMAL": 1, "FULL": 2, "EXTRA": 3}


def pragmas(app) -> dict:
    with app.app_context():
        return {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }


def test_by_default_sqlite_runs_in_wal_with_normal_sync_foreign_keys_and_a_busy_wait(tmp_path):
    with app_with(tmp_path) as app:
        assert pragmas(app) == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 5000}


@pytest.mark.parametrize("level", ["FULL", "EXTRA"])
def test_a_deployment_can_ask_for_an_fsync_on_every_commit(tmp_path, level):
    with app_with(tmp_path, SQLITE_SYNCHRONOUS=level) as app:
        assert pragmas(app)["synchronous"] == LEVELS[level]


def test_an_unknown_sync_level_stops_the_start_with_a_clear_message(tmp_path):
    with pytest.raises(RuntimeError, match="SQLITE_SYNCHRONOUS must be one of NORMAL, FULL, EXTRA"):
        create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'x.db'}", SQLITE_SYNCHRONOUS="OFF")
