"""The office admin's editorial workflow: drafts of published offices,
publishing, no lost updates, history and revert, soft delete and restore."""

import datetime
import threading

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Revision, Version

from audit.models import AuditEntry
from offices import editorial
from offices.models import DeletedOffice, FieldOffice, Office
from tests.factories import (
    FieldOfficeFactory,
    MandateFactory,
    OfficeFactory,
    TagFactory,
    UserFactory,
)
from tests.support import (
    SIGNED_IN_QUERIES,
    FormData,
    VerifiedClient,
    add_rows,
    change_url,
    form_data,
)
from tests.support import office_admin_url as url

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:offices_office_changelist")
ADD = reverse("admin:offices_office_add")
DELETED = reverse("admin:offices_deletedoffice_changelist")
CONFLICT = "saved this office after you opened this page"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed(response):
    return sorted(office.name for office in response.context["cl"].result_list)


def entries(action, office):
    return AuditEntry.objects.filter(action=action, office_id=office.pk)


@pytest.fixture
def live(db):
    """A published office with a head office, a mandate and a tag."""
    office = OfficeFactory(
        name="UN Human Rights in Iraq",
        slug="iraq",
        profile="The published text.",
        tags=[TagFactory(name="Elections")],
    )
    FieldOfficeFactory(office=office, name="Baghdad", is_head_office=True)
    MandateFactory(office=office, title="Resolution 2522")
    return office


@pytest.fixture
def draft(live, admin_user):
    return editorial.start_draft(live, by=admin_user)


def save_draft(client, draft, **changes):
    data = form_data(client.get(change_url(draft)))
    data.update(changes)
    return client.post(change_url(draft), data)


# The list


def test_changelist_lists_live_offices_only(admin_client, live, draft, admin_user):
    gone = OfficeFactory(name="Gone")
    editorial.soft_delete(gone, by=admin_user)
    OfficeFactory(name="New", status=Office.Status.DRAFT)

    response = admin_client.get(CHANGELIST)

    assert listed(response) == ["New", "UN Human Rights in Iraq"]


def test_changelist_marks_pending_changes_with_a_link_to_the_draft(
    admin_client, live, draft
):
    OfficeFactory(name="Unchanged")

    content = admin_client.get(CHANGELIST).content.decode()

    assert f'<a href="{change_url(draft)}">Draft pending</a>' in content
    assert content.count("Draft pending") == 1


@pytest.mark.parametrize("size", [2, 20])
def test_changelist_query_count_with_drafts_is_constant(
    admin_client, admin_user, django_assert_max_num_queries, size
):
    for office in OfficeFactory.create_batch(size):
        FieldOfficeFactory(office=office)
        editorial.start_draft(office, by=admin_user)

    # As without drafts (tests/offices/test_admin.py): the pending draft is
    # a subquery of the list's own query.
    with django_assert_max_num_queries(8 + SIGNED_IN_QUERIES):
        response = admin_client.get(CHANGELIST)

    assert response.context["cl"].result_count == size


# A published office: shown read-only, edited through a draft


def test_published_office_page_shows_the_content_read_only(admin_client, live):
    response = admin_client.get(change_url(live))

    form = response.context["adminform"].form
    # Managers still choose who reviews it; nothing else is in the form.
    assert list(form.fields) == ["reviewers"]
    assert not any(
        inline.has_add_permission or inline.has_change_permission
        for inline in response.context["inline_admin_formsets"]
    )
    content = response.content.decode()
    assert "The published text." in content
    assert 'name="field_offices-0-name"' not in content
    assert f'action="{url("start_draft", live)}"' in content


def test_posting_the_published_page_changes_no_content(admin_client, live):
    data = form_data(admin_client.get(change_url(live)))
    data.update(name="Renamed", profile="Changed in place.", status="draft")

    admin_client.post(change_url(live), data)

    live.refresh_from_db()
    assert (live.name, live.profile, live.status) == (
        "UN Human Rights in Iraq",
        "The published text.",
        Office.Status.PUBLISHED,
    )


