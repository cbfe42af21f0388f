"""What the draft change page costs in queries: at most 22, whatever the
number of field offices and mandates (the issue's measure)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from offices import editorial
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    ShiftFactory,
    SpotlightPopulationFactory,
    TagFactory,
    ThematicPillarFactory,
)
from tests.support import change_url, member, signed_in

# The measure: the whole page, the session and the second step included.
MOST_QUERIES = 22


def draft_page_queries(client, user, rows):
    """The queries of one GET of the draft of a published office with rows
    field offices and rows mandates."""
    office = OfficeFactory(
        pillars=ThematicPillarFactory.create_batch(3),
        shifts=ShiftFactory.create_batch(2),
        spotlight_populations=SpotlightPopulationFactory.create_batch(2),
        tags=TagFactory.create_batch(2),
        reviewers=[user],
    )
    FieldOfficeFactory.create_batch(rows, office=office)
    MandateFactory.create_batch(rows, office=office)
    draft = editorial.start_draft(office, by=user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(change_url(draft))
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.fixture(params=["superuser", "publisher"])
def staff(request, admin_user):
    """Who opens the draft: a superuser, or a content manager (whose
    permissions come from their group)."""
    if request.param == "superuser":
        return admin_user
    return member("Content managers", "publisher")


def test_the_draft_page_costs_the_same_at_1_and_15_rows(staff):
    client = signed_in(staff)
    one = draft_page_queries(client, staff, 1)
    fifteen = draft_page_queries(client, staff, 15)

    assert len(one) == len(fifteen), "\n".join(fifteen)
    assert len(fifteen) <= MOST_QUERIES, "\n".join(fifteen)
