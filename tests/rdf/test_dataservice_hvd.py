"""Data services and high-value datasets in the DCAT-AP.de RDF (docs/hvd.md).

- a DataStore table is a ``dcat:DataService`` (its ``datastore_search``
  endpoint, the OpenAPI document, CKAN's DataStore API as its standard) that
  the distribution links with ``dcat:accessService``;
- a steward's access service carries its standard (``conforms_to``) and
  serves the dataset;
- a high-value dataset names the HVD regulation on the dataset, each
  distribution and each data service, and passes the DCAT-AP HVD shapes
  besides GovData's DCAT-AP.de 3.0 and the EU DCAT-AP 3.0.1 shapes;
- a file in the portal's file store is a ``dcat:downloadURL``;
- the dataset page and the catalogue, fast path and ckanext-dcat's own
  serialiser, say the same.

The DataStore table is real (``datastore_create``): xloader resets a
``datastore_active`` flag that has no table behind it.
"""
import io
import os

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH, SKOS
from werkzeug.datastructures import FileStorage

import ckan.plugins.toolkit as tk
from ckan.tests import helpers
from ckanext.dcat.processors import RDFParser
from ckanext.dcat.utils import dataset_uri, resource_uri

from ckanext.smartcity.dataservice import urls
from ckanext.smartcity.rdf import builder as fast_rdf
from ckanext.smartcity.rdf.profile import DCATAP, ELI, HVD_LEGISLATION, datastore_api_standard
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)
from tests.shacl import SHAPES, memberships, violations

pytestmark = pytest.mark.usefixtures("clean_db")

# the DCAT-AP HVD 3.0.0 shapes (SEMIC), next to the other shape files
HVD_SHAPES = os.path.join(SHAPES, "hvd-SHACL.ttl")
SENSORTHINGS = "http://www.opengis.net/spec/iot_sensing/1.1"  # api-standard vocabulary
PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
ROWS = b"Standort,Ladepunkte\nNeutor,4\nAltmarkt,2\n"


def hvd_violations(data: Graph) -> list[str]:
    """Every sh:Violation of the DCAT-AP HVD shapes, as tests/shacl.py
    reports those of the other shape sets."""
    if not os.path.exists(HVD_SHAPES):
        pytest.fail(f"{HVD_SHAPES} is missing (copy of the DCAT-AP HVD 3.0.0 shapes)")
    merged = Graph()
    for triple in (*data, *memberships()):
        merged.add(triple)
    _conforms, report, _text = validate(merged, shacl_graph=Graph().parse(HVD_SHAPES),
                                        inference="none", advanced=True, allow_warnings=True)
    return sorted(f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: "
                  f"{report.value(r, SH.resultMessage)}"
                  for r in report.subjects(RDF.type, SH.ValidationResult)
                  if report.value(r, SH.resultSeverity) == SH.Violation)


def table(steward, package):
    """An uploaded CSV whose rows are in the DataStore."""
    resource = helpers.call_action(
        "resource_create", context=dict(steward["context"]), package_id=package["id"],
        name="Ladepunkte (Tabelle)", url="ladepunkte.csv", format="CSV",
        upload=FileStorage(stream=io.BytesIO(ROWS), filename="ladepunkte.csv"))
    helpers.call_action(
        "datastore_create", context=dict(steward["context"]), resource_id=resource["id"],
        force=True,
        fields=[{"id": "Standort", "type": "text"}, {"id": "Ladepunkte", "type": "int"}],
        records=[{"Standort": "Neutor", "Ladepunkte": 4},
                 {"Standort": "Altmarkt", "Ladepunkte": 2}])
    return helpers.call_action("resource_show", id=resource["id"])


@pytest.fixture
def hvd(steward, org):
    """A high-value dataset (mobility) whose steward named the category but
    not the regulation, with a linked file and an uploaded DataStore table."""
    package = helpers.call_action("package_create", context=dict(steward["context"]),
                                  **full_dataset(org, applicable_legislation=[]))
    resource = table(steward, package)
    fast_rdf._local.__dict__.clear()
    yield helpers.call_action("package_show", id=package["id"]), resource
    fast_rdf._local.__dict__.clear()


