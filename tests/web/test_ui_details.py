"""Small things a citizen or a data steward reads on the German portal
(HTML level; the real browser runs in tests/browser/): numbers with German
digit grouping, ISO 8601 durations in words, one label per thing in the
resource form, the HVD hint only for HVD datasets, a search box on the
404 page, vocabulary labels instead of URIs on the organisation's
"About" page, a name of its own for each entry of a repeating field, and
German JavaScript texts around the table preview."""
import json
import os
import re
import shutil
from urllib.parse import urlencode

import pytest
import yaml
from bs4 import BeautifulSoup

from ckan.lib import i18n
from ckan.tests import helpers

from ckanext.smartcity.datastore.status import _reason
from ckanext.smartcity.web import helpers as web_helpers
from tests.dataservice.conftest import dataset, datastore, table  # noqa: F401 (fixtures)
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"


def soup(response):
    return BeautifulSoup(response.body, "html.parser")


def text(element):
    return " ".join(element.get_text(" ").split())


def in_language(app, lang, function, *args):
    """``function(*args)`` inside a request of a page in ``lang`` (as the
    portal's I18nMiddleware marks it)."""
    with app.flask_app.test_request_context("/", environ_base={"CKAN_LANG": lang}):
        return function(*args)


# -- 1. numbers --------------------------------------------------------------

@pytest.mark.parametrize("value, german, english", [
    (32000, "32.000", "32,000"),
    ("1500000", "1.500.000", "1,500,000"),
    (7, "7", "7"),
    (12.5, "12,5", "12.5"),            # the quality dashboard's averages
    (True, "True", "True"),            # no number
    ("9" * 30, "9" * 30, "9" * 30),    # beyond babel: as written, no 500
    (1e300, "1e+300", "1e+300"),
    ("\u0663\u0662", "\u0663\u0662", "\u0663\u0662"),  # Arabic-Indic digits: as written
    (None, "", ""),
    ("unbekannt", "unbekannt", "unbekannt"),
])
def test_numbers_are_grouped_as_the_page_language_writes_them(app, value, german, english):
    assert in_language(app, "de", web_helpers.smartcity_number, value) == german
    assert in_language(app, "en", web_helpers.smartcity_number, value) == english


def test_the_api_page_writes_its_row_limit_with_german_digit_grouping(
        app, datastore, steward, org):  # noqa: F811 (fixtures)
    shown = table(steward, dataset(steward, org))
    german = text(soup(app.get(f"/schnittstelle/{shown['id']}")))
    assert "höchstens 32.000 Zeilen" in german
    assert "32000" not in german
    english = text(soup(app.get(f"/en/schnittstelle/{shown['id']}")))
    assert "at most 32,000 rows" in english


def test_the_datastore_notice_writes_row_counts_with_german_digit_grouping(app):
    error = {"smartcity_reason": "rows", "rows": 45000, "max_rows": 32000}
    german = in_language(app, "de", _reason, error)
    assert "45.000 Zeilen" in german and "höchstens 32.000" in german
    assert "45,000 rows" in in_language(app, "en", _reason, error)


# -- 2. durations --------------------------------------------------------------

@pytest.mark.parametrize("value, german, english", [
    ("PT1H", "1 Stunde", "1 hour"),
    ("PT15M", "15 Minuten", "15 minutes"),
    ("P1D", "1 Tag", "1 day"),
    ("P1Y", "1 Jahr", "1 year"),
    ("PT1H30M", "1 Stunde 30 Minuten", "1 hour 30 minutes"),
    ("P1Y2M3DT4H5M6S", "1 Jahr 2 Monate 3 Tage 4 Stunden 5 Minuten 6 Sekunden",
     "1 year 2 months 3 days 4 hours 5 minutes 6 seconds"),
    ("PT0.5S", "0,5 Sekunden", "0.5 seconds"),
    ("PT0.0001S", "0,0001 Sekunden", "0.0001 seconds"),
    ("P1000D", "1.000 Tage", "1,000 days"),
    ("pt3h", "3 Stunden", "3 hours"),
])
def test_durations_are_written_in_words(app, value, german, english):
    assert in_language(app, "de", web_helpers.smartcity_duration_text, value) == german
    assert in_language(app, "en", web_helpers.smartcity_duration_text, value) == english


@pytest.mark.parametrize("value", [
    "stündlich", "P", "PT", "1H", "P1H", "PT1D", "", "P1DT", "-P1D", "P1.5Y",
    "P2W",  # weeks: not an xsd:duration, refused by the validator
    "P" + "9" * 30 + "D", "PT" + "1" * 40 + ".5S", "P" + "9" * 5000 + "Y"])  # no 500
