"""The cross-organisation walks of tests/web/test_organisations_scope.py on PostgreSQL, the production
database: its planner and types, not SQLite's, answer every scoped query."""

from __future__ import annotations

import pytest

from tests.conftest import app_with
from tests.integration.conftest import postgres_url  # noqa: F401  (fixture)
from tests.web.test_organisations_scope import (  # noqa: F401  (the tests, run again here)
    schools,
    test_an_administrators_action_log_overview_and_statutory_view_hold_only_their_organisation,
    test_every_command_sent_over_a_socket_of_a_with_bs_ids_is_refused_and_changes_nothing_of_b,
    test_no_route_answers_organisation_bs_ids_differently_from_ids_that_do_not_exist,
    test_reminders_are_sent_organisation_by_organisation_with_each_ones_local_dates,
)


@pytest.fixture
def app(tmp_path, postgres_url):  # noqa: F811
    """The app on a fresh PostgreSQL database, without rate limits (the walks send hundreds of requests)."""
    with app_with(tmp_path, SQLALCHEMY_DATABASE_URI=postgres_url, RATELIMIT_ENABLED=False) as app:
        yield app


def test_a_database_migrated_on_postgresql_numbers_a_second_organisation_after_the_first(postgres_url):  # noqa: F811
    from flask_migrate import upgrade

    from facilitation import create_app
    from facilitation.config import TestConfig
    from facilitation.extensions import db
    from facilitation.models import Organisation

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=postgres_url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        second = Organisation(name="Beta School", slug="beta")
        db.session.add(second)
        db.session.commit()
        assert [o.id for o in db.session.query(Organisation).order_by(Organisation.id)] == [1, 2]
        db.session.remove()
        db.engine.dispose()
