"""Browser tests: the demo town in its own portal (tests/browser/portal.ini,
database ckan_smartcity_browser, gunicorn on 127.0.0.1:58232), driven by
Playwright in Debian's chromium, headless.

Screenshots go to ``var/test-artifacts/screenshots/`` (override with
SMARTCITY_SCREENSHOTS); the axe-core checker comes from the npm registry
into ``var/npm/`` (scripts/bootstrap.sh test)."""
import contextlib
import os

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import local_portal

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PORTAL_INI = os.path.join(ROOT, "tests", "browser", "portal.ini")
PORTAL_URL = "http://127.0.0.1:58232"
CHROMIUM = "/usr/bin/chromium"
AXE = os.path.join(ROOT, "var", "npm", "node_modules", "axe-core", "axe.min.js")
SCREENSHOTS = os.environ.get("SMARTCITY_SCREENSHOTS",
                             os.path.join(ROOT, "var", "test-artifacts", "screenshots"))
ADMIN, ADMIN_PASSWORD = "admin", "browser-admin-password"
# Chromium without its background connections (this machine has no internet).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def portal(tmp_path_factory):
    """A fresh database with the whole demo town, served by gunicorn; its
    tables load into the DataStore in the background (table previews)."""
    with local_portal.serve(PORTAL_INI, 58232, tmp_path_factory.mktemp("browser"),
                            ADMIN_PASSWORD, workers=2, datastore=True) as url:
        assert url == PORTAL_URL
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, portal):
    """A new browser context per test (own cookies), German first. Requests
    leaving 127.0.0.1 are aborted and recorded: a page must not need them."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    outside = []

    def guard(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()
    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.outside_requests = outside
    page.js_errors = errors
    yield page
    context.close()


def screenshot(page, name):
    """Save a full-page screenshot as a test artefact."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, name + ".png")
    page.screenshot(path=path, full_page=True)
    return path


def axe_violations(page, impacts=("serious", "critical")):
    """axe-core's violations of the given impacts on the current page, as
    "rule: target" lines (empty when the page passes)."""
    page.add_script_tag(path=AXE)
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag',
                  values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}
    })""")
    return [f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')[:160]}"
            for v in result["violations"] if v["impact"] in impacts
            for node in v["nodes"]]


def wait_for_modules(page, name):
    """CKAN binds its JavaScript modules only after the page's translations
    arrive by a second request (ckan.initialize in main.js); a choice made
    before that is not seen. Wait until module ``name`` is bound."""
    page.wait_for_function(
        "name => !!(window.ckan && ckan.module && ckan.module.instances[name])", arg=name)


def login(page, portal_url, user=ADMIN, password=ADMIN_PASSWORD):
    page.goto(portal_url + "/user/login")
    page.fill("#field-login", user)
    page.fill("#field-password", password)
    page.locator("#field-password").press("Enter")
    page.wait_for_url(lambda url: "/user/login" not in url)


# Elements whose right edge lies beyond the viewport, except inside a box
# that scrolls or clips sideways (a wide table in its scroll container, a
# truncated link) and except what is hidden; at most 10, described.
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = element => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') return true;
    }
    return false;
  };
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 0.5) continue;
    if (getComputedStyle(element).visibility === 'hidden' || clipped(element)) continue;
    found.push(`${element.tagName.toLowerCase()}.${String(element.className).trim()
      .replace(/\\s+/g, '.')} right=${Math.round(box.right)} "${
      (element.textContent || '').trim().slice(0, 40)}"`);
    if (found.length === 10) break;
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          clientWidth: width, found};
}"""


def check_layout(page, width=None):
    """No horizontal overflow on the current page: the document is no wider
    than the window, and no visible element reaches past the viewport's
    right edge unless a scroll container holds it (docs/layout.md). With
    ``width``, the viewport is set to it first (height 900) and the page
    laid out again."""
    if width is not None and page.viewport_size["width"] != width:
        page.set_viewport_size({"width": width, "height": 900})
        # Chromium may lay a resized page out again only after a moment (the
        # organisation list took about a second): wait for it, but not long
        with contextlib.suppress(PlaywrightTimeout):  # a real overflow: reported below
            page.wait_for_function("width => document.documentElement.scrollWidth <= width",
                                   arg=width, timeout=3000)
    result = page.evaluate(_OVERFLOWING)
    assert result["scrollWidth"] <= result["innerWidth"] and not result["found"], (
        f"horizontal overflow at {result['innerWidth']} px on {page.url}: "
        f"document {result['scrollWidth']} px wide; {result['found']}")


def check_layout_at(page, widths=(390, 1280)):
    """check_layout at each width (phone and wide screen), then back to the
    width the page had."""
    before = page.viewport_size
    for width in widths:
        check_layout(page, width)
    page.set_viewport_size(before)


def top_of(page, selector):
    """The top of the first element matching ``selector``, in page
    coordinates."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown on {page.url}"
    return box["y"]
