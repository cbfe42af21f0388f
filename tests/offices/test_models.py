import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from offices.models import FieldOffice, Office, ReviewRecord, ReviewReminder, Tag
from offices.reviews import defer_review, mark_reviewed
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    ReviewRecordFactory,
    ReviewReminderFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = [
            "name",
            "slug",
            "region",
            "engagement_type",
            "year_established",
            "status",
            "review_interval_months",
            "country_code",
        ]


def form_data(**overrides):
    return {
        "name": "UN Human Rights in Iraq",
        "slug": "iraq",
        "region": Office.Region.MIDDLE_EAST_NORTH_AFRICA,
        "engagement_type": Office.EngagementType.POLITICAL_MISSION,
        "year_established": 2003,
        "status": Office.Status.PUBLISHED,
        "review_interval_months": 12,
        "country_code": "IQ",
    } | overrides


def assert_rejected_by_database(**values):
    """A direct UPDATE with these values fails and leaves the row unchanged."""
    office = OfficeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.filter(pk=office.pk).update(**values)
    office.refresh_from_db()
    for field, value in values.items():
        assert getattr(office, field) != value


# Year established: 1945 (the UN's founding) to this year.


@pytest.mark.parametrize("year", [1944, NEXT_YEAR])
def test_form_rejects_year_established_out_of_range(year):
    form = OfficeForm(data=form_data(year_established=year))

    assert not form.is_valid()
    assert "year_established" in form.errors
    assert not Office.objects.exists()


@pytest.mark.parametrize("year", [1944, NEXT_YEAR])
def test_full_clean_rejects_year_established_out_of_range(year):
    office = OfficeFactory.build(year_established=year)

    with pytest.raises(ValidationError) as error:
        office.full_clean()

    assert "year_established" in error.value.message_dict


