"""Stewards describe external APIs on a distribution (``access_services``)
with the standard they follow (``conforms_to``) from the vocabulary
``api-standard``: a listed standard is stored as its IRI (also when written
as its code or short name), an unknown one is refused with a German field
error; the distribution page shows its label, the RDF carries it as
``dct:conformsTo`` of the ``dcat:DataService`` and the sheet keeps it."""
import io

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from ckan.tests import helpers

from ckanext.smartcity.dataservice import urls
from ckanext.smartcity.schema import vocab
from ckanext.smartcity.sheet import export, importer
from tests.dataservice.conftest import dataset

pytestmark = pytest.mark.usefixtures("clean_db")

STA = "http://www.opengis.net/spec/iot_sensing/1.1"
WMS = "http://www.opengis.net/def/serviceType/ogc/wms"


def service(standard):
    return {"url": "https://sensoren.example.org/luft.csv", "name": "Luftqualität", "format": "CSV",
            "access_services": [{"title": "Sensor-API",
                                 "endpoint_url": "https://sensoren.example.org/v1.1",
                                 "conforms_to": standard}]}


def test_the_vocabulary_has_stable_iris_and_both_languages():
    concepts = {c["code"]: c for c in vocab.concepts("api-standard")}
    assert {"ogc-sensorthings", "ogc-wms", "ogc-wfs", "ogc-api-features", "ngsi-ld",
            "gtfs-realtime", "gtfs", "datex-ii", "openapi-3.0", "soap", "sparql",
            "ckan-datastore"} <= set(concepts)
    assert concepts["ogc-sensorthings"]["uri"] == STA
    # what the portal's own DataStore services conform to (dataservice/urls.py)
    assert urls.datastore_standard() == concepts["ckan-datastore"]["uri"]
    for concept in concepts.values():
        assert concept["uri"].startswith(("http://", "https://"))
        assert concept["labels"]["de"] and concept["labels"]["en"] and concept["source"]
    # the DCAT-AP.de 3.0 example writes the WFS with a trailing slash
    assert vocab.canonical("api-standard", "http://www.opengis.net/def/serviceType/ogc/wfs/") \
        == "http://www.opengis.net/def/serviceType/ogc/wfs"


@pytest.mark.parametrize("written", [STA, "ogc-sensorthings", "SensorThings"])
def test_a_listed_standard_is_stored_as_its_iri(steward, org, written):
    package = dataset(steward, org, resources=[service(written)])
    stored = helpers.call_action("package_show", id=package["id"])["resources"][0]
    assert stored["access_services"][0]["conforms_to"] == STA


def test_an_unknown_standard_is_refused_with_a_german_field_error(app, steward, org):
    data = {"name": "luft", "title": "Luftqualität", "owner_org": org["id"],
            "notes": "Messwerte.", "license_id": "dl-de-by-2.0",
            "resources": [service("https://example.org/mein-standard")]}
    for prefix, expected in (("", "steht nicht in der Liste"), ("/en", "is not in the list")):
        error = app.post(f"{prefix}/api/3/action/package_create", json=data, status=409,
                         headers={"Authorization": steward["token"]}).json["error"]
        errors = error["resources"][0]["access_services"][0]
        assert list(errors) == ["conforms_to"]
        assert expected in errors["conforms_to"][0]
        assert "OGC SensorThings API" in errors["conforms_to"][0]  # the valid examples


def test_the_distribution_page_shows_the_standards_label(app, steward, org):
    package = dataset(steward, org, resources=[service(WMS)])
    res = helpers.call_action("package_show", id=package["id"])["resources"][0]
    page = app.get(f"/dataset/{package['name']}/resource/{res['id']}").body
    assert "OGC Web Map Service (WMS)" in page
    assert f'href="{WMS}"' in page


def test_the_rdf_carries_the_standard_as_dct_conforms_to_of_the_data_service(
        app, steward, org):
    package = dataset(steward, org, resources=[service("ogc-sensorthings")])
    graph = Graph().parse(data=app.get(f"/dataset/{package['name']}.ttl").body,
                          format="turtle")
    services = list(graph.objects(None, DCAT.accessService))
    assert len(services) == 1
    assert (services[0], DCTERMS.conformsTo, URIRef(STA)) in graph


def test_the_sheet_round_trip_keeps_the_standard(app, steward, org):
    package = dataset(steward, org, resources=[service(STA)])
    context = {"user": steward["user"]["name"]}
    with importer.language(app.flask_app, "de"):
        datasets = export.organisation_datasets(dict(context), None)
        out = io.BytesIO()
        export.write_sheet(datasets, out)
        sheet = importer.read_sheet(io.BytesIO(out.getvalue()), "sheet.xlsx")
        report = importer.plan(dict(context), sheet, None)
    assert report.counts == {"create": 0, "update": 0, "refused": 0, "unchanged": 2}
    stored = helpers.call_action("package_show", id=package["id"])["resources"][0]
    assert stored["access_services"][0]["conforms_to"] == STA


def test_the_resource_form_offers_the_standards_by_label(app, steward, org):
    package = dataset(steward, org)
    form = app.get(f"/dataset/{package['name']}/resource/new",
                   headers={"Authorization": steward["token"]}).body
    assert f'value="{STA}"' in form
    assert "OGC SensorThings API" in form