def test_edit_starts_a_draft_and_opens_it(admin_client, live):
    response = admin_client.post(url("start_draft", live))

    draft = Office.objects.get(draft_of=live)
    assert response.status_code == 302
    assert response["Location"] == change_url(draft)
    assert "The public page shows the published version" in messages_of(response)[0]


def test_edit_with_a_pending_draft_opens_that_draft(admin_client, live, draft):
    response = admin_client.post(url("start_draft", live))

    assert response["Location"] == change_url(draft)
    assert Office.objects.filter(draft_of=live).count() == 1


def test_edit_refuses_get(admin_client, live):
    assert admin_client.get(url("start_draft", live)).status_code == 405
    assert not Office.objects.filter(draft_of=live).exists()


def test_edit_needs_the_csrf_token(admin_user, live):
    client = VerifiedClient(enforce_csrf_checks=True)
    client.force_login(admin_user)

    assert client.post(url("start_draft", live)).status_code == 403
    assert not Office.objects.filter(draft_of=live).exists()


def test_published_page_links_to_the_pending_draft_and_its_preview(
    admin_client, live, draft
):
    content = admin_client.get(change_url(live)).content.decode()

    assert f'href="{change_url(draft)}"' in content
    assert f'href="{reverse("offices:draft", kwargs={"slug": "iraq"})}"' in content
    assert f'action="{url("start_draft", live)}"' not in content


def test_unpublish_asks_first_saying_what_the_public_will_see(admin_client, live):
    change = admin_client.get(change_url(live)).content.decode()
    page = admin_client.get(url("unpublish", live))

    assert f'href="{url("unpublish", live)}"' in change
    assert f'action="{url("unpublish", live)}"' not in change
    assert page.status_code == 200
    content = page.content.decode()
    assert "its address answers “Page not found”" in content
    assert 'value="Yes, unpublish"' in content
    live.refresh_from_db()
    assert live.is_published
    assert not entries(AuditEntry.Action.UNPUBLISH, live).exists()


def test_unpublish_button_takes_the_office_off_the_site(admin_client, live):
    response = admin_client.post(url("unpublish", live))

    assert response["Location"] == change_url(live)
    live.refresh_from_db()
    assert live.status == Office.Status.DRAFT
    assert entries(AuditEntry.Action.UNPUBLISH, live).exists()


def test_an_unpublished_office_still_links_to_its_pending_draft(
    admin_client, live, draft
):
    admin_client.post(url("unpublish", live))

    content = admin_client.get(change_url(live)).content.decode()

    assert f'href="{change_url(draft)}"' in content


# The draft copy's page


def test_draft_copy_is_not_listed_but_reached_by_its_id(admin_client, live, draft):
    assert listed(admin_client.get(CHANGELIST)) == ["UN Human Rights in Iraq"]
    assert admin_client.get(change_url(draft)).status_code == 200


def test_draft_page_shows_the_banner_and_what_differs(admin_client, live, draft):
    Office.objects.filter(pk=draft.pk).update(profile="The new text.")

    response = admin_client.get(change_url(draft))

    content = response.content.decode()
    assert "Draft of UN Human Rights in Iraq — not public" in content
    changes = [(c.field, c.before, c.after) for c in response.context["draft_changes"]]
    assert changes == [("Profile [en]", "The published text.", "The new text.")]
    assert f'href="{reverse("offices:draft", kwargs={"slug": "iraq"})}"' in content
    assert 'name="_publish"' in content
    assert f'href="{url("discard_draft", draft)}"' in content


def test_draft_form_leaves_the_review_state_and_reviewers_to_the_office(
    admin_client, live, draft
):
    form = admin_client.get(change_url(draft)).context["adminform"].form

    assert not {"reviewers", "last_reviewed", "deferred_until", "status"} & set(
        form.fields
    )


def test_save_draft_leaves_the_public_version_as_it_is(admin_client, live, draft):
    response = save_draft(admin_client, draft, profile="The new text.")

    assert response.status_code == 302
    assert response["Location"] == change_url(draft)
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.profile == "The new text."
    assert live.profile == "The published text."