def test_what_is_no_duration_is_shown_as_written(app, value):
    assert in_language(app, "de", web_helpers.smartcity_duration_text, value) == value


def test_the_dataset_page_writes_the_temporal_resolution_in_words(app, steward, org):  # noqa: F811
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, temporal_resolution="PT1H30M"))

    def resolution(url):
        rows = {row.find("th").get_text(strip=True): text(row.find("td"))
                for row in soup(app.get(url)).select("section.additional-info tbody > tr")}
        return rows.get("Zeitliche Auflösung") or rows.get("Temporal resolution")
    assert resolution("/dataset/ladesaeulen") == "1 Stunde 30 Minuten"
    assert resolution("/en/dataset/ladesaeulen") == "1 hour 30 minutes"


# -- 3. the resource form's labels ------------------------------------------

def test_the_resource_form_names_the_access_service_once(app, steward, org):  # noqa: F811
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    page = soup(app.get("/dataset/ladesaeulen/resource/new",
                        headers={"Authorization": steward["token"]}))
    field = page.select_one(".smartcity-field[data-field=access_services]")
    assert field.find("label", attrs={"for": "field-access_services"}).get_text(strip=True) \
        == "Datenservice"
    # the panel of one entry names the entry (an API), not the list again;
    # the hidden template panel (for "Add") says the same
    panels = [" ".join(header.find_all(string=True, recursive=False)).strip()
              for header in field.select("header.panel-heading")]
    assert panels and set(panels) == {"Schnittstelle (API)"}
    visible = [line for line in field.get_text("\n").split("\n")
               if line.strip().rstrip(":") == "Datenservice"]
    assert len(visible) == 1


# -- 4. the HVD hint ---------------------------------------------------------

def test_the_hvd_hint_is_wired_to_hide_while_no_hvd_category_is_chosen(app, steward, org):  # noqa: F811
    """hvd-marker.js hides the hint while the HVD category input is empty;
    without JavaScript it stays visible. The browser check (tests/browser/)
    changes the select and sees the hint hide and show; here: the template
    hands the module an input and fields that exist."""
    page = soup(app.get("/dataset/new", headers={"Authorization": steward["token"]}))
    hint = page.select_one("#smartcity-hvd-hint")
    assert hint["data-module"] == "smartcity-hvd-marker"
    assert not hint.has_attr("hidden")  # visible without JavaScript
    form = hint.find_parent("form")
    select = hint["data-module-select"]
    assert form.select(f"[name='{select}']"), "the HVD category input the module watches"
    for name in hint["data-module-fields"].split():
        assert form.select_one(f".smartcity-field[data-field='{name}']"), name
    assert "smartcity/" in str(page) and "hvd-marker" in str(page)  # the module is loaded


# -- 5. the 404 page ----------------------------------------------------------

@pytest.mark.parametrize("url", ["/no-such-page", "/dataset/ladesaeulen-alt"])
def test_the_404_page_offers_a_dataset_search(app, steward, org, url):  # noqa: F811
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    page = soup(app.get(url, status=404))
    form = page.select_one("#content form[role=search]")
    assert form is not None
    assert form.get("method", "get").lower() == "get"
    field = form.select_one("input[name=q]")
    assert form.find("label", attrs={"for": field["id"]}).get_text(strip=True) \
        == "Datensätze durchsuchen"
    # what the browser sends when the citizen searches from here
    found = soup(app.get(f"{form['action']}?{urlencode({'q': 'Ladesäulen'})}"))
    assert found.find("a", href="/dataset/ladesaeulen")


def test_other_error_pages_have_no_search_form(app):
    page = soup(app.get("/ckan-admin", status=403))
    assert page.select_one("#content form[role=search]") is None


# -- 6. the organisation's "About" page ---------------------------------------

def test_the_organisation_about_page_shows_vocabulary_labels(app, steward, org):  # noqa: F811
    helpers.call_action("organization_patch", context=dict(steward["context"]), id=org["id"],
                        access_rights="PUBLIC", rights="Frei nutzbar.")

    def about(url):
        dl = soup(app.get(url)).select_one("dl.smartcity-organization-about")
        return {dt.get_text(strip=True): text(dt.find_next_sibling("dd"))
                for dt in dl.find_all("dt")}
    shown = about("/organization/about/stadt-dinslaken")
    assert shown["Zugriffsrechte"] == "öffentlich"
    assert shown["Art der Stelle"] == "Kommunalverwaltung"
    assert shown["Politische Verwaltungsebene"] == "Kommunale Ebene"
    assert shown["Geopolitische Abdeckung"] == "Dinslaken"
    assert shown["Rechtehinweis"] == "Frei nutzbar."
    assert not [value for value in shown.values() if "http://" in value or "['" in value]
    assert "Kontaktformular" not in shown  # empty fields are left out
    english = about("/en/organization/about/stadt-dinslaken")
    assert english["Access rights"] == "public"
    assert PUBLIC not in english.values()


