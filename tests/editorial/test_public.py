"""The public side of editorial trust: drafts stay unseen until published,
staff preview pending changes, and every former address answers with a 301."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hrprofile.translations import translated_fields
from mandates.models import Shift, SpotlightPopulation, ThematicPillar
from offices.history import TERM_FIELDS, content_fields
from offices.models import FieldOffice, Office
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
    UserFactory,
)
from tests.support import FormData, mark_verified

ATOM = "{http://www.w3.org/2005/Atom}"

LIVE_NAME = "UN Human Rights in Iraq"
DRAFT_NAME = "UN Human Rights in Zanzibar"
DRAFT_PROFILE = "A quokka paragraph only the draft has."
DRAFT_CITY = "Timbuktu"
# What only the draft copy says: none of it may reach a public page.
DRAFT_WORDS = ["Zanzibar", "zanzibar", "quokka", DRAFT_CITY]


def names(html):
    """Office names as the index, search results and term pages list them."""
    return re.findall(r'class="office__name" href="[^"]+">([^<]+)</a>', html)


def make_draft(live, **changes):
    """A draft copy of live, as start_draft makes one, with changes applied."""
    values = {f.attname: getattr(live, f.attname) for f in content_fields()}
    # A change to a translated field ("name") is to its English (name_en).
    changes = {
        f"{name}_en" if name in translated_fields(Office) else name: value
        for name, value in changes.items()
    }
    draft = Office.objects.create(
        **{**values, **changes}, status=Office.Status.DRAFT, draft_of=live
    )
    for name in TERM_FIELDS:
        getattr(draft, name).set(getattr(live, name).all())
    for row in live.field_offices.all():
        FieldOffice.objects.create(
            office=draft,
            name=row.name,
            note=row.note,
            is_head_office=row.is_head_office,
            position=row.position,
            copied_from=row.pk,
        )
    return draft


@pytest.fixture
def pillar(db):
    return ThematicPillarFactory(slug="accountability", name="Accountability")


@pytest.fixture
def live(pillar):
    office = OfficeFactory(
        name=LIVE_NAME,
        slug="iraq",
        profile="The live profile text.",
        pillars=[pillar],
        last_reviewed=datetime.date(2025, 3, 1),
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    return office


@pytest.fixture
def draft(live):
    """Pending changes to live: a new name, address, profile and field office."""
    draft = make_draft(live, name=DRAFT_NAME, slug="zanzibar", profile=DRAFT_PROFILE)
    FieldOfficeFactory(office=draft, name=DRAFT_CITY)
    return draft


def editor(username, *, edit_all=True):
    user = UserFactory(username=username)
    permissions = Permission.objects.filter(
        content_type__app_label__in=["offices", "mandates"]
    )
    if not edit_all:
        permissions = permissions.exclude(codename="edit_all_offices")
    user.user_permissions.set(permissions)
    return user


# Every public place an office can show up, by its page's address.
PUBLIC_PAGES = {
    "index": "/en/offices/",
    "search by name": "/en/?q=Zanzibar",
    "search by profile": "/en/offices/?q=quokka",
    "search by field office": f"/en/offices/?q={DRAFT_CITY}",
    "search by the live name": "/en/offices/?q=Iraq",
    "term page": "/en/pillars/accountability/",
    "sitemap": "/sitemap.xml",
    "feed": "/en/feed/",
}


def public_text(client, url):
    """The page's text without the search box, the download links and the
    language switcher, which repeat the query."""
    html = client.get(url).content.decode()
    html = re.sub(r'<p class="downloads">.*?</p>', "", html, flags=re.DOTALL)
    html = re.sub(r'<nav class="language-switcher".*?</nav>', "", html, flags=re.DOTALL)
    return re.sub(r'<input[^>]*name="q"[^>]*>', "", html)


# ---------------------------------------------------------------- invisibility


def test_public_page_shows_the_live_text_not_the_draft(client, draft):
    response = client.get("/en/offices/iraq/")
    html = response.content.decode()

    assert response.status_code == 200
    assert re.findall(r"<h1>(.*?)</h1>", html) == [LIVE_NAME]
    assert "The live profile text." in html
    for word in DRAFT_WORDS:
        assert word not in html


def test_draft_copy_has_no_public_page_of_its_own(client, draft):
    assert client.get("/en/offices/zanzibar/").status_code == 404


@pytest.mark.parametrize("url", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_draft_text_appears_on_no_public_page(client, draft, url):
    text = public_text(client, url)

    for word in DRAFT_WORDS:
        assert word not in text


@pytest.mark.parametrize(
    "url",
    ["/en/offices/", "/en/offices/?q=Iraq", "/en/pillars/accountability/"],
)
def test_an_office_with_pending_changes_is_listed_once(client, draft, url):
    assert names(client.get(url).content.decode()) == [LIVE_NAME]


def test_staff_also_see_the_office_once_in_the_index(client, draft):
    client.force_login(editor("chief"))

    assert names(client.get("/en/offices/").content.decode()) == [LIVE_NAME]


def test_sitemap_and_feed_list_the_office_once_under_its_live_address(client, draft):
    sitemap = client.get("/sitemap.xml").content.decode()
    feed = ET.fromstring(client.get("/en/feed/").content)

    # One address per language, each listing the others as its alternates.
    languages = len(settings.LANGUAGES)
    assert sitemap.count("/offices/iraq/</loc>") == languages
    profile_links = sitemap.count("/offices/iraq/") - sitemap.count(
        "/offices/iraq/changes/"
    )
    assert profile_links == languages * (1 + languages + 1)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == [LIVE_NAME]


def publish_by_hand(draft):
    """What publishing does to the live rows, with plain ORM updates."""
    live = draft.draft_of
    old_slug = live.slug
    live.name, live.slug, live.profile = draft.name, draft.slug, draft.profile
    live.record_old_slug(old_slug)
    live.save()
    FieldOffice.objects.filter(office=draft, copied_from__isnull=True).update(
        office=live
    )
    draft.delete()
    return live


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/en/offices/zanzibar/", DRAFT_PROFILE),
        ("/en/offices/", DRAFT_NAME),
        ("/en/offices/?q=quokka", DRAFT_NAME),
        (f"/en/offices/?q={DRAFT_CITY}", DRAFT_NAME),
        ("/en/pillars/accountability/", DRAFT_NAME),
        ("/sitemap.xml", "/en/offices/zanzibar/"),
        ("/en/feed/", DRAFT_NAME),
    ],
)
def test_once_published_the_new_text_appears(client, draft, url, expected):
    publish_by_hand(draft)

    assert expected in client.get(url).content.decode()


@pytest.fixture
def brand_new(pillar):
    """A new office never published: a live row in status draft."""
    office = OfficeFactory(
        name=DRAFT_NAME,
        slug="zanzibar",
        profile=DRAFT_PROFILE,
        status=Office.Status.DRAFT,
        pillars=[pillar],
    )
    FieldOfficeFactory(office=office, name=DRAFT_CITY)
    OfficeFactory(name=LIVE_NAME, slug="iraq", pillars=[pillar])
    return office


def test_a_new_draft_office_has_no_public_page(client, brand_new):
    assert client.get("/en/offices/zanzibar/").status_code == 404


@pytest.mark.parametrize("url", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_a_new_draft_office_appears_on_no_public_page(client, brand_new, url):
    text = public_text(client, url)

    for word in DRAFT_WORDS:
        assert word not in text


def test_a_new_draft_office_is_still_previewed_at_its_own_address(client, brand_new):
    client.force_login(editor("chief"))
    html = client.get("/en/offices/zanzibar/").content.decode()

    assert "Draft – not public" in html
    assert DRAFT_PROFILE in html
    assert "Preview the pending changes" not in html


DELETED_NAME = "UN Human Rights in Atlantis"


@pytest.fixture
def deleted(pillar):
    """A published office, soft-deleted, next to one that stays."""
    office = OfficeFactory(
        name=DELETED_NAME,
        slug="atlantis",
        profile="A sunken paragraph.",
        pillars=[pillar],
        deleted_at=timezone.now(),
    )
    OfficeFactory(name=LIVE_NAME, slug="iraq", pillars=[pillar])
    return office


@pytest.mark.parametrize("staff", [False, True], ids=["public", "staff"])
def test_a_deleted_office_answers_404(client, deleted, staff):
    if staff:
        client.force_login(editor("chief"))

    assert client.get("/en/offices/atlantis/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/en/offices/",
        "/en/offices/?q=Atlantis",
        "/en/offices/?q=sunken",
        "/en/pillars/accountability/",
        "/sitemap.xml",
        "/en/feed/",
    ],
)
def test_a_deleted_office_is_on_no_public_page(client, deleted, url):
    text = public_text(client, url)

    assert "Atlantis" not in text
    assert "atlantis" not in text


def test_staff_do_not_see_a_deleted_office_in_the_index(client, deleted):
    client.force_login(editor("chief"))

    assert names(client.get("/en/offices/").content.decode()) == [LIVE_NAME]


# ---------------------------------------------------------------- draft preview


def test_editor_previews_the_draft_with_the_profile_template(client, draft, settings):
    client.force_login(editor("chief"))
    response = client.get("/en/offices/iraq/draft/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "offices/office_detail.html" in [t.name for t in response.templates]
    assert re.findall(r"<h1>(.*?)</h1>", html) == [DRAFT_NAME]
    assert DRAFT_PROFILE in html
    assert DRAFT_CITY in html
    # As published: at its new address, with the live office's review date.
    assert (
        f'<link rel="canonical" href="{settings.SITE_URL}/en/offices/zanzibar/">'
        in (html)
    )
    assert "Last reviewed:" in html


def test_draft_preview_banner_lists_what_differs(client, draft):
    client.force_login(editor("chief"))
    response = client.get("/en/offices/iraq/draft/")
    html = response.content.decode()

    assert "Pending changes – not public" in html
    rows = {
        (change.section, change.field, change.before, change.after)
        for change in response.context["changes"]
    }
    assert ("Office", "Name [en]", LIVE_NAME, DRAFT_NAME) in rows
    assert ("Office", "Slug", "iraq", "zanzibar") in rows
    assert (f"Field office “{DRAFT_CITY}”", "Added", "—", DRAFT_CITY) in rows
    banner = " ".join(
        html[html.index('id="draft-changes"') : html.index("</table>")].split()
    )
    assert (
        f"<td>Office</td> <td>Name [en]</td> <td>{LIVE_NAME}</td> <td>{DRAFT_NAME}</td>"
    ) in banner


def test_draft_preview_without_changes_says_so(client, live):
    make_draft(live)
    client.force_login(editor("chief"))
    html = client.get("/en/offices/iraq/draft/").content.decode()

    assert "No changes yet" in html
    assert "<table" not in html


def test_draft_preview_links_to_the_drafts_admin_page_and_the_live_page(client, draft):
    client.force_login(editor("chief"))
    html = client.get("/en/offices/iraq/draft/").content.decode()

    edit_url = reverse("admin:offices_office_change", args=[draft.pk])
    assert f'<a href="{edit_url}">Edit in admin</a>' in html
    assert '<a href="/en/offices/iraq/">View the published version</a>' in html


def test_draft_preview_is_never_cached(client, draft):
    client.force_login(editor("chief"))
    response = client.get("/en/offices/iraq/draft/")

    cache_control = response.headers["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control
    assert "public" not in cache_control


def test_live_page_links_staff_to_the_pending_changes(client, draft):
    client.force_login(editor("chief"))
    html = client.get("/en/offices/iraq/").content.decode()

    assert '<a href="/en/offices/iraq/draft/">Preview the pending changes</a>' in html
    assert DRAFT_NAME not in html


def test_live_page_has_no_preview_link_without_pending_changes(client, live):
    client.force_login(editor("chief"))
    html = client.get("/en/offices/iraq/").content.decode()

    assert "Edit in admin" in html
    assert "Preview the pending changes" not in html


def test_public_sees_no_preview_link(client, draft):
    html = client.get("/en/offices/iraq/").content.decode()

    assert "Preview the pending changes" not in html
    assert "/draft/" not in html


def test_starting_a_draft_changes_the_staff_pages_etag(client, live):
    client.force_login(editor("chief"))
    first = client.get("/en/offices/iraq/")
    make_draft(live)

    response = client.get("/en/offices/iraq/", headers={"if-none-match": first["ETag"]})

    assert response.status_code == 200
    assert "Preview the pending changes" in response.content.decode()


def test_a_reviewer_of_the_office_previews_its_draft(client, draft, live):
    reviewer = editor("limited", edit_all=False)
    live.reviewers.add(reviewer)
    client.force_login(reviewer)

    assert client.get("/en/offices/iraq/draft/").status_code == 200


@pytest.mark.parametrize(
    "who", ["anonymous", "staff without permission", "editor of other offices"]
)
def test_everyone_else_gets_the_ordinary_404(client, draft, who):
    if who == "staff without permission":
        client.force_login(UserFactory(username="clerk"))
    elif who == "editor of other offices":
        client.force_login(editor("limited", edit_all=False))
    response = client.get("/en/offices/iraq/draft/")

    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()
    assert "public" not in response.headers.get("Cache-Control", "")


def test_an_editor_who_owes_the_second_step_gets_404(draft):
    chief = editor("chief")
    password_only = Client()
    password_only.force_login(chief)

    assert password_only.get("/en/offices/iraq/draft/").status_code == 404

    mark_verified(password_only, chief)
    assert password_only.get("/en/offices/iraq/draft/").status_code == 200


def test_a_deleted_offices_draft_is_not_previewed(client, draft, live):
    Office.objects.filter(pk=live.pk).update(deleted_at=timezone.now())
    client.force_login(editor("chief"))

    assert client.get("/en/offices/iraq/draft/").status_code == 404


def test_without_pending_changes_the_preview_address_leads_to_the_page(client, live):
    client.force_login(editor("chief"))
    response = client.get("/en/offices/iraq/draft/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/en/offices/iraq/"


def test_unknown_office_has_no_preview(client, db):
    client.force_login(editor("chief"))

    assert client.get("/en/offices/nowhere/draft/").status_code == 404


def add_everything(office, size):
    """size field offices, mandates and terms of each kind on office."""
    FieldOfficeFactory.create_batch(size, office=office)
    MandateFactory.create_batch(size, office=office)
    office.pillars.add(*ThematicPillarFactory.create_batch(size))
    office.shifts.add(*ShiftFactory.create_batch(size))
    office.spotlight_populations.add(*SpotlightPopulationFactory.create_batch(size))
    office.tags.add(*TagFactory.create_batch(size))


DRAFT_PREVIEW_QUERIES = 30


@pytest.mark.parametrize("size", [1, 30])
def test_draft_preview_query_budget(client, live, django_assert_max_num_queries, size):
    add_everything(live, size)
    draft = make_draft(live, name=DRAFT_NAME)
    add_everything(draft, size)
    client.force_login(editor("chief"))

    with django_assert_max_num_queries(DRAFT_PREVIEW_QUERIES):
        response = client.get("/en/offices/iraq/draft/")
    assert response.status_code == 200


# ---------------------------------------------------------------- old slugs


def rename_office(office, slug):
    old_slug = office.slug
    office.slug = slug
    office.record_old_slug(old_slug)
    office.save()
    return office


def test_office_record_old_slug_keeps_each_former_slug_once(db):
    office = OfficeFactory(slug="a")
    rename_office(office, "b")
    rename_office(office, "c")
    rename_office(office, "b")

    office.refresh_from_db()
    assert office.old_slugs == ["a", "c"]
    rename_office(office, "a")
    assert office.old_slugs == ["c", "b"]


def test_office_record_old_slug_of_the_same_slug_changes_nothing(db):
    office = OfficeFactory(slug="a", old_slugs=["z"])
    office.record_old_slug("a")

    assert office.old_slugs == ["z"]


def test_old_office_address_answers_301_to_the_new_one(client, live):
    rename_office(live, "iraq-and-kurdistan")
    response = client.get("/en/offices/iraq/")

    assert response.status_code == 301
    assert response.headers["Location"] == "/en/offices/iraq-and-kurdistan/"


def test_every_former_office_address_answers(client, live):
    rename_office(live, "second")
    rename_office(live, "third")

    for old in ["iraq", "second"]:
        response = client.get(f"/en/offices/{old}/")
        assert response.headers["Location"] == "/en/offices/third/"


def test_office_redirect_keeps_the_language(client, live, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    rename_office(live, "irak")
    response = client.get("/fr/offices/iraq/")

    assert response.status_code == 301
    assert response.headers["Location"] == "/fr/offices/irak/"


def test_a_current_office_slug_wins_over_an_old_one(client, live):
    rename_office(live, "iraq-2")
    OfficeFactory(name="The new Iraq", slug="iraq")
    response = client.get("/en/offices/iraq/")

    assert response.status_code == 200
    assert "The new Iraq" in response.content.decode()


def test_the_office_that_gave_up_the_slug_last_gets_its_visitors(client, live):
    rename_office(live, "iraq-old")
    later = rename_office(OfficeFactory(slug="iraq"), "iraq-new")

    assert client.get("/en/offices/iraq/").headers["Location"] == (
        later.get_absolute_url()
    )


@pytest.mark.parametrize(
    "change",
    [{"status": Office.Status.DRAFT}, {"deleted_at": timezone.now()}],
    ids=["draft", "deleted"],
)
def test_old_slug_of_a_hidden_office_is_404_for_the_public(client, live, change):
    rename_office(live, "renamed")
    Office.objects.filter(pk=live.pk).update(**change)

    assert client.get("/en/offices/iraq/").status_code == 404


def test_staff_follow_the_old_slug_of_a_draft_office(client, live):
    rename_office(live, "renamed")
    Office.objects.filter(pk=live.pk).update(status=Office.Status.DRAFT)
    client.force_login(editor("chief"))

    assert client.get("/en/offices/iraq/").headers["Location"] == (
        "/en/offices/renamed/"
    )


def test_draft_copy_keeps_no_old_slug_answering(client, draft):
    Office.objects.filter(pk=draft.pk).update(old_slugs=["ghost"])

    assert client.get("/en/offices/ghost/").status_code == 404


def test_old_slug_leads_to_the_draft_preview_too(client, draft, live):
    rename_office(live, "iraq-2")
    client.force_login(editor("chief"))
    response = client.get("/en/offices/iraq/draft/")

    assert response.status_code == 301
    assert response.headers["Location"] == "/en/offices/iraq-2/draft/"


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return response, len(context.captured_queries)


@pytest.mark.parametrize("staff", [False, True], ids=["public", "staff"])
def test_office_redirect_costs_at_most_two_queries_more_than_a_404(client, live, staff):
    rename_office(live, "renamed")
    if staff:
        client.force_login(editor("chief"))
    client.get("/en/offices/warm-up/")  # the session and permissions cached

    missing, missing_queries = queries(client, "/en/offices/nowhere/")
    moved, moved_queries = queries(client, "/en/offices/iraq/")

    assert (missing.status_code, moved.status_code) == (404, 301)
    assert moved_queries <= missing_queries + 2
    if not staff:
        assert moved_queries <= 2


def test_draft_preview_redirect_costs_at_most_two_queries_more_than_a_404(
    client, draft, live
):
    rename_office(live, "renamed")
    client.force_login(editor("chief"))
    client.get("/en/offices/warm-up/draft/")

    missing, missing_queries = queries(client, "/en/offices/nowhere/draft/")
    moved, moved_queries = queries(client, "/en/offices/iraq/draft/")

    assert (missing.status_code, moved.status_code) == (404, 301)
    assert moved_queries <= missing_queries + 2


TERMS = [
    ("pillars", ThematicPillarFactory, ThematicPillar),
    ("shifts", ShiftFactory, Shift),
    ("populations", SpotlightPopulationFactory, SpotlightPopulation),
]


@pytest.fixture(params=TERMS, ids=[prefix for prefix, *_ in TERMS])
def renamed_term(request, db):
    """A term whose slug went from "old" to "new"; its page's prefix."""
    prefix, factory, _ = request.param
    term = factory(slug="old")
    term.slug = "new"
    term.record_old_slug("old")
    term.save()
    return term, prefix