@pytest.mark.parametrize("year", [1944, NEXT_YEAR])
def test_database_rejects_year_established_out_of_range_on_save(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeFactory(year_established=year)

    assert not Office.objects.exists()


@pytest.mark.parametrize("year", [1944, NEXT_YEAR])
def test_database_rejects_year_established_out_of_range_on_update(year):
    assert_rejected_by_database(year_established=year)


@pytest.mark.parametrize("year", [1945, NEXT_YEAR - 1])
def test_year_established_accepts_1945_and_this_year(year):
    form = OfficeForm(data=form_data(year_established=year))

    assert form.is_valid(), form.errors
    assert form.save().year_established == year


# Review interval: 1 to 60 months.


@pytest.mark.parametrize("months", [0, 61])
def test_form_rejects_review_interval_out_of_range(months):
    form = OfficeForm(data=form_data(review_interval_months=months))

    assert not form.is_valid()
    assert "review_interval_months" in form.errors


@pytest.mark.parametrize("months", [0, 61])
def test_database_rejects_review_interval_out_of_range(months):
    assert_rejected_by_database(review_interval_months=months)


@pytest.mark.parametrize("months", [1, 60])
def test_review_interval_accepts_1_and_60(months):
    form = OfficeForm(data=form_data(review_interval_months=months))

    assert form.is_valid(), form.errors


# Country code: ISO 3166-1 alpha-2 or empty.


@pytest.mark.parametrize("code", ["iq", "IRQ", "I1", "I"])
def test_form_rejects_malformed_country_code(code):
    form = OfficeForm(data=form_data(country_code=code))

    assert not form.is_valid()
    assert "country_code" in form.errors


@pytest.mark.parametrize("code", ["iq", "I1", "I"])
def test_database_rejects_malformed_country_code(code):
    assert_rejected_by_database(country_code=code)


@pytest.mark.parametrize("code", ["IQ", ""])
def test_country_code_accepts_two_capitals_or_empty(code):
    form = OfficeForm(data=form_data(country_code=code))

    assert form.is_valid(), form.errors


# Choices are enforced by the database, not only by forms.


@pytest.mark.parametrize("field", ["region", "engagement_type", "status"])
def test_database_rejects_invalid_choice(field):
    assert_rejected_by_database(**{field: "not-a-choice"})


@pytest.mark.parametrize("field", ["region", "engagement_type", "status"])
def test_form_rejects_invalid_choice(field):
    form = OfficeForm(data=form_data(**{field: "not-a-choice"}))

    assert not form.is_valid()
    assert field in form.errors


def test_new_office_is_a_draft_reviewed_every_12_months():
    office = Office()

    assert office.status == Office.Status.DRAFT
    assert office.review_interval_months == 12


# Uniqueness.


def test_office_slugs_are_unique():
    OfficeFactory(slug="iraq")

    with pytest.raises(IntegrityError), transaction.atomic():
        OfficeFactory(slug="iraq")

    assert Office.objects.count() == 1


def test_tag_slugs_are_unique():
    TagFactory(slug="elections")

    with pytest.raises(IntegrityError), transaction.atomic():
        TagFactory(slug="elections")

    assert Tag.objects.count() == 1


def test_office_has_at_most_one_head_office():
    head = FieldOfficeFactory(is_head_office=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        FieldOfficeFactory(office=head.office, is_head_office=True)

    assert list(FieldOffice.objects.all()) == [head]


def test_two_offices_may_each_have_a_head_office():
    FieldOfficeFactory(is_head_office=True)
    FieldOfficeFactory(is_head_office=True)

    assert FieldOffice.objects.filter(is_head_office=True).count() == 2


def test_office_may_have_several_field_offices_that_are_not_head_offices():
    office = OfficeFactory()
    FieldOfficeFactory(office=office, is_head_office=True)
    FieldOfficeFactory(office=office)
    FieldOfficeFactory(office=office)

    assert office.field_offices.count() == 3


def test_field_office_names_are_unique_per_office():
    erbil = FieldOfficeFactory(name="Erbil")

    with pytest.raises(IntegrityError), transaction.atomic():
        FieldOfficeFactory(office=erbil.office, name="Erbil")

    assert list(FieldOffice.objects.all()) == [erbil]


def test_two_offices_may_have_field_offices_with_the_same_name():
    FieldOfficeFactory(name="Panama City")
    FieldOfficeFactory(name="Panama City")

    assert FieldOffice.objects.filter(name="Panama City").count() == 2


def test_field_offices_list_the_head_office_first_then_by_position():
    office = OfficeFactory()
    FieldOfficeFactory(office=office, name="Basra", position=1)
    FieldOfficeFactory(office=office, name="Erbil", position=2)
    FieldOfficeFactory(office=office, name="Baghdad", position=3, is_head_office=True)

    names = [f.name for f in office.field_offices.all()]

    assert names == ["Baghdad", "Basra", "Erbil"]


# Tags in use are protected (the taxonomies' own tests are in tests/mandates).


def test_deleting_a_tag_in_use_is_refused():
    tag = TagFactory()
    office = OfficeFactory(tags=[tag])

    with pytest.raises(ProtectedError, match=office.name):
        tag.delete()

    assert list(office.tags.all()) == [tag]


def test_deleting_tags_in_use_through_a_queryset_deletes_none():
    used, unused = TagFactory(), TagFactory()
    OfficeFactory(tags=[used])

    with pytest.raises(ProtectedError):
        Tag.objects.all().delete()

    assert set(Tag.objects.all()) == {used, unused}


def test_deleting_an_unused_tag_works():
    tag = TagFactory()
    OfficeFactory(tags=[TagFactory()])

    tag.delete()

    assert not Tag.objects.filter(pk=tag.pk).exists()


# Display.


def test_office_str_is_its_name():
    assert str(OfficeFactory.build(name="UN Human Rights in Iraq")) == (
        "UN Human Rights in Iraq"
    )


def test_office_absolute_url_is_its_profile_page():
    assert OfficeFactory.build(slug="iraq").get_absolute_url() == "/en/offices/iraq/"


def test_field_office_str_is_the_city():
    assert str(FieldOfficeFactory.build(name="Erbil")) == "Erbil"


def test_tag_str_is_its_name():
    assert str(TagFactory.build(name="Elections")) == "Elections"


def test_review_record_str_names_office_kind_and_date():
    record = ReviewRecordFactory.build(
        office=OfficeFactory.build(name="UN Human Rights in Iraq"),
        reviewed_on=datetime.date(2021, 5, 1),
    )

    assert str(record) == "UN Human Rights in Iraq: reviewed on May 1, 2021"


def test_review_reminder_str_needs_no_query(django_assert_num_queries):
    reminder = ReviewReminderFactory(
        email="ana@example.org", cycle_on=datetime.date(2026, 5, 1)
    )
    reminder = ReviewReminder.objects.get(pk=reminder.pk)

    with django_assert_num_queries(0):
        text = str(reminder)

    assert text == (
        f"Reminder to ana@example.org (office #{reminder.office_id}, cycle May 1, 2026)"
    )


def test_paragraphs_split_the_profile_on_blank_lines():
    office = OfficeFactory.build(
        profile="First line\nstill first.\r\n\r\nSecond.\n\n\n\n  Third.  \n"
    )

    assert office.paragraphs() == ["First line\nstill first.", "Second.", "Third."]


def test_paragraphs_of_an_empty_profile_is_empty():
    assert OfficeFactory.build(profile="").paragraphs() == []


def test_achievement_list_has_one_item_per_non_blank_line():
    office = OfficeFactory.build(
        achievements="  Trained judges\n\nOpened Gulu office \n"
    )

    assert office.achievement_list() == ["Trained judges", "Opened Gulu office"]


def test_is_closed_follows_closed_on():
    assert OfficeFactory.build(closed_on=datetime.date(2023, 8, 1)).is_closed
    assert not OfficeFactory.build(closed_on=None).is_closed


def test_a_closing_date_to_come_is_closing_not_closed():
    later = timezone.localdate() + datetime.timedelta(days=1)
    office = OfficeFactory.build(closed_on=later)

    assert (office.is_closing, office.is_closed) == (True, False)
    assert not OfficeFactory.build(closed_on=timezone.localdate()).is_closing


# Query sets.


def test_published_excludes_drafts():
    published = OfficeFactory(status=Office.Status.PUBLISHED)
    OfficeFactory(status=Office.Status.DRAFT)

    assert list(Office.objects.published()) == [published]


def next_review_on(**fields):
    office = OfficeFactory(**fields)
    return Office.objects.with_next_review().get(pk=office.pk).next_review_on


def test_next_review_adds_the_interval_in_calendar_months():
    assert next_review_on(
        last_reviewed=datetime.date(2021, 5, 1), review_interval_months=12
    ) == datetime.date(2022, 5, 1)


def test_next_review_after_january_31_plus_one_month_is_february_28():
    assert next_review_on(
        last_reviewed=datetime.date(2025, 1, 31), review_interval_months=1
    ) == datetime.date(2025, 2, 28)


def test_next_review_after_january_31_plus_one_month_in_a_leap_year_is_february_29():
    assert next_review_on(
        last_reviewed=datetime.date(2024, 1, 31), review_interval_months=1
    ) == datetime.date(2024, 2, 29)


def test_a_later_deferral_wins_over_the_computed_date():
    assert next_review_on(
        last_reviewed=datetime.date(2024, 1, 1),
        review_interval_months=12,
        deferred_until=datetime.date(2025, 3, 1),
    ) == datetime.date(2025, 3, 1)


def test_an_earlier_deferral_does_not_postpone_the_computed_date():
    assert next_review_on(
        last_reviewed=datetime.date(2024, 1, 1),
        review_interval_months=12,
        deferred_until=datetime.date(2024, 6, 1),
    ) == datetime.date(2025, 1, 1)


def test_never_reviewed_office_is_due_and_overdue():
    office = OfficeFactory(last_reviewed=None)
    as_of = datetime.date(2025, 6, 1)

    assert list(Office.objects.due_for_review(as_of)) == [office]
    assert list(Office.objects.overdue(as_of)) == [office]


def test_office_is_due_on_its_review_date_but_not_yet_overdue():
    office = OfficeFactory(last_reviewed=datetime.date(2024, 6, 1))
    as_of = datetime.date(2025, 6, 1)

    assert list(Office.objects.due_for_review(as_of)) == [office]
    assert not Office.objects.overdue(as_of).exists()


def test_office_is_not_due_before_its_review_date():
    OfficeFactory(last_reviewed=datetime.date(2024, 6, 2))

    assert not Office.objects.due_for_review(datetime.date(2025, 6, 1)).exists()


def test_deferred_office_is_not_due_before_the_deferral_date():
    OfficeFactory(
        last_reviewed=datetime.date(2024, 1, 1),
        deferred_until=datetime.date(2025, 3, 1),
    )

    assert not Office.objects.due_for_review(datetime.date(2025, 2, 1)).exists()


def test_closed_office_is_never_due_or_overdue():
    OfficeFactory(last_reviewed=None, closed_on=datetime.date(2023, 8, 1))
    as_of = datetime.date(2025, 6, 1)

    assert not Office.objects.due_for_review(as_of).exists()
    assert not Office.objects.overdue(as_of).exists()


# Review records (offices.reviews).


def test_mark_reviewed_sets_the_date_clears_the_deferral_and_records_it():
    office = OfficeFactory(deferred_until=datetime.date(2025, 3, 1))
    other = OfficeFactory(last_reviewed=None)
    user = UserFactory()
    on = datetime.date(2025, 2, 1)

    count = mark_reviewed([office], by=user, on=on, note="Checked staff numbers")

    office.refresh_from_db()
    other.refresh_from_db()
    record = ReviewRecord.objects.get()
    assert count == 1
    assert (office.last_reviewed, office.deferred_until) == (on, None)
    assert other.last_reviewed is None
    assert (record.office, record.kind, record.reviewed_by) == (
        office,
        ReviewRecord.Kind.REVIEWED,
        user,
    )
    assert (record.reviewed_on, record.note) == (on, "Checked staff numbers")


def test_mark_reviewed_defaults_to_today():
    office = OfficeFactory()

    mark_reviewed(Office.objects.all(), by=UserFactory())

    office.refresh_from_db()
    assert office.last_reviewed == timezone.localdate()
    assert ReviewRecord.objects.get().reviewed_on == timezone.localdate()


def test_defer_review_sets_the_date_and_records_the_reason():
    office = OfficeFactory(last_reviewed=datetime.date(2024, 1, 1))
    user = UserFactory()
    until = datetime.date(2025, 3, 1)

    defer_review(
        office,
        until=until,
        by=user,
        reason="Mission mandate renewal pending",
        on=datetime.date(2025, 1, 15),
    )

    office.refresh_from_db()
    record = ReviewRecord.objects.get()
    assert office.deferred_until == until
    assert office.last_reviewed == datetime.date(2024, 1, 1)
    assert (record.kind, record.reviewed_by, record.deferred_until) == (
        ReviewRecord.Kind.DEFERRED,
        user,
        until,
    )
    assert (record.reviewed_on, record.note) == (
        datetime.date(2025, 1, 15),
        "Mission mandate renewal pending",
    )


def test_database_rejects_a_deferral_record_without_a_date():
    office = OfficeFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewRecordFactory(
            office=office, kind=ReviewRecord.Kind.DEFERRED, deferred_until=None
        )

    assert not ReviewRecord.objects.exists()
