"""What the browser tests share: logging in, axe-core audits, screenshots."""

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.support import totp_code, totp_device

DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 800}
# The editor's workspace is measured at a laptop's and a phone's width.
WIDE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS_DIR = settings.BASE_DIR / "var" / "screenshots"
# Enough failing elements per rule to find the pattern; the rest are counted.
MAX_TARGETS = 5
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# (title, report) of each admin page audited, printed after the run.
admin_findings = []


def log_in(page, user):
    """Log in through the admin's login form, as a person would: the password,
    then the code their authenticator app shows."""
    device = totp_device(user)
    # A code is accepted once; a second login within its 30 seconds would
    # have to wait for the next one.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("link", name="Two-step verification")).to_be_visible()


def audit(page):
    """The axe-core violations of the page at WCAG 2.2 AA, once the page has
    loaded and its "load" handlers have run: the admin's two-box selector
    builds its labels then, and an audit that starts before (a test that
    waits only for an element of the new page) sees half-built widgets."""
    page.wait_for_load_state("load")
    # The widgets' own fixes (office_form.js) run in a task after "load".
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")
    options = {"runOnly": {"type": "tag", "values": WCAG_22_AA}}
    return Axe().run(page, options=options).response["violations"]


def describe(violations):
    """One readable block per rule: id, impact, help and the failing targets."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}"
            f" – {violation['helpUrl']}"
        )
        nodes = violation["nodes"]
        for node in nodes[:MAX_TARGETS]:
            target = " ".join(str(t) for t in node["target"])
            # The summary's first line is a header ("Fix any of the following:").
            reason = node["failureSummary"].splitlines()[1].strip()
            lines.append(f"    {target}: {reason}")
        if len(nodes) > MAX_TARGETS:
            lines.append(f"    … and {len(nodes) - MAX_TARGETS} more")
    return "\n".join(lines) or "no violations"


def screenshot(page, name):
    """Save var/screenshots/<name>-1280px.png and -375px.png for reviewers;
    return their paths."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, viewport in (("1280", DESKTOP), ("375", MOBILE)):
        page.set_viewport_size(viewport)
        path = SCREENSHOTS_DIR / f"{name}-{label}px.png"
        page.screenshot(path=path, full_page=True)
        paths.append(path)
    page.set_viewport_size(DESKTOP)
    return paths