def test_term_record_old_slug_keeps_each_former_slug_once(db):
    term = ShiftFactory(slug="a")
    for slug in ["b", "c", "b"]:
        old, term.slug = term.slug, slug
        term.record_old_slug(old)

    assert term.old_slugs == ["a", "c"]


def test_old_term_address_answers_301_to_the_new_one(client, renamed_term):
    _, prefix = renamed_term
    response = client.get(f"/en/{prefix}/old/")

    assert response.status_code == 301
    assert response.headers["Location"] == f"/en/{prefix}/new/"


def test_term_redirect_keeps_the_language(client, renamed_term, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    _, prefix = renamed_term

    assert client.get(f"/fr/{prefix}/old/").headers["Location"] == (
        f"/fr/{prefix}/new/"
    )


def test_a_current_term_slug_wins_over_an_old_one(client, renamed_term):
    term, prefix = renamed_term
    type(term).objects.create(name="Taken over", slug="old")
    response = client.get(f"/en/{prefix}/old/")

    assert response.status_code == 200
    assert "Taken over" in response.content.decode()


def test_another_kinds_old_slug_is_404(client, renamed_term):
    _, prefix = renamed_term
    other = next(p for p, *_ in TERMS if p != prefix)

    assert client.get(f"/en/{other}/old/").status_code == 404


def test_term_redirect_costs_as_much_as_a_404(
    client, renamed_term, django_assert_num_queries
):
    """Two queries: the term at this address, then the term that was there."""
    _, prefix = renamed_term

    with django_assert_num_queries(2):
        assert client.get(f"/en/{prefix}/nowhere/").status_code == 404
    with django_assert_num_queries(2):
        assert client.get(f"/en/{prefix}/old/").status_code == 301


def test_renaming_a_term_in_the_admin_records_its_old_slug(admin_client, db):
    pillar = ThematicPillarFactory(name="Accountability", slug="accountability")
    url = reverse("admin:mandates_thematicpillar_change", args=[pillar.pk])
    data = FormData(
        name=pillar.name,
        slug="accountability-and-justice",
        description=pillar.description,
        position=pillar.position,
    )

    assert admin_client.post(url, data).status_code == 302
    data["slug"] = "justice"
    admin_client.post(url, data)

    pillar.refresh_from_db()
    assert pillar.old_slugs == ["accountability", "accountability-and-justice"]
    response = admin_client.get("/en/pillars/accountability/")
    assert response.headers["Location"] == "/en/pillars/justice/"


def test_saving_a_term_without_renaming_records_nothing(admin_client, db):
    shift = ShiftFactory(slug="prevention")
    url = reverse("admin:mandates_shift_change", args=[shift.pk])
    data = FormData(name="Prevention, renamed", slug="prevention", position=0)

    assert admin_client.post(url, data).status_code == 302
    shift.refresh_from_db()
    assert shift.old_slugs == []


# ---------------------------------------------------------------- feed ids


def entry_ids(client, **headers):
    root = ET.fromstring(client.get("/en/feed/", headers=headers).content)
    return root.find(f"{ATOM}id").text, [
        entry.find(f"{ATOM}id").text for entry in root.findall(f"{ATOM}entry")
    ]


def test_feed_entry_id_is_a_tag_uri_of_creation_date_and_key(client, live):
    feed_id, ids = entry_ids(client)

    created_on = live.created_at.astimezone(datetime.UTC).date().isoformat()
    assert ids == [f"tag:profiles.ohchr.org,{created_on}:office:{live.pk}"]
    assert feed_id == "tag:profiles.ohchr.org,2026-01-01:feed:recent:en"


def test_feed_tag_authority_comes_from_settings(client, live, settings):
    settings.FEED_TAG_AUTHORITY = "example.org"
    feed_id, ids = entry_ids(client)

    assert feed_id.startswith("tag:example.org,")
    assert ids[0].startswith("tag:example.org,")


def test_feed_ids_survive_slug_host_and_proxy_changes(client, live, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org", "proxy.example.org"]
    settings.USE_X_FORWARDED_HOST = True
    before = entry_ids(client)
    rename_office(live, "iraq-renamed")

    assert entry_ids(client) == before
    assert entry_ids(client, host="mirror.example.org") == before
    assert entry_ids(client, x_forwarded_host="proxy.example.org") == before


def test_feed_entry_links_follow_site_url_not_the_request_host(
    client, live, settings, site_url
):
    """Links name the public site (SITE_URL), whichever host was asked."""
    settings.ALLOWED_HOSTS = ["mirror.example.org"]
    root = ET.fromstring(
        client.get("/en/feed/", headers={"host": "mirror.example.org"}).content
    )

    link = root.find(f"{ATOM}entry").find(f"{ATOM}link").get("href")
    assert link == f"{site_url}/en/offices/iraq/"