def test_saving_a_draft_records_a_version_of_the_draft(admin_client, live, draft):
    save_draft(admin_client, draft, profile="The new text.")

    version = Version.objects.get_for_object(draft).get()
    assert version.field_dict["profile"] == "The new text."
    assert not Version.objects.get_for_object(live).exists()


def test_publish_button_saves_and_applies_the_draft(admin_client, admin_user, draft):
    live = draft.draft_of
    data = form_data(admin_client.get(change_url(draft)))
    data.update(profile="The new text.", _publish="Publish")
    add_rows(data, "field_offices", {"name": "Erbil", "position": 1})

    response = admin_client.post(change_url(draft), data)

    assert response.status_code == 302
    assert response["Location"] == change_url(live)
    assert messages_of(response) == ["“UN Human Rights in Iraq” is published."]
    live.refresh_from_db()
    assert live.profile == "The new text."
    assert sorted(live.field_offices.values_list("name", flat=True)) == [
        "Baghdad",
        "Erbil",
    ]
    assert not Office.objects.filter(pk=draft.pk).exists()
    version = Version.objects.get_for_object(live).get()
    assert (version.revision.user, version.revision.comment) == (
        admin_user,
        "Published",
    )
    assert entries(AuditEntry.Action.PUBLISH, live).get().actor == admin_user


def test_publish_refused_keeps_the_saved_draft(admin_client, live, draft):
    OfficeFactory(slug="syria")
    Office.objects.filter(pk=draft.pk).update(slug="syria")

    response = save_draft(admin_client, draft, profile="New.", _publish="Publish")

    # The form's own check names the clash before anything is saved.
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "This slug is already taken."
    ]
    live.refresh_from_db()
    assert live.profile == "The published text."


def test_discard_asks_first_then_deletes_the_draft_only(admin_client, live, draft):
    Office.objects.filter(pk=draft.pk).update(profile="Lost text.")

    page = admin_client.get(url("discard_draft", draft))
    assert Office.objects.filter(pk=draft.pk).exists()
    response = admin_client.post(url("discard_draft", draft))

    assert page.status_code == 200
    assert "Lost text." in page.content.decode()
    assert "The public keeps seeing the published version" in page.content.decode()
    assert Office.objects.filter(pk=draft.pk).exists() is False
    assert response["Location"] == change_url(live)
    live.refresh_from_db()
    assert live.profile == "The published text."
    assert entries(AuditEntry.Action.DISCARD_DRAFT, live).exists()


def test_mark_reviewed_on_a_draft_reviews_its_office(admin_client, live, draft):
    response = admin_client.post(url("mark_reviewed", draft), {"note": "Checked"})

    assert response["Location"] == change_url(live)
    live.refresh_from_db()
    assert live.last_reviewed == timezone.localdate()
    assert live.review_records.get().note == "Checked"


def test_defer_review_on_a_draft_goes_to_its_office(admin_client, live, draft):
    response = admin_client.get(url("defer_review", draft))

    assert response["Location"] == url("defer_review", live)


def test_draft_history_is_its_offices_history(admin_client, live, draft):
    assert admin_client.get(url("history", draft))["Location"] == url("history", live)


def test_draft_delete_link_leads_to_discarding(admin_client, live, draft):
    assert admin_client.get(url("delete", draft))["Location"] == url(
        "discard_draft", draft
    )
    assert Office.objects.filter(pk=draft.pk).exists()


def test_a_draft_may_not_take_another_offices_slug(admin_client, live, draft):
    OfficeFactory(slug="syria")

    response = save_draft(admin_client, draft, slug="syria")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        "This slug is already taken."
    ]


def test_a_draft_keeps_its_offices_slug(admin_client, live, draft):
    assert save_draft(admin_client, draft, slug="iraq").status_code == 302


