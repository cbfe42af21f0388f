"""Real-browser tests: Debian's Chromium driven by Playwright against live_server.

Each module marks its tests `browser`; `make browser-deps` installs Chromium.
Playwright's own browser download is never used: it cannot be fetched here.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from tests.browser.support import DESKTOP, admin_findings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium keeps calling home, which the closed network
    # turns into slow timeouts.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# Package scope: Playwright stops, and the variable below is unset, once the
# last browser test has run, before the tests of the other packages.
@pytest.fixture(scope="package")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: run `make browser-deps`.",
            pytrace=False,
        )
    # Playwright's sync API marks its asyncio loop as running in the test's
    # thread for as long as it is started, and Django then refuses ORM calls
    # from that thread (fixtures, assertions on the data). They are safe: the
    # loop only talks to the browser. So the variable lives exactly as long.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Every page reports what its policy blocked (an inline style or script
# without the nonce, a resource from elsewhere) through the binding below,
# before anything else on the page runs.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"}`
    + ` on ${event.documentURI}`
    + (event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : "")
  );
});
"""


def watch_content_security_policy(context, problems):
    """Record every Content Security Policy violation in the context's pages.

    Both sources: the DOM event gives the directive and the blocked URL, and
    Chromium's console error covers what happens before the listener exists.
    """
    context.expose_binding(
        "reportCspViolation", lambda source, text: problems.append(f"CSP: {text}")
    )
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Content Security Policy" in message.text
            and problems.append(f"CSP (console): {message.text}")
        ),
    )


@pytest.fixture
def browser_problems():
    """What the test's browser contexts ran into; any fails the test at the end."""
    return []


@pytest.fixture
def new_context(browser, live_server, browser_problems):
    """Open fresh browser contexts (one per person); all closed after the test.

    Every context fails the test on a broken asset (a stylesheet or image
    answering 4xx/5xx), a JavaScript error or anything the Content Security
    Policy blocked, which a reader would notice but an assertion on the text
    would not.
    """
    contexts, problems = [], browser_problems

    def new_context(**options):
        # The policy is enforced, as for a reader. axe-core still runs: it is
        # evaluated through the DevTools protocol, which the policy does not
        # govern.
        context = browser.new_context(
            base_url=live_server.url, viewport=DESKTOP, **options
        )
        context.set_default_timeout(5_000)
        watch_content_security_policy(context, problems)
        context.on(
            "response",
            lambda r: (
                r.status >= 400
                and r.request.resource_type != "document"
                and problems.append(f"{r.status} {r.url}")
            ),
        )
        context.on("weberror", lambda e: problems.append(f"JavaScript: {e.error}"))
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()
    assert not problems, "The browser hit problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """People log in through the form in many tests; slow hashing only costs time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(transactional_db):
    """The demo content: Iraq as in DOMAIN.md and the other presences."""
    call_command("load_demo", verbosity=0)


def pytest_terminal_summary(terminalreporter):
    """List the admin's axe findings: reported for the team, not asserted."""
    for title, report in admin_findings:
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(report)
