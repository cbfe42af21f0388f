import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from mandates.models import Tag
from offices.models import (
    SUMMARY_SCAN_CHARS,
    FieldOffice,
    Office,
    ReviewRecord,
    ReviewReminder,
    first_sentence,
)
from tests.factories import (
    FieldOfficeFactory,
    OfficeFactory,
    ReviewRecordFactory,
    ReviewReminderFactory,
    TagFactory,
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


def test_next_review_after_january_31_plus_one_month_in_a_leap_year_is_february_29():
    assert next_review_on(
        last_reviewed=datetime.date(2024, 1, 31), review_interval_months=1
    ) == datetime.date(2024, 2, 29)


def test_closed_office_is_never_due_or_overdue():
    OfficeFactory(last_reviewed=None, closed_on=datetime.date(2023, 8, 1))
    as_of = datetime.date(2025, 6, 1)

    assert not Office.objects.due_for_review(as_of).exists()
    assert not Office.objects.overdue(as_of).exists()


# Review records.


def test_database_rejects_a_deferral_record_without_a_date():
    office = OfficeFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewRecordFactory(
            office=office, kind=ReviewRecord.Kind.DEFERRED, deferred_until=None
        )

    assert not ReviewRecord.objects.exists()


# The closing date cannot precede the year established (a database rule).


def test_database_rejects_closing_before_the_year_established():
    assert_rejected_by_database(
        year_established=2010, closed_on=datetime.date(2009, 12, 31)
    )


def test_full_clean_rejects_closing_before_the_year_established():
    office = OfficeFactory.build(
        year_established=2010, closed_on=datetime.date(2009, 12, 31)
    )

    with pytest.raises(ValidationError, match="cannot close before the year"):
        office.full_clean()


def test_closing_in_the_year_established_is_allowed():
    office = OfficeFactory(year_established=2010, closed_on=datetime.date(2010, 1, 1))

    office.full_clean()


# Slugs stored by any means fit the web address (else every link is a 500).


@pytest.mark.parametrize("slug", ["bad slug", "ira/q", "", "irak?"])
def test_database_rejects_a_slug_the_urls_cannot_carry(slug):
    assert_rejected_by_database(slug=slug)


# Text rules: single lines refuse control and direction characters; prose
# keeps its line breaks.

SINGLE_LINE_FIELDS = [
    "name",
    "country",
    "host_mission",
    "year_established_note",
    "more_info_label",
    "field_offices_note",
    "coverage_note",
    "closed_note",
]


@pytest.mark.parametrize("field", SINGLE_LINE_FIELDS)
@pytest.mark.parametrize(
    "char", ["\x0b", "\n", "\x85", "\u202e", "\u2066", "\x7f"], ids=repr
)
def test_single_line_fields_refuse_control_and_bidi_characters(field, char):
    office = OfficeFactory.build(**{field: f"Erbil{char}office"})

    with pytest.raises(ValidationError) as error:
        office.full_clean()

    assert field in error.value.message_dict
    assert f"U+{ord(char):04X}" in error.value.message_dict[field][0]


def test_field_office_name_and_note_refuse_control_characters():
    field_office = FieldOfficeFactory.build(
        office=OfficeFactory(), name="Erbil\x0b", note="Kurdistan\u202eRegion"
    )

    with pytest.raises(ValidationError) as error:
        field_office.full_clean()

    # The English columns the text went into (modeltranslation) refuse it too.
    assert set(error.value.message_dict) == {"name", "note", "name_en", "note_en"}


@pytest.mark.parametrize("field", ["profile", "achievements", "partners_and_donors"])
def test_prose_keeps_line_breaks_and_tabs(field):
    office = OfficeFactory.build(**{field: "One.\r\n\r\nTwo\tthree.\nFour."})

    office.full_clean()


@pytest.mark.parametrize("field", ["profile", "achievements", "partners_and_donors"])
def test_prose_refuses_other_control_characters(field):
    office = OfficeFactory.build(**{field: "Erbil\x0bBasra"})

    with pytest.raises(ValidationError) as error:
        office.full_clean()

    assert "U+000B" in error.value.message_dict[field][0]


def test_text_in_arabic_and_chinese_is_accepted():
    office = OfficeFactory.build(
        name="مفوضية حقوق الإنسان في العراق",
        profile="联合国人权事务高级专员办事处。第二句。",
    )

    office.full_clean()


@pytest.mark.parametrize(
    ("field", "limit"),
    [("profile", 20_000), ("achievements", 5_000), ("partners_and_donors", 5_000)],
)
def test_long_text_has_a_limit_with_a_form_error(field, limit):
    office = OfficeFactory.build(**{field: "x" * (limit + 1)})

    with pytest.raises(ValidationError) as error:
        office.full_clean()

    assert "at most" in error.value.message_dict[field][0]
    OfficeFactory.build(**{field: "x" * limit}).full_clean()


# The summary: the profile's first sentence, linear and bounded.


@pytest.mark.parametrize(
    ("profile", "summary"),
    [
        ("First sentence here. Second one.\n\nThird.", "First sentence here."),
        ('He said "Stop." Then left.', 'He said "Stop."'),
        ("Is it? Yes.", "Is it?"),
        ("Version 2.0 is out. More.", "Version 2.0 is out."),
        ("联合国人权办事处。第二句。", "联合国人权办事处。"),
        ("No full stop at all", "No full stop at all"),
        ("  Folded\n   white   space. Next.", "Folded white space."),
        ("", ""),
    ],
)
def test_summary_is_the_first_sentence(profile, summary):
    assert OfficeFactory.build(profile=profile).summary == summary


def test_summary_is_at_most_300_characters():
    summary = OfficeFactory.build(profile="word " * 1000).summary

    assert len(summary) <= 300
    assert summary.endswith("…")


def test_summary_of_a_megabyte_without_punctuation_searches_a_bounded_prefix(
    monkeypatch,
):
    """The old pattern was quadratic: 40 kB took 5.8 s, 1 MB stalled a worker.
    The sentence search (a fixed-length pattern, linear) now reads the first
    SUMMARY_SCAN_CHARS characters at most, whatever the profile's length."""
    office = OfficeFactory.build(profile="a " * 500_000)
    namespace = first_sentence.__globals__
    pattern, searched = namespace["SENTENCE_END"], []

    class Recording:
        def search(self, text, *args):
            searched.append(len(text))
            return pattern.search(text, *args)

    monkeypatch.setitem(namespace, "SENTENCE_END", Recording())
    summary = office.summary

    assert len(summary) <= 300
    assert searched
    assert max(searched) <= SUMMARY_SCAN_CHARS <= 5_000


# Query helpers used across the project.


def test_touch_stamps_updated_at_and_applies_changes():
    office = OfficeFactory(host_mission="")
    before = office.updated_at

    Office.objects.filter(pk=office.pk).touch(host_mission="UNAMI")

    office.refresh_from_db()
    assert office.updated_at > before
    assert office.host_mission == "UNAMI"


def test_search_is_a_queryset_method_that_chains():
    iraq = OfficeFactory(name="UN Human Rights in Iraq", status="published")
    FieldOfficeFactory(office=iraq, name="Erbil")
    OfficeFactory(name="UN Human Rights in Erbil", status="draft")

    assert list(Office.objects.published().search("Erbil")) == [iraq]
    assert list(Office.objects.published().search("Erb")) == [iraq]
