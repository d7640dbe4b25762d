"""What a citizen and a harvester see: category tiles on the home page and
at /kategorien, a page per concept, the scheme and every concept as Turtle,
RDF/XML, JSON-LD by content negotiation, the picker in the steward's form,
and the way from the home page to Mobilität, Radverkehr and a dataset."""
import json
from urllib.parse import unquote, urlparse

import pytest
from bs4 import BeautifulSoup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from werkzeug.datastructures import MultiDict

from ckan.tests import factories, helpers

from ckanext.smartcity.categories import scheme as categories

pytestmark = pytest.mark.usefixtures("clean_db")

KAT = categories.NAMESPACE
SCHEME = URIRef(categories.SCHEME)
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
RDF_TYPES = [("text/turtle", "turtle"), ("application/rdf+xml", "xml"),
             ("application/ld+json", "json-ld"), ("application/n-triples", "nt")]


def soup(response):
    return BeautifulSoup(response.body, "html.parser")


@pytest.fixture
def datasets():
    org = factories.Organization(name="stadt-moers", title="Stadt Moers")
    bike = factories.Dataset(owner_org=org["id"], name="radwege", title="Radwege in Moers",
                             smartcity_category=["radverkehr"])
    factories.Dataset(owner_org=org["id"], name="haltestellen", title="Haltestellen",
                      smartcity_category=["oepnv"])
    factories.Dataset(owner_org=org["id"], name="geheim", title="Geheime Radzählung",
                      private=True, smartcity_category=["radverkehr"])
    return bike


def test_overview_has_a_tile_per_top_concept_with_count_and_links(app, datasets):
    page = soup(app.get("/kategorien"))
    tiles = page.select(".primary .smartcity-category-tile")
    assert len(tiles) == 10
    mobility = tiles[0]
    assert mobility.select_one("h3").get_text(strip=True) == "Mobilität und Verkehr"
    assert mobility.select_one("i.fa-bus") is not None
    assert "Bus und Bahn" in mobility.select_one("p").get_text()
    count = mobility.select_one(".smartcity-category-tile-count")
    assert count.get_text(strip=True) == "2 Datensätze"           # the private one not counted
    assert unquote(count["href"]) == f"/dataset/?vocab_smartcity_category={KAT}mobilitaet"
    assert mobility.select_one("h3 a")["href"] == "/kategorien/mobilitaet"
    energy = tiles[1]
    energy_count = energy.select_one(".smartcity-category-tile-count")
    assert energy_count.get_text(strip=True) == "0 Datensätze"
    english = soup(app.get("/en/kategorien")).select(".primary .smartcity-category-tile h3")
    assert english[0].get_text(strip=True) == "Mobility and transport"


def test_filtered_search_from_a_tile_shows_the_sub_concept_facet_with_labels(app, datasets):
    page = soup(app.get("/dataset/", query_string={"vocab_smartcity_category": KAT + "mobilitaet"}))
    found = [a.get_text(strip=True) for a in page.select(".dataset-heading a")]
    assert sorted(found) == ["Haltestellen", "Radwege in Moers"]
    facet = page.select("#search-facets section")[0]
    assert facet.select_one("h2").get_text(strip=True) == "Smart-City-Kategorie"
    # the link is named by its own text (no aria-label hiding it)
    assert not [a for a in facet.select("li a") if a.has_attr("aria-label")]
    items = [(a.select_one(".item-label").get_text(strip=True),
              a.select_one(".item-count").get_text(strip=True)) for a in facet.select("li a")]
    assert items == [
        ("Mobilität und Verkehr", "2"), ("Radverkehr", "1"), ("Öffentlicher...", "1")]
    assert facet.select("li a")[2]["data-bs-title"] == "Öffentlicher Personennahverkehr"
    assert KAT not in page.select_one("#search-facets").get_text()


