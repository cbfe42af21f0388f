"""axe-core audits at WCAG 2.2 AA, and screenshots of every public page."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from playwright.sync_api import expect

from mandates.models import ThematicPillar
from offices import editorial
from offices.models import Office
from tests.browser.support import (
    DESKTOP,
    MOBILE,
    PHONE,
    WIDE,
    admin_findings,
    audit,
    describe,
    log_in,
    screenshot,
)
from tests.support import member

pytestmark = pytest.mark.browser

# Screenshot name -> (path, HTTP status), looked up once the demo is loaded.
PUBLIC_PAGES = {
    "index": lambda: (reverse("offices:index"), 200),
    "index-no-results": lambda: (reverse("offices:index") + "?q=atlantis", 200),
    "profile-iraq": lambda: (Office.objects.get(slug="iraq").get_absolute_url(), 200),
    "profile-syria": lambda: (
        Office.objects.get(slug="syria").get_absolute_url(),
        200,
    ),
    "pillar-accountability": lambda: (
        ThematicPillar.objects.get(name="Accountability").get_absolute_url(),
        200,
    ),
    "not-found": lambda: (
        reverse("offices:detail", kwargs={"slug": "no-such-office"}),
        404,
    ),
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_no_wcag_violations(page, demo, name):
    path, status = PUBLIC_PAGES[name]()

    assert page.goto(path).status == status
    # The workspace's widths (a laptop, a phone), and the screenshots'.
    found = {}
    for viewport in (WIDE, PHONE, DESKTOP, MOBILE):
        page.set_viewport_size(viewport)
        found[viewport["width"]] = audit(page)
    screenshot(page, name)

    for width, violations in found.items():
        assert not violations, f"{path} at {width} px:\n{describe(violations)}"


# Error pages Django renders from a template alone (no view of ours): served
# as its handlers render them, at an address of the live server.
ERROR_PAGES = {
    "bad-request": ("400.html", 400),
    "forbidden": ("403.html", 403),
    "form-expired": ("403_csrf.html", 403),
    "server-error": ("500.html", 500),
}


@pytest.mark.parametrize("name", ERROR_PAGES)
def test_error_page_has_no_wcag_violations(page, name):
    template, status = ERROR_PAGES[name]
    body = render_to_string(template)
    path = f"/error-pages/{name}/"
    page.route(
        f"**{path}",
        lambda route: route.fulfill(
            status=status, content_type="text/html; charset=utf-8", body=body
        ),
    )

    assert page.goto(path).status == status
    desktop = audit(page)
    page.set_viewport_size(MOBILE)
    phone = audit(page)
    screenshot(page, name)

    assert not desktop, f"{template} at 1280 px:\n{describe(desktop)}"
    assert not phone, f"{template} at 375 px:\n{describe(phone)}"


def test_too_many_requests_page_has_no_wcag_violations(page, demo, settings):
    settings.SEARCH_RATE_LIMIT = 0  # every anonymous search is one too many

    assert page.goto(reverse("offices:index") + "?q=iraq").status == 429
    expect(page.get_by_role("main")).to_contain_text("Try again in")
    desktop = audit(page)
    page.set_viewport_size(MOBILE)
    phone = audit(page)
    screenshot(page, "too-many-requests")

    assert not desktop, f"429 at 1280 px:\n{describe(desktop)}"
    assert not phone, f"429 at 375 px:\n{describe(phone)}"


def test_public_pages_reflow_at_320px_without_sideways_scrolling(page, demo):
    """WCAG 1.4.10 Reflow, which axe cannot judge: it needs a real layout."""
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide = []
    for name, lookup in PUBLIC_PAGES.items():
        path, _ = lookup()
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide.append(f"{name} ({path}): {width} px")

    assert not too_wide, "Pages wider than a 320 px screen:\n" + "\n".join(too_wide)


def test_keyboard_user_skips_to_the_main_content(page, demo):
    page.goto(Office.objects.get(slug="iraq").get_absolute_url())

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")

    expect(page.get_by_role("main")).to_be_focused()


def test_keyboard_focus_is_visible(page, demo):
    page.goto(reverse("offices:index"))

    # Past the skip link to the first link of the header, by keyboard, so
    # that :focus-visible styles apply as they do for a keyboard user.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const el = document.activeElement, s = getComputedStyle(el);"
        " return [el.outerHTML.slice(0, 80), s.outlineStyle, s.outlineWidth]; }"
    )

    element, outline_style, outline_width = focused
    assert element.startswith("<a ")
    assert outline_style != "none" and outline_width != "0px", focused


def test_admin_change_form_is_audited(page, demo, staff_user):
    """Much of the admin is Django's: its findings are listed, not asserted."""
    iraq = Office.objects.get(slug="iraq")
    log_in(page, staff_user)

    page.goto(reverse("admin:offices_office_change", args=[iraq.pk]))
    violations = audit(page)

    admin_findings.append(("axe findings: admin change form", describe(violations)))
    assert page.locator("#office_form").is_visible()


