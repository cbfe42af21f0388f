"""The translation migrations copy the text into English and can be undone."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("offices", "0011_search_document"), ("mandates", "0008_updated_at")]
AFTER = [("offices", "0012_translations"), ("mandates", "0009_translations")]


@pytest.fixture(autouse=True)
def latest_schema_afterwards():
    """Back to every app's latest migration (later ones depend on these), as
    the rest of the suite expects."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_existing_text_moves_into_english_and_back():
    apps = migrate_to(BEFORE)
    Office = apps.get_model("offices", "Office")
    Pillar = apps.get_model("mandates", "ThematicPillar")
    office = Office.objects.create(
        name="UN Human Rights in Iraq",
        slug="iraq",
        region="mena",
        engagement_type="country_office",
        year_established=2003,
        profile="The Office works.",
    )
    Pillar.objects.create(name="Accountability", slug="accountability")

    apps = migrate_to(AFTER)
    office = apps.get_model("offices", "Office").objects.get(pk=office.pk)
    assert (office.name_en, office.profile_en) == (
        "UN Human Rights in Iraq",
        "The Office works.",
    )
    assert office.name_fr is None
    pillar = apps.get_model("mandates", "ThematicPillar").objects.get()
    assert pillar.name_en == "Accountability"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector IS NOT NULL FROM offices_searchdocument "
            "WHERE office_id = %s",
            [office.pk],
        )
        assert cursor.fetchone() == (True,)

    apps = migrate_to(BEFORE)
    office = apps.get_model("offices", "Office").objects.get(pk=office.pk)
    assert office.name == "UN Human Rights in Iraq"

    migrate_to(AFTER)


def test_the_original_column_mirrors_the_english():
    migrate_to(AFTER)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO mandates_tag (name, name_en, slug, updated_at) "
            "VALUES ('x', 'Elections', 'elections', now()) RETURNING name"
        )
        assert cursor.fetchone() == ("Elections",)
        cursor.execute("DELETE FROM mandates_tag WHERE slug = 'elections'")