def test_concept_page_shows_sub_concepts_datasets_and_eu_themes(app, datasets):
    page = soup(app.get("/kategorien/mobilitaet"))
    assert page.select_one("h1").get_text(strip=True) == "Mobilität und Verkehr"
    subs = {a.get_text(strip=True): a["href"] for a in page.select(".smartcity-subcategories a")}
    assert subs["Radverkehr"] == "/kategorien/radverkehr" and len(subs) == 10
    assert [a.get_text(strip=True) for a in page.select(".dataset-heading a")] == [
        "Haltestellen", "Radwege in Moers"] or sorted(
        a.get_text(strip=True) for a in page.select(".dataset-heading a")) == [
        "Haltestellen", "Radwege in Moers"]
    themes = page.select("aside .module")[0]
    assert [a.get_text(strip=True) for a in themes.select("a")] == ["Verkehr"]
    assert "Auch:" in page.get_text() or "Mobilität und Infrastruktur" in page.get_text()
    page = soup(app.get("/kategorien/radverkehr"))
    crumbs = [a.get_text(strip=True) for a in page.select(".breadcrumb a")]
    assert crumbs[-3:] == ["Kategorien", "Mobilität und Verkehr", "Radverkehr"]
    mappings = page.get_text(" ")
    assert "Musterdatenkatalog V4" in mappings and "mobilityDCAT-AP" in mappings
    app.get("/kategorien/raumfahrt", status=404)


def test_citizen_goes_from_home_to_mobility_to_cycling_to_a_dataset(app, datasets):
    home = soup(app.get("/"))
    assert home.select_one('nav a[href="/kategorien"], header a[href="/kategorien"]') is not None
    link = next(a for a in home.select(".smartcity-home-categories a")
                if a.get_text(strip=True) == "Mobilität und Verkehr")
    mobility = soup(app.get(link["href"]))
    link = next(a for a in mobility.select(".smartcity-subcategories a")
                if a.get_text(strip=True) == "Radverkehr")
    cycling = soup(app.get(link["href"]))
    link = next(a for a in cycling.select(".dataset-heading a")
                if a.get_text(strip=True) == "Radwege in Moers")
    dataset = soup(app.get(link["href"]))
    assert dataset.select_one("h1").get_text(strip=True).startswith("Radwege in Moers")
    # the dataset page links back to its category and shows the derived theme
    details = dataset.get_text(" ")
    assert dataset.select_one('a[href="/kategorien/radverkehr"]') is not None
    assert "Verkehr" in details and "aus der Smart-City-Kategorie" in details


@pytest.mark.parametrize("media, fmt", RDF_TYPES)
def test_scheme_is_served_by_content_negotiation(app, media, fmt):
    response = app.get("/kategorien", headers={"Accept": media})
    assert response.headers["Content-Type"].startswith(media)
    assert "Accept" in response.headers["Vary"]
    graph = Graph().parse(data=response.body, format=fmt)
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in graph
    assert len(set(graph.objects(SCHEME, SKOS.hasTopConcept))) == 10
    assert len(set(graph.subjects(RDF.type, SKOS.Concept))) == 57
    assert (URIRef(KAT + "radverkehr"), SKOS.broader, URIRef(KAT + "mobilitaet")) in graph
    assert (URIRef(KAT + "radverkehr"), SKOS.broadMatch, URIRef(THEME + "TRAN")) in graph


def test_browsers_get_html_and_suffixes_pick_a_format(app):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for path in ("/kategorien", "/kategorien/radverkehr"):
        response = app.get(path, headers={"Accept": browser})
        assert response.headers["Content-Type"].startswith("text/html")
        assert "Accept" in response.headers["Vary"]  # shared caches must not mix formats
    assert app.get("/kategorien.ttl").headers["Content-Type"].startswith("text/turtle")
    assert app.get("/kategorien/radverkehr.jsonld").headers["Content-Type"].startswith(
        "application/ld+json")
    assert app.get("/kategorien/radverkehr.rdf").headers["Content-Type"].startswith(
        "application/rdf+xml")


