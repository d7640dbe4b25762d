"""The OpenAPI document of a DataStore table, built from a field list: it
validates with an independent validator (openapi-spec-validator), fixes the
table's id, types the records by the table's columns and carries the
dataset's title, licence and contact."""
import pytest
from openapi_spec_validator import validate

from ckanext.smartcity.dataservice import openapi
from tests.dataservice.conftest import FIELDS

RESOURCE = {"id": "5f0c2a3e-9d1b-4c7a-8e2f-1a2b3c4d5e6f", "name": "Parkhausbelegung",
            "description": "Stündlich aktualisiert.", "package_id": "p1",
            "metadata_modified": "2025-03-01T08:00:00"}
DATASET = {"id": "p1", "name": "parkhaeuser", "title": "Belegung der Parkhäuser",
           "notes": "Freie Stellplätze.",
           "license_title": "Datenlizenz Deutschland Namensnennung 2.0",
           "license_url": "http://www.govdata.de/dl-de/by-2-0",
           "contact": [{"name": "Team Mobilität", "email": "mobil@dinslaken.de"}]}


@pytest.fixture
def document(app):
    with app.flask_app.test_request_context("/"):
        yield openapi.document(RESOURCE, DATASET, [{"id": "_id", "type": "int"}, *FIELDS])


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"] == "3.0.3"


def test_the_endpoint_is_datastore_search_on_the_portal_for_this_table_only(document):
    assert document["servers"] == [{"url": "http://test.ckan.net"}]
    get = document["paths"]["/api/3/action/datastore_search"]["get"]
    params = {p["name"]: p for p in get["parameters"]}
    assert set(params) == {"resource_id", "q", "filters", "limit", "offset", "fields", "sort",
                           "distinct", "include_total"}
    assert params["resource_id"]["required"] is True
    assert params["resource_id"]["schema"]["enum"] == [RESOURCE["id"]]
    assert params["limit"]["schema"]["maximum"] == 32000
    assert "application/json" in params["filters"]["content"]


def test_records_are_typed_by_the_columns(document):
    record = document["components"]["schemas"]["Record"]["properties"]
    assert list(record) == ["_id", "Standort", "Stellplaetze", "Belegung", "Stand", "Offen"]
    assert record["Standort"]["type"] == "string"
    assert record["Standort"]["title"] == "Parkhaus"  # the data dictionary's label
    assert record["Stellplaetze"]["type"] == "integer"
    assert record["Belegung"]["type"] == "number"
    assert record["Stand"]["type"] == "string" and "format" not in record["Stand"]
    assert record["Offen"]["type"] == "boolean"
    result = document["components"]["schemas"]["SearchResponse"]["properties"]["result"]
    assert result["properties"]["records"]["items"] == {"$ref": "#/components/schemas/Record"}


def test_title_licence_and_contact_come_from_resource_and_dataset(document):
    info = document["info"]
    assert "Parkhausbelegung" in info["title"]
    assert "Belegung der Parkhäuser" in info["description"]
    assert "Stündlich aktualisiert." in info["description"]
    assert info["license"] == {"name": "Datenlizenz Deutschland Namensnennung 2.0",
                               "url": "http://www.govdata.de/dl-de/by-2-0"}
    assert info["contact"] == {"name": "Team Mobilität", "email": "mobil@dinslaken.de"}
    assert document["externalDocs"]["url"] == "http://test.ckan.net/dataset/parkhaeuser"


@pytest.mark.parametrize("datastore_type, expected", [
    ("int4", {"type": "integer", "format": "int32"}),
    ("int8", {"type": "integer", "format": "int64"}),
    ("float8", {"type": "number", "format": "double"}),
    ("numeric", {"type": "number"}),
    ("bool", {"type": "boolean"}),
    ("text", {"type": "string"}),
    ("date", {"type": "string"}),
    ("json", {}),
    ("_text", {"type": "array"}),
    ("geometry", {"type": "string"}),
])
def test_every_datastore_type_maps_to_a_json_schema_type(app, datastore_type, expected):
    with app.flask_app.test_request_context("/"):
        schema = openapi.column_schema(datastore_type)
    assert {k: v for k, v in schema.items() if k in ("type", "format")} == expected
    assert schema["nullable"] is True and schema["x-datastore-type"] == datastore_type


def test_a_table_without_columns_and_a_dataset_without_licence_still_validate(app):
    with app.flask_app.test_request_context("/"):
        document = openapi.document({"id": "r1", "name": ""}, {"id": "p1", "name": "leer"}, [])
    validate(document)
    assert "license" not in document["info"] and "contact" not in document["info"]
