"""The portal in a real browser (Debian's chromium via Playwright): what a
citizen and a data steward do, the language switch, the quality panel, and
an accessibility check (axe-core: no serious or critical violations) on
every page visited, and no horizontal overflow on it at 390 px (a phone)
and 1280 px (a wide screen). Screenshots: see conftest.SCREENSHOTS."""
import json
import re

import openpyxl
import pytest

from .conftest import (axe_violations, check_layout, check_layout_at, login, screenshot,
                       top_of, wait_for_modules)


def assert_accessible(page):
    assert axe_violations(page) == [], page.url


def assert_fits(page):
    """Accessible, and no horizontal overflow at a phone's and a wide
    screen's width."""
    assert_accessible(page)
    check_layout_at(page)


def assert_clean(page):
    assert page.outside_requests == [], "requests left 127.0.0.1"
    assert page.js_errors == []


def test_citizen_finds_and_downloads_data(page, portal):
    page.goto(portal + "/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").first.inner_text().startswith("Smart City Datenportal")
    assert page.get_by_role("note").inner_text().startswith("Demonstrationsdaten")
    search = page.get_by_role("search").get_by_label("Datensatz-Suche")
    assert search.is_visible()
    tiles = page.locator(".smartcity-category-tile")
    assert tiles.count() >= 8
    tile_count = tiles.first.locator(".smartcity-category-tile-count").inner_text()
    assert re.search(r"\d+ Datens", tile_count)
    assert page.locator("#smartcity-home-newest ~ ul .dataset-item, "
                        "section[aria-labelledby=smartcity-home-newest] .dataset-item").count() >= 3
    assert page.locator(".smartcity-home-organizations li").count() >= 2
    screenshot(page, "01-startseite")
    assert_fits(page)

    # a category page, then its datasets in the search with a facet
    page.locator(".smartcity-category-tile-title a", has_text="Mobilität").click()
    page.wait_for_load_state()
    assert "Mobilität" in page.locator("h1").first.inner_text()
    screenshot(page, "02-kategorie-mobilitaet")
    assert_fits(page)
    # a sub-category page
    page.goto(portal + "/kategorien/oepnv")
    assert page.locator("h1").first.is_visible()
    check_layout_at(page)
    page.goto(portal + "/dataset/?q=")
    total = _result_count(page)
    facet = page.get_by_role("navigation", name=re.compile("Format")).get_by_role(
        "link", name=re.compile(r"^CSV\b"))
    facet.click()
    page.wait_for_url(re.compile("res_format=CSV"))
    filtered = _result_count(page)
    assert 0 < filtered <= total
    screenshot(page, "03-suche-facette")
    assert_fits(page)

    # a dataset: the facts, structured data, a download served by the portal
    page.locator(".dataset-heading a").first.click()
    page.wait_for_load_state()
    facts = page.locator("dl.smartcity-facts")
    for label in ("Lizenz", "Herausgeber", "Kontakt", "Räumlicher Bezug", "Zeitraum",
                  "Aktualisierungsfrequenz", "Smart-City-Kategorien", "EU-Themen"):
        assert facts.locator("dt", has_text=label).count() == 1, label
    assert facts.locator("a[rel=license]").get_attribute("href").startswith("http")
    assert page.locator(".smartcity-downloads .smartcity-format").first.inner_text().strip()
    data = [json.loads(s) for s in page.locator(
        "script[type='application/ld+json']").all_text_contents()]
    assert data and any("Dataset" in json.dumps(d) for d in data)
    screenshot(page, "04-datensatz")
    assert_fits(page)
    # dates in the additional information are German, with their ISO value kept
    dates = page.locator(".additional-info time")
    assert dates.count() >= 2
    assert re.fullmatch(r"\d{1,2}\. [A-ZÄÖÜ][a-zäöü]+ \d{4}", dates.last.inner_text().strip())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", dates.last.get_attribute("datetime"))
    with page.expect_download() as download_info:
        page.locator(".smartcity-downloads a.btn").first.click()
    download = download_info.value
    assert download.url.startswith(portal + "/dataset/")
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert len(content) > 20
    assert_clean(page)


def _result_count(page):
    text = page.locator("h1", has_text="gefunden").first.inner_text()
    match = re.search(r"(\d+)", text.replace(".", ""))
    assert match, text
    return int(match.group(1))


