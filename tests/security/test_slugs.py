"""Slugs: lowercase only, and unique whatever the case, in the database."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mandates.models import Shift, Tag, ThematicPillar
from offices.models import Office
from tests.factories import (
    OfficeFactory,
    ShiftFactory,
    TagFactory,
    ThematicPillarFactory,
)

pytestmark = pytest.mark.django_db


class OfficeSlugForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["slug"]


@pytest.mark.parametrize("slug", ["IRAQ", "Iraq", "iRaq"])
def test_the_office_form_refuses_capitals(slug):
    form = OfficeSlugForm(data={"slug": slug})

    assert not form.is_valid()
    assert "lowercase" in str(form.errors)


@pytest.mark.parametrize("slug", ["IRAQ", "Iraq"])
def test_full_clean_refuses_capitals_beside_an_existing_lowercase_slug(slug):
    OfficeFactory(slug="iraq")

    with pytest.raises(ValidationError, match="lowercase"):
        OfficeFactory.build(slug=slug).full_clean()


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        (Office, OfficeFactory),
        (ThematicPillar, ThematicPillarFactory),
        (Shift, ShiftFactory),
        (Tag, TagFactory),
    ],
)
def test_the_database_refuses_capitals(model, factory):
    row = factory(slug="iraq")

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(slug="IRAQ")


def test_the_database_refuses_a_duplicate_in_another_case_even_without_the_format():
    """The unique constraint is on lower(slug): it holds on its own too."""
    OfficeFactory(slug="iraq")
    other = OfficeFactory(slug="other")

    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.filter(pk=other.pk).update(slug="iraq")


def test_lowercase_slugs_with_hyphens_digits_and_underscores_are_fine():
    OfficeFactory.build(slug="central-america_2").full_clean()
