"""A refused save of a draft: the form shows what was typed, with its errors,
while what the page says about the draft (what differs from the published
version) is what is saved, never the values that were refused."""

import pytest

from offices import editorial
from offices.models import Office
from tests.factories import OfficeFactory
from tests.support import change_url, form_data

SAVED = "The office monitors detention in Erbil."
TYPED = "A text that was typed but never saved."


@pytest.fixture
def draft(admin_user):
    live = editorial.publish(
        OfficeFactory(profile="The published text.", status=Office.Status.DRAFT),
        by=admin_user,
    )
    draft = editorial.start_draft(live, by=admin_user)
    Office.objects.filter(pk=draft.pk).update(profile=SAVED)
    return draft


def test_the_draft_changes_show_what_is_saved_not_what_was_refused(admin_client, draft):
    data = form_data(admin_client.get(change_url(draft)))
    data["profile"] = TYPED
    data["year_established"] = "not a year"

    response = admin_client.post(change_url(draft), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    changes = {(c.field, c.after) for c in response.context["draft_changes"]}
    assert any(after == SAVED for _field, after in changes), changes
    assert not any(TYPED in after for _field, after in changes), changes
    # The form keeps what was typed, so nothing is lost.
    assert TYPED in response.content.decode()
    draft.refresh_from_db()
    assert draft.profile == SAVED
