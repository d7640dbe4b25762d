"""Cases of ../shared/design/SECURITY-CASES.md not covered where their
feature is tested (schema/, harvest/, rdf/, ...): each asserts the concrete
outcome — status, error field, headers, nothing stored."""
import json

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckan.tests import helpers

from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


def post(app, steward, action, data, status=None):
    response = app.post(f"/api/3/action/{action}", json=data,
                        headers={"Authorization": steward["token"]})
    if status:
        assert response.status_code == status, response.body[:500]
    return response


# --- O1 / F3: characters an IRI cannot hold --------------------------------

@pytest.mark.parametrize("field, value, bad", [
    ("contact", [{"name": "X", "url": 'https://x.de/kontakt">'}], "url"),
    ("contact", [{"name": "X", "email": "a{b}@example.org"}], "email"),
    ("references", ["https://x.de/{id}"], None),
    ("url", "https://x.de/a<b>", None),
    ("publisher", [{"name": "X", "uri": "https://x.de/a|b"}], "uri"),
])
def test_urls_with_characters_no_iri_may_hold_are_field_errors(app, steward, org, field,
                                                                value, bad):
    response = post(app, steward, "package_create", full_dataset(org, **{field: value}),
                    status=409)
    error = response.json["error"]
    assert field in error, error
    if bad:  # the row's subfield carries the message
        assert bad in json.dumps(error[field]), error[field]
    assert helpers.call_action("package_search")["count"] == 0
    # the catalogue stays writable
    assert app.get("/catalog.ttl").status_code == 200


# --- F12 / F13: parameters the catalogue search cannot run ------------------

@pytest.mark.parametrize("params, field", [
    ({"q": "{!xmlparser v='<a/>'}"}, "q"),
    ({"fq": "{!join from=id to=name}name:x"}, "q"),
    ({"modified_since": "99999999999999999999"}, "modified_since"),
    ({"page": "99999999999999999999"}, "page"),
    ({"page": "0"}, None),
    ({"page": "abc"}, None),
    ({"profiles": "nope"}, None),
])
def test_bad_catalogue_parameters_are_a_409_not_a_500(app, steward, org, params, field):
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    response = app.get("/catalog.ttl", query_string=params)
    assert response.status_code in (400, 409), (params, response.status_code)
    assert "Traceback" not in response.body
    if field:
        assert field in response.body


def test_a_huge_or_query_on_the_catalogue_is_refused(app):
    q = " OR ".join(f"title:w{i}" for i in range(5000))
    response = app.get("/catalog.ttl", query_string={"q": q})
    assert response.status_code in (400, 409)


# --- F14: responses to signed-in users are never publicly cacheable ---------

def test_private_rdf_and_quality_exports_are_not_publicly_cacheable(app, steward, org):
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, name="geheim", title="Geheime Daten", private=True))
    signed_in = {"Authorization": steward["token"]}
    for url in ("/dataset/geheim.ttl", "/catalog.ttl", "/qualitaet.csv", "/qualitaet.json",
                "/api/3/action/package_show?id=geheim"):
        response = app.get(url, headers=signed_in)
        assert response.status_code == 200, url
        cache = response.headers.get("Cache-Control", "")
        assert "public" not in cache and "private" in cache, (url, cache)
    # anonymous pages may be cached, and do not contain the private dataset
    anonymous = app.get("/catalog.ttl")
    assert "Geheime Daten" not in anonymous.body


# --- F11: private datasets in every catalogue variant ------------------------

@pytest.mark.parametrize("params", [
    {}, {"q": "name:geheim"}, {"q": "Geheime"}, {"fq": "capacity:private"},
    {"fq": "private:true"}, {"modified_since": "2000-01-01"}, {"page": "1"},
])
@pytest.mark.parametrize("suffix, fmt", [("ttl", "turtle"), ("rdf", "xml"),
                                         ("jsonld", "json-ld")])
def test_private_datasets_never_appear_in_any_catalogue_variant(app, steward, org, params,
                                                               suffix, fmt):
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, name="geheim", title="Geheime Daten", private=True))
    response = app.get(f"/catalog.{suffix}", query_string=params)
    assert response.status_code == 200
    graph = Graph().parse(data=response.body, format=fmt)
    titles = {str(t) for d in graph.subjects(RDF.type, DCAT.Dataset)
              for t in graph.objects(d, DCTERMS.title)}
    assert "Geheime Daten" not in titles
    assert "Geheime Daten" not in response.body
    assert app.get(f"/dataset/geheim.{suffix}").status_code in (403, 404)


def test_hydra_total_counts_only_public_datasets(app, steward, org):
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(org))
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, name="geheim", title="Geheime Daten", private=True))
    graph = Graph().parse(data=app.get("/catalog.ttl").body, format="turtle")
    totals = [int(o) for o in graph.objects(None, HYDRA.totalItems)]
    assert totals == [1]
