"""The index's world map in a browser: its links, the keyboard, a phone's
width, and the Arabic page (axe, and the map not mirrored)."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from offices.models import Office
from tests.browser.support import PHONE, SCREENSHOTS_DIR, WIDE, audit, describe

pytestmark = pytest.mark.browser

MAP = "svg.worldmap__svg"


def map_links(page):
    return page.locator(MAP).get_by_role("link")


def index_path(language="en"):
    with translation.override(language):
        return reverse("offices:index")


def save(page, name):
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def test_each_mapped_office_is_a_link_to_its_profile(page, demo):
    page.set_viewport_size(WIDE)
    page.goto(index_path())
    mapped = Office.objects.published().open().exclude(country_code="")

    expect(map_links(page)).to_have_count(mapped.count())
    link = page.locator(MAP).get_by_role("link", name="UN Human Rights in Iraq")
    link.click()

    expect(page).to_have_url(Office.objects.get(slug="iraq").get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("UN Human Rights in Iraq")


def test_tab_reaches_the_map_links_with_a_visible_focus_and_label(page, demo):
    page.set_viewport_size(WIDE)
    page.goto(index_path())
    first = map_links(page).first
    # Focus the link before the map's first, then Tab into the map.
    page.get_by_role("link", name="JSON (API)").focus()
    page.keyboard.press("Tab")

    expect(first).to_be_focused()
    marker = first.locator(".worldmap__marker")
    # The focus is drawn on the marker: the site's focus colours, bigger.
    style = marker.evaluate(
        "el => { const s = getComputedStyle(el); return [s.fill, s.stroke, s.r]; }"
    )
    assert style == ["rgb(255, 221, 0)", "rgb(27, 27, 27)", "8px"]
    label = first.locator(".worldmap__label").first
    expect(label).to_be_visible()
    page.keyboard.press("Tab")
    expect(label).to_be_hidden()
    assert marker.evaluate("el => getComputedStyle(el).r") == "5px"


def test_the_map_fits_a_375_px_screen(page, demo):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(index_path())

    expect(page.locator(MAP)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    box = page.locator(MAP).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    # A phone's label is drawn along the bottom of the map, inside it.
    link = map_links(page).last
    link.focus()
    band = link.locator(".worldmap__label--band")
    expect(band).to_be_visible()
    label_box = band.bounding_box()
    assert label_box["x"] >= box["x"] - 1
    assert label_box["x"] + label_box["width"] <= box["x"] + box["width"] + 1


def marker_x(page, name):
    link = page.locator(MAP).get_by_role("link", name=name)
    return link.locator(".worldmap__marker").bounding_box()["x"]


def test_the_arabic_map_is_not_mirrored_and_axe_finds_nothing(page, demo):
    page.set_viewport_size(PHONE)
    page.goto(index_path("ar"))
    colombia = Office.objects.get(slug="colombia")
    afghanistan = Office.objects.get(slug="afghanistan")
    with translation.override("ar"):
        west, east = colombia.name, afghanistan.name

    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".worldmap__frame").get_attribute("dir") == "ltr"
    # West is on the left, as on the English map.
    assert marker_x(page, west) < marker_x(page, east)
    violations = audit(page)
    save(page, "map-ar-390px")
    assert not violations, describe(violations)


def test_the_english_index_at_1366_px_has_no_axe_violation(page, demo):
    page.set_viewport_size(WIDE)
    page.goto(index_path())
    # The land layer (a static file, drawn with <use>) is loaded and drawn
    # across the map's width.
    land = page.locator(".worldmap__land").bounding_box()
    frame = page.locator(".worldmap__frame").bounding_box()
    assert land and land["width"] > 0.9 * frame["width"]

    violations = audit(page)
    save(page, "map-en-1366px")
    page.set_viewport_size(PHONE)
    phone = audit(page)
    save(page, "map-en-390px")
    assert not violations, describe(violations)
    assert not phone, describe(phone)


def test_the_map_prints_in_black_and_grey(page, demo):
    page.goto(index_path())
    page.emulate_media(media="print")

    marker = map_links(page).first.locator(".worldmap__marker")
    assert marker.evaluate("el => getComputedStyle(el).fill") == "rgb(0, 0, 0)"
    land = page.locator(".worldmap__land")
    assert land.evaluate("el => getComputedStyle(el).fill") == "rgb(230, 230, 230)"
    expect(page.locator(".worldmap__disclaimer")).to_be_visible()


def test_hovering_a_marker_shows_its_name_and_its_country_is_a_mouse_target(page, demo):
    page.set_viewport_size(WIDE)
    page.goto(index_path())
    link = page.locator(MAP).get_by_role("link", name="UN Human Rights in Colombia")
    label = link.locator(".worldmap__label").first

    expect(label).to_be_hidden()
    link.locator(".worldmap__marker").hover()
    expect(label).to_be_visible()

    # Colombia's shape links the same profile, for the mouse only.
    colombia = Office.objects.get(slug="colombia")
    shape = page.locator(
        f'.worldmap__countries a[href="{colombia.get_absolute_url()}"]'
    )
    expect(shape).to_have_attribute("tabindex", "-1")
    box = shape.bounding_box()
    # Off the marker (at the shape's label point): a corner of its box may be
    # sea, so aim between the centre and the marker's row.
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.7)
    expect(page).to_have_url(colombia.get_absolute_url())
