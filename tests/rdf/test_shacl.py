"""The portal's RDF passes GovData's DCAT-AP.de 3.0 shapes and the EU
DCAT-AP 3.0.1 shapes with zero violations: every demo dataset, a dataset
using every field of the schema, and the catalogue, in Turtle, RDF/XML and
JSON-LD."""
import pytest
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from ckan.tests import helpers

from ckanext.smartcity.demo import town as demo
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


# The whole demo town takes a while to load: one test per output, every
# shape set and format inside it.
SHAPE_SETS = ["dcat-ap-de-3.0", "eu-dcat-ap-3.0.1"]


def test_every_dataset_conforms(app, portal):
    """Each dataset's own RDF (/dataset/<name>.ttl, served from the
    per-dataset cache the catalogue shares), validated in one batch per shape
    set: every violation names its focus node, so a problem is still tied to
    its dataset, and one pyshacl run replaces one per dataset."""
    batch = Graph()
    for name in portal:
        data = graph(app, f"/dataset/{name}.ttl", "turtle")
        assert (None, RDF.type, DCAT.Dataset) in data, name
        batch += data
    assert len(set(batch.subjects(RDF.type, DCAT.Dataset))) == len(portal)
    problems = {shape_set: found for shape_set in SHAPE_SETS
                if (found := violations(batch, shape_set))}
    assert problems == {}


def test_every_high_value_dataset_passes_the_hvd_shapes(app, portal):
    """The demo's high-value datasets (an HVD category each) against the
    DCAT-AP HVD 3.0.0 shapes: zero violations, with the class checks on the
    category concepts, the regulation and the data services they describe."""
    hvd_names = [name for name in portal
                 if helpers.call_action("package_show", id=name).get("hvd_category")]
    assert len(hvd_names) >= 7
    batch = Graph()
    for name in hvd_names:
        batch += graph(app, f"/dataset/{name}.ttl", "turtle")
    assert set(batch.objects(None, DCAT.accessService)), "no data service described"
    assert violations(batch, "hvd") == []


def test_catalogue_and_the_full_dataset_conform_in_every_format(app, portal):
    problems = {}
    for suffix, fmt in FORMATS:
        data = graph(app, f"/catalog.{suffix}", fmt)
        assert len(set(data.subjects(RDF.type, DCAT.Dataset))) == len(portal), suffix
        full = graph(app, f"/dataset/ladesaeulen.{suffix}", fmt)
        for shape_set in SHAPE_SETS:
            for what, found in (("catalog", violations(data, shape_set)),
                                ("ladesaeulen", violations(full, shape_set))):
                if found:
                    problems[(what, suffix, shape_set)] = found
    assert problems == {}
