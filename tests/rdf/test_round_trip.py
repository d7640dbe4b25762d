"""Round trip: a dataset using every field of the schema, written as RDF by
the dcat_ap_de profile and parsed back by it, is stored again field for
field identical (through the same validators as the form)."""
import pytest
import yaml

from ckan.tests import helpers

from ckanext.dcat.processors import RDFParser
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)
from tests.schema.test_schema_files import load

pytestmark = pytest.mark.usefixtures("clean_db")

NOT_COMPARED = {"name", "owner_org"}  # the copy gets its own name; same organisation


@pytest.mark.parametrize("suffix, fmt", [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")])
def test_dataset_rdf_dataset_is_the_identity(app, steward, org, suffix, fmt):
    original = helpers.call_action(
        "package_create", context=dict(steward["context"]),
        **full_dataset(org, theme=["TRAN"], smartcity_category=["energieeffizienz", "klimaschutz"]))
    parser = RDFParser(profiles=["dcat_ap_de"])
    parser.parse(app.get(f"/dataset/ladesaeulen.{suffix}").body, _format=fmt)
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