def test_steward_creates_a_dataset_and_fixes_a_bad_url(page, portal):
    login(page, portal)
    page.goto(portal + "/dataset/new")
    screenshot(page, "05-formular")
    assert_fits(page)
    page.fill("#field-title", "Öffentliche Trinkbrunnen")
    page.fill("#field-notes", "Standorte der öffentlichen Trinkbrunnen. Demonstrationsdaten.")
    page.select_option("#field-license_id", "http://dcat-ap.de/def/licenses/dl-by-de/2.0")
    search = page.locator(".smartcity-category-search")
    search.fill("Wasser")
    category = page.locator("input[name=smartcity_category]:visible").first
    category.check()
    page.locator("button[name=save]:not(.smartcity-save-draft)").click()
    page.wait_for_load_state()
    assert "/resource/new" in page.url, page.url

    # the distribution: a URL that is not http(s) is refused at the field
    wait_for_modules(page, "resource-upload-field")
    # CKAN's JavaScript texts arrive in German (web/js_i18n.py builds them
    # under gunicorn too), e.g. the table preview's filter button
    assert page.evaluate("ckan.i18n._('Add Filter')") == "Filter hinzufügen"
    if page.locator("a:has-text('Link'), button:has-text('Link')").count():
        page.locator("a:has-text('Link'), button:has-text('Link')").first.click()
    page.fill("#field-resource-url", "ftp://example.org/brunnen.csv")
    page.fill("#field-name", "Trinkbrunnen")
    page.locator("button[name=save][value=go-metadata], button[name=save]").last.click()
    page.wait_for_load_state()
    error = page.locator(".error-explanation, .error-block")
    assert error.count() >= 1
    assert "http" in error.first.inner_text().lower()
    screenshot(page, "06-feldfehler-url")
    page.fill("#field-resource-url", "https://example.org/brunnen.csv")
    page.locator("button[name=save][value=go-metadata], button[name=save]").last.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text().strip() == "Öffentliche Trinkbrunnen"
    assert page.locator(".smartcity-downloads").inner_text().count("Trinkbrunnen") >= 1
    assert page.locator("dl.smartcity-facts dt", has_text="Smart-City-Kategorien").count() == 1
    screenshot(page, "07-neuer-datensatz")
    check_layout_at(page)
    assert_clean(page)


def test_switching_the_language_to_english(page, portal):
    page.goto(portal + "/")
    wait_for_modules(page, "select-switch")
    page.select_option("#field-lang-select", label="English")
    page.wait_for_url(re.compile(r"/en/?$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Data by Smart City field").is_visible()
    assert page.get_by_role("note").inner_text().startswith("Demonstration data")
    page.locator(".dataset-heading a").first.click()
    page.wait_for_load_state()
    assert "/en/dataset/" in page.url
    assert page.locator("dl.smartcity-facts dt", has_text="Licence").count() == 1
    assert page.locator("dl.smartcity-facts dt", has_text="Update frequency").count() == 1
    screenshot(page, "08-english")
    check_layout_at(page)
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}",
                        page.locator(".additional-info time").last.inner_text().strip())
    assert_clean(page)


def test_editor_sees_the_quality_panel_visitor_does_not(page, portal):
    page.goto(portal + "/dataset/")
    page.locator(".dataset-heading a").first.click()
    page.wait_for_load_state()
    dataset_url = page.url
    assert page.locator(".smartcity-quality").count() == 0
    login(page, portal)
    page.goto(dataset_url)
    panel = page.locator(".smartcity-quality")
    assert panel.locator("h2").inner_text() == "Metadatenqualität"
    assert re.search(r"\d+\s*/\s*405", panel.locator(".smartcity-quality-score").inner_text())
    assert panel.locator(".smartcity-quality-score .badge").inner_text() in (
        "Ausgezeichnet", "Gut", "Ausreichend", "Mangelhaft")
    screenshot(page, "09-qualitaet")
    assert_fits(page)
    page.goto(portal + "/qualitaet")
    assert page.locator("h1").first.is_visible()
    screenshot(page, "10-qualitaet-dashboard")
    assert_fits(page)
    assert_clean(page)


@pytest.mark.parametrize("path", ["/dataset/", "/kategorien", "/organization/", "/about",
                                  "/user/login"])
