"""In Debian's Chromium, at a phone's size (412 CSS px, DPR 2.6) and a desktop's (1920 px):
the width the browser picks from an image's ``srcset`` (its ``currentSrc``) is the
narrowest of the ladder that covers the device pixels it is shown at, in the viewer and in
the grid; the tiles of a desktop's first screen (at 1920 px, and at Lighthouse's 1350 px)
are not lazy; placeholders paint without breaking the page's
Content-Security-Policy. On the in-memory backend and on S3, in both modes."""

import re

import chromium
import pytest
import samples
from chromium import Console
from playwright.sync_api import expect

from imagestore.settings import DEFAULT_WIDTHS

backend = chromium.one_local_one_cloud
access = chromium.access_of_the_backend

PHONE = {"viewport": {"width": 412, "height": 915}, "device_scale_factor": 2.6, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1920, "height": 1080}, "device_scale_factor": 1}
LAPTOP = {"viewport": {"width": 1350, "height": 940}, "device_scale_factor": 1}  # Lighthouse's desktop
SCREENS = {"phone": PHONE, "desktop": DESKTOP, "laptop": LAPTOP}


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(screen):
        contexts.append(browser.new_context(**SCREENS[screen]))
        page = contexts[-1].new_page()
        page.console = Console(page)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def twelve_megapixels(upload):
    """A 12-megapixel landscape photo, as a phone takes it, and a second to browse to."""
    upload(("second.jpg", samples.photo(size=(3000, 4000), seed=2)))
    return upload(("phone.jpg", samples.photo(size=(4000, 3000), seed=12))).json["stored"][0]


def rung_of(address):
    """The ladder's width an address of a ``srcset`` names."""
    return int(re.search(r"/w/([0-9]+)/", address).group(1))


def needed(image, covering=False):
    """The narrowest rung of the ladder at least as wide as the device pixels ``image`` is
    shown at; ``covering`` its box (``object-fit: cover``), a wider image is shown at its height."""
    box = image.evaluate("image => image.getBoundingClientRect().toJSON()")
    aspect = float(image.evaluate("image => image.naturalWidth / image.naturalHeight"))
    shown = max(box["width"], box["height"] * aspect) if covering else box["width"]
    device_pixels = shown * image.evaluate("() => devicePixelRatio")
    return min(rung for rung in DEFAULT_WIDTHS if rung >= device_pixels - 0.5)


def open_viewer(page, key):
    page.locator(f'[data-tile][data-key="{key}"] [data-tile-link]').click()
    shown = page.locator("[data-viewer-image]")
    expect(shown).to_have_js_property("complete", True)
    assert shown.evaluate("image => image.naturalWidth") > 0
    return shown


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_viewer_loads_the_width_the_screen_needs(open_page, live_server, twelve_megapixels, screen):
    page = open_page(screen)
    page.goto(live_server)
    shown = open_viewer(page, "phone.jpg")
    assert rung_of(shown.evaluate("image => image.currentSrc")) == needed(shown)
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-viewer-name]")).to_have_text("second.jpg")
    expect(shown).to_have_js_property("complete", True)
    assert "/second.jpg" in shown.evaluate("image => image.currentSrc")
    assert rung_of(shown.evaluate("image => image.currentSrc")) == needed(shown)
    assert page.console.csp_violations() == [] and page.console.errors == []


def test_on_a_phone_the_viewer_fills_the_screens_width(open_page, live_server, twelve_megapixels):
    page = open_page("phone")
    page.goto(live_server)
    shown = open_viewer(page, "phone.jpg")
    assert shown.evaluate("image => Math.round(image.getBoundingClientRect().width)") == 412


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_tiles_load_the_width_they_are_shown_at(open_page, live_server, twelve_megapixels, screen):
    page = open_page(screen)
    page.goto(live_server, wait_until="networkidle")
    for tile in page.locator("[data-tile-image]").all():
        expect(tile).to_have_js_property("complete", True)
        assert rung_of(tile.evaluate("image => image.currentSrc")) == needed(tile, covering=True)


@pytest.mark.parametrize("screen", ["desktop", "laptop"])
def test_the_tiles_of_the_first_screen_are_fetched_at_once_and_first(open_page, live_server, upload, screen):
    """Any tile of the first screen may be the page's LCP: they are all one size."""
    upload(*[(f"{n:02}.png", samples.image(seed=n)) for n in range(26)])
    page = open_page(screen)
    page.goto(live_server)
    tiles = page.locator("[data-tile-image]").evaluate_all(
        """images => images.map(image => [image.alt, image.loading, image.fetchPriority,
                                          image.getBoundingClientRect().top < innerHeight])"""
    )
    on_first_screen = [(alt, loading, priority) for alt, loading, priority, shown in tiles if shown]
    assert len(tiles) == 24 and len(on_first_screen) >= 14, tiles
    assert all(loading == "eager" and priority == "high" for _, loading, priority in on_first_screen), tiles


def test_tiles_are_painted_in_their_dominant_colour_until_they_load(open_page, live_server, upload):
    upload(("red.png", samples.image(size=(640, 480))))
    page = open_page("desktop")
    page.route("**/w/**", lambda route: None)  # never answered: the picture stays on its way
    page.goto(live_server, wait_until="domcontentloaded")
    tile = page.locator("[data-tile-image]")
    colour = tile.get_attribute("data-imagestore-placeholder")
    expect(tile).to_have_css("background-color", _rgb(colour))
    assert page.console.csp_violations() == []


def _rgb(hex_colour):
    red, green, blue = (int(hex_colour[at : at + 2], 16) for at in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def test_a_phone_opening_the_viewer_downloads_at_most_half_the_rendition(
    open_page, live_server, twelve_megapixels, client
):
    """Before the ladder, the viewer downloaded the rendition (``view_url``) at any screen."""
    rendition = len(client.get(twelve_megapixels["view_url"]).data)
    page = open_page("phone")
    page.goto(live_server, wait_until="networkidle")
    received = []
    page.on("requestfinished", lambda request: received.append(request.sizes()["responseBodySize"]))
    open_viewer(page, "phone.jpg")
    page.wait_for_load_state("networkidle")
    assert 0 < sum(received) * 2 <= rendition, f"{sum(received)} bytes against {rendition}"
