"""A profile's public change log (offices/changelog.py) and its page and
feed (offices/changelog_views.py)."""

import datetime
import json
import re

import feedparser
import pytest
import reversion
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from reversion.models import Version

from offices import editorial
from offices.changelog import Kind, change_log
from offices.changelog_views import PER_PAGE
from offices.feeds import CHANGE_LOG_FEED_ENTRIES
from offices.models import Office, ReviewRecord
from offices.reviews import defer_review, mark_reviewed
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    ThematicPillarFactory,
    UserFactory,
)
from tests.support import publish_changes

pytestmark = pytest.mark.django_db

PAGE = "/en/offices/iraq/changes/"
FEED = "/en/offices/iraq/changes/feed/"


@pytest.fixture
def editor(db):
    return UserFactory(username="eda.staff", first_name="Eda", last_name="Staffname")


@pytest.fixture
def office(editor):
    """An office first published through the editorial workflow."""
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        profile="The office works.\n\nIt has staff.",
        status=Office.Status.DRAFT,
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    return editorial.publish(office, by=editor)


def kinds(office):
    return [entry.kind for entry in change_log(office)]


def test_first_publication_is_listed(office, client):
    response = client.get(PAGE)

    assert response.status_code == 200
    assert kinds(office) == [Kind.FIRST_PUBLISHED]
    assert "First published" in response.text


def test_a_published_change_is_listed_with_its_section(office, editor, client):
    publish_changes(office, editor, profile="The office works harder.")

    [updated, first] = change_log(office)
    assert (updated.kind, first.kind) == (Kind.UPDATED, Kind.FIRST_PUBLISHED)
    assert [s.title for s in updated.sections] == ["Profile"]
    content = client.get(PAGE).text
    assert re.search(r"Updated</span>.*?Changed:.*?<li>Profile</li>", content, re.S)


def test_field_offices_and_pillars_are_named_by_their_headings(office, editor):
    draft = editorial.start_draft(office, by=editor)
    draft.pillars.set([ThematicPillarFactory(name="Accountability")])
    draft.field_offices.filter(name="Baghdad").update(name="Erbil")
    editorial.publish(draft, by=editor)

    [updated, _first] = change_log(office)
    assert [s.title for s in updated.sections] == ["Field offices", "Thematic pillars"]


def test_a_change_only_to_a_translation_names_its_language(office, editor, client):
    publish_changes(office, editor, profile_fr="Le bureau travaille.")

    [updated, _first] = change_log(office)
    assert [(s.title, s.languages) for s in updated.sections] == [("Profile", ("fr",))]
    content = client.get(PAGE).text
    assert "<li>Profile <span" in content
    assert "(translation: French)" in content


def test_an_english_change_is_not_called_a_translation(office, editor):
    publish_changes(office, editor, profile="New.", profile_fr="Nouveau.")

    [updated, _first] = change_log(office)
    assert [(s.title, s.languages) for s in updated.sections] == [("Profile", ())]


def test_line_endings_alone_are_no_change(office, editor):
    """A version recorded before line breaks were stored as LF only."""
    version = Version.objects.get_for_object(office).get()
    data = json.loads(version.serialized_data)
    fields = data[0]["fields"]
    fields["profile_en"] = fields["profile"] = "The office works.\r\n\r\nIt has staff."
    version.serialized_data = json.dumps(data)
    version.save()
    publish_changes(office, editor, staff_count=None)

    assert kinds(office) == [Kind.FIRST_PUBLISHED]


def test_a_version_that_no_longer_decodes_is_no_withdrawal(office, editor):
    """A value the field now refuses in one version: it still says the
    office was public, so the log never claims a withdrawal."""
    publish_changes(office, editor, staff_count=12)
    publish_changes(office, editor, staff_count=13)
    middle = Version.objects.get_for_object(office).order_by("revision_id")[1]
    data = json.loads(middle.serialized_data)
    data[0]["fields"]["created_at"] = "not a date"
    middle.serialized_data = json.dumps(data)
    middle.save()

    assert Kind.WITHDRAWN not in kinds(office)
    assert Kind.BACK not in kinds(office)
    assert kinds(office)[-1] == Kind.FIRST_PUBLISHED


