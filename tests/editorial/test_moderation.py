"""Moderation: submit for publication → publishers emailed → publish or send back."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from audit.models import AuditEntry
from offices import editorial
from offices.models import Office, PublicationRequest
from tests.factories import OfficeFactory, UserFactory
from tests.support import editorial_group, form_data, signed_in
from tests.support import office_admin_url as url

pytestmark = pytest.mark.django_db

MESSAGE = "New head of office and the 2025 figures."
COMMENT = "The budget figure needs a source."


@pytest.fixture
def managers(db):
    group = editorial_group("Content managers")
    users = [UserFactory(username=f"manager{i}") for i in range(2)]
    for user in users:
        user.groups.add(group)
    return users


@pytest.fixture
def office(editor):
    return OfficeFactory(
        name="UN Human Rights in Iraq", slug="iraq", reviewers=[editor]
    )


@pytest.fixture
def draft(office, editor):
    return editorial.start_draft(office, by=editor)


def test_publishers_are_those_who_may_publish_that_office(
    office, editor, managers, admin_user
):
    # An editor who may publish, but only the offices they review.
    own = UserFactory(username="own-publisher")
    own.groups.add(editorial_group("Office editors"))
    own.user_permissions.add(Permission.objects.get(codename="publish_office"))
    other = UserFactory(username="other-publisher")
    other.groups.add(editorial_group("Office editors"))
    other.user_permissions.add(Permission.objects.get(codename="publish_office"))
    office.reviewers.add(own)
    UserFactory(username="inactive", is_active=False).groups.add(
        editorial_group("Content managers")
    )

    publishers = {u.username for u in editorial.publishers_of(office)}

    assert publishers == {"manager0", "manager1", "own-publisher", admin_user.username}


def test_submit_emails_each_publisher_once_and_marks_the_draft(
    draft, editor, managers, admin_user
):
    client = signed_in(editor)

    page = client.get(url("change", draft))
    assert url("submit", draft) in page.text
    response = client.post(url("submit", draft), {"message": MESSAGE})

    assert response.status_code == 302
    request = PublicationRequest.objects.get(office=draft)
    assert (request.status, request.message, request.requested_by) == (
        PublicationRequest.Status.PENDING,
        MESSAGE,
        editor,
    )
    recipients = sorted(address for m in mail.outbox for address in m.to)
    assert recipients == sorted([u.email for u in managers] + [admin_user.email])
    message = mail.outbox[0]
    assert message.subject == "Please publish: UN Human Rights in Iraq"
    assert MESSAGE in message.body
    assert "Amina Diallo" in message.body
    assert url("change", draft) in message.body
    html = message.alternatives[0]
    assert html.mimetype == "text/html"
    assert MESSAGE in html.content
    page = client.get(url("change", draft))
    assert "Awaiting publication" in page.text
    assert MESSAGE in page.text
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.SUBMIT, office_id=draft.draft_of_id, actor=editor
    ).exists()


def test_a_message_is_required(draft, editor):
    response = signed_in(editor).post(url("submit", draft), {"message": " "})

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not PublicationRequest.objects.exists()
    assert not mail.outbox


def test_a_publisher_publishes_a_submitted_draft(draft, editor, managers):
    editorial.submit_for_publication(draft, by=editor, message=MESSAGE)
    client = signed_in(managers[0])
    page = client.get(url("change", draft))
    assert url("send_back", draft) in page.text
    data = form_data(page)
    data["profile"] = "Published text."
    data["_publish"] = "Publish"

    client.post(url("change", draft), data)

    live = Office.objects.get(slug="iraq")
    assert live.profile == "Published text."
    assert not Office.objects.filter(draft_of=live).exists()
    assert not PublicationRequest.objects.exists()


def test_a_publisher_sends_it_back_with_a_comment_emailed_to_the_editor(
    draft, editor, managers
):
    editorial.submit_for_publication(draft, by=editor, message=MESSAGE)
    mail.outbox.clear()
    client = signed_in(managers[0])

    response = client.post(url("send_back", draft), {"comment": COMMENT})

    assert response.status_code == 302
    request = PublicationRequest.objects.get(office=draft)
    assert (request.status, request.comment, request.answered_by) == (
        PublicationRequest.Status.RETURNED,
        COMMENT,
        managers[0],
    )
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert mail.outbox[0].subject == "Sent back: UN Human Rights in Iraq"
    assert COMMENT in mail.outbox[0].body
    assert COMMENT in mail.outbox[0].alternatives[0].content
    page = signed_in(editor).get(url("change", draft))
    assert "Sent back" in page.text
    assert COMMENT in page.text
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.SEND_BACK, office_id=draft.draft_of_id
    ).exists()


def test_editors_cannot_send_back(draft, editor, managers):
    editorial.submit_for_publication(draft, by=editor, message=MESSAGE)

    response = signed_in(editor).post(url("send_back", draft), {"comment": COMMENT})

    assert response.status_code == 403
    assert PublicationRequest.objects.get().is_pending


def test_resubmitting_after_a_send_back_makes_it_pending_again(draft, editor, managers):
    editorial.submit_for_publication(draft, by=editor, message=MESSAGE)
    editorial.send_back(draft, by=managers[0], comment=COMMENT)

    editorial.submit_for_publication(draft, by=editor, message="Source added.")

    request = PublicationRequest.objects.get()
    assert (request.status, request.message, request.comment) == (
        PublicationRequest.Status.PENDING,
        "Source added.",
        "",
    )


def test_a_new_office_can_be_submitted_and_publishing_ends_the_request(
    editor, managers
):
    office = OfficeFactory(status=Office.Status.DRAFT, reviewers=[editor])
    editorial.submit_for_publication(office, by=editor, message=MESSAGE)

    editorial.publish(office, by=managers[0])

    assert not PublicationRequest.objects.exists()


def test_a_published_office_cannot_be_submitted(office, editor):
    with pytest.raises(editorial.EditorialError):
        editorial.submit_for_publication(office, by=editor, message=MESSAGE)


def test_one_failing_address_does_not_stop_the_others(
    draft, editor, managers, settings, monkeypatch
):
    import smtplib

    from offices.editorial import moderation

    sent = []

    def flaky(name, to, context, using="default"):
        if to == managers[0].email:
            raise smtplib.SMTPRecipientsRefused({to: (550, b"no")})
        sent.append(to)

    monkeypatch.setattr(moderation, "send_email", flaky)

    notified = editorial.submit_for_publication(draft, by=editor, message=MESSAGE)

    assert notified.failed == [managers[0].email]
    assert managers[1].email in sent
    assert PublicationRequest.objects.get().is_pending


def test_the_editor_is_told_how_many_were_notified_and_whose_email_failed(
    draft, editor, managers, monkeypatch
):
    import smtplib

    from offices.editorial import moderation

    def flaky(name, to, context, using="default"):
        if to == managers[0].email:
            raise smtplib.SMTPRecipientsRefused({to: (550, b"no")})

    monkeypatch.setattr(moderation, "send_email", flaky)

    response = signed_in(editor).post(
        url("submit", draft), {"message": MESSAGE}, follow=True
    )

    shown = [str(message) for message in response.context["messages"]]
    # managers[1] got it; managers[0]'s server refused.
    assert "Submitted for publication: 1 publisher was notified." in shown
    assert f"The email could not be sent to {managers[0].email}." in shown


def test_sending_back_a_draft_nobody_submitted_is_refused_with_a_message(
    draft, managers
):
    response = signed_in(managers[0]).post(
        url("send_back", draft), {"comment": COMMENT}, follow=True
    )

    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1
    assert not mail.outbox
    assert not PublicationRequest.objects.exists()


def test_the_office_list_shows_drafts_awaiting_publication(admin_client, draft, editor):
    editorial.submit_for_publication(draft, by=editor, message=MESSAGE)
    new = OfficeFactory(name="New office", status=Office.Status.DRAFT)
    editorial.submit_for_publication(new, by=editor, message=MESSAGE)

    response = admin_client.get(reverse("admin:offices_office_changelist"))

    assert response.text.count("Awaiting publication") == 2
    assert f'href="{url("change", draft)}"' in response.text
