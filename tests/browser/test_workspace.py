"""The editor's workspace (#23): Iraq's draft change page measured in the
browser (its height, its fields, its width, the save button in view, axe at
both widths), its folding sections, the save that reopens at the top, and
the page without JavaScript."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from offices import editorial
from offices.models import Office
from tests.browser.support import audit, describe, log_in

SHOTS = settings.BASE_DIR / "var" / "screenshots"

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# What the page measures: its height, the form's fields a person sees, and
# whatever is wider than the window.
MEASURE = """() => {
  const form = document.getElementById("office_form");
  const shown = (el) => el.checkVisibility({visibilityProperty: true});
  const fields = [...form.querySelectorAll("input, select, textarea")]
    .filter((el) => el.type !== "hidden" && shown(el));
  const wide = [...form.querySelectorAll("*")]
    .filter((el) => shown(el) && el.getBoundingClientRect().right > innerWidth + 1)
    .map((el) => el.tagName + "#" + el.id + "." + el.className)
    .slice(0, 5);
  return {
    height: document.scrollingElement.scrollHeight,
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: innerWidth,
    fields: fields.length,
    wide: wide,
  };
}"""


def measure(page, viewport):
    page.set_viewport_size(viewport)
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")
    return page.evaluate(MEASURE)


@pytest.fixture
def iraq_draft(demo, staff_user):
    iraq = Office.objects.get(slug="iraq")
    return editorial.start_draft(iraq, by=staff_user)


def open_draft(page, user, draft, viewport=WIDE):
    log_in(page, user)
    page.set_viewport_size(viewport)
    page.goto(reverse("admin:offices_office_change", args=[draft.pk]))
    page.wait_for_load_state("load")
    # The sections fold in a task after "load" (office_form.js).
    expect(page.locator("#section-profile")).to_have_class(re.compile("is-folded"))


def expect_no_violations(page):
    violations = audit(page)
    assert not violations, describe(violations)


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_the_draft_page_fits_the_measures(new_context, iraq_draft, staff_user):
    page = new_context().new_page()
    open_draft(page, staff_user, iraq_draft)

    wide = measure(page, WIDE)
    print("draft at 1366:", wide)
    assert wide["height"] <= 5_000
    assert wide["fields"] <= 70
    assert wide["scrollWidth"] <= wide["innerWidth"], wide["wide"]
    assert not wide["wide"]
    save = page.get_by_role("button", name="Save draft")
    expect(save).to_be_in_viewport()
    page.evaluate(
        "() => scrollTo(0, (document.scrollingElement.scrollHeight - innerHeight) / 2)"
    )
    expect(save).to_be_in_viewport()
    page.evaluate("() => scrollTo(0, 0)")
    expect_no_violations(page)
    shoot(page, "workspace-draft-1366")

    phone = measure(page, PHONE)
    print("draft at 390:", phone)
    assert phone["scrollWidth"] <= phone["innerWidth"], phone["wide"]
    assert not phone["wide"]
    expect(save).to_be_in_viewport()
    expect_no_violations(page)
    shoot(page, "workspace-draft-390")


def test_every_section_opened_fits_the_width(new_context, iraq_draft, staff_user):
    page = new_context().new_page()
    open_draft(page, staff_user, iraq_draft)
    for toggle in page.locator(".section-toggle").all():
        toggle.click()
    for name, viewport in (("1366", WIDE), ("390", PHONE)):
        opened = measure(page, viewport)
        print(f"opened at {name}:", opened)
        shoot(page, f"workspace-draft-opened-{name}")
        assert opened["scrollWidth"] <= opened["innerWidth"], opened["wide"]
        assert not opened["wide"]


def test_the_live_page_passes_axe_at_both_widths(new_context, demo, staff_user):
    iraq = Office.objects.get(slug="iraq")
    page = new_context().new_page()
    log_in(page, staff_user)
    page.set_viewport_size(WIDE)
    page.goto(reverse("admin:offices_office_change", args=[iraq.pk]))
    expect(page.locator("#action-state")).to_have_text("Published")
    expect_no_violations(page)
    shoot(page, "workspace-live-1366")
    assert measure(page, PHONE)["scrollWidth"] <= PHONE["width"]
    expect_no_violations(page)
    shoot(page, "workspace-live-390")


def test_the_menu_opens_a_folded_section(new_context, iraq_draft, staff_user):
    page = new_context().new_page()
    open_draft(page, staff_user, iraq_draft)
    profile = page.locator("#id_profile_en")
    expect(profile).to_be_hidden()
    expect(page.locator("#section-profile .section-summary")).to_be_visible()

    page.locator(".form-sections").get_by_role("link", name="Profile").click()

    expect(profile).to_be_visible()
    toggle = page.locator("#section-profile .section-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(profile).to_be_hidden()
    # The keyboard opens it again.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(profile).to_be_visible()


def test_after_a_save_the_page_opens_at_the_top_with_its_message(
    new_context, iraq_draft, staff_user
):
    page = new_context().new_page()
    open_draft(page, staff_user, iraq_draft)
    page.locator(".form-sections").get_by_role("link", name="Mandates").click()
    page.mouse.wheel(0, 1_000)
    assert page.evaluate("() => scrollY") > 0

    page.get_by_role("button", name="Save draft").click()

    message = page.locator(".messagelist .success")
    expect(message).to_contain_text("is saved")
    expect(message).to_be_in_viewport()
    assert page.evaluate("() => scrollY") == 0
    assert "#" not in page.url


def test_without_javascript_every_section_is_open_and_saving_works(
    new_context, iraq_draft, staff_user
):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, staff_user)
    page.goto(reverse("admin:offices_office_change", args=[iraq_draft.pk]))

    for body in page.locator(".section-body").all():
        expect(body).to_be_visible()
    expect(page.locator(".section-toggle")).to_have_count(5)
    for toggle in page.locator(".section-toggle").all():
        expect(toggle).to_be_hidden()
    page.locator("#id_profile_en").fill("Saved without JavaScript.")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".messagelist .success")).to_contain_text("is saved")
    iraq_draft.refresh_from_db()
    assert iraq_draft.profile_en == "Saved without JavaScript."
