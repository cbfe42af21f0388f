"""Helpers shared by test modules: a test module never imports another."""

import datetime

from django.utils import timezone

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


def populate(count):
    """`count` offices with everything the admin lists: a query-count fixture."""
    pillars = ThematicPillarFactory.create_batch(3)
    shifts = ShiftFactory.create_batch(2)
    populations = SpotlightPopulationFactory.create_batch(2)
    tags = TagFactory.create_batch(2)
    reviewers = UserFactory.create_batch(2)
    today = timezone.localdate()
    for index in range(count):
        office = OfficeFactory(
            last_reviewed=(
                today - datetime.timedelta(days=100 * index) if index % 3 else None
            ),
            pillars=pillars,
            shifts=shifts,
            spotlight_populations=populations,
            tags=tags,
            reviewers=reviewers,
        )
        FieldOfficeFactory.create_batch(2, office=office)
        MandateFactory(office=office)
        ReviewRecordFactory(office=office, reviewed_by=reviewers[0])