def test_a_revert_once_published_is_listed(office, editor):
    first = Version.objects.get_for_object(office).get()
    publish_changes(office, editor, profile="Other words.")
    draft = editorial.revert_office(office, first, by=editor)
    editorial.publish(draft, by=editor)

    [reverted, updated, _first] = change_log(office)
    assert (reverted.kind, updated.kind) == (Kind.UPDATED, Kind.UPDATED)
    assert [s.title for s in reverted.sections] == ["Profile"]


def test_a_draft_never_shows_its_text_its_comments_or_staff(office, editor, client):
    draft = editorial.start_draft(office, by=editor)
    draft.profile = "Published words."
    draft.save()
    editorial.publish(draft, by=editor, note="A publication note for staff")
    draft = editorial.start_draft(office, by=editor)
    with reversion.create_revision():
        draft.profile = "Secret pending words."
        draft.save()
        reversion.add_to_revision(draft)
        reversion.set_user(editor)
        reversion.set_comment("A version comment nobody outside sees")

    for body in (client.get(PAGE).text, client.get(FEED).text):
        for hidden in (
            "Secret pending words",
            "Published words",
            "A version comment",
            "A publication note",
            "Eda",
            "Staffname",
            "eda.staff",
        ):
            assert hidden not in body


def test_a_completed_review_is_listed_and_a_deferral_is_not(office, editor, client):
    today = timezone.localdate()
    mark_reviewed([office], by=editor, on=today, note="Internal review note")
    office.refresh_from_db()
    defer_review(
        office,
        until=today + datetime.timedelta(days=30),
        by=editor,
        reason="Internal deferral reason",
    )

    assert kinds(office) == [Kind.REVIEWED, Kind.FIRST_PUBLISHED]
    content = client.get(PAGE).text
    assert "Reviewed, no change" in content
    assert "Internal" not in content
    assert ReviewRecord.objects.filter(kind=ReviewRecord.Kind.DEFERRED).exists()


def test_an_unpublication_and_a_return_are_listed(office, editor, client):
    editorial.unpublish(office, by=editor)
    assert client.get(PAGE).status_code == 404
    office.refresh_from_db()
    editorial.publish(office, by=editor)

    assert kinds(office) == [Kind.BACK, Kind.WITHDRAWN, Kind.FIRST_PUBLISHED]
    content = client.get(PAGE).text
    assert "Withdrawn from the site" in content
    assert "Back on the site" in content


def test_a_deletion_and_a_restoration_are_listed(office, editor):
    editorial.soft_delete(office, by=editor)
    editorial.restore(office, by=editor)

    assert kinds(office) == [Kind.BACK, Kind.WITHDRAWN, Kind.FIRST_PUBLISHED]


def test_reviews_while_off_the_site_are_not_listed(office, editor):
    editorial.unpublish(office, by=editor)
    mark_reviewed([office], by=editor)

    assert kinds(office) == [Kind.WITHDRAWN, Kind.FIRST_PUBLISHED]


def test_an_office_with_no_versions_lists_its_reviews(editor):
    office = OfficeFactory(slug="iraq")
    mark_reviewed([office], by=editor)

    assert kinds(office) == [Kind.REVIEWED]


def test_the_log_is_paged_by_fifty(office, editor, client):
    for day in range(PER_PAGE + 1):
        mark_reviewed([office], by=editor, on=datetime.date(2020, 1, 1 + day % 28))

    first = client.get(PAGE)
    second = client.get(PAGE + "?page=2")

    assert first.text.count('class="change change--') == PER_PAGE
    assert 'href="/en/offices/iraq/changes/?page=2" rel="next"' in first.text
    assert second.text.count('class="change change--') == 2
    assert 'href="/en/offices/iraq/changes/" rel="prev"' in second.text
    assert "First published" in second.text
    # The feed's newest entries only: each links to the log's first page.
    feed = feedparser.parse(client.get(FEED).content)
    assert len(feed.entries) == CHANGE_LOG_FEED_ENTRIES


@pytest.mark.parametrize("page", ["3", "0", "x", "-1"])
def test_a_page_not_in_the_log_is_a_404(office, client, page):
    assert client.get(PAGE, {"page": page}).status_code == 404


