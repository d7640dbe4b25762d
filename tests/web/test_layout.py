"""The portal on phones and wide screens, at HTML level (the real browser
checks overflow and positions in tests/browser/): the page's own content
comes before its sidebar in the document, dates are written in the page
language with their machine-readable value, and error pages, also a 500
after a page failed half-way, keep the portal's header, footer and style
sheets without showing internals (docs/layout.md)."""
import re

import pytest
from bs4 import BeautifulSoup
from flask import Blueprint

import ckan.lib.helpers as ckan_helpers
from ckan.tests import helpers

from ckanext.smartcity.web.helpers import smartcity_date
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")

INTERNALS = ("Traceback", "RuntimeError", "secret detail")


def soup(response):
    return BeautifulSoup(response.body, "html.parser")


def additional_info(page):
    """{label: (text, [<time datetime>...])} of the dataset's table."""
    rows = {}
    for row in page.select("section.additional-info tbody > tr"):
        cell = row.find("td")
        rows[row.find("th").get_text(strip=True)] = (
            " ".join(cell.get_text(" ").split()),
            [time["datetime"] for time in cell.find_all("time")])
    return rows


@pytest.fixture
def dataset(steward, org):  # noqa: F811 (fixtures)
    return helpers.call_action("package_create", context=dict(steward["context"]),
                               **full_dataset(org))


@pytest.mark.parametrize("value, german, english, machine", [
    ("2026-12-04", "4. Dezember 2026", "December 4, 2026", "2026-12-04"),
    ("2025-01-15T08:30:00Z", "15. Januar 2025", "January 15, 2025", "2025-01-15"),
    ("2026-12-05T07:01:05.123456", "5. Dezember 2026", "December 5, 2026", "2026-12-05"),
    ("2021-03", "März 2021", "March 2021", "2021-03"),
    ("2020", "2020", "2020", "2020"),
])
def test_dates_are_written_in_the_page_language(monkeypatch, value, german, english, machine):
    for lang, shown in (("de", german), ("en", english)):
        monkeypatch.setitem(ckan_helpers.helper_functions, "lang", lambda lang=lang: lang)
        assert str(smartcity_date(value)) == f'<time datetime="{machine}">{shown}</time>'


def test_what_is_no_date_is_shown_as_stored(monkeypatch):
    monkeypatch.setitem(ckan_helpers.helper_functions, "lang", lambda: "de")
    assert smartcity_date("2026-02-30") == "2026-02-30"
    assert smartcity_date("<b>bald</b>") == "<b>bald</b>"  # a str: the template escapes it
    assert smartcity_date(None) == ""


def test_additional_information_shows_german_and_english_dates(app, dataset):
    rows = additional_info(soup(app.get("/dataset/ladesaeulen")))
    assert rows["Letzte Änderung"] == ("15. Januar 2025", ["2025-01-15"])
    assert rows["Veröffentlichungsdatum"] == ("März 2021", ["2021-03"])
    # inside the repeating time period too
    assert rows["Zeitlicher Bezug"] == ("Beginn 2020 Ende 31. Dezember 2024",
                                        ["2020", "2024-12-31"])
    created = dataset["metadata_created"][:10]
    text, machine = rows["Erstellt"]
    assert machine == [created] and re.fullmatch(r"\d{1,2}\. [A-Z][a-zä]+ \d{4}", text), text
    assert "Metadaten zuletzt aktualisiert" in rows
    assert not [label for label, (text, _) in rows.items()
                if re.search(r"\d{4}-\d{2}-\d{2}", text)], "an ISO date is left"

    english = additional_info(soup(app.get("/en/dataset/ladesaeulen")))
    assert english["Modification date"] == ("January 15, 2025", ["2025-01-15"])
    assert english["Temporal coverage"][0] == "Start 2020 End December 31, 2024"


def test_resource_page_shows_german_dates(app, dataset):
    resource = dataset["resources"][0]["id"]
    page = soup(app.get(f"/dataset/ladesaeulen/resource/{resource}"))
    rows = {row.find("th").get_text(strip=True): row.find("td") for row in
            page.select("table[data-module=table-toggle-more] tbody > tr") if row.find("td")}
    assert rows["Letzte Änderung"].get_text(strip=True) == "15. Januar 2025"
    assert rows["Veröffentlichungsdatum"].find("time")["datetime"] == "2021-03-01"