def test_public_pages_have_no_serious_accessibility_violations(page, portal, path):
    page.goto(portal + path)
    assert page.locator("html").get_attribute("lang") == "de"
    assert_fits(page)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_content_comes_before_the_sidebar_on_a_phone(page, portal, width):
    """Issue 18: on a phone the dataset's title and facts come before the
    organisation box (and the organisation's datasets before its box, a
    resource before the list of the others); on a wide screen the sidebar
    stays on the left, beside the content."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(portal + "/dataset/?q=")
    page.locator(".dataset-heading a").first.click()
    page.wait_for_load_state()
    title, facts = top_of(page, "[role=main] h1"), top_of(page, "dl.smartcity-facts")
    box = top_of(page, "#organization-info")
    if width == 390:
        assert title < facts < box, (title, facts, box)
    else:
        main = page.locator("[role=main]").bounding_box()
        side = page.locator("aside.secondary").bounding_box()
        assert side["x"] + side["width"] <= main["x"] + 1, (side, main)
    check_layout(page, width)
    screenshot(page, f"15-datensatz-{width}")
    resource = page.locator(".smartcity-downloads-section a[href*='/resource/']").first
    resource.click()
    page.wait_for_load_state()
    check_layout(page, width)
    if width == 390:
        assert top_of(page, ".module-resource h1") < top_of(page, "aside.secondary")
    page.goto(portal + "/organization/stadt-dinslaken")
    check_layout(page, width)
    if width == 390:
        assert top_of(page, "[role=main] .dataset-item") < top_of(page, "aside.secondary")
    assert_clean(page)


@pytest.mark.parametrize("path, status", [("/keine-solche-seite", 404),
                                          ("/dataset/edit/baumkataster-dinslaken", 403)])
def test_error_pages_keep_the_portal_style(page, portal, path, status):
    response = page.goto(portal + path)
    assert response.status == status
    assert page.locator("link[rel=stylesheet][href$='main.css']").count() == 1
    assert page.locator("link[rel=stylesheet][href$='smartcity.css']").count() == 1
    assert page.locator("header.masthead").is_visible()
    assert page.locator("#error-content h1").inner_text().startswith(str(status))
    # styled: CKAN's main.css lays the masthead out as a flex bar
    assert page.locator("header.masthead .navbar").evaluate(
        "element => getComputedStyle(element).display") == "flex"
    assert_fits(page)


@pytest.mark.parametrize("width", [390, 1280])
def test_citizen_searches_in_everyday_german(page, portal, width):
    """Issue 20 on a phone and a wide screen: a part of a compound and an
    everyday word find the demo town's datasets; a typo gets an empty page
    that helps (spelling, overview); nothing overflows."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(portal + "/")
    search = page.get_by_role("search").get_by_label("Datensatz-Suche")
    search.fill("Fahrrad")
    search.press("Enter")
    page.wait_for_load_state()
    assert "Fahrradzählstellen" in page.locator(".dataset-heading").first.inner_text()
    page.goto(portal + "/dataset/?q=M%C3%BCll")  # Müll: the town says "Abfall"
    headings = " ".join(page.locator(".dataset-heading").all_inner_texts())
    assert "Abfuhrkalender" in headings or "Wertstoffhöfe" in headings, headings

    page.goto(portal + "/dataset/?q=Baumkatster")
    box = page.get_by_role("region", name=re.compile("Weitere Wege"))
    assert box.is_visible()
    assert box.get_by_role("link", name="Baumkataster").is_visible()
    assert box.get_by_role("link", name=re.compile("Alle Smart-City-Kategorien")).is_visible()
    check_layout(page, width)
    screenshot(page, f"11-suche-leer-{width}")
    assert_accessible(page)
    box.get_by_role("link", name="Baumkataster").click()
    page.wait_for_load_state()
    assert page.locator(".dataset-heading").count() >= 1
    assert_clean(page)


@pytest.mark.parametrize("width", [390, 1280])
def test_steward_edits_datasets_in_a_spreadsheet(page, portal, width, tmp_path):
    """Issue 19 in the browser: the organisation's sheet is downloaded, one
    cell is changed in it (with openpyxl, as a spreadsheet application
    would save it), the upload shows the dry run (exactly that dataset and
    column), and only the confirmation writes it."""
    page.set_viewport_size({"width": width, "height": 900})
    login(page, portal)
    page.goto(portal + "/organization/stadt-dinslaken")
    page.get_by_role("link", name="Tabelle").click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == "Datensätze als Tabelle"
    with page.expect_download() as download:
        page.locator(".smartcity-sheet-downloads a").first.click()
    path = tmp_path / "dinslaken.xlsx"
    download.value.save_as(path)

    book = openpyxl.load_workbook(path)
    datasets = book["Datensätze"]
    headers = [cell.value for cell in datasets[1]]
    title_column = headers.index("Titel") + 1
    old_title = datasets.cell(row=2, column=title_column).value
    name = datasets.cell(row=2, column=headers.index("URL") + 1).value
    new_title = f"{old_title} ({width} px geprüft)"
    datasets.cell(row=2, column=title_column).value = new_title
    book.save(path)

    page.set_input_files("#field-sheet", str(path))
    page.get_by_role("button", name="Datei prüfen").click()
    page.wait_for_load_state()
    rows = page.locator(".smartcity-sheet-report .smartcity-sheet-row")
    assert rows.count() == 1, rows.all_inner_texts()
    assert "würde aktualisiert" in rows.first.inner_text()
    assert "Titel" in rows.first.locator(".smartcity-sheet-changes").inner_text()
    assert new_title in rows.first.inner_text()
    check_layout(page, width)
    screenshot(page, f"12-tabelle-pruefung-{width}")
    assert_accessible(page)
    # nothing is stored before the confirmation
    elsewhere = page.context.new_page()
    elsewhere.goto(f"{portal}/dataset/{name}")
    assert elsewhere.locator("h1").first.inner_text().strip() == old_title
    elsewhere.close()
    page.get_by_role("button", name="Änderungen übernehmen").click()
    page.wait_for_load_state()
    assert "1 aktualisiert" in page.locator(".smartcity-sheet-counts").inner_text()
    page.goto(f"{portal}/dataset/{name}")
    assert page.locator("h1").first.inner_text().strip() == new_title
    assert_clean(page)


