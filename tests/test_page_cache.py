"""Anonymous public pages come from the shared cache, and every edit shows at once.

The cache key names the content version (one small query on every request),
so nothing is ever deleted: an edit makes new keys. These tests check what a
reader sees; bench/pages.py measures how fast.
"""

import datetime
import re

import pytest
import redis
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

from hrprofile.pagecache import _stored_answer
from mandates.models import ThematicPillar
from offices import editorial
from offices.models import Office, content_version
from offices.reviews import mark_reviewed
from offices.views import OfficeListView
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
)
from tests.servers import (
    Gunicorn,
    database_url,
    free_port,
    production_env,
)
from tests.support import VerifiedClient, form_data, publish_changes

NAME = "UN Human Rights in Iraq"

PAGES = {
    "index": "/en/offices/",
    "home": "/en/",
    "filtered index": "/en/offices/?region=mena&pillar=accountability",
    "search": "/en/offices/?q=Erbil",
    "profile": "/en/offices/iraq/",
    "pillar": "/en/pillars/accountability/",
    "shift": "/en/shifts/prevention/",
    "population": "/en/populations/women/",
    "feed": "/en/feed/",
    "sitemap": "/sitemap.xml",
}
# The pages that name the office.
NAMING = [url for kind, url in PAGES.items() if kind != "sitemap"]


