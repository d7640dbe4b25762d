"""Previews in a real browser (docs/previews.md): the demo town's GeoJSON
files draw on the resource page and compactly on the dataset page, at phone
and desktop width, without a single request leaving the portal and without
horizontal overflow. Needs ``smartcity_preview`` in tests/browser/portal.ini
and ``smartcity_map`` in its ``ckan.views.default_views``."""
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import screenshot

WIDTHS = (390, 1280)
# demo datasets whose GeoJSON draws as points, lines and polygons
GEOJSON = {"ladesaeulen-dinslaken": "ladesaeulen.geojson",
           "strassennetz-dinslaken": "strassennetz.geojson",
           "solarkataster-dinslaken": "solarpotenzial-beispieldaecher.geojson"}
DRAWN = ".leaflet-overlay-pane path.leaflet-interactive"


def geojson_resource(page, portal, dataset):
    answer = page.request.get(f"{portal}/api/3/action/package_show?id={dataset}").json()
    return next(r for r in answer["result"]["resources"]
                if r["url"].endswith("/" + GEOJSON[dataset]))


def watch_hosts(page):
    """Every host the page (and its frames) asks for."""
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    return hosts


def assert_no_overflow(page, width):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow} px horizontal overflow at {width} px"


def assert_stays_home(page, hosts):
    assert hosts <= {"127.0.0.1"}, f"requests left the portal: {sorted(hosts)}"
    assert page.outside_requests == []
    assert page.js_errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("dataset", sorted(GEOJSON))
def test_a_geojson_resource_page_draws_its_map(page, portal, dataset, width):
    page.set_viewport_size({"width": width, "height": 900})
    hosts = watch_hosts(page)
    resource = geojson_resource(page, portal, dataset)
    page.goto(f"{portal}/dataset/{dataset}/resource/{resource['id']}")
    viewer = page.frame_locator("iframe[data-module='data-viewer']")
    drawn = viewer.locator(DRAWN)
    drawn.first.wait_for(state="attached")
    assert drawn.count() > 0
    assert viewer.locator(".smartcity-map-message").is_hidden()
    assert viewer.locator(".leaflet-tile").count() == 0      # no base map configured
    assert_no_overflow(page, width)
    assert_stays_home(page, hosts)
    screenshot(page, f"vorschau-karte-{dataset}-{width}")


def test_a_map_popup_shows_the_feature_properties_as_text(page, portal):
    resource = geojson_resource(page, portal, "ladesaeulen-dinslaken")
    page.goto(f"{portal}/dataset/ladesaeulen-dinslaken/resource/{resource['id']}")
    viewer = page.frame_locator("iframe[data-module='data-viewer']")
    viewer.locator(DRAWN).first.click(force=True)
    popup = viewer.locator(".leaflet-popup-content dl.smartcity-map-popup")
    popup.wait_for()
    assert popup.locator("dt").count() > 0
    assert popup.locator("dd *").count() == 0                # values are text, never markup


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dataset_page_embeds_a_compact_map(page, portal, width):
    page.set_viewport_size({"width": width, "height": 900})
    hosts = watch_hosts(page)
    page.goto(f"{portal}/dataset/ladesaeulen-dinslaken")
    preview = page.locator(".smartcity-preview").first
    preview.scroll_into_view_if_needed()
    frame = preview.locator("iframe")
    assert frame.get_attribute("loading") == "lazy"
    assert frame.get_attribute("title")
    box = frame.bounding_box()
    assert box["width"] <= width and 200 <= box["height"] <= 400
    drawn = preview.frame_locator("iframe").locator(DRAWN)
    drawn.first.wait_for(state="attached")
    assert drawn.count() > 0
    full = preview.locator("a.smartcity-preview-full")
    assert "view_id=" in full.get_attribute("href")
    assert_no_overflow(page, width)
    assert_stays_home(page, hosts)
    screenshot(page, f"vorschau-datensatz-{width}")
