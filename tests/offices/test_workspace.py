"""The editor's workspace (#23): an English-first form whose save leaves the
other languages as they are, the sections' summary lines, the action bar's
state in words and the side panel."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mandates.models import Mandate
from offices import editorial
from offices.admin.layout import next_review_on
from offices.models import FieldOffice, Office
from tests.factories import FieldOfficeFactory, MandateFactory, OfficeFactory
from tests.support import change_url, form_data

pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = ["ar", "zh_hans", "fr", "ru", "es"]


@pytest.fixture
def draft(admin_user):
    """The draft of a published office translated into French and Arabic,
    with a field office and a mandate translated too."""
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        name_fr="ONU Droits de l'homme en Irak",
        name_ar="حقوق الإنسان في العراق",
        profile="English profile.",
        profile_fr="Profil français.",
        status=Office.Status.PUBLISHED,
    )
    FieldOfficeFactory(
        office=office, name="Erbil", name_fr="Erbil (fr)", note_fr="Note"
    )
    MandateFactory(office=office, title="Resolution 2107", title_fr="Résolution 2107")
    return editorial.start_draft(office, by=admin_user)


def inputs(html):
    return set(re.findall(r'<(?:input|textarea|select)[^>]* name="([^"]+)"', html))


def test_the_form_and_its_rows_edit_the_english_only(admin_client, draft):
    response = admin_client.get(change_url(draft))

    names = inputs(response.text)
    assert {"name_en", "profile_en", "field_offices-0-name_en"} <= names
    assert "mandates-0-title_en" in names
    for code in OTHER_LANGUAGES:
        assert not [name for name in names if name.endswith(f"_{code}")], code


def test_the_english_inputs_are_labelled_as_the_field(admin_client, draft):
    response = admin_client.get(change_url(draft))

    label = re.search(r'<label[^>]* for="id_name_en"[^>]*>(.*?)</label>', response.text)
    assert label.group(1).strip().rstrip(":") == "Name"
    assert "[en]" not in response.text
    # One input per field: its help text said once.
    help_text = response.context["adminform"].form.fields["name_en"].help_text
    assert response.text.count(str(help_text)) == 1


def test_saving_the_english_leaves_the_other_languages_as_they_are(admin_client, draft):
    data = form_data(admin_client.get(change_url(draft)))
    data["name"] = "UN Human Rights in Iraq (new)"
    data["profile"] = "New English profile."
    data["field_offices-0-name"] = "Erbil (new)"
    data["mandates-0-title"] = "Resolution 2107 (new)"
    data["_continue"] = "Save draft"

    response = admin_client.post(change_url(draft), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.name_en, draft.profile_en) == (
        "UN Human Rights in Iraq (new)",
        "New English profile.",
    )
    assert draft.name_fr == "ONU Droits de l'homme en Irak"
    assert draft.name_ar == "حقوق الإنسان في العراق"
    assert draft.profile_fr == "Profil français."
    field_office = FieldOffice.objects.get(office=draft)
    assert (field_office.name_en, field_office.name_fr, field_office.note_fr) == (
        "Erbil (new)",
        "Erbil (fr)",
        "Note",
    )
    mandate = Mandate.objects.get(office=draft)
    assert (mandate.title_en, mandate.title_fr) == (
        "Resolution 2107 (new)",
        "Résolution 2107",
    )


def test_a_posted_translation_is_not_saved_by_the_main_form(admin_client, draft):
    data = form_data(admin_client.get(change_url(draft)))
    data["_continue"] = "Save draft"
    dict.__setitem__(data, "name_fr", "Changé")

    admin_client.post(change_url(draft), data)

    draft.refresh_from_db()
    assert draft.name_fr == "ONU Droits de l'homme en Irak"


def test_the_form_posts_to_its_address_without_a_fragment(admin_client, draft):
    """A form without an action posts to the address with its #section-…,
    which the redirect after the save keeps: the page would reopen there."""
    response = admin_client.get(change_url(draft))

    assert re.search(
        rf'<form [^>]*action="{re.escape(change_url(draft))}"[^>]*id="office_form"',
        response.text,
    )


def test_long_sections_fold_with_a_summary_line(admin_client, draft):
    response = admin_client.get(change_url(draft))

    sections = {s["key"]: s for s in response.context["form_sections"]}
    assert sections["profile"]["is_folded"]
    assert not sections["identity"]["is_folded"]
    assert "Field offices: 1" in sections["field-offices"]["summary"]
    assert "Mandates: 1" in sections["mandates"]["summary"]
    assert "English profile." in sections["profile"]["summary"]
    assert 'id="section-profile" class="form-section"' in response.text
    assert re.search(r'id="section-profile"[^>]* data-folded', response.text)
    # Without JavaScript the button stays hidden and the section open.
    assert 'aria-controls="section-profile-body" hidden' in response.text


def test_a_section_with_an_error_is_not_folded(admin_client, draft):
    data = form_data(admin_client.get(change_url(draft)))
    data["_continue"] = "Save draft"
    data["profile"] = "x" * 30_000

    response = admin_client.post(change_url(draft), data)

    assert response.status_code == 200
    assert not re.search(r'id="section-profile"[^>]* data-folded', response.text)
    assert re.search(r'id="section-mandates"[^>]* data-folded', response.text)


def test_the_action_bar_says_the_state_in_words(admin_client, draft):
    type(draft).objects.filter(pk=draft.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=2)
    )

    response = admin_client.get(change_url(draft))

    bar = response.text[response.text.index('<div class="submit-row">') :]
    assert "Draft, saved 2\xa0minutes ago" in bar
    assert 'value="Save draft"' in bar
    assert 'value="Save and preview"' in bar
    assert 'value="Publish"' in bar


def test_the_bar_says_awaiting_publication_and_published(
    admin_client, admin_user, draft
):
    editorial.submit_for_publication(draft, by=admin_user, message="Please.")

    awaiting = admin_client.get(change_url(draft))
    published = admin_client.get(change_url(draft.draft_of))

    assert awaiting.context["editorial_state"] == "Awaiting publication"
    assert '<p class="action-state" id="action-state">Awaiting publication</p>' in (
        awaiting.text
    )
    assert published.context["editorial_state"] == (
        "Published; changes awaiting publication"
    )


def test_the_bar_says_published(admin_client, admin_user, draft):
    with_draft = admin_client.get(change_url(draft.draft_of))
    editorial.discard_draft(draft, by=admin_user)
    alone = admin_client.get(change_url(draft.draft_of))

    assert with_draft.context["editorial_state"] == "Published; changes in a draft"
    assert alone.context["editorial_state"] == "Published"


def test_the_side_panel_has_state_review_publication_and_translations(
    admin_client, draft
):
    response = admin_client.get(change_url(draft))

    panel = response.text[response.text.index('<aside class="office-panel"') :]
    panel = panel[: panel.index("</aside>")]
    for block in (
        "editorial-state",
        "publication",
        "review-actions",
        "translation-status",
    ):
        assert f'id="{block}"' in panel
    assert "Mark as reviewed today" in panel
    assert (
        reverse("admin:offices_office_defer_review", args=[draft.draft_of.pk]) in panel
    )
    french = reverse("admin:offices_office_translate", args=[draft.pk, "fr"])
    assert f'href="{french}"' in panel


def test_the_next_review_is_the_interval_or_the_deferral_whichever_is_later():
    office = Office(
        last_reviewed=datetime.date(2026, 1, 31),
        review_interval_months=1,
        deferred_until=None,
    )
    assert next_review_on(office) == datetime.date(2026, 2, 28)
    office.deferred_until = datetime.date(2026, 5, 1)
    assert next_review_on(office) == datetime.date(2026, 5, 1)
    office.last_reviewed = office.deferred_until = None
    assert next_review_on(office) is None


def test_a_new_offices_page_folds_nothing(admin_client):
    response = admin_client.get(reverse("admin:offices_office_add"))

    assert "data-folded" not in response.text


def test_the_live_page_labels_and_summarises_its_read_only_english(admin_client, draft):
    response = admin_client.get(change_url(draft.draft_of))

    assert "[en]" not in response.text
    sections = {s["key"]: s for s in response.context["form_sections"]}
    assert "Profile: English profile." in sections["profile"]["summary"]
    engagement = Office.EngagementType(draft.engagement_type).label
    assert f"Type of engagement: {engagement}" in sections["profile"]["summary"]


def test_the_live_pages_bar_keeps_to_the_office(admin_client, draft):
    response = admin_client.get(change_url(draft.draft_of))

    assert 'name="_addanother"' not in response.text
    assert 'name="_save"' in response.text