@pytest.fixture
def site(db):
    """A published profile with every kind of related content, on every page."""
    office = OfficeFactory(
        name=NAME,
        slug="iraq",
        country="Iraq",
        region=Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        profile="The office works in Iraq.",
        last_reviewed=datetime.date(2021, 5, 1),
        pillars=[ThematicPillarFactory(name="Accountability", slug="accountability")],
        shifts=[ShiftFactory(name="Prevention", slug="prevention")],
        spotlight_populations=[SpotlightPopulationFactory(name="Women", slug="women")],
        tags=[TagFactory(name="Elections", slug="elections")],
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    FieldOfficeFactory(office=office, name="Erbil")
    MandateFactory(office=office, title="Security Council resolution 2522 (2020)")
    return office


def read(client, url, **headers):
    """(response, queries) of an anonymous GET."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def from_cache(client, url):
    """Whether this read was the stored page: no template rendered, one query."""
    response, queries = read(client, url)
    return response.status_code == 200 and not response.templates and queries <= 1


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def primed(client, *urls):
    """Read each page twice: the second read is the stored one."""
    for url in urls:
        client.get(url)
        assert from_cache(client, url), url


# ---------------------------------------------------------------- hits


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_a_second_anonymous_read_is_the_stored_page(
    client, site, url, django_assert_max_num_queries
):
    first, first_queries = read(client, url)
    with django_assert_max_num_queries(1):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert first_queries > 1  # rendering it costs more than the version
    assert second.templates == []
    assert second.content == first.content
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Cache-Control"] == (
        "public, max-age=300, s-maxage=1, "
        "stale-while-revalidate=60, stale-if-error=86400"
    )


def test_a_head_request_is_answered_from_the_stored_page(
    client, site, django_assert_max_num_queries
):
    client.get("/en/offices/iraq/")
    with django_assert_max_num_queries(1):
        response = client.head("/en/offices/iraq/")

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("count", [12, 300])
def test_the_stored_index_costs_one_query_at_any_size(
    client, db, count, django_assert_max_num_queries
):
    OfficeFactory.create_batch(count)
    client.get("/en/offices/")

    with django_assert_max_num_queries(1):
        response = client.get("/en/offices/")
    assert response.content.decode().count('class="office__name"') == count


def new_request():
    """What Django does as a request starts (its test client skips it): a kept
    connection is due for its health check again (CONN_HEALTH_CHECKS)."""
    connection.health_check_done = False


@pytest.mark.django_db(transaction=True)
def test_a_stored_page_needs_no_separate_health_check(client, site, monkeypatch):
    """The content version's query checks the kept connection itself: no
    "SELECT 1" round trip before it (CaptureQueriesContext never counts it)."""
    client.get(PAGES["profile"])
    checks = []
    is_usable = connection.is_usable
    monkeypatch.setattr(
        connection, "is_usable", lambda: checks.append(True) or is_usable()
    )

    new_request()
    response = client.get(PAGES["profile"])

    assert response.status_code == 200
    assert response.templates == []
    assert checks == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["profile", "index"])
def test_a_dead_kept_connection_is_replaced_before_the_page_answers(client, site, kind):
    client.get(PAGES[kind])
    pid = connection.connection.info.backend_pid
    # The server ends the kept connection (a restart, a proxy's idle timeout).
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()

    new_request()
    response = client.get(PAGES[kind])

    assert response.status_code == 200
    assert NAME in response.content.decode()
    assert connection.connection.info.backend_pid != pid


def test_the_pages_queries_are_prepared_on_the_server(client, site):
    """Planning a page's queries cost more than running them: after a few
    runs on a connection, PostgreSQL keeps them planned."""
    for number in range(6):
        assert client.get(f"/en/offices/iraq/?n={number}").status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]

    # The version's query (its office's stamp), and the page's.
    assert any("AS found LEFT JOIN offices_office" in s for s in prepared)
    assert any('FROM "offices_fieldoffice"' in statement for statement in prepared)


# ---------------------------------------------------------------- keys


def test_each_language_has_its_own_entry(client, site, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    primed(client, "/en/offices/")

    response, _ = read(client, "/fr/offices/")

    assert response.templates  # rendered, not the English page
    assert '<html lang="fr"' in response.content.decode()


def test_each_query_string_has_its_own_entry(client, site):
    OfficeFactory(name="UN Human Rights in Uganda", region=Office.Region.AFRICA)
    primed(client, "/en/offices/?q=Erbil", "/en/offices/?region=mena")

    assert NAME not in html(client, "/en/offices/?q=Kampala")
    assert "Uganda" in html(client, "/en/offices/?region=africa")
    assert NAME not in html(client, "/en/offices/?region=africa")


def test_every_host_is_served_the_same_entry(client, site, settings, site_url):
    """Links name SITE_URL, whatever Host the page was asked on."""
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
    primed(client, "/en/offices/iraq/")

    page = client.get("/en/offices/iraq/", headers={"host": "mirror.example.org"})

    assert page.headers["ETag"] == client.get("/en/offices/iraq/").headers["ETag"]
    assert f"{site_url}/en/offices/iraq/" in page.content.decode()
    assert "mirror.example.org" not in page.content.decode()


# ---------------------------------------------------------------- the index's content


@pytest.mark.parametrize("count", [3, 30])
def test_the_index_under_another_address_reuses_its_stored_content(
    client, site, count, django_assert_max_num_queries
):
    """Its search, filters and results are stored by what the form is asked:
    another parameter (a campaign's) renders the page, not the list."""
    OfficeFactory.create_batch(count, region=Office.Region.MIDDLE_EAST_NORTH_AFRICA)
    client.get("/en/offices/?region=mena")

    with django_assert_max_num_queries(1):
        response = client.get("/en/offices/?utm_source=news&region=mena")

    assert response.templates  # a new address: the page itself is rendered
    page = response.content.decode()
    assert page.count('class="office__name"') == count + 1
    assert 'value="mena" selected' in page


@pytest.mark.parametrize("count", [3, 30])
def test_a_term_page_under_another_address_reuses_its_stored_list(
    client, site, count, django_assert_max_num_queries
):
    pillar = site.pillars.get()
    for office in OfficeFactory.create_batch(count):
        office.pillars.add(pillar)
    client.get("/en/pillars/accountability/")

    # The content version and the term; not its offices.
    with django_assert_max_num_queries(2):
        response = client.get("/en/pillars/accountability/?utm_source=news")

    assert response.content.decode().count('class="office__name"') == count + 1


@pytest.mark.parametrize("url", ["/sitemap.xml", "/en/feed/"])
def test_the_sitemap_and_feed_under_another_address_are_the_stored_answer(
    client, site, url, django_assert_max_num_queries
):
    first = client.get(url)

    with django_assert_max_num_queries(1):
        response = client.get(f"{url}?utm_source=news")

    assert response.status_code == 200
    assert response.content == first.content
    assert response["Content-Type"] == first["Content-Type"]


def test_a_sitemap_page_is_stored_by_its_number(client, site):
    first = client.get("/sitemap.xml?p=1")

    missing = client.get("/sitemap.xml?p=2&utm_source=news")
    again = client.get("/sitemap.xml?p=2")

    assert first.status_code == 200
    assert missing.status_code == again.status_code == 404


def test_each_search_and_filter_has_its_own_stored_content(client, site):
    OfficeFactory(name="UN Human Rights in Uganda", region=Office.Region.AFRICA)
    for url in ["/en/offices/", "/en/offices/?region=mena", "/en/offices/?q=Erbil"]:
        client.get(url)

    africa = html(client, "/en/offices/?region=africa&utm_source=news")
    kampala = html(client, "/en/offices/?q=Kampala&utm_source=news")

    assert "Uganda" in africa and NAME not in africa
    assert "No field presence matches" in kampala


def test_an_invalid_filter_keeps_its_error_in_the_stored_content(client, site):
    first = html(client, "/en/offices/?region=atlantis")
    again = html(client, "/en/offices/?region=atlantis&utm_source=news")

    for page in [first, again]:
        assert "Select a valid choice" in page
        assert NAME in page  # an invalid filter filters nothing


def test_a_term_page_with_a_session_renders_its_own_list(client, site):
    """Not an anonymous read: the list is rendered, never the stored one."""
    client.get("/en/pillars/accountability/")
    OfficeFactory(name="UN Human Rights in Uganda", pillars=[site.pillars.get()])
    client.cookies["sessionid"] = "expired-or-forged"
    # The content version moved, but a signed-in read never asks for it.
    response, _ = read(client, "/en/pillars/accountability/?utm_source=news")

    assert response.templates
    assert "Uganda" in response.content.decode()


def test_staff_never_read_or_write_the_stored_content(client, site, staff_user):
    OfficeFactory(name="Draft presence", slug="draft", status=Office.Status.DRAFT)
    client.get("/en/offices/")
    staff = VerifiedClient()
    staff.force_login(staff_user)

    assert "Draft presence" in html(staff, "/en/offices/?staff=1")
    assert "Draft presence" not in html(Client(), "/en/offices/?anonymous=1")


def test_personal_content_is_never_stored(client, site, monkeypatch):
    render = OfficeListView.render_content

    def render_content(self):
        get_token(self.request)  # as if the list rendered a CSRF token
        return render(self)

    monkeypatch.setattr(OfficeListView, "render_content", render_content)
    client.get("/en/offices/")
    monkeypatch.setattr(OfficeListView, "render_content", render)

    with CaptureQueriesContext(connection) as queries:
        Client().get("/en/offices/?utm_source=news")

    assert len(queries) > 1  # rendered again, not read from the cache


# ---------------------------------------------------------------- never stored


def test_staff_are_never_served_the_stored_page(client, site, staff_user):
    primed(client, "/en/offices/iraq/", "/en/offices/")
    client.force_login(staff_user)

    profile, _ = read(client, "/en/offices/iraq/")
    index, _ = read(client, "/en/offices/")

    assert profile.templates and index.templates
    assert "Edit in admin" in profile.content.decode()


def test_staff_pages_are_never_stored(site, staff_user):
    staff = VerifiedClient()
    staff.force_login(staff_user)
    OfficeFactory(name="Draft presence", slug="draft", status=Office.Status.DRAFT)
    for url in ["/en/offices/iraq/", "/en/offices/", "/en/offices/draft/"]:
        staff.get(url)

    anonymous = Client()
    assert "Edit in admin" not in html(anonymous, "/en/offices/iraq/")
    assert "Draft presence" not in html(anonymous, "/en/offices/")
    assert anonymous.get("/en/offices/draft/").status_code == 404


def test_a_draft_preview_is_never_stored(client, site, staff_user):
    draft = editorial.start_draft(site, by=staff_user)
    Office.objects.filter(pk=draft.pk).update(name="Pending name")
    staff = VerifiedClient()
    staff.force_login(staff_user)
    assert "Pending name" in staff.get("/en/offices/iraq/draft/").content.decode()

    assert client.get("/en/offices/iraq/draft/").status_code == 404
    assert "Pending name" not in html(client, "/en/offices/iraq/")


def test_a_request_with_a_session_cookie_is_never_served_the_stored_page(client, site):
    primed(client, "/en/offices/iraq/")
    client.cookies["sessionid"] = "expired-or-forged"

    response, _ = read(client, "/en/offices/iraq/")

    assert response.templates
    assert NAME in response.content.decode()


def with_side_effect(effect):
    """OfficeListView's answer, as if it also did something personal."""
    render = OfficeListView.render_to_response

    def render_to_response(self, context, **kwargs):
        response = render(self, context, **kwargs)
        effect(self.request, response)
        return response

    return render_to_response


SIDE_EFFECTS = {
    "sets a cookie": lambda request, response: response.set_cookie("seen", "1"),
    "renders a CSRF token": lambda request, response: get_token(request),
    "starts a session": lambda request, response: request.session.update({"seen": 1}),
}


@pytest.mark.parametrize("effect", SIDE_EFFECTS.values(), ids=SIDE_EFFECTS.keys())
def test_a_personal_answer_is_never_stored(client, site, monkeypatch, effect):
    monkeypatch.setattr(OfficeListView, "render_to_response", with_side_effect(effect))
    client.get("/en/offices/")

    response, _ = read(Client(), "/en/offices/")

    assert response.templates
    assert response.cookies


@pytest.mark.parametrize("effect", SIDE_EFFECTS.values(), ids=SIDE_EFFECTS.keys())
def test_a_personal_answer_is_never_stored_by_its_parameters(rf, site, effect):
    answers = []

    def respond():
        response = HttpResponse("ok")
        effect(request, response)
        answers.append(response)
        return response

    for _ in range(2):
        request = rf.get("/en/feed/")
        SessionMiddleware(lambda request: None).process_request(request)
        _stored_answer(request, content_version(), respond, [])

    assert len(answers) == 2


def test_searches_answered_from_the_cache_still_count_against_the_limit(
    client, site, settings
):
    settings.SEARCH_RATE_LIMIT = 2
    client.get("/en/offices/?q=Erbil")
    assert from_cache(client, "/en/offices/?q=Erbil")

    assert client.get("/en/offices/?q=Erbil").status_code == 429


# ---------------------------------------------------------------- invalidation


@pytest.fixture
def editor(admin_user):
    return admin_user


def publish_in_the_admin(admin_client, office, **changes):
    """Edit a published office's page in the admin and publish it."""
    admin_client.post(reverse("admin:offices_office_start_draft", args=[office.pk]))
    draft = Office.objects.get(draft_of=office)
    change = reverse("admin:offices_office_change", args=[draft.pk])
    data = form_data(admin_client.get(change))
    data.update(changes, _publish="Publish")
    return admin_client.post(change, data)


def test_an_office_renamed_in_the_admin_shows_on_every_page(admin_client, client, site):
    primed(client, *PAGES.values())

    response = publish_in_the_admin(
        admin_client, site, name="UN Human Rights in the Republic of Iraq"
    )

    assert response.status_code == 302
    for url in NAMING:
        assert "in the Republic of Iraq" in html(client, url), url


def test_a_published_draft_shows_at_once(client, site, editor):
    primed(client, "/en/offices/iraq/")

    publish_changes(site, editor, profile="A new profile text.")

    assert "A new profile text." in html(client, "/en/offices/iraq/")


def test_a_new_office_shows_once_published(client, site, editor):
    chad = OfficeFactory(
        name="UN Human Rights in Chad", slug="chad", status=Office.Status.DRAFT
    )
    primed(client, "/en/offices/", "/en/feed/", "/sitemap.xml")

    editorial.publish(chad, by=editor)

    assert "UN Human Rights in Chad" in html(client, "/en/offices/")
    assert "UN Human Rights in Chad" in html(client, "/en/feed/")
    assert "/en/offices/chad/" in html(client, "/sitemap.xml")
    assert client.get("/en/offices/chad/").status_code == 200


def test_an_unpublished_office_leaves_every_page(client, site, editor):
    primed(client, *PAGES.values())

    editorial.unpublish(site, by=editor)

    assert client.get("/en/offices/iraq/").status_code == 404
    for url in NAMING:
        if url != "/en/offices/iraq/":
            assert NAME not in html(client, url), url
    assert "/en/offices/iraq/" not in html(client, "/sitemap.xml")


def test_a_reverted_office_shows_its_old_version(client, site, editor):
    Office.objects.filter(pk=site.pk).update(status=Office.Status.DRAFT)
    editorial.publish(site, by=editor)  # the first recorded version
    publish_changes(site, editor, name="UN Human Rights in Mesopotamia")
    primed(client, "/en/offices/iraq/", "/en/offices/")
    first_version = Version.objects.get_for_object(site).order_by("pk").first()

    draft = editorial.revert_office(site, first_version, by=editor)
    # Loaded into the draft: the public still sees the published version.
    assert "Mesopotamia" in html(client, "/en/offices/")
    editorial.publish(draft, by=editor)

    assert NAME in html(client, "/en/offices/iraq/")
    assert "Mesopotamia" not in html(client, "/en/offices/")


def test_a_deleted_office_leaves_and_a_restored_one_returns(client, site, editor):
    primed(client, "/en/offices/iraq/", "/en/offices/", "/sitemap.xml")

    editorial.soft_delete(site, by=editor)

    assert client.get("/en/offices/iraq/").status_code == 404
    assert NAME not in html(client, "/en/offices/")
    assert "/en/offices/iraq/" not in html(client, "/sitemap.xml")

    primed(client, "/en/offices/")
    editorial.restore(site, by=editor)

    assert NAME in html(client, "/en/offices/iraq/")
    assert NAME in html(client, "/en/offices/")


def test_a_field_office_edit_shows_on_the_profile_and_in_search(client, site, editor):
    primed(client, "/en/offices/iraq/", "/en/offices/?q=Erbil")
    draft = editorial.start_draft(site, by=editor)
    draft.field_offices.filter(name="Erbil").update(name="Duhok")

    editorial.publish(draft, by=editor)

    assert "Duhok" in html(client, "/en/offices/iraq/")
    assert NAME not in html(client, "/en/offices/?q=Erbil")


def test_a_mandate_edited_in_the_admin_shows_at_once(admin_client, client, site):
    primed(client, "/en/offices/iraq/")

    response = publish_in_the_admin(
        admin_client, site, **{"mandates-0-title": "Resolution 2682 (2023)"}
    )

    assert response.status_code == 302
    assert "Resolution 2682 (2023)" in html(client, "/en/offices/iraq/")


def test_a_term_renamed_in_the_admin_shows_on_every_page(admin_client, client, site):
    primed(client, "/en/offices/iraq/", "/en/offices/", "/en/pillars/accountability/")
    pillar = ThematicPillar.objects.get(slug="accountability")
    change = reverse("admin:mandates_thematicpillar_change", args=[pillar.pk])
    data = form_data(admin_client.get(change))
    data.update(name="Accountability and justice", description="For every victim.")

    assert admin_client.post(change, data).status_code == 302
    term_page = html(client, "/en/pillars/accountability/")
    assert "Accountability and justice" in term_page
    assert "For every victim." in term_page
    assert "Accountability and justice" in html(client, "/en/offices/iraq/")
    # The index's filter lists the vocabulary.
    assert "Accountability and justice" in html(client, "/en/offices/")


def test_a_term_given_a_new_slug_moves_its_page(admin_client, client, site):
    primed(client, "/en/pillars/accountability/", "/sitemap.xml")
    pillar = ThematicPillar.objects.get(slug="accountability")
    change = reverse("admin:mandates_thematicpillar_change", args=[pillar.pk])
    data = form_data(admin_client.get(change))
    data["slug"] = "justice"

    assert admin_client.post(change, data).status_code == 302
    moved = client.get("/en/pillars/accountability/")
    assert (moved.status_code, moved.headers["Location"]) == (
        301,
        "/en/pillars/justice/",
    )
    assert "/en/pillars/justice/" in html(client, "/sitemap.xml")


def test_an_unused_term_edited_or_deleted_shows_at_once(client, site):
    unused = ThematicPillarFactory(name="Climate", slug="climate")
    primed(client, "/en/pillars/climate/", "/en/offices/", "/sitemap.xml")

    unused.description = "Climate change and human rights."
    unused.save()
    assert "Climate change and human rights." in html(client, "/en/pillars/climate/")

    primed(client, "/en/offices/", "/sitemap.xml")
    unused.delete()
    assert "/en/pillars/climate/" not in html(client, "/sitemap.xml")
    assert 'value="climate"' not in html(client, "/en/offices/")


def test_a_tag_renamed_in_the_admin_shows_at_once(admin_client, client, site):
    primed(client, "/en/offices/iraq/")
    tag = site.tags.get()
    change = reverse("admin:mandates_tag_change", args=[tag.pk])
    data = form_data(admin_client.get(change))
    data["name"] = "Parliamentary elections"

    assert admin_client.post(change, data).status_code == 302
    assert "Parliamentary elections" in html(client, "/en/offices/iraq/")


def test_a_review_shows_at_once(client, site, editor):
    primed(client, "/en/offices/iraq/")

    mark_reviewed([site], by=editor)

    month = date_format(timezone.localdate(), "YEAR_MONTH_FORMAT")
    assert re.search(rf"Last reviewed:.*{month}", html(client, "/en/offices/iraq/"))


def test_closing_turns_closed_at_midnight_without_an_edit(client, db, monkeypatch):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    OfficeFactory(slug="closing", closed_on=tomorrow)
    primed(client, "/en/offices/closing/")
    assert "is closing in" in html(client, "/en/offices/closing/")

    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)

    assert "This presence closed in" in html(client, "/en/offices/closing/")


# ---------------------------------------------------------------- instances

SHARED_REDIS = "redis://127.0.0.1:6379/12"


@pytest.fixture
def shared_redis():
    client = redis.Redis.from_url(SHARED_REDIS)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(
            f"No Redis answers at {SHARED_REDIS}: the shared-cache test needs one"
        )
    client.flushdb()
    yield client
    client.flushdb()


def stored_pages(redis_client):
    return len(redis_client.keys("*public-page:*"))


def test_an_edit_on_another_instance_shows_through_the_shared_cache(
    site, settings, shared_redis
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": SHARED_REDIS,
        }
    }
    first, second = Client(), Client()
    html(first, "/en/offices/iraq/")
    assert stored_pages(shared_redis) == 1
    assert from_cache(second, "/en/offices/iraq/")

    # Another instance saves: only the database tells this one.
    site.name = "UN Human Rights in the Republic of Iraq"
    site.save()

    assert "Republic of Iraq" in html(second, "/en/offices/iraq/")
    assert "Republic of Iraq" in html(first, "/en/offices/iraq/")
    assert stored_pages(shared_redis) == 2


