"""Editors in the admin: editing, reviewing and publishing; row-level access."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import dateformat, timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from offices.models import Office
from tests.browser.support import log_in
from tests.factories import PASSWORD, OfficeFactory, UserFactory
from tests.support import totp_code

pytestmark = pytest.mark.browser


def test_editor_adds_field_office_reviews_publishes_and_readers_see_it(
    new_context, demo, staff_user
):
    iraq = Office.objects.get(slug="iraq")
    page = new_context().new_page()

    log_in(page, staff_user)
    page.locator("#offices-office").get_by_role("link", name="Offices").click()
    page.get_by_role("link", name="UN Human Rights in Iraq").click()
    # A published profile is changed in a draft, which the public does not see.
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.locator("#draft-banner h2")).to_have_text(
        "Draft of UN Human Rights in Iraq — not public"
    )
    # The section is folded to its summary line: the menu opens it.
    page.locator(".form-sections").get_by_role("link", name="Field offices").click()
    page.get_by_role("button", name="Add another Field office").click()
    page.locator(".dynamic-field_offices input[name$='-name_en']").last.fill("Dohuk")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist .success")).to_contain_text("draft")
    expect(page.locator("#draft-banner")).to_contain_text("Dohuk")

    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.locator(".messagelist .success")).to_contain_text("reviewed today")

    page.get_by_role("link", name="Open the draft").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "“UN Human Rights in Iraq” is published."
    )

    reader = new_context().new_page()
    reader.goto(iraq.get_absolute_url())
    expect(reader.get_by_role("heading", level=1)).to_have_text(
        "UN Human Rights in Iraq"
    )
    expect(reader.get_by_role("listitem").filter(has_text="Dohuk")).to_be_visible()
    this_month = dateformat.format(timezone.localdate(), "F Y")
    expect(reader.get_by_text(f"Last reviewed: {this_month}")).to_be_visible()


def test_editor_publishes_a_new_office_with_the_list_action(
    new_context, demo, staff_user
):
    syria = Office.objects.get(slug="syria")
    Office.objects.filter(pk=syria.pk).update(status=Office.Status.DRAFT)
    page = new_context().new_page()
    log_in(page, staff_user)

    page.goto(reverse("admin:offices_office_changelist"))
    page.get_by_role("checkbox", name=f"for an action - {syria.name}").check()
    page.get_by_role("combobox", name="Action").select_option(label="Publish")
    page.get_by_role("button", name="Run").click()
    # A page first says what the public will see; nothing is published yet.
    expect(page.locator("#public-outcome")).to_contain_text(
        f"Goes on the public site at {syria.get_absolute_url()}"
    )
    page.get_by_role("button", name="Yes, publish").click()

    expect(page.locator(".messagelist .success")).to_have_text("1 office published.")
    reader = new_context().new_page()
    reader.goto(syria.get_absolute_url())
    expect(reader.get_by_role("heading", level=1)).to_have_text(syria.name)


@pytest.fixture
def office_editor(transactional_db):
    """A staff member who may edit offices, but only those they review."""
    editor = UserFactory(username="office-editor")
    editor.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["offices", "mandates"],
            codename__regex=r"^(view|change|add)_",
        )
    )
    return editor


def test_office_editor_sees_only_their_offices_in_the_changelist(page, office_editor):
    OfficeFactory(name="UN Human Rights in Own", reviewers=[office_editor])
    OfficeFactory(name="UN Human Rights in Other")

    log_in(page, office_editor)
    page.goto(reverse("admin:offices_office_changelist"))

    expect(page.get_by_role("link", name="UN Human Rights in Own")).to_be_visible()
    expect(page.get_by_role("link", name="UN Human Rights in Other")).to_have_count(0)


def test_office_editor_cannot_open_another_offices_change_page(page, office_editor):
    own = OfficeFactory(name="UN Human Rights in Own", reviewers=[office_editor])
    other = OfficeFactory(name="UN Human Rights in Other")
    log_in(page, office_editor)

    page.goto(reverse("admin:offices_office_change", args=[own.pk]))
    # Published: shown as it is, with the button that opens a draft of it.
    expect(page.get_by_role("heading", name=own.name)).to_be_visible()
    expect(page.get_by_role("button", name="Edit", exact=True)).to_be_visible()

    page.goto(reverse("admin:offices_office_change", args=[other.pk]))
    expect(page.locator("#office_form")).to_have_count(0)
    expect(page.get_by_text(other.name)).to_have_count(0)


def test_publisher_sets_up_two_step_verification_at_first_login(page, staff_user):
    page.goto(reverse("admin:index"))
    page.get_by_label("Username").fill(staff_user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up two-step verification"
    )
    expect(
        page.get_by_role("img", name="QR code for your authenticator app")
    ).to_be_visible()
    expect(page.locator("#nav-sidebar")).to_have_count(0)
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    page.get_by_role("textbox", name="Code").fill(totp_code(device))
    page.get_by_role("button", name="Turn on two-step verification").click()

    expect(page.locator("#otp-backup-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved my backup codes").click()
    expect(page.locator("#offices-office")).to_be_visible()