def test_every_concept_uri_dereferences_to_its_description(app):
    """Concept URIs are https://w3id.org/ckanext-smartcity/<portal path>."""
    scheme = categories.current()
    for concept in scheme.concepts.values():
        path = urlparse(concept.uri).path.replace("/ckanext-smartcity", "", 1)
        response = app.get(path, headers={"Accept": "text/turtle"})
        graph = Graph().parse(data=response.body, format="turtle")
        subject = URIRef(concept.uri)
        assert (subject, SKOS.prefLabel, Literal(concept.labels["de"], lang="de")) in graph
        assert (subject, SKOS.inScheme, SCHEME) in graph
        assert (subject, SKOS.definition, Literal(concept.definitions["en"], lang="en")) in graph
        if concept.broader:
            assert (URIRef(concept.broader), SKOS.prefLabel,
                    Literal(scheme.concepts[concept.broader].labels["de"], lang="de")) in graph


@pytest.fixture
def steward_app(app):
    user = factories.Sysadmin(name="steward", password="correct-horse-battery")
    page = soup(app.get("/user/login"))
    token = page.find("input", {"name": "_csrf_token"})["value"]
    app.post("/user/login", data={"login": "steward", "password": "correct-horse-battery",
                                  "_csrf_token": token},
             follow_redirects=True)
    factories.Organization(name="stadt-herten", title="Stadt Herten",
                           users=[{"name": user["name"], "capacity": "admin"}])
    return app


def test_form_picker_stores_checked_categories_and_previews_derived_themes(steward_app):
    app = steward_app
    page = soup(app.get("/dataset/new"))
    picker = page.select_one("fieldset#field-smartcity_category")
    boxes = picker.select("input[type=checkbox][name=smartcity_category]")
    assert len(boxes) == 57
    assert len(picker.select("details")) == 10
    # each box has its own label (no CKAN ":" styling hook, no "control-full" width rule)
    for box in boxes:
        assert picker.find("label", {"for": box["id"]}) is not None
    assert "control-full" not in picker.parent["class"]
    # a top category opens from its summary; its own box is the first inside
    mobility = picker.select("details")[0]
    assert mobility.select_one("summary input") is None
    assert mobility.select("input")[0]["value"] == KAT + "mobilitaet"
    assert picker.select_one("input[type=search]") is not None
    labels = json.loads(picker["data-module-theme-labels"])
    assert labels[THEME + "TRAN"] == "Verkehr"
    cycling = picker.find("input", {"value": KAT + "radverkehr"})
    assert cycling["data-themes"] == THEME + "TRAN"
    form = {"_ckan_phase": "dataset_new_1", "save": "", "title": "Radwege Herten",
            "name": "radwege-herten", "notes": "Radwege.", "owner_org": "stadt-herten",
            "license_id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            "_csrf_token": page.find("input", {"name": "_csrf_token"})["value"]}
    data = MultiDict(list(form.items()) + [("smartcity_category", KAT + "radverkehr"),
                                           ("smartcity_category", KAT + "klimaschutz")])
    app.post("/dataset/new", data=data, follow_redirects=False)
    stored = helpers.call_action("package_show", id="radwege-herten")
    assert stored["smartcity_category"] == [KAT + "radverkehr", KAT + "klimaschutz"]
    edit = soup(app.get("/dataset/edit/radwege-herten"))
    picker = edit.select_one("fieldset#field-smartcity_category")
    checked = [i["value"] for i in picker.select("input[checked]")]
    assert checked == [KAT + "radverkehr", KAT + "klimaschutz"]
    opened = [d.select_one("input")["value"] for d in picker.select("details[open]")]
    assert opened == [KAT + "mobilitaet", KAT + "umwelt-klima"]
    badges = [d.select_one(".smartcity-category-selected").get_text(strip=True)
              for d in picker.select("details[open]")]
    assert badges == ["1 ausgewählt", "1 ausgewählt"]
    assert picker.select_one(".smartcity-derived-themes-list").get_text(strip=True) == \
        "Verkehr, Umwelt"  # in the order of the tree: Mobilität, then Umwelt
