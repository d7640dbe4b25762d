"""Categories in the portal's RDF (profile dcat_ap_de): dct:subject with
the concept, labels as dcat:keyword, dcat:theme only EU data themes (hand-
picked plus derived), the catalogue's dcat:themeTaxonomy, and the way back:
parsing the RDF gives the same categories and hand-picked themes."""
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS

from ckan.tests import factories

from ckanext.dcat.processors import RDFParser
from ckanext.smartcity.categories import scheme as categories

pytestmark = pytest.mark.usefixtures("clean_db")

KAT = categories.NAMESPACE
THEME = "http://publications.europa.eu/resource/authority/data-theme/"


@pytest.fixture
def dataset():
    org = factories.Organization(name="stadt-dinslaken")
    return factories.Dataset(owner_org=org["id"], name="radwege", title="Radwege",
                             smartcity_category=["radverkehr", "klimaschutz"], theme=["ECON"])


def dataset_graph(app, name, suffix="ttl", fmt="turtle"):
    return Graph().parse(data=app.get(f"/dataset/{name}.{suffix}").body, format=fmt)


def test_dataset_rdf_carries_categories_as_subject_and_keywords(app, dataset):
    graph = dataset_graph(app, "radwege")
    ref = next(graph.subjects(RDF.type, DCAT.Dataset))
    assert set(graph.objects(ref, DCTERMS.subject)) == {
        URIRef(KAT + "radverkehr"), URIRef(KAT + "klimaschutz")}
    keywords = set(graph.objects(ref, DCAT.keyword))
    assert {Literal("Radverkehr", lang="de"), Literal("Cycling", lang="en"),
            Literal("Klimaschutz und Treibhausgasbilanz", lang="de")} <= keywords
    concept = URIRef(KAT + "radverkehr")
    assert (concept, RDF.type, SKOS.Concept) in graph
    assert (concept, SKOS.inScheme, URIRef(categories.SCHEME)) in graph


def test_dcat_theme_holds_only_eu_themes_hand_picked_and_derived(app, dataset):
    for suffix, fmt in (("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")):
        graph = dataset_graph(app, "radwege", suffix, fmt)
        ref = next(graph.subjects(RDF.type, DCAT.Dataset))
        assert {str(t) for t in graph.objects(ref, DCAT.theme)} == {
            THEME + "ECON", THEME + "TRAN", THEME + "ENVI"}, suffix


def test_catalogue_names_both_theme_taxonomies(app, dataset):
    graph = Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    taxonomies = set(graph.objects(catalog, DCAT.themeTaxonomy))
    assert taxonomies == {URIRef(categories.SCHEME),
                          URIRef("http://publications.europa.eu/resource/authority/data-theme")}
    for taxonomy in taxonomies:
        assert (taxonomy, RDF.type, SKOS.ConceptScheme) in graph
    # the catalogue's datasets carry their categories too
    assert (None, DCTERMS.subject, URIRef(KAT + "radverkehr")) in graph


def test_parsing_the_rdf_gives_back_categories_and_hand_picked_themes(app, dataset):
    parser = RDFParser(profiles=["dcat_ap_de"])
    parser.parse(app.get("/dataset/radwege.ttl").body, _format="turtle")
    parsed = list(parser.datasets())
    assert len(parsed) == 1
    assert sorted(parsed[0]["smartcity_category"]) == [KAT + "klimaschutz", KAT + "radverkehr"]
    # TRAN and ENVI are implied by the categories: only the hand-picked ECON stays
    assert parsed[0]["theme"] == [THEME + "ECON"]
