"""Values as stewards and other portals write them (issue 15): the format
field takes ``WMS``, ``wfs``, ``csv``, ``Esri Shape`` or ``text/csv`` and
stores the EU file-type code, through the same alias table the harvester
mends with (``ckanext/smartcity/harvest/aliases.json``); an unknown format
is refused on the field, in German and English, with a few valid values.

``alternate_identifier`` (adms:identifier) is a field of its own: stored as
a list, exported as ``adms:Identifier`` nodes with a ``skos:notation``,
read back by the profile into the field; a dataset that holds it as the
free extra the profile wrote before the field existed shows and updates
unchanged."""
import json
import os

import pytest
from bs4 import BeautifulSoup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ckan import model
from ckan.lib import search
from ckan.tests import helpers
from ckanext.dcat.processors import RDFParser
from ckanext.dcat.profiles import ADMS
from ckanext.dcat.utils import dataset_uri

from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.validators import MAX_SIMILAR_SEARCHES
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ALIASES = os.path.join(ROOT, "ckanext", "smartcity", "harvest", "aliases.json")
OTHER_IDS = ["https://doi.org/10.1038/sdata.2016.18",
             "urn:de:bienenland:datensatz:4711"]


def create(steward, data):
    return helpers.call_action("package_create", context=dict(steward["context"]), **data)


def post(app, steward, action, data, language=""):
    prefix = "/en" if language == "en" else ""
    return app.post(f"{prefix}/api/3/action/{action}", json=data, status=None,
                    headers={"Authorization": steward["token"]})


def field_error(response, *path) -> str:
    assert response.status_code == 409, (response.status_code, response.body[:300])
    node = response.json["error"]
    for step in path:
        node = node[step]
    return " ".join(node)


def notations(graph: Graph, subject: str) -> list[str]:
    found = []
    for node in graph.objects(URIRef(subject), ADMS.identifier):
        assert (node, RDF.type, ADMS.Identifier) in graph
        [notation] = graph.objects(node, SKOS.notation)
        assert isinstance(notation, Literal)
        found.append(str(notation))
    return sorted(found)


# ------------------------------------------------------------------- formats

def test_form_api_and_harvest_read_one_alias_table():
    """The schema reads the harvest's table (harvest/mend.py mends with it):
    every entry is accepted in any case."""
    with open(ALIASES, encoding="utf-8") as handle:
        table = {k: v for k, v in json.load(handle).items() if not k.startswith("_")}
    assert vocab.aliases() == table
    for name, entries in table.items():
        for written, code in entries.items():
            assert vocab.resolve(name, written)["code"] == code, (name, written)
            assert vocab.resolve(name, written.lower())["code"] == code, (name, written)


def test_wms_in_a_new_dataset_is_stored_as_the_eu_service_type(steward, org):
    data = full_dataset(org)
    data["resources"][0]["format"] = "WMS"
    dataset = create(steward, data)
    assert dataset["resources"][0]["format"] == "WMS_SRVC"
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert shown["resources"][0]["format"] == "WMS_SRVC"


@pytest.mark.parametrize("typed,stored", [
    ("WFS", "WFS_SRVC"), ("wms", "WMS_SRVC"), ("csv", "CSV"), ("GeoJSON", "GEOJSON"),
    ("shp", "SHP"), ("Esri Shape", "SHP"), ("Shapefile", "SHP"), ("jrss", "RSS"),
    ("text/csv", "CSV"),
    ("http://publications.europa.eu/resource/authority/file-type/XLSX", "XLSX")])
def test_resource_create_stores_the_code(steward, org, typed, stored):
    dataset = create(steward, full_dataset(org))
    resource = helpers.call_action("resource_create", context=dict(steward["context"]),
                                   package_id=dataset["id"], url="https://example.org/geo",
                                   format=typed)
    assert resource["format"] == stored


def test_an_unknown_format_is_refused_with_valid_ones_in_both_languages(app, steward, org):
    data = full_dataset(org)
    data["resources"][0]["format"] = "Excel 97"
    german = field_error(post(app, steward, "package_create", data), "resources", 0, "format")
    assert german.startswith("„Excel 97“ steht nicht in der Liste der zulässigen Werte.")
    assert "Zum Beispiel: " in german and "(XLS)" in german and "WMS (WMS_SRVC)" in german
    english = field_error(post(app, steward, "package_create", data, "en"),
                          "resources", 0, "format")
    assert english.startswith("“Excel 97” is not in the list of allowed values. For example: ")
    assert "(XLS)" in english and "WMS (WMS_SRVC)" in english
    assert model.Package.get("ladesaeulen") is None
    dataset = create(steward, full_dataset(org))
    response = post(app, steward, "resource_create", {
        "package_id": dataset["id"], "url": "https://example.org/a", "format": "WMSS"}, "en")
    assert field_error(response, "format").startswith(
        "“WMSS” is not in the list of allowed values. For example: WMS (WMS_SRVC)")
    assert len(helpers.call_action("package_show", id=dataset["id"])["resources"]) == 1