@pytest.fixture
def fetch(app, monkeypatch):
    def get(path, fast=True):
        monkeypatch.setitem(tk.config, "ckanext.smartcity.rdf.fast_path", fast)
        fmt = PARSERS[path.rsplit(".", 1)[-1]]
        return Graph().parse(data=app.get(path).body, format=fmt)
    return get


def assert_same(one: Graph, other: Graph):
    if not isomorphic(one, other):
        _both, only_one, only_other = graph_diff(to_isomorphic(one), to_isomorphic(other))
        pytest.fail(f"only first: {sorted(only_one)[:5]}\nonly second: {sorted(only_other)[:5]}")


def test_a_datastore_table_is_a_data_service_and_the_hvd_dataset_conforms(hvd, fetch):
    package, resource = hvd
    dataset = URIRef(dataset_uri(package))
    distribution = URIRef(resource_uri(resource))
    service = URIRef(urls.service_iri(resource["id"]))
    for suffix in PARSERS:
        graph = fetch(f"/dataset/{package['name']}.{suffix}")
        assert_same(graph, fetch(f"/dataset/{package['name']}.{suffix}", fast=False))
        assert (distribution, DCAT.accessService, service) in graph, suffix
        assert (service, RDF.type, DCAT.DataService) in graph
        assert (service, DCAT.endpointURL, URIRef(urls.endpoint_url(resource["id"]))) in graph
        assert (service, DCAT.endpointDescription,
                URIRef(urls.description_url(resource["id"]))) in graph
        assert (service, DCAT.servesDataset, dataset) in graph
        standard = datastore_api_standard()
        assert str(standard) == "https://docs.ckan.org/en/2.12/maintaining/datastore.html"
        assert (service, DCTERMS.conformsTo, standard) in graph
        assert (standard, RDF.type, DCTERMS.Standard) in graph
        assert (service, DCTERMS.title,
                Literal("Schnittstelle (API): Ladepunkte (Tabelle)", lang="de")) in graph
        assert graph.value(service, DCAT.contactPoint) is not None
        assert graph.value(service, FOAF.page) is not None
        # the file in the portal's file store is a download
        assert (distribution, DCAT.downloadURL, URIRef(urls.download_url(resource))) in graph
        # HVD: the regulation everywhere, the category on the services
        distributions = set(graph.objects(dataset, DCAT.distribution))
        services = set(graph.subjects(RDF.type, DCAT.DataService))
        assert len(distributions) == 2 and len(services) == 2  # the steward's API and the table
        for subject in {dataset} | distributions | services:
            assert (subject, DCATAP.applicableLegislation, HVD_LEGISLATION) in graph, subject
        category = URIRef(package["hvd_category"][0])
        for subject in {dataset} | services:
            assert (subject, DCATAP.hvdCategory, category) in graph, subject
        assert (category, RDF.type, SKOS.Concept) in graph
        assert (HVD_LEGISLATION, RDF.type, ELI.LegalResource) in graph
        problems = {name: found for name, found in (
            ("dcat-ap-de-3.0", violations(graph, "dcat-ap-de-3.0")),
            ("eu-dcat-ap-3.0.1", violations(graph, "eu-dcat-ap-3.0.1")),
            ("hvd", hvd_violations(graph))) if found}
        assert problems == {}, suffix


def test_the_catalogue_describes_the_service_as_the_dataset_page_does(hvd, fetch):
    package, resource = hvd
    service = URIRef(urls.service_iri(resource["id"]))
    page = fetch(f"/dataset/{package['name']}.ttl")
    named = {(p, o) for p, o in page.predicate_objects(service) if isinstance(o, (URIRef, Literal))}
    for fast in (True, False):
        catalogue = fetch("/catalog.ttl", fast=fast)
        assert {(p, o) for p, o in catalogue.predicate_objects(service)
                if isinstance(o, (URIRef, Literal))} == named, fast
    assert violations(catalogue, "eu-dcat-ap-3.0.1") == []


