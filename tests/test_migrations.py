import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_migrations_reverse_to_zero_and_apply_again():
    """Every migration of ours can be unapplied (a deploy can be rolled back)."""
    call_command("migrate", "offices", "zero", verbosity=0)
    call_command("migrate", "mandates", "zero", verbosity=0)
    assert "offices_office" not in connection.introspection.table_names()

    call_command("migrate", verbosity=0)

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert "offices_office" in connection.introspection.table_names()
