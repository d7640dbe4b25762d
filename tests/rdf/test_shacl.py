"""The portal's RDF passes GovData's DCAT-AP.de 3.0 shapes and the EU
DCAT-AP 3.0.1 shapes with zero violations: every demo dataset, a dataset
using every field of the schema, and the catalogue, in Turtle, RDF/XML and
JSON-LD."""
import pytest
from rdflib import Graph

from ckan.tests import helpers

from ckanext.smartcity import demo
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)
from tests.shacl import violations

pytestmark = pytest.mark.usefixtures("clean_db")

FORMATS = [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")]


@pytest.fixture
def portal(steward, org):
    demo.load(steward["user"]["name"])
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, smartcity_category=["ladeinfrastruktur"]))
    names = [d["name"] for d in demo.demo_data()["datasets"]] + ["ladesaeulen"]
    return names


def graph(app, path, fmt):
    return Graph().parse(data=app.get(path).body, format=fmt)


@pytest.mark.parametrize("shape_set", ["dcat-ap-de-3.0", "eu-dcat-ap-3.0.1"])
def test_every_dataset_conforms(app, portal, shape_set):
    problems = {}
    for name in portal:
        found = violations(graph(app, f"/dataset/{name}.ttl", "turtle"), shape_set)
        if found:
            problems[name] = found
    assert problems == {}


@pytest.mark.parametrize("suffix, fmt", FORMATS)
def test_catalogue_conforms_in_every_format(app, portal, suffix, fmt):
    data = graph(app, f"/catalog.{suffix}", fmt)
    assert len(list(data.subjects(predicate=None, object=None))) > 100
    assert violations(data, "dcat-ap-de-3.0") == []
    assert violations(data, "eu-dcat-ap-3.0.1") == []


@pytest.mark.parametrize("suffix, fmt", FORMATS[1:])
def test_full_dataset_conforms_in_rdf_xml_and_json_ld(app, portal, suffix, fmt):
    assert violations(graph(app, f"/dataset/ladesaeulen.{suffix}", fmt)) == []