def test_an_unknown_slug_is_a_404(office, client):
    assert client.get("/en/offices/nowhere/changes/").status_code == 404
    assert client.get("/en/offices/nowhere/changes/feed/").status_code == 404


def test_a_draft_office_has_no_change_log(editor, client):
    OfficeFactory(slug="iraq", status=Office.Status.DRAFT)

    assert client.get(PAGE).status_code == 404


def test_a_former_slug_moves_permanently(office, editor, client):
    publish_changes(office, editor, slug="iraq-office")

    page = client.get(PAGE)
    feed = client.get(FEED)

    assert (page.status_code, page["Location"]) == (
        301,
        "/en/offices/iraq-office/changes/",
    )
    assert (feed.status_code, feed["Location"]) == (
        301,
        "/en/offices/iraq-office/changes/feed/",
    )


def test_the_feed_parses_and_names_the_organisation(office, editor, client):
    publish_changes(office, editor, profile_fr="Le bureau travaille.")

    response = client.get(FEED)
    feed = feedparser.parse(response.content)

    assert response["Content-Type"].startswith("application/atom+xml")
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Changes to UN Human Rights in Iraq"
    assert feed.feed.author == "UN Human Rights"
    assert [entry.title for entry in feed.entries] == ["Updated", "First published"]
    assert feed.entries[0].summary == "Profile (translation: French)"
    assert feed.entries[0].link.endswith(
        "/en/offices/iraq/changes/#" + (change_log(office)[0].key)
    )


def test_the_page_and_its_dates_follow_the_language(office, client):
    with translation.override("fr"):
        path = reverse("offices:changes", args=["iraq"])
    published_on = timezone.localdate(
        Version.objects.get_for_object(office).get().revision.date_created
    )

    content = client.get(path).text

    assert path == "/fr/offices/iraq/changes/"
    assert f'datetime="{published_on:%Y-%m-%d}"' in content
    with translation.override("fr"):
        assert date_format(published_on) in content


def test_the_profile_links_to_its_change_log(office, client):
    content = client.get("/en/offices/iraq/").text

    assert 'href="/en/offices/iraq/changes/"' in content


def test_the_sitemap_lists_the_change_log(office, client, settings):
    settings.SITE_URL = "https://profiles.example.org"

    content = client.get("/sitemap.xml").text

    assert "https://profiles.example.org/en/offices/iraq/changes/" in content


@pytest.mark.parametrize(
    "step",
    ["publication", "review", "withdrawal"],
)
def test_each_kind_of_entry_moves_the_office_stamp(office, editor, step):
    """The page and the feed are versioned by the office's stamp."""
    before = Office.objects.get(pk=office.pk).updated_at
    if step == "publication":
        publish_changes(office, editor, profile="Moved.")
    elif step == "review":
        mark_reviewed([office], by=editor)
    else:
        editorial.soft_delete(office, by=editor)

    assert Office.objects.get(pk=office.pk).updated_at > before


@pytest.mark.parametrize("path", [PAGE, FEED])
def test_a_stored_page_is_answered_again_after_a_review(office, editor, client, path):
    first = client.get(path)
    mark_reviewed([office], by=editor)
    second = client.get(path)

    assert first["ETag"] != second["ETag"]
    assert "Reviewed, no change" in second.content.decode()


@pytest.mark.parametrize("versions", [1, 30])
def test_the_queries_do_not_grow_with_versions(
    office, editor, client, versions, django_assert_max_num_queries
):
    pillars = [ThematicPillarFactory() for _ in range(versions)]
    for number in range(versions - 1):
        draft = editorial.start_draft(office, by=editor)
        draft.profile = f"Version {number}."
        draft.save()
        # Each version names terms: looked up once for all of them.
        draft.pillars.set(pillars[: number + 1])
        editorial.publish(draft, by=editor)
    mark_reviewed([office], by=editor)

    with django_assert_max_num_queries(10):
        response = client.get(PAGE)
    with django_assert_max_num_queries(10):
        client.get(FEED)

    assert response.text.count('class="change change--') == versions + 1
