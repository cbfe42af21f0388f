import pytest
from django.contrib.contenttypes.models import ContentType
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


def migrate_to(*targets):
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))
    executor.loader.build_graph()
    return executor.loader.project_state(list(targets)).apps


@pytest.mark.django_db(transaction=True)
def test_moving_tags_to_mandates_keeps_rows_links_and_permissions():
    before = [("offices", "0004_slug_help_text"), ("mandates", "0003_help_texts")]
    after = [("offices", "0005_move_tag_to_mandates"), ("mandates", "0004_tag")]
    apps = migrate_to(*before)
    Tag = apps.get_model("offices", "Tag")
    Office = apps.get_model("offices", "Office")
    elections = Tag.objects.create(name="Elections", slug="elections")
    Tag.objects.create(name="Water", slug="water")
    office = Office.objects.create(
        name="UN Human Rights in Iraq",
        slug="iraq",
        region="mena",
        engagement_type="political_mission",
        year_established=2003,
    )
    office.tags.add(elections)
    ContentType.objects.filter(app_label="mandates", model="tag").delete()
    content_type, _ = ContentType.objects.get_or_create(
        app_label="offices", model="tag"
    )

    apps = migrate_to(*after)

    Tag = apps.get_model("mandates", "Tag")
    Office = apps.get_model("offices", "Office")
    assert list(Tag.objects.order_by("name").values_list("pk", "name", "slug")) == [
        (elections.pk, "Elections", "elections"),
        (elections.pk + 1, "Water", "water"),
    ]
    assert list(
        Office.objects.get(slug="iraq").tags.values_list("slug", flat=True)
    ) == ["elections"]
    content_type.refresh_from_db()
    assert content_type.app_label == "mandates"
    # New tags still get ids from the renamed table's sequence.
    assert Tag.objects.create(name="Land", slug="land").pk > elections.pk + 1

    apps = migrate_to(*before)
    assert list(
        apps.get_model("offices", "Office")
        .objects.get(slug="iraq")
        .tags.values_list("slug", flat=True)
    ) == ["elections"]
    call_command("migrate", verbosity=0)
    ContentType.objects.clear_cache()