@pytest.mark.parametrize("width", [390, 1280])
def test_steward_saves_a_draft_and_finds_it_on_the_to_do_list(page, portal, width):
    """Issue 19: a title is enough for a draft; its page lists what is
    missing, linked to the form's fields; the organisation's to-do list
    shows it; a visitor never sees it."""
    page.set_viewport_size({"width": width, "height": 900})
    title = f"Trinkwasserbrunnen Entwurf {width}"
    login(page, portal)
    page.goto(portal + "/dataset/new")
    page.fill("#field-title", title)
    page.get_by_role("button", name="Als Entwurf speichern").click()
    page.wait_for_load_state()
    panel = page.locator(".smartcity-draft")
    assert "Entwurf" in panel.locator("h2").inner_text()
    missing = panel.locator(".smartcity-draft-missing a")
    labels = missing.all_inner_texts()
    assert "Beschreibung" in labels and "Lizenz" in labels, labels
    check_layout(page, width)
    screenshot(page, f"13-entwurf-{width}")
    assert_accessible(page)
    draft_url = page.url

    # the link leads to the field in the form
    panel.locator(".smartcity-draft-missing a", has_text="Beschreibung").click()
    page.wait_for_load_state()
    assert "#field-notes" in page.url and page.locator("#field-notes").is_visible()

    page.goto(draft_url)
    organisation = page.locator(".breadcrumb a[href^='/organization/']").last
    page.goto(portal + organisation.get_attribute("href"))
    page.get_by_role("link", name="Aufgaben").click()
    page.wait_for_load_state()
    drafts = page.locator('.smartcity-todo-section[data-section="drafts"]')
    assert title in drafts.inner_text()
    screenshot(page, f"14-aufgaben-{width}")
    assert_accessible(page)
    check_layout(page, width)

    visitor = page.context.browser.new_context()
    other = visitor.new_page()
    assert other.goto(draft_url).status == 404
    other.goto(portal + "/dataset/?q=Trinkwasserbrunnen")
    assert title not in other.content()
    visitor.close()
    assert_clean(page)


def test_the_hvd_hint_shows_only_while_an_hvd_category_is_chosen(page, portal):
    """The form's HVD hint concerns high-value datasets only: hidden until
    the steward chooses an HVD category, then shown with "Für HVD
    erforderlich" on the fields HVD needs; hidden again when the choice is
    cleared (hvd-marker.js; without JavaScript it stays visible)."""
    login(page, portal)
    page.goto(portal + "/dataset/new")
    wait_for_modules(page, "smartcity-hvd-marker")
    hint = page.locator("#smartcity-hvd-hint")
    badges = page.locator(".smartcity-hvd-badge:visible")
    assert hint.is_hidden() and badges.count() == 0
    choice = page.locator("[name=hvd_category]").first
    if choice.get_attribute("type") == "checkbox":
        choice.check(force=True)
        choice.dispatch_event("change")
    else:
        first = choice.locator("option:not([value=''])").first.get_attribute("value")
        choice.select_option(first)
    assert hint.is_visible()
    assert badges.count() == 2 and "Für HVD erforderlich" in badges.first.inner_text()
    check_layout_at(page)
    if choice.get_attribute("type") == "checkbox":
        choice.uncheck(force=True)
        choice.dispatch_event("change")
    else:
        choice.select_option([])
    assert hint.is_hidden() and badges.count() == 0
    assert_clean(page)
