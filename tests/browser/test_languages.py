"""The Arabic and Chinese pages in a real browser: right to left, no sideways
scrolling on a phone, axe-core at WCAG 2.2 AA, screenshots for reviewers; and
the language switcher, followed without JavaScript.

Until the catalogues are merged the interface text is English inside these
pages; the layout, direction and fonts are what is checked here.
"""

import struct

import pytest
from playwright.sync_api import expect

from tests.browser.support import DESKTOP, MOBILE, audit, describe, screenshot

pytestmark = pytest.mark.browser

PAGES = {"index": "/offices/", "profile-iraq": "/offices/iraq/"}


def png_size(path):
    """(width, height) of a PNG, from its header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", ["ar", "zh-hans"])
def test_page_in_language_has_no_wcag_violations(page, demo, language, name):
    path = f"/{language}{PAGES[name]}"

    assert page.goto(path).status == 200
    desktop = audit(page)
    page.set_viewport_size(MOBILE)
    phone = audit(page)
    phone_width = page_width(page)
    shots = screenshot(page, f"{name}-{language}")

    assert not desktop, f"{path} at 1280 px:\n{describe(desktop)}"
    assert not phone, f"{path} at 375 px:\n{describe(phone)}"
    assert phone_width <= MOBILE["width"], f"{path} is {phone_width} px wide"
    for shot, viewport in zip(shots, (DESKTOP, MOBILE), strict=True):
        assert shot.stat().st_size > 0
        assert png_size(shot)[0] == viewport["width"]


@pytest.mark.parametrize("name", PAGES)
def test_arabic_page_runs_right_to_left(page, demo, name):
    page.set_viewport_size(MOBILE)
    page.goto(f"/ar{PAGES[name]}")

    assert page.evaluate("getComputedStyle(document.documentElement).direction") == (
        "rtl"
    )
    # The heading starts at the right: its right edge is the content's.
    heading = page.get_by_role("heading", level=1).bounding_box()
    main = page.locator("main .container").first.bounding_box()
    assert heading["x"] + heading["width"] == pytest.approx(
        main["x"] + main["width"], abs=24
    )


def platform_fonts(page, selector):
    """The fonts Chromium drew the text of the first element matching selector
    with (DevTools' CSS.getPlatformFontsForNode): family name -> glyph count."""
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})
    # The text node, the first child of the element, carries the glyphs.
    described = session.send("DOM.describeNode", {"nodeId": node["nodeId"], "depth": 1})
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    session.detach()
    assert described["node"]["childNodeCount"] >= 1
    return {font["familyName"]: font["glyphCount"] for font in fonts["fonts"]}


@pytest.mark.parametrize(("language", "name"), [("ar", "العربية"), ("zh-hans", "中文")])
def test_language_names_are_drawn_with_noto(page, demo, language, name):
    """make browser-deps installs Noto: Arabic and Chinese get real glyphs,
    never the empty boxes of a missing font."""
    page.goto("/en/offices/")
    selector = f'.language-switcher a[hreflang="{language}"]'
    expect(page.locator(selector)).to_have_text(name)

    fonts = platform_fonts(page, selector)

    assert fonts and all("Noto" in family for family in fonts), fonts


def test_switcher_works_without_javascript(new_context, demo):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/en/offices/iraq/")

    switcher = page.get_by_role("navigation", name="Language")
    switcher.get_by_role("link", name="العربية").click()

    expect(page).to_have_url(f"{page.url.split('/ar/')[0]}/ar/offices/iraq/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # Its label is Arabic now (once the catalogues are in): found by class.
    expect(page.locator(".language-switcher [aria-current]")).to_have_text("العربية")