# -- 7. one name per repeating field and another for its entries ------------

def _repeating_fields(section):
    """The schema's repeating fields of ``section`` (``dataset_fields`` or
    ``resource_fields``): a field added later is checked too."""
    with open(os.path.join(ROOT, "schemas", "dataset.yaml"), encoding="utf-8") as handle:
        schema = yaml.safe_load(handle)
    return [field for field in schema[section] if field.get("repeating_subfields")]


def _label_and_headings(page, field):
    """The field's label and the heading of each entry panel (the hidden
    template panel for "Add" included), without the entry's number."""
    block = page.select_one(f".smartcity-field[data-field={field['field_name']}]")
    assert block is not None, field["field_name"]
    label = block.find("label", attrs={"for": f"field-{field['field_name']}"})
    headings = {re.sub(r"\s*(\d+|REPEATING-INDEX1)$", "",
                       " ".join(header.find_all(string=True, recursive=False)).strip())
                for header in block.select("header.panel-heading")}
    return " ".join(label.get_text(" ").split()), headings


@pytest.mark.parametrize("lang, prefix", [("de", ""), ("en", "/en")])
def test_no_repeating_field_heads_its_entries_with_its_own_label(
        app, steward, org, lang, prefix):  # noqa: F811 (fixtures)
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    auth = {"Authorization": steward["token"]}
    pages = {"dataset_fields": soup(app.get(f"{prefix}/dataset/new", headers=auth)),
             "resource_fields": soup(app.get(f"{prefix}/dataset/ladesaeulen/resource/new",
                                             headers=auth))}
    checked = []
    for section, page in pages.items():
        for field in _repeating_fields(section):
            label, headings = _label_and_headings(page, field)
            # the field keeps its label (quality panel, checklist and SHACL
            # messages name it so) ...
            assert label.startswith(field["label"][lang]), (field["field_name"], label)
            # ... and each entry has a name of its own
            assert headings and "" not in headings, field["field_name"]
            assert field["label"][lang] not in headings, (field["field_name"], headings)
            checked.append(field["field_name"])
    assert {"publisher", "contact", "originator", "custodian", "access_services"} <= set(checked)


# -- 8. the table preview's JavaScript texts ------------------------------------

def test_the_table_preview_says_add_filter_in_german(
        make_app, datastore, steward, org):  # noqa: F811 (fixtures)
    """The "Add Filter" button above a table preview and the preview's own
    buttons are written by JavaScript in the words of ``/api/i18n/<lang>``
    (CKAN's German catalogue has them); the portal builds that catalogue
    when it starts, as ``ckan run`` does (ckanext/smartcity/web/js_i18n.py)."""
    shutil.rmtree(i18n.get_js_translations_dir(), ignore_errors=True)
    app = make_app()  # a portal started without a JavaScript catalogue
    shown = table(steward, dataset(steward, org))
    helpers.call_action(
        "resource_create_default_resource_views", context=dict(steward["context"]),
        resource=shown, package=helpers.call_action("package_show", id=shown["package_id"]),
        create_datastore_views=True)
    view = next(v for v in helpers.call_action("resource_view_list", id=shown["id"])
                if v["view_type"] == "datatables_view")
    url = f"/dataset/parkhaeuser/resource/{shown['id']}"
    page = soup(app.get(url))
    assert page.select_one("[data-module=resource-view-filters]")  # writes the button
    preview = soup(app.get(f"{url}/view/{view['id']}"))
    assert preview.select_one("[data-module=datatables_view]")
    form = app.get(f"{url}/edit_view/{view['id']}", headers={"Authorization": steward["token"]})
    assert "Filter hinzufügen" in text(soup(form))
    for html in (page, preview, soup(form)):
        assert "Add Filter" not in text(html)
    # what main.js loads for the page's language and gives the modules
    catalogue = json.loads(app.get(f"/api/i18n/{page.html['lang']}").body)

    def written(message):
        return (catalogue.get(message) or [None, message])[1]
    assert written("Add Filter") == "Filter hinzufügen"
    assert written("Select a field") == "Wählen Sie ein Feld"
    for message in ("TABLE FILTER", "Copy to clipboard", "Filtered download", "Print",
                    "Toggle column visibility", "Share current view"):
        assert written(message) != message, message
