"""Round trip: a dataset using every field of the schema, written as RDF by
the dcat_ap_de profile and parsed back by it, is stored again field for
field identical (through the same validators as the form).

Writer and parser are one profile, so a property both get wrong the same way
would survive the trip: the written document is also checked against the
spec's property table (tests/rdf/spec_checks.py), and that check itself
against the spec's own examples."""
import os

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckan.tests import helpers

from ckanext.dcat.processors import RDFParser
from ckanext.dcat.utils import dataset_uri
from tests.rdf import spec_checks
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)
from tests.schema.test_schema_files import load

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "examples")
EU_THEME = spec_checks.EU_THEME

pytestmark = pytest.mark.usefixtures("clean_db")

NOT_COMPARED = {"name", "owner_org"}  # the copy gets its own name; same organisation


@pytest.mark.parametrize("suffix, fmt", [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")])
def test_dataset_rdf_dataset_is_the_identity(app, steward, org, suffix, fmt):
    original = helpers.call_action(
        "package_create", context=dict(steward["context"]),
        **full_dataset(org, theme=["TRAN"], smartcity_category=["energieeffizienz", "klimaschutz"]))
    document = app.get(f"/dataset/ladesaeulen.{suffix}").body
    # the written side, by the spec: mandatory properties, title, the
    # distribution's licence (its own, cc-by/4.0) and the themes the
    # categories map to (ENER, ENVI) besides the hand-picked TRAN
    written = Graph().parse(data=document, format=fmt)
    assert spec_checks.mandatory_problems(
        written, ("Datensatz", "Distribution", "Verantwortliche Stelle")) == []
    assert spec_checks.value_problems(written, original) == []
    parser = RDFParser(profiles=["dcat_ap_de"])
    parser.parse(document, _format=fmt)
    [parsed] = list(parser.datasets())
    parsed.update(name="ladesaeulen-kopie", owner_org=org["id"])
    copy = helpers.call_action("package_create", context=dict(steward["context"]), **parsed)
    original = helpers.call_action("package_show", id=original["id"])
    schema = load("dataset.yaml")
    differences = {}
    for field in schema["dataset_fields"]:
        name = field["field_name"]
        if name in NOT_COMPARED:
            continue
        if name == "tag_string":
            mine, theirs = ([t["name"] for t in d["tags"]] for d in (original, copy))
            mine, theirs = sorted(mine), sorted(theirs)
        else:
            mine, theirs = original.get(name), copy.get(name)
        if name == "alternate_identifier":
            # the export adds the original's own URI as an adms:identifier
            # (DCAT-AP.de convention 26); the copy keeps it
            mine = [*(mine or []), dataset_uri(original)]
        if isinstance(mine, list) and all(isinstance(v, str) for v in mine):
            mine, theirs = sorted(mine), sorted(theirs or [])  # RDF keeps no order
        if mine != theirs:
            differences[name] = (mine, theirs)
    assert len(copy["resources"]) == len(original["resources"]) == 1
    for field in schema["resource_fields"]:
        name = field["field_name"]
        mine, theirs = original["resources"][0].get(name), copy["resources"][0].get(name)
        if isinstance(mine, list) and all(isinstance(v, str) for v in mine):
            mine, theirs = sorted(mine), sorted(theirs or [])
        if mine != theirs:
            differences["resources." + name] = (mine, theirs)
    assert differences == {}


@pytest.mark.parametrize("example", ["v3.0-quicktest.ttl", "Dataset-und-Distribution.ttl"])
def test_the_spec_check_passes_the_specs_examples_and_finds_what_is_missing(example):
    """The check the RDF comparisons lean on: the DCAT-AP.de 3.0 examples
    (GovData's quicktest, the spec's own example) pass it; a missing title,
    a literal where the spec wants a URL, a second licence are reported."""
    graph = Graph().parse(os.path.join(EXAMPLES, example), format="turtle")
    assert spec_checks.mandatory_problems(graph) == []
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    distribution = next(graph.objects(dataset, DCAT.distribution))
    graph.remove((dataset, DCTERMS.title, None))
    access = graph.value(distribution, DCAT.accessURL)
    graph.set((distribution, DCAT.accessURL, Literal(str(access))))
    graph.add((distribution, DCTERMS.license, URIRef("http://dcat-ap.de/def/licenses/other")))
    problems = " ".join(spec_checks.mandatory_problems(graph))
    assert f"Datensatz {dataset} dcterms:title: 0 values, spec [1..*]" in problems
    assert f"Distribution {distribution} dcat:accessURL" in problems and "rdfs:Resource" in problems
    assert f"Distribution {distribution} dcterms:license: 2 values, spec [1]" in problems


def test_the_value_check_finds_values_the_document_does_not_carry():
    """GovData's quicktest as a dataset dict: what it says passes; another
    title, another licence or a category whose EU theme (Radverkehr ->
    TRAN) the document lacks is reported."""
    graph = Graph().parse(os.path.join(EXAMPLES, "v3.0-quicktest.ttl"), format="turtle")
    licence = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    dataset = {"uri": "http://example.org/quicktest/dataset", "title": "Test",
               "license_id": licence, "theme": [EU_THEME + "AGRI"],
               "resources": [{"url": "http://example.org/#accessURL"}]}
    assert spec_checks.value_problems(graph, dataset) == []
    assert spec_checks.value_problems(graph, {
        **dataset, "title": "Anderer Titel",
        "resources": [{"url": "http://example.org/#accessURL",
                       "license": "http://dcat-ap.de/def/licenses/cc-by/4.0"}],
        "smartcity_category": ["https://w3id.org/ckanext-smartcity/kategorien/radverkehr"],
    }) == [
        "http://example.org/quicktest/dataset dcterms:title is not 'Anderer Titel'",
        f"http://example.org/quicktest/dataset distribution http://example.org/#accessURL: "
        f"licence ['{licence}'], expected [http://dcat-ap.de/def/licenses/cc-by/4.0]",
        f"http://example.org/quicktest/dataset dcat:theme lacks {EU_THEME}TRAN"]