def test_pages_are_served_while_the_cache_is_down(client, site, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens
        }
    }

    for url in ["/en/offices/", "/en/offices/iraq/", "/en/pillars/accountability/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert NAME in response.content.decode()
    assert "The page cache is unavailable" in caplog.text


@pytest.fixture
def two_nodes(transactional_db, shared_redis, static_root, tmp_path):
    """Two gunicorn processes sharing this database and Redis."""
    env = production_env(
        DATABASE_URL=database_url(),
        CACHE_URL=SHARED_REDIS,
        STATIC_ROOT=str(static_root),
    )
    nodes = [Gunicorn(env, tmp_path / f"{name}.log") for name in "ab"]
    yield nodes
    for node in nodes:
        node.stop()


def test_an_edit_shows_on_both_nodes_that_share_the_cache(two_nodes, shared_redis):
    first, second = two_nodes
    office = OfficeFactory(name=NAME, slug="iraq")
    # As behind the load balancer: one site name, whichever node answers.
    host = {"Host": "localhost"}
    assert NAME in first.get("/en/offices/iraq/", headers=host)[2]
    assert stored_pages(shared_redis) == 1
    assert NAME in second.get("/en/offices/iraq/", headers=host)[2]
    assert stored_pages(shared_redis) == 1  # the same entry, read by both

    office.name = "UN Human Rights in the Republic of Iraq"
    office.save()  # committed: this process is a third instance

    for node in two_nodes:
        status, _, page = node.get("/en/offices/iraq/", headers=host)
        assert status == 200
        assert "Republic of Iraq" in page
    assert stored_pages(shared_redis) == 2


# ---------------------------------------------------------------- static files


def test_collectstatic_compresses_with_brotli_too(static_root):
    gzipped = sorted(static_root.rglob("*.gz"))

    assert gzipped
    assert [p for p in gzipped if not p.with_suffix(".br").is_file()] == []


def test_whitenoise_serves_brotli_to_browsers_that_accept_it(static_root, settings):
    settings.STATIC_ROOT = static_root
    client = Client()  # a new handler: WhiteNoise reads STATIC_ROOT when it starts

    brotli = client.get("/static/css/site.css", headers={"accept-encoding": "gzip, br"})
    gzip = client.get("/static/css/site.css", headers={"accept-encoding": "gzip"})

    assert brotli.headers["Content-Encoding"] == "br"
    assert gzip.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in brotli.headers["Vary"]
