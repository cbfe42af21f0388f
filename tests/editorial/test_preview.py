"""Preview what you are editing: "Save and preview" on the change form, and
the preview's width buttons (offices/admin/office.py, offices/views.py)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from hrprofile.pagecache import is_anonymous_read
from offices import editorial
from offices.models import Office
from tests.factories import FieldOfficeFactory, OfficeFactory
from tests.support import change_url, form_data

pytestmark = pytest.mark.django_db

PREVIEW = reverse("offices:draft", kwargs={"slug": "iraq"})


@pytest.fixture
def live(db):
    office = OfficeFactory(
        name="UN Human Rights in Iraq", slug="iraq", profile="The published text."
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    return office


@pytest.fixture
def draft(live, admin_user):
    return editorial.start_draft(live, by=admin_user)


def save_and_preview(client, office, **changes):
    data = form_data(client.get(change_url(office)))
    data.update(changes, _preview="Save and preview")
    return client.post(change_url(office), data)


def width_links(html):
    """(label, href, current) of the preview's width buttons."""
    nav = re.search(r'<nav class="preview-widths".*?</nav>', html, re.S).group()
    return [
        (label, href.replace("&amp;", "&"), bool(current))
        for href, current, label in re.findall(
            r'<a href="([^"]*)"( aria-current="true")?>([^<]*)</a>', nav
        )
    ]


# Save and preview


def test_the_draft_form_offers_save_and_preview_beside_save_draft(admin_client, draft):
    html = admin_client.get(change_url(draft)).content.decode()

    save = html.index('name="_continue"')
    preview = html.index('name="_preview"')
    assert save < preview < html.index('name="_publish"')
    assert 'value="Save and preview"' in html


def test_save_and_preview_saves_the_draft_and_opens_its_preview(
    admin_client, live, draft
):
    response = save_and_preview(admin_client, draft, profile="The new text.")

    assert response.status_code == 302
    assert response["Location"] == PREVIEW
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.profile == "The new text."
    assert live.profile == "The published text."
    # The save's message is shown on the preview, as "Save draft" shows it.
    html = admin_client.get(PREVIEW).content.decode()
    assert "The new text." in html
    assert "The draft of “UN Human Rights in Iraq” is saved." in html


def test_save_and_preview_of_an_office_never_published(admin_client):
    office = OfficeFactory(slug="new", status=Office.Status.DRAFT, profile="Old.")

    response = save_and_preview(admin_client, office, profile="New.")

    assert response.status_code == 302
    assert response["Location"] == office.get_absolute_url()
    office.refresh_from_db()
    assert office.profile == "New."


def test_a_refused_save_and_preview_shows_the_form_and_changes_nothing(
    admin_client, live, draft
):
    OfficeFactory(slug="syria")
    Office.objects.filter(pk=draft.pk).update(slug="syria")

    response = save_and_preview(admin_client, draft, profile="Refused text.")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "This slug is already taken."
    ]
    assert not list(get_messages(response.wsgi_request))
    assert 'name="_preview"' in response.content.decode()  # to try again
    draft.refresh_from_db()
    assert draft.profile == "The published text."


def test_a_published_office_page_offers_no_save_and_preview(admin_client, live):
    html = admin_client.get(change_url(live)).content.decode()

    assert 'name="_preview"' not in html


def test_tabular_inlines_scroll_in_a_named_focusable_region(admin_client, draft):
    html = admin_client.get(change_url(draft)).content.decode()

    assert (
        '<div class="wrapper" role="region" tabindex="0" '
        'aria-labelledby="field_offices-heading field_offices-table-name">'
    ) in html
    # A level below its section's heading (#23).
    assert '<h3 id="field_offices-heading"' in html


# The preview's widths


def test_the_preview_shows_width_buttons_full_width_current(admin_client, draft):
    html = admin_client.get(PREVIEW).content.decode()

    assert width_links(html) == [
        ("375 px", "?width=375", False),
        ("768 px", "?width=768", False),
        ("1280 px", "?width=1280", False),
        ("Full width", PREVIEW, True),
    ]
    assert "preview-width" not in html.split('<nav class="preview-widths"')[1]


@pytest.mark.parametrize("width", [375, 768, 1280])
def test_the_width_narrows_the_page_and_is_marked_current(admin_client, draft, width):
    html = admin_client.get(PREVIEW, {"width": width}).content.decode()

    assert f'<div class="preview-width preview-width--{width}">' in html
    current = [label for label, _href, is_current in width_links(html) if is_current]
    assert current == [f"{width} px"]


@pytest.mark.parametrize("width", ["100", "375px", "", "-1", "1280 "])
def test_an_unknown_width_is_ignored(admin_client, draft, width):
    html = admin_client.get(PREVIEW, {"width": width}).content.decode()

    assert "preview-width--" not in html
    current = [label for label, _href, is_current in width_links(html) if is_current]
    assert current == ["Full width"]


def test_the_public_page_ignores_the_width(client, live):
    html = client.get(live.get_absolute_url(), {"width": 375}).content.decode()

    assert "preview-width" not in html


@pytest.mark.parametrize("query", [{}, {"width": 375}, {"width": "wide"}])
def test_the_preview_is_never_stored(admin_client, draft, query):
    response = admin_client.get(PREVIEW, query)

    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control
    # Signed in: never a read the page cache answers or stores.
    assert not is_anonymous_read(response.wsgi_request)
    assert Client().get(PREVIEW, query).status_code == 404