@pytest.mark.parametrize("size", [1, 20])
def test_draft_page_query_count_is_constant(
    admin_client, admin_user, django_assert_max_num_queries, size
):
    office = OfficeFactory(tags=TagFactory.create_batch(size))
    FieldOfficeFactory.create_batch(size, office=office)
    MandateFactory.create_batch(size, office=office)
    draft = editorial.start_draft(office, by=admin_user)

    # The office page's own queries, and what the banner compares: both
    # versions' terms, tags, field offices and mandates (fetched together, a
    # query per relation); its publication request; the side panel's
    # translation states (one query, #23).
    with django_assert_max_num_queries(16 + SIGNED_IN_QUERIES):
        response = admin_client.get(change_url(draft))

    assert response.status_code == 200


# A new office: edited in place, published with a button


def new_office_data(client):
    data = form_data(client.get(ADD))
    data.update(
        name="UN Human Rights in Chad",
        slug="chad",
        region="africa",
        engagement_type="country_office",
        year_established=2018,
    )
    return data


def test_new_office_is_a_draft_until_published(admin_client):
    response = admin_client.post(ADD, new_office_data(admin_client))

    assert response.status_code == 302
    office = Office.objects.get(slug="chad")
    assert office.status == Office.Status.DRAFT
    assert Version.objects.get_for_object(office).count() == 1


def test_save_and_publish_a_new_office(admin_client, admin_user):
    data = {**new_office_data(admin_client), "_publish": "Save and publish"}

    response = admin_client.post(ADD, data)

    office = Office.objects.get(slug="chad")
    assert response["Location"] == change_url(office)
    assert office.status == Office.Status.PUBLISHED
    comments = [v.revision.comment for v in Version.objects.get_for_object(office)]
    assert comments == ["Published", "Added."]
    assert entries(AuditEntry.Action.PUBLISH, office).get().actor == admin_user


def test_publish_button_on_a_new_office(admin_client):
    office = OfficeFactory(status=Office.Status.DRAFT)
    data = form_data(admin_client.get(change_url(office)))

    admin_client.post(change_url(office), {**data, "_publish": "Publish"})

    office.refresh_from_db()
    assert office.is_published


@pytest.mark.parametrize(
    ("action", "before", "audit_action"),
    [
        ("publish", Office.Status.DRAFT, AuditEntry.Action.PUBLISH),
        ("move_to_draft", Office.Status.PUBLISHED, AuditEntry.Action.UNPUBLISH),
    ],
)
def test_publishing_actions_record_a_version_and_an_audit_entry(
    admin_client, admin_user, action, before, audit_action
):
    office = OfficeFactory(status=before)

    admin_client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [office.pk], "post": "yes"},
    )

    office.refresh_from_db()
    assert office.status != before
    assert Version.objects.get_for_object(office).get().revision.user == admin_user
    assert entries(audit_action, office).get().actor == admin_user


# No lost updates


def open_page(user, office):
    client = VerifiedClient()
    client.force_login(user)
    return client, form_data(client.get(change_url(office)))


