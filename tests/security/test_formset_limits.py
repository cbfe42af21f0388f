"""A form that claims a huge number of rows builds no more than the page can
hold: a formset builds as many forms as the posted TOTAL_FORMS says, up to
Django's default bound of 2,000, and 100,000 field offices in one POST cost
over 11 s of CPU. Over the bound, the admin answers with a form error."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from offices.admin import FieldOfficeInline, MandateInline, ReviewRecordInline
from offices.models import FieldOffice, Office
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ReviewRecordFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
    UserFactory,
)
from tests.support import add_rows, form_data

pytestmark = pytest.mark.django_db

HUGE = 100_000
INLINES = {
    "field_offices": FieldOfficeInline,
    "mandates": MandateInline,
    "review_records": ReviewRecordInline,
}


def change_url(office):
    return reverse("admin:offices_office_change", args=[office.pk])


def formset(response, prefix):
    (inline,) = (
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == prefix
    )
    return inline.formset


@pytest.fixture
def draft(db):
    office = OfficeFactory(status=Office.Status.DRAFT, name="UN Human Rights in Iraq")
    FieldOfficeFactory(office=office, name="Erbil")
    MandateFactory(office=office)
    return office


@pytest.mark.parametrize("prefix", ["field_offices", "mandates"])
def test_a_huge_total_forms_is_a_form_error_that_builds_few_forms(
    admin_client, draft, prefix
):
    data = form_data(admin_client.get(change_url(draft)))
    data[f"{prefix}-TOTAL_FORMS"] = HUGE
    data["name"] = "Renamed"

    response = admin_client.post(change_url(draft), data)

    assert response.status_code == 200
    rows = formset(response, prefix)
    limit = INLINES[prefix].max_num
    assert len(rows.forms) <= limit
    assert rows.non_form_errors() == [f"Please submit at most {limit} forms."]
    draft.refresh_from_db()
    assert draft.name == "UN Human Rights in Iraq"


def test_the_read_only_review_history_builds_few_forms_too(admin_client):
    office = OfficeFactory(status=Office.Status.DRAFT)
    ReviewRecordFactory(office=office)
    data = form_data(admin_client.get(change_url(office)))
    data["review_records-TOTAL_FORMS"] = HUGE

    response = admin_client.post(change_url(office), data)

    assert response.status_code == 200
    history = formset(response, "review_records")
    assert len(history.forms) <= ReviewRecordInline.max_num
    assert history.non_form_errors()


def test_one_field_office_over_the_limit_is_refused(admin_client, draft):
    limit = FieldOfficeInline.max_num
    data = form_data(admin_client.get(change_url(draft)))
    add_rows(
        data,
        "field_offices",
        *({"name": f"City {n}", "position": n} for n in range(limit)),
    )

    response = admin_client.post(change_url(draft), data)

    assert response.status_code == 200
    assert formset(response, "field_offices").non_form_errors()
    assert FieldOffice.objects.filter(office=draft).count() == 1


def browser_post_size(response, data):
    """How many values a browser posts for the form: every input, the empty
    ones of each language included, and each ticked choice of a list."""
    html = response.text[response.text.index('id="office_form"') :]
    names = {
        name
        for name in re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html)
        if "__prefix__" not in name
    }
    choices = sum(len(value) - 1 for value in data.values() if isinstance(value, list))
    return len(names) + choices


def test_the_largest_office_form_fits_the_post_limit_and_saves(admin_client):
    """Every row the inlines allow, every focus-area term, and long lists of
    tags and reviewers stay under DATA_UPLOAD_MAX_NUMBER_FIELDS."""
    office = OfficeFactory(
        status=Office.Status.DRAFT,
        pillars=ThematicPillarFactory.create_batch(6),
        shifts=ShiftFactory.create_batch(8),
        spotlight_populations=SpotlightPopulationFactory.create_batch(12),
        tags=TagFactory.create_batch(60),
        reviewers=UserFactory.create_batch(20),
    )
    FieldOfficeFactory.create_batch(FieldOfficeInline.max_num, office=office)
    MandateFactory.create_batch(MandateInline.max_num, office=office)
    page = admin_client.get(change_url(office))
    data = form_data(page)
    data["name"] = "Renamed"

    assert browser_post_size(page, data) <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert admin_client.post(change_url(office), data).status_code == 302
    office.refresh_from_db()
    assert office.name == "Renamed"


def test_a_huge_total_forms_on_the_term_list_builds_a_page_of_forms(admin_client):
    pillar = ThematicPillarFactory(position=1)

    response = admin_client.post(
        reverse("admin:mandates_thematicpillar_changelist"),
        {
            "form-TOTAL_FORMS": HUGE,
            "form-INITIAL_FORMS": 1,
            "form-0-id": pillar.pk,
            "form-0-position": 9,
            "_save": "Save",
        },
    )

    assert response.status_code == 200
    rows = response.context["cl"].formset
    assert len(rows.forms) <= 200
    assert rows.non_form_errors()
    pillar.refresh_from_db()
    assert pillar.position == 1
