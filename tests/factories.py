"""One factory per model. Unique fields use Sequence so factories never clash."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from mandates.models import Mandate, Shift, SpotlightPopulation, Tag, ThematicPillar
from offices.models import (
    FieldOffice,
    Office,
    ReviewRecord,
    ReviewReminder,
    TranslationAssignment,
)

# Every factory-made user's password, for tests that log in through a form.
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password(PASSWORD)


class ThematicPillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThematicPillar

    name = factory.Sequence(lambda n: f"Pillar {n}")
    slug = factory.Sequence(lambda n: f"pillar-{n}")
    description = factory.LazyAttribute(lambda t: f"What {t.name} is about")
    position = factory.Sequence(int)


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    name = factory.Sequence(lambda n: f"Shift {n}")
    slug = factory.Sequence(lambda n: f"shift-{n}")
    position = factory.Sequence(int)


class SpotlightPopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpotlightPopulation

    name = factory.Sequence(lambda n: f"Population {n}")
    slug = factory.Sequence(lambda n: f"population-{n}")
    position = factory.Sequence(int)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"UN Human Rights in Country {n}")
    slug = factory.Sequence(lambda n: f"country-{n}")
    country = factory.Sequence(lambda n: f"Country {n}")
    region = Office.Region.AFRICA
    engagement_type = Office.EngagementType.COUNTRY_OFFICE
    year_established = 2005
    profile = "The office works to advance human rights.\n\nIt has staff in the field."
    status = Office.Status.PUBLISHED

    @factory.post_generation
    def reviewers(self, create, extracted, **kwargs):
        if create and extracted:
            self.reviewers.set(extracted)

    @factory.post_generation
    def pillars(self, create, extracted, **kwargs):
        if create and extracted:
            self.pillars.set(extracted)

    @factory.post_generation
    def shifts(self, create, extracted, **kwargs):
        if create and extracted:
            self.shifts.set(extracted)

    @factory.post_generation
    def spotlight_populations(self, create, extracted, **kwargs):
        if create and extracted:
            self.spotlight_populations.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class FieldOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FieldOffice

    office = factory.SubFactory(OfficeFactory)
    name = factory.Sequence(lambda n: f"City {n}")
    position = factory.Sequence(int)


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    office = factory.SubFactory(OfficeFactory)
    kind = Mandate.Kind.SECURITY_COUNCIL
    title = factory.Sequence(lambda n: f"Security Council resolution {2000 + n}")
    position = factory.Sequence(int)


class ReviewRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewRecord

    office = factory.SubFactory(OfficeFactory)
    reviewed_by = factory.SubFactory(UserFactory)
    reviewed_on = factory.Faker("date_object")


class ReviewReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewReminder

    office = factory.SubFactory(OfficeFactory)
    email = factory.Sequence(lambda n: f"reviewer{n}@example.org")
    cycle_on = factory.Faker("date_object")
    reminded_on = factory.LazyAttribute(lambda r: r.cycle_on)
    claimed_by = factory.Faker("uuid4", cast_to=None)
    claimed_at = factory.LazyFunction(timezone.now)


class TranslationAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TranslationAssignment

    translator = factory.SubFactory(UserFactory)
    office = factory.SubFactory(OfficeFactory)
    language = "fr"
