"""The editor's workspace (#23): Iraq's draft change page measured in the
browser: its height, its fields, its width, the save button in view."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from offices import editorial
from offices.models import Office
from tests.browser.support import audit, describe, log_in

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


def test_measure_before(new_context, iraq_draft, staff_user):
    page = new_context().new_page()
    log_in(page, staff_user)
    page.set_viewport_size(WIDE)
    page.goto(reverse("admin:offices_office_change", args=[iraq_draft.pk]))
    page.wait_for_load_state("load")
    for name, viewport in (("1366", WIDE), ("390", PHONE)):
        print(name, measure(page, viewport))
        page.screenshot(path=f"/work/shots/form/before-draft-{name}.png", full_page=True)


def test_scratch_after_save(new_context, iraq_draft, staff_user):
    page = new_context().new_page()
    log_in(page, staff_user)
    page.set_viewport_size(WIDE)
    page.goto(reverse("admin:offices_office_change", args=[iraq_draft.pk]))
    page.wait_for_load_state("load")
    page.locator(".form-sections").get_by_role("link", name="Mandates", exact=True).click()
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(300)
    print("BEFORE", page.evaluate("() => scrollY"))
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    print("AFTER", page.evaluate("() => [scrollY, location.href, document.activeElement.outerHTML.slice(0, 200), history.scrollRestoration]"))
