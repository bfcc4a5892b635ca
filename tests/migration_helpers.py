"""Migration tests on the historical model state, one way for every app: Django's MigrationExecutor
takes the database to a migration, the test builds rows with the models of that state, migrates
forward and compares; afterwards the database is at the latest state again (used by
tests/party/test_group_changes_migration.py and tests/learning/classes/test_trainee_migration.py)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets` ([(app, migration), …]); returns the models as the database now stands
    (every app's applied migrations)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def migrate_to_latest():
    """Forward to every app's last migration (the models of today's code)."""
    return migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def state_at(targets):
    """A fixture for a test module (`at_0012 = state_at(BEFORE)`): the database taken to `targets`,
    the models of that state for the test, and the latest state again after it."""

    @pytest.fixture
    def at_state():
        yield migrate(targets)
        migrate_to_latest()

    return at_state