def test_the_dataset_comes_before_the_organisation_box(app, dataset):
    """On a phone the columns stack in document order: the dataset's title
    and facts, then the sidebar with the organisation box."""
    page = soup(app.get("/dataset/ladesaeulen"))
    wrapper = page.select_one(".wrapper.smartcity-main-first")
    columns = [child for child in wrapper.find_all(recursive=False)]
    assert [("primary" in c["class"], "secondary" in c["class"]) for c in columns] == [
        (True, False), (False, True)]
    elements = page.find_all(True)
    title = page.select_one("[role=main] h1")
    assert title.get_text(strip=True) == "Ladesäulen"
    assert elements.index(title) < elements.index(page.select_one("dl.smartcity-facts")) \
        < elements.index(page.select_one("#organization-info"))


def test_organisation_and_resource_pages_put_their_content_first(app, dataset):
    page = soup(app.get("/organization/stadt-dinslaken"))
    columns = page.select_one(".wrapper").find_all(recursive=False)
    assert "primary" in columns[0]["class"] and "secondary" in columns[-1]["class"]

    resource = dataset["resources"][0]["id"]
    page = soup(app.get(f"/dataset/ladesaeulen/resource/{resource}"))
    columns = page.select_one(".wrapper").find_all(recursive=False)
    # the resource's header (pre_primary), its details, then the list of resources
    assert "module-resource" in columns[0]["class"]
    assert "primary" in columns[1]["class"] and "secondary" in columns[2]["class"]


def portal_frame(page):
    """What makes a page the portal's: its header, footer and style sheets."""
    styles = [link["href"] for link in page.select("link[rel=stylesheet]")]
    return {"header": page.select_one("header.masthead") is not None,
            "footer": page.select_one("footer") is not None,
            "main.css": any(href.endswith("main.css") for href in styles),
            "smartcity.css": any(href.endswith("smartcity.css") for href in styles)}


STYLED = {"header": True, "footer": True, "main.css": True, "smartcity.css": True}


def test_not_found_and_forbidden_pages_keep_the_portal_style(app, dataset):
    response = app.get("/no-such-page", status=404)
    page = soup(response)
    assert portal_frame(page) == STYLED
    assert page.select_one("#error-content h1").get_text(strip=True) == "404 Nicht gefunden"
    assert page.title.get_text().startswith("Fehler 404")
    page = soup(app.get("/dataset/edit/ladesaeulen", status=403))
    assert portal_frame(page) == STYLED
    assert page.select_one("#error-content h1").get_text(strip=True) == "403 Keine Berechtigung"


def _serve_errors(app):
    """Answer unexpected exceptions as the portal does outside the tests
    (the test app re-raises them)."""
    app.flask_app.config["PROPAGATE_EXCEPTIONS"] = False


def assert_styled_server_error(response):
    page = soup(response)
    assert portal_frame(page) == STYLED
    assert "Das Portal kann gerade nicht antworten" in page.select_one("#error-content").get_text()
    assert page.title.get_text().startswith("Fehler 500")
    for leak in INTERNALS:
        assert leak not in response.body, leak


def test_a_view_that_fails_answers_500_with_the_styled_page(app):
    failing = Blueprint("smartcity_test_failing", __name__)

    @failing.route("/smartcity-test/fails")
    def fails():
        raise RuntimeError("secret detail")
    app.flask_app.register_blueprint(failing)
    _serve_errors(app)
    assert_styled_server_error(app.get("/smartcity-test/fails", status=500))


def test_a_page_that_fails_half_way_answers_500_with_the_styled_page(app, dataset, monkeypatch):
    """The dataset page failed after its head had been written: the error
    page used to come without CKAN's main.css (assets are written once per
    request; error_document_template.html starts a fresh set). Guards
    CKAN's private g._webassets, which the helper forgets."""
    def fails(*args, **kwargs):
        raise RuntimeError("secret detail")
    monkeypatch.setitem(ckan_helpers.helper_functions, "smartcity_dataset_facts", fails)
    _serve_errors(app)
    assert_styled_server_error(app.get("/dataset/ladesaeulen", status=500))