def test_a_stewards_access_service_names_its_standard(steward, org, fetch):
    """An external API (here OGC SensorThings) with the ``conforms_to`` the
    form offers, in a dataset that is no high-value dataset: its standard
    and the dataset it serves go out, the HVD regulation does not, and a
    harvester running this profile reads the standard back."""
    data = full_dataset(org, hvd_category=[], applicable_legislation=[])
    data["resources"][0]["access_services"][0]["conforms_to"] = "ogc-sensorthings"
    package = helpers.call_action("package_create", context=dict(steward["context"]), **data)
    assert package["resources"][0]["access_services"][0]["conforms_to"] == SENSORTHINGS
    graph = fetch(f"/dataset/{package['name']}.ttl")
    assert_same(graph, fetch(f"/dataset/{package['name']}.ttl", fast=False))
    [service] = graph.objects(URIRef(resource_uri(package["resources"][0])), DCAT.accessService)
    assert (service, DCTERMS.conformsTo, URIRef(SENSORTHINGS)) in graph
    assert (URIRef(SENSORTHINGS), RDF.type, DCTERMS.Standard) in graph
    assert (URIRef(SENSORTHINGS), DCTERMS.title, Literal("OGC SensorThings API", lang="en")) \
        in graph
    assert (service, DCAT.servesDataset, URIRef(dataset_uri(package))) in graph
    assert (None, DCATAP.applicableLegislation, HVD_LEGISLATION) not in graph
    assert (None, DCATAP.hvdCategory, None) not in graph
    assert violations(graph, "dcat-ap-de-3.0") == []
    assert violations(graph, "eu-dcat-ap-3.0.1") == []
    parser = RDFParser(profiles=["dcat_ap_de"])
    parser.parse(graph.serialize(format="turtle"), _format="turtle")
    [parsed] = list(parser.datasets())
    assert parsed["resources"][0]["access_services"] == [{
        "title": "Lade-API", "endpoint_url": "https://api.example.org/lade",
        "endpoint_description": "https://api.example.org/lade/openapi.json",
        "conforms_to": SENSORTHINGS}]


def test_uploaded_file_is_a_download_and_a_plain_dataset_names_no_hvd_regulation(
        steward, org, fetch):
    package = helpers.call_action("package_create", context=dict(steward["context"]),
                                  **full_dataset(org, hvd_category=[], applicable_legislation=[]))
    uploaded = helpers.call_action(
        "resource_create", context=dict(steward["context"]), package_id=package["id"],
        name="Ladepunkte", url="ladepunkte.csv", format="CSV",
        upload=FileStorage(stream=io.BytesIO(ROWS), filename="ladepunkte.csv"))
    graph = fetch(f"/dataset/{package['name']}.rdf")
    distribution = URIRef(resource_uri(uploaded))
    assert uploaded["url_type"] == "upload"
    assert (distribution, DCAT.downloadURL, URIRef(uploaded["url"])) in graph
    # not in the DataStore: no service of the portal's own
    assert not any(str(s).startswith(urls.service_iri(""))
                   for s in graph.subjects(RDF.type, DCAT.DataService))
    assert (None, DCATAP.applicableLegislation, HVD_LEGISLATION) not in graph
    assert violations(graph, "dcat-ap-de-3.0") == []
    assert violations(graph, "eu-dcat-ap-3.0.1") == []


def test_a_steward_s_own_description_of_the_table_is_the_one_service(hvd, steward, fetch):
    """The demo town describes its tables' APIs itself (access_services
    pointing at the table's own endpoint): the table is then described once,
    and that description carries the service IRI /schnittstelle/<id> names,
    on both paths."""
    package, resource = hvd
    helpers.call_action(
        "resource_patch", context=dict(steward["context"]), id=resource["id"],
        access_services=[{"title": "Ladepunkte – DataStore-API",
                          "endpoint_url": urls.endpoint_url(resource["id"]),
                          "endpoint_description": urls.description_url(resource["id"])}])
    fast_rdf._local.__dict__.clear()
    distribution = URIRef(resource_uri(resource))
    service = URIRef(urls.service_iri(resource["id"]))
    for fast in (True, False):
        graph = fetch(f"/dataset/{package['name']}.ttl", fast=fast)
        assert list(graph.objects(distribution, DCAT.accessService)) == [service], fast
        assert (service, DCTERMS.title, None) in graph
        assert len(list(graph.objects(service, DCAT.endpointURL))) == 1
        assert hvd_violations(graph) == [] and violations(graph, "dcat-ap-de-3.0") == []
