"""The data service pages: ``/schnittstelle/<id>`` dereferences to a short
German page, ``/schnittstelle/<id>/openapi.json`` is a valid OpenAPI
document of a real DataStore table whose sample request answers; whatever
the caller may not see, is not a table or is no id at all is a 404."""
import pytest
from openapi_spec_validator import validate

from ckan.tests import helpers

from ckanext.smartcity.dataservice import urls
from tests.dataservice.conftest import ROWS, dataset, resource, table

pytestmark = pytest.mark.usefixtures("clean_db")


def _path(url):
    return url.replace("http://test.ckan.net", "")


def test_a_datastore_table_has_a_valid_openapi_document_and_a_page(
        app, datastore, steward, org):
    package = dataset(steward, org)
    shown = table(steward, package)
    answer = app.get(_path(urls.description_url(shown["id"])))
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    document = answer.json
    validate(document)
    record = document["components"]["schemas"]["Record"]["properties"]
    assert record["Stellplaetze"]["type"] == "integer"
    assert record["Belegung"]["type"] == "number"
    assert record["Offen"]["type"] == "boolean"
    # the sample request of the document answers with those columns
    rows = app.get("/api/3/action/datastore_search",
                   query_string={"resource_id": shown["id"], "limit": 5}).json["result"]
    assert [r["Standort"] for r in rows["records"]] == [r["Standort"] for r in ROWS]
    assert set(rows["records"][0]) <= set(record)

    page = app.get(_path(urls.service_iri(shown["id"])))
    assert page.status_code == 200
    body = page.body
    assert urls.endpoint_url(shown["id"]) in body
    assert urls.description_url(shown["id"]).replace("http://test.ckan.net", "") in body \
        or urls.description_url(shown["id"]) in body
    for column in ("Standort", "Stellplaetze", "Belegung", "Stand", "Offen"):
        assert f"<code>{column}</code>" in body
    assert "API: Parkhausbelegung" in app.get("/en" + _path(urls.service_iri(shown["id"]))).body
    assert "Schnittstelle: Parkhausbelegung" in body  # German page (the default locale)


def test_rdf_and_openapi_clients_are_sent_on(app, datastore, steward, org):
    package = dataset(steward, org)
    shown = table(steward, package)
    path = _path(urls.service_iri(shown["id"]))
    turtle = app.get(path, headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert turtle.status_code == 303
    assert turtle.headers["Location"].endswith("/dataset/parkhaeuser.ttl")
    described = app.get(path, headers={"Accept": "application/vnd.oai.openapi+json"},
                        follow_redirects=False)
    assert described.status_code == 303
    assert described.headers["Location"] == urls.description_url(shown["id"])


def test_a_private_datasets_table_is_a_404_for_anonymous_and_not_shared(
        app, datastore, steward, org):
    package = dataset(steward, org, private=True)
    shown = table(steward, package)
    for url in (urls.service_iri(shown["id"]), urls.description_url(shown["id"])):
        assert app.get(_path(url)).status_code == 404
    # its organisation's editor sees it, without the public CORS header
    mine = app.get(_path(urls.description_url(shown["id"])),
                   headers={"Authorization": steward["token"]})
    assert mine.status_code == 200
    assert "Access-Control-Allow-Origin" not in mine.headers
    assert "no-store" in mine.headers["Cache-Control"]


def test_a_resource_not_in_the_datastore_is_a_404_that_says_why(app, steward, org):
    package = dataset(steward, org)
    plain = resource(steward, package)
    english = app.get("/en" + _path(urls.service_iri(plain["id"])))
    assert english.status_code == 404
    assert "not in the DataStore" in english.body
    page = app.get(_path(urls.service_iri(plain["id"])))
    assert page.status_code == 404
    assert "nicht im DataStore" in page.body
    answer = app.get(_path(urls.description_url(plain["id"])))
    assert answer.status_code == 404
    assert "nicht im DataStore" in answer.json["error"]


def test_deleted_resources_and_datasets_are_404(app, datastore, steward, org):
    package = dataset(steward, org)
    shown = table(steward, package)
    helpers.call_action("package_delete", context=dict(steward["context"]), id=package["id"])
    for headers in ({}, {"Authorization": steward["token"]}):
        assert app.get(_path(urls.service_iri(shown["id"])), headers=headers).status_code == 404
        assert app.get(_path(urls.description_url(shown["id"])),
                       headers=headers).status_code == 404


@pytest.mark.parametrize("resource_id", [
    "0" * 101, "x" * 5000, "unbekannt", "..", "a b", "a%00b", "%C3%A4rger", "%FF%FE",
    "1;DROP TABLE x", "'OR'1'='1", "%3Cscript%3E",
])
def test_hostile_and_unknown_ids_are_404_never_500(app, resource_id):
    for path in (f"/schnittstelle/{resource_id}", f"/schnittstelle/{resource_id}/openapi.json"):
        assert app.get(path).status_code == 404, path