def test_the_second_of_two_editors_saving_gets_a_conflict(live, draft):
    amina = UserFactory(username="amina", first_name="Amina", last_name="Said")
    bob = UserFactory(username="bob", is_superuser=True)
    amina.is_superuser = True
    amina.save()
    first, first_data = open_page(amina, draft)
    second, second_data = open_page(bob, draft)

    saved = first.post(
        change_url(draft), {**first_data, **FormData(profile="Amina's text.")}
    )
    refused = second.post(
        change_url(draft), {**second_data, **FormData(profile="Bob's text.")}
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.non_field_errors()
    assert errors[0].startswith("Amina Said saved this office after you opened")
    assert "Office – Profile [en]: The published text. → Amina's text." in errors
    draft.refresh_from_db()
    assert draft.profile == "Amina's text."


def test_a_conflict_is_refused_until_the_page_is_opened_again(admin_client, draft):
    data = form_data(admin_client.get(change_url(draft)))
    save_draft(admin_client, draft, profile="Someone else's text.")

    again = admin_client.post(change_url(draft), {**data, **FormData(profile="Mine.")})
    reopened = save_draft(admin_client, draft, profile="Mine.")

    assert again.status_code == 200
    assert reopened.status_code == 302
    draft.refresh_from_db()
    assert draft.profile == "Mine."


def test_a_conflict_on_a_new_office_keeps_the_first_save(admin_client):
    office = OfficeFactory(status=Office.Status.DRAFT, profile="Before.")
    first = form_data(admin_client.get(change_url(office)))
    second = form_data(admin_client.get(change_url(office)))

    admin_client.post(change_url(office), {**first, **FormData(profile="First.")})
    refused = admin_client.post(
        change_url(office), {**second, **FormData(profile="Second.")}
    )

    assert CONFLICT in refused.content.decode()
    office.refresh_from_db()
    assert office.profile == "First."


def test_a_conflict_lists_inline_changes(admin_client, draft):
    stale = form_data(admin_client.get(change_url(draft)))
    data = form_data(admin_client.get(change_url(draft)))
    add_rows(data, "field_offices", {"name": "Erbil", "position": 1})
    admin_client.post(change_url(draft), data)

    refused = admin_client.post(change_url(draft), stale)

    errors = refused.context["adminform"].form.non_field_errors()
    assert "Field office “Erbil” – Added: — → Erbil" in errors
    assert list(draft.field_offices.values_list("name", flat=True)) == [
        "Baghdad",
        "Erbil",
    ]


def test_a_save_that_wins_the_race_after_validation_is_not_overwritten(
    admin_client, draft, monkeypatch
):
    """The other save lands between this form's check and its save.

    Replayed in the test's transaction, where the refusal rolls the other
    save back too; the next test runs a real race.
    """
    data = form_data(admin_client.get(change_url(draft)))
    model_admin = type(admin.site.get_model_admin(Office))
    original = model_admin.save_form

    def save_form(self, request, form, change):
        Office.objects.filter(pk=draft.pk).update(edit_version=99)
        return original(self, request, form, change)

    monkeypatch.setattr(model_admin, "save_form", save_form, raising=False)

    response = admin_client.post(
        change_url(draft), {**data, **FormData(profile="Mine.")}
    )

    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    form = response.context["adminform"].form
    assert form["profile_en"].value() == "Mine."
    draft.refresh_from_db()
    assert draft.profile == "The published text."


@pytest.mark.django_db(transaction=True)
def test_two_editors_saving_at_once_get_one_save_and_one_conflict(
    admin_user, monkeypatch
):
    office = OfficeFactory(status=Office.Status.DRAFT, profile="Before.")
    clients = [VerifiedClient(), VerifiedClient()]
    for client in clients:
        client.force_login(admin_user)
    data = [form_data(client.get(change_url(office))) for client in clients]
    # Both forms are valid (nobody has saved yet) before either is saved.
    both_validated = threading.Barrier(2, timeout=10)
    model_admin = type(admin.site.get_model_admin(Office))
    original = model_admin.save_form

    def save_form(self, request, form, change):
        if not getattr(request, "edit_conflict", False):
            both_validated.wait()
        return original(self, request, form, change)

    monkeypatch.setattr(model_admin, "save_form", save_form, raising=False)
    responses = [None, None]

    def post(index):
        try:
            responses[index] = clients[index].post(
                change_url(office),
                {**data[index], **FormData(profile=f"Text {index}.")},
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(response.status_code for response in responses) == [200, 302]
    saved = next(i for i, r in enumerate(responses) if r.status_code == 302)
    refused = responses[1 - saved]
    assert CONFLICT in refused.content.decode()
    office.refresh_from_db()
    assert office.profile == f"Text {saved}."


# History and revert


def publish_change(office, by, **changes):
    draft = editorial.start_draft(office, by=by)
    Office.objects.filter(pk=draft.pk).update(**changes)
    return editorial.publish(Office.objects.get(pk=draft.pk), by=by)


@pytest.fixture
def versioned(live, admin_user):
    """live, published three times: as it was, with a new text, with new rows."""
    publish_change(live, admin_user)
    publish_change(live, admin_user, profile="The second text.")
    draft = editorial.start_draft(live, by=admin_user)
    FieldOfficeFactory(office=draft, name="Erbil")
    draft.tags.set([TagFactory(name="Water")])
    editorial.publish(draft, by=admin_user)
    return live


def test_history_lists_versions_newest_first_with_their_changes(
    admin_client, versioned
):
    response = admin_client.get(url("history", versioned))

    assert response.status_code == 200
    entries_ = response.context["entries"]
    assert [e["user"] for e in entries_] == ["admin"] * 3
    assert [e["version"].revision.comment for e in entries_] == ["Published"] * 3
    assert [
        (c.section, c.field, c.before, c.after) for c in entries_[0]["changes"]
    ] == [
        ("Office", "Tags", "Elections", "Water"),
        ("Field office “Erbil”", "Added", "—", "Erbil"),
    ]
    assert [(c.field, c.before, c.after) for c in entries_[1]["changes"]] == [
        ("Profile [en]", "The published text.", "The second text.")
    ]
    assert entries_[2]["first"]
    content = response.content.decode()
    assert content.count("Load this version into the draft…") == 2
    assert "The second text." in content


def test_history_shows_each_versions_time_to_the_second(admin_client, versioned):
    first, second = Version.objects.get_for_object(versioned)[:2]
    zone = timezone.get_current_timezone()
    for version, second_ in [(first, 13), (second, 5)]:
        Revision.objects.filter(pk=version.revision_id).update(
            date_created=datetime.datetime(2026, 12, 7, 7, 22, second_, tzinfo=zone)
        )

    content = admin_client.get(url("history", versioned)).content.decode()

    assert "7 Dec 2026, 07:22:13" in content
    assert "7 Dec 2026, 07:22:05" in content


def test_history_marks_the_words_that_changed_in_a_long_text(
    admin_client, admin_user, live
):
    publish_change(
        live, admin_user, profile="The office monitors detention in Erbil and Mosul."
    )
    publish_change(
        live, admin_user, profile="The office monitors detention in Erbil and Basra."
    )

    content = admin_client.get(url("history", live)).content.decode()

    assert "The office monitors detention in Erbil and <del>Mosul</del>." in content
    assert "The office monitors detention in Erbil and <ins>Basra</ins>." in content


def test_history_marks_chinese_character_by_character(admin_client, admin_user, live):
    text = "联合国人权事务高级专员办事处在埃尔比勒和摩苏尔监测拘留情况。并支持受害者。"
    publish_change(live, admin_user, profile_zh_hans=text)
    publish_change(live, admin_user, profile_zh_hans=text.replace("摩苏尔", "巴士拉"))

    content = admin_client.get(url("history", live)).content.decode()

    assert "<del>摩苏尔</del>" in content
    assert "<ins>巴士拉</ins>" in content


def test_revert_loads_a_version_into_a_draft_and_leaves_the_public_page(
    admin_client, admin_user, versioned
):
    oldest = Version.objects.get_for_object(versioned).last()
    when = date_format(timezone.localtime(oldest.revision.date_created), "j M Y, H:i:s")

    response = admin_client.post(url("revert", versioned, oldest.pk))

    draft = Office.objects.get(draft_of=versioned)
    assert response["Location"] == change_url(draft)
    assert messages_of(response) == [
        f"Version of {when} loaded into the draft. Publish it to make it public."
    ]
    assert draft.profile == "The published text."
    assert list(draft.field_offices.values_list("name", flat=True)) == ["Baghdad"]
    assert list(draft.tags.values_list("name", flat=True)) == ["Elections"]
    versioned.refresh_from_db()
    assert versioned.is_published
    assert versioned.profile == "The second text."
    assert Version.objects.get_for_object(versioned).count() == 3
    assert entries(AuditEntry.Action.REVERT, versioned).get().actor == admin_user
    public = admin_client.get(versioned.get_absolute_url()).content.decode()
    assert "The second text." in public

    # Publishing it is the usual, separate step.
    editorial.publish(draft, by=admin_user)
    versioned.refresh_from_db()
    assert versioned.profile == "The published text."
    assert list(versioned.field_offices.values_list("name", flat=True)) == ["Baghdad"]
    assert Version.objects.get_for_object(versioned).count() == 4


def test_revert_asks_first_and_a_get_changes_nothing(admin_client, versioned):
    oldest = Version.objects.get_for_object(versioned).last()

    page = admin_client.get(url("revert", versioned, oldest.pk))

    assert page.status_code == 200
    content = page.content.decode()
    assert "A draft of “UN Human Rights in Iraq” is started" in content
    assert "The public keeps seeing the published version" in content
    assert "The second text." in content  # what the draft will change
    assert not Office.objects.filter(draft_of=versioned).exists()
    assert not entries(AuditEntry.Action.REVERT, versioned).exists()


def test_revert_page_shows_what_it_replaces_in_the_pending_draft(
    admin_client, admin_user, versioned
):
    oldest = Version.objects.get_for_object(versioned).last()
    draft = editorial.start_draft(versioned, by=admin_user)
    Office.objects.filter(pk=draft.pk).update(profile="Work in progress.")

    page = admin_client.get(url("revert", versioned, oldest.pk))
    response = admin_client.post(url("revert", versioned, oldest.pk))

    content = page.content.decode()
    assert "What the revert replaces in the draft" in content
    assert "Work in progress." in content
    assert response["Location"] == change_url(draft)
    draft.refresh_from_db()
    assert draft.profile == "The published text."
    assert Office.objects.filter(draft_of=versioned).count() == 1


def test_revert_refuses_a_version_of_another_office(
    admin_client, admin_user, versioned
):
    other = publish_change(OfficeFactory(), admin_user)
    version = Version.objects.get_for_object(other).get()

    response = admin_client.post(url("revert", versioned, version.pk))

    assert messages_of(response) == ["That version of the office was not found."]
    versioned.refresh_from_db()
    assert Version.objects.get_for_object(versioned).count() == 3


def test_history_says_so_when_a_version_cannot_be_read(admin_client, versioned):
    oldest = Version.objects.get_for_object(versioned).last()
    # As after a migration that changed a field's type.
    Version.objects.filter(pk=oldest.pk).update(
        serialized_data=oldest.serialized_data.replace(
            '"year_established": 2005', '"year_established": "unknown"'
        )
    )

    response = admin_client.get(url("history", versioned))

    assert response.status_code == 200
    content = response.content.decode()
    assert "can no longer be shown or restored" in content
    assert "The version before it can no longer be read" in content
    revert = admin_client.post(url("revert", versioned, oldest.pk))
    assert messages_of(revert)[0].startswith("Not reverted:")


def test_history_does_not_use_reversions_own_revert_views(admin_client, versioned):
    version = Version.objects.get_for_object(versioned).last()
    path = f"{url('history', versioned)}{version.pk}/"

    admin_client.post(path, {})

    versioned.refresh_from_db()
    assert Version.objects.get_for_object(versioned).count() == 3


@pytest.mark.parametrize("count", [1, 10])
def test_history_query_count_is_constant(
    admin_client, admin_user, django_assert_max_num_queries, count
):
    office = OfficeFactory(tags=TagFactory.create_batch(2))
    FieldOfficeFactory.create_batch(2, office=office)
    for index in range(count):
        publish_change(office, admin_user, profile=f"Text {index}.")

    # Session and user, the office, a count and a page of versions, those
    # versions' revisions, and the names of the four vocabularies' terms.
    with django_assert_max_num_queries(7 + SIGNED_IN_QUERIES):
        response = admin_client.get(url("history", office))

    assert len(response.context["entries"]) == count


# Soft delete and restore


def test_delete_page_says_the_office_is_restorable(admin_client, live):
    content = admin_client.get(url("delete", live)).content.decode()

    assert "can be restored under “Deleted offices”" in content
    # Nothing is listed as if it were deleted with the office.
    assert "Baghdad" not in content
    assert "Resolution 2522" not in content


def test_delete_is_soft(admin_client, admin_user, live):
    response = admin_client.post(url("delete", live), {"post": "yes"})

    assert response["Location"] == CHANGELIST
    live.refresh_from_db()
    assert (live.deleted_by, live.deleted_at is not None) == (admin_user, True)
    assert FieldOffice.objects.filter(office=live).exists()
    assert entries(AuditEntry.Action.DELETE, live).get().actor == admin_user
    assert admin_client.get(change_url(live))["Location"] == reverse("admin:index")


def test_delete_action_asks_first_then_deletes_softly(admin_client, live):
    other = OfficeFactory(name="Other")
    selected = {"action": "delete_offices", "_selected_action": [live.pk, other.pk]}

    page = admin_client.post(CHANGELIST, selected)
    response = admin_client.post(CHANGELIST, {**selected, "post": "yes"})

    assert "can be restored under “Deleted offices”" in page.content.decode()
    assert messages_of(response) == [
        "2 offices deleted. They can be restored under “Deleted offices”."
    ]
    assert Office.objects.deleted().count() == 2


def test_djangos_delete_action_is_not_offered(admin_client, live):
    response = admin_client.get(CHANGELIST)

    choices = [
        name for name, _ in response.context["action_form"].fields["action"].choices
    ]
    assert "delete_selected" not in choices
    assert "delete_offices" in choices


def test_deleted_offices_are_listed_and_restored(admin_client, admin_user, live):
    editorial.soft_delete(live, by=admin_user)

    page = admin_client.get(DELETED)
    response = admin_client.post(
        DELETED, {"action": "restore", "_selected_action": [live.pk]}
    )

    content = page.content.decode()
    assert "UN Human Rights in Iraq" in content
    assert "manage.py purge_offices" in content
    assert messages_of(response) == ["1 office restored."]
    assert list(Office.objects.published()) == [live]
    assert entries(AuditEntry.Action.RESTORE, live).get().actor == admin_user


def test_a_deleted_office_is_not_editable(admin_client, admin_user, live):
    editorial.soft_delete(live, by=admin_user)
    deleted_page = reverse("admin:offices_deletedoffice_change", args=[live.pk])

    page = admin_client.get(deleted_page)

    assert page.status_code == 200
    assert page.context["title"] == "View deleted office"
    assert admin_client.post(deleted_page, {"name": "x"}).status_code == 403
    assert admin_client.post(url("start_draft", live)).status_code == 302
    assert not Office.objects.filter(draft_of=live).exists()
    assert DeletedOffice.objects.get(pk=live.pk).name == "UN Human Rights in Iraq"


@pytest.mark.parametrize("size", [2, 20])
def test_deleted_offices_query_count_is_constant(
    admin_client, admin_user, django_assert_max_num_queries, size
):
    for office in OfficeFactory.create_batch(size):
        editorial.soft_delete(office, by=admin_user)

    # Session and user, two counts, the page, the dates of the date hierarchy.
    with django_assert_max_num_queries(7 + SIGNED_IN_QUERIES):
        response = admin_client.get(DELETED)

    assert response.context["cl"].result_count == size


# The office picker of other pages


def autocomplete_offices(client, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "mandates",
            "model_name": "mandate",
            "field_name": "office",
            "term": term,
        },
    )
    assert response.status_code == 200
    return sorted(result["text"] for result in response.json()["results"])


def test_office_picker_offers_no_draft_copy_and_no_deleted_office(
    admin_client, admin_user, live, draft
):
    Office.objects.filter(pk=draft.pk).update(name="UN Human Rights in Iraq (draft)")
    editorial.soft_delete(OfficeFactory(name="UN Human Rights in Gone"), by=admin_user)

    assert autocomplete_offices(admin_client, "Human") == ["UN Human Rights in Iraq"]