def test_similar_values_are_searched_a_bounded_number_of_times(app, steward, org):
    """About 2 ms each: a request names similar values for its first
    MAX_SIMILAR_SEARCHES unknown values, then the field's examples only."""
    data = full_dataset(org)
    data["resources"] = [dict(data["resources"][0], format="WMSS")
                         for _ in range(MAX_SIMILAR_SEARCHES + 5)]
    response = post(app, steward, "package_create", data, "en")
    first = field_error(response, "resources", 0, "format")
    assert "For example: WMS (WMS_SRVC), WMTS (WMTS_SRVC), CSV" in first
    last = field_error(response, "resources", MAX_SIMILAR_SEARCHES + 4, "format")
    assert "For example: CSV, Excel XLSX (XLSX), GeoJSON, WMS (WMS_SRVC)" in last


def test_the_resource_form_offers_wms_by_its_name(app, steward, org):
    create(steward, full_dataset(org))
    page = app.get("/dataset/ladesaeulen/resource/new",
                   headers={"Authorization": steward["token"]})
    option = BeautifulSoup(page.body, "html.parser").select_one(
        "#field-format option[value=WMS_SRVC]")
    assert option.get_text(strip=True) == "WMS"


# ---------------------------------------------------- alternate identifiers

def test_other_identifiers_round_trip_through_the_api(steward, org):
    text = f" {OTHER_IDS[0]}\n\n{OTHER_IDS[1]}\n{OTHER_IDS[0]}\n"  # as the form sends it
    dataset = create(steward, full_dataset(org, alternate_identifier=text))
    assert dataset["alternate_identifier"] == OTHER_IDS
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert shown["alternate_identifier"] == OTHER_IDS
    assert "alternate_identifier" not in {e["key"] for e in shown.get("extras", [])}
    patched = helpers.call_action("package_patch", context=dict(steward["context"]),
                                  id=dataset["id"], title="Ladesäulen 2025")
    assert patched["alternate_identifier"] == OTHER_IDS
    cleared = helpers.call_action("package_patch", context=dict(steward["context"]),
                                  id=dataset["id"], alternate_identifier=[])
    assert cleared["alternate_identifier"] == []


@pytest.mark.parametrize("value,german,english", [
    ({"not": "a list"}, "Liste von Werten", "list of values"),
    (["ok", "x" * 1001], "höchstens 1.000 Zeichen", "at most 1.000 characters"),
    (["ok", "a\x00b"], "Steuerzeichen", "control characters"),
    (["ok", 42], "Liste von Werten", "list of values"),
])
def test_bad_other_identifiers_are_refused_per_field(app, steward, org, value, german, english):
    data = full_dataset(org, alternate_identifier=value)
    assert german in field_error(post(app, steward, "package_create", data),
                                 "alternate_identifier")
    assert english in field_error(post(app, steward, "package_create", data, "en"),
                                  "alternate_identifier")
    assert model.Package.get("ladesaeulen") is None


def test_other_identifiers_go_out_as_adms_identifiers_and_come_back(app, steward, org):
    """The export names each as an adms:Identifier with its notation, our
    own URI beside them (the dataset's identifier names another record);
    the profile reads them back into the field, not into an extra."""
    dataset = create(steward, full_dataset(org, alternate_identifier=OTHER_IDS))
    own = dataset_uri(dataset)
    body = app.get(f"/dataset/{dataset['name']}.ttl").body
    graph = Graph().parse(data=body, format="turtle")
    assert notations(graph, own) == sorted([*OTHER_IDS, own])
    parser = RDFParser(profiles=["dcat_ap_de"])
    parser.parse(body, _format="turtle")
    [parsed] = list(parser.datasets())
    assert sorted(parsed["alternate_identifier"]) == sorted([*OTHER_IDS, own])
    assert "alternate_identifier" not in {e["key"] for e in parsed.get("extras", [])}


def test_a_dataset_holding_them_as_a_free_extra_shows_and_updates(app, steward, org):
    """Before the field, the profile stored adms:identifier as an extra with
    a JSON list (the same key and text the field stores): such a dataset
    shows the list, keeps it through an edit, and a client that still sends
    the extra has it read as the field."""
    dataset = create(steward, full_dataset(org))
    package = model.Package.get(dataset["id"])
    package.extras["alternate_identifier"] = json.dumps(OTHER_IDS)
    model.repo.commit_and_remove()
    search.rebuild(dataset["id"])
    shown = helpers.call_action("package_show", id=dataset["id"])
    assert shown["alternate_identifier"] == OTHER_IDS
    updated = helpers.call_action("package_update", context=dict(steward["context"]),
                                  **dict(shown, title="Ladesäulen 2025"))
    assert updated["alternate_identifier"] == OTHER_IDS
    old_client = dict(updated, extras=[{"key": "alternate_identifier",
                                        "value": json.dumps(OTHER_IDS[:1])},
                                       {"key": "quelle", "value": "Altbestand"}])
    del old_client["alternate_identifier"]
    response = post(app, steward, "package_update", old_client)
    assert response.status_code == 200, response.body[:300]
    result = response.json["result"]
    assert result["alternate_identifier"] == OTHER_IDS[:1]
    assert result["extras"] == [{"key": "quelle", "value": "Altbestand"}]