@pytest.fixture
def busy_editor(demo):
    """An editor whose desk has every panel: reviews due, a draft sent back
    with a comment, one awaiting publication, a translation out of date and
    recent activity."""
    editor = member("Office editors", "amina", first_name="Amina", last_name="Diallo")
    publisher = member("Content managers", "pat", first_name="Pat", last_name="Lee")
    iraq, syria = Office.objects.get(slug="iraq"), Office.objects.get(slug="syria")
    for office in Office.objects.live():
        office.reviewers.add(editor)
    syria.name_fr = "Syrie"
    syria.name_en = "UN Human Rights in Syria (renamed)"
    syria.save()
    sent_back = editorial.start_draft(iraq, by=editor)
    editorial.submit_for_publication(sent_back, by=editor, message="New figures.")
    editorial.send_back(sent_back, by=publisher, comment="The figures need a source.")
    awaiting = editorial.start_draft(syria, by=editor)
    editorial.submit_for_publication(awaiting, by=editor, message="New name.")
    return editor


ADMIN_LISTS = {
    "admin-desk": lambda: reverse("admin:index"),
    "admin-office-list": lambda: reverse("admin:offices_office_changelist"),
}


@pytest.mark.parametrize("name", ADMIN_LISTS)
def test_admin_desk_and_office_list_have_no_wcag_violations(page, busy_editor, name):
    log_in(page, busy_editor)
    path = ADMIN_LISTS[name]()

    page.goto(path)
    if name == "admin-desk":
        for panel in ("sent-back", "drafts", "translations", "reviews"):
            expect(page.locator(f"#desk-{panel}")).to_be_visible()
    else:
        expect(page.locator("#changelist-filter")).to_be_visible()
    # The workspace's widths (a laptop, a phone), and the screenshots'.
    found = {}
    for viewport in (WIDE, PHONE, DESKTOP, MOBILE):
        page.set_viewport_size(viewport)
        found[viewport["width"]] = audit(page)
    screenshot(page, name)

    for width, violations in found.items():
        assert not violations, f"{path} at {width} px:\n{describe(violations)}"


def test_content_security_policy_violations_fail_the_browser_tests(
    page, transactional_db, browser_problems
):
    """The watch every browser test relies on reports what the policy blocked."""
    page.goto(reverse("offices:index"))

    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "document.title = 'injected'";
        document.body.append(script);
        document.body.setAttribute("style", "color: red");
    }"""
    )

    expect(page).not_to_have_title("injected")
    expected = ("CSP: script-src", "CSP: style-src", "CSP (console): ")
    for _ in range(50):  # the reports arrive asynchronously
        if all(any(p.startswith(e) for p in browser_problems) for e in expected):
            break
        page.wait_for_timeout(100)
    for prefix in expected:
        assert any(p.startswith(prefix) for p in browser_problems), browser_problems
    browser_problems.clear()  # expected here: they must not fail the test
