"""/api/v1/docs/ in Chromium: Swagger UI runs under our CSP, from our files only.

The other browser tests' fixtures belong to tests/browser/; this module needs
only a page that records what the policy blocked and where it went.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.factories import OfficeFactory

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def docs_page(live_server, transactional_db):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Needs Chromium at {CHROMIUM}: run `make browser-deps`.")
    problems, hosts = [], set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        context.on(
            "console",
            lambda m: m.type == "error" and problems.append(f"console: {m.text}"),
        )
        context.on("weberror", lambda e: problems.append(f"JavaScript: {e.error}"))
        context.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
        context.add_init_script(
            'document.addEventListener("securitypolicyviolation", (e) => '
            "console.error(`CSP ${e.effectiveDirective} blocked ${e.blockedURI}`));"
        )
        yield context.new_page(), problems, hosts
        context.close()
        browser.close()


@pytest.fixture
def office(transactional_db):
    # Made before Playwright starts: ORM calls inside its loop would open a
    # connection of their own that outlives the test.
    return OfficeFactory(slug="iraq")


def test_swagger_ui_shows_the_api_under_the_policy(office, docs_page, live_server):
    page, problems, hosts = docs_page

    page.goto("/api/v1/docs/")
    page.get_by_text("/api/v1/offices/{slug}/").first.wait_for()
    # Try it out: the list, from the page itself.
    page.locator("#operations-offices-offices_list").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".responses-wrapper .response-col_status").get_by_text(
        "200"
    ).first.wait_for()

    assert hosts == {urlsplit(live_server.url).netloc}
    assert problems == []
