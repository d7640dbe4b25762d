"""Client input the search backend refuses cleanly (issue 16, finding 4;
docs/security.md O8): a 400 naming the parameter, never a 500 and never an
outage ("Search Connection Error") for the client's mistake. Through the
action API, the dataset search page and the catalogue."""
import json

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.smartcity.search.connection import PostgresSearchConnection

pytestmark = pytest.mark.usefixtures("clean_db")

SEARCH_URL = "/api/3/action/package_search"
DASHES = "-" * 1500


@pytest.fixture
def one_dataset():
    org = factories.Organization()
    return factories.Dataset(owner_org=org["id"], title="Haltestellen Bus")


@pytest.fixture
def statements(monkeypatch):
    """SQL statements the backend ran (every one goes through _execute)."""
    run = []
    execute = PostgresSearchConnection._execute

    def counted(self, statement, params):
        run.append(statement)
        return execute(self, statement, params)
    monkeypatch.setattr(PostgresSearchConnection, "_execute", counted)
    return run


def refused(response, parameter):
    """A 400 "Search Query Error" whose message names ``parameter``."""
    assert response.status_code == 400, response.body[:300]
    error = response.json["error"]
    assert error["__type"] == "Search Query Error"
    assert parameter in error["message"]
    return error["message"]


# -- nesting: 1,500 "-" was a RecursionError in Compiler.compile ---------------

@pytest.mark.parametrize("q", [DASHES, DASHES + "a", "-" * 1500 + " a", "(" * 120 + "a"])
def test_deeply_nested_free_text_still_searches(app, one_dataset, q):
    """Free text never fails on syntax: too deep a tree is taken word by word."""
    response = app.get(SEARCH_URL, query_string={"q": q})
    assert response.status_code == 200, response.body[:300]


@pytest.mark.parametrize("params", [{"fq": DASHES + "a"}, {"q": "title:" + DASHES + "a"},
                                    {"fq": "-" * 101 + "a"}])
def test_deeply_nested_field_queries_are_a_client_error(app, one_dataset, params, statements):
    message = refused(app.get(SEARCH_URL, query_string=params), "nested too deeply")
    assert "at most 100 levels" in message
    assert statements == []


def test_nesting_within_the_limit_is_answered(app, one_dataset):
    response = app.get(SEARCH_URL, query_string={"fq": "-" * 98 + "a"})
    assert response.status_code == 200


@pytest.mark.parametrize("q", [DASHES, DASHES + "a"])
def test_deeply_nested_queries_on_the_search_page_and_the_catalogue(app, one_dataset, q):
    assert app.get("/dataset/", query_string={"q": q}).status_code == 200
    assert app.get("/catalog.ttl", query_string={"q": q}).status_code == 200
    fielded = app.get("/catalog.ttl", query_string={"q": "title:" + q + "a"})
    assert fielded.status_code == 409 and "{'q': [" in fielded.body.replace("&#39;", "'")


# -- NUL and lone surrogates: psycopg2 refused them (ValueError, a 500) ---------

@pytest.mark.parametrize("params, parameter", [
    ({"q": "Bus\x00"}, '"q"'),
    ({"q": "title:Bus\x00"}, '"q"'),
    ({"fq": "tags:a\x00b"}, '"fq"'),
    ({"facet.field": json.dumps(["tags\x00"])}, '"facet.field"'),
    ({"sort": "name\x00 asc"}, '"sort"'),
])
def test_a_nul_in_any_parameter_is_a_client_error(app, one_dataset, params, parameter,
                                                  statements):
    refused(app.get(SEARCH_URL, query_string=params), parameter)
    assert statements == []


@pytest.mark.parametrize("body, parameter", [
    ('{"q": "\\ud800"}', '"q"'),
    ('{"q": "title:\\udfff"}', '"q"'),
    ('{"fq": "tags:\\ud800"}', '"fq"'),
    ('{"facet.field": ["tags\\ud800"]}', '"facet.field"'),
])
def test_a_lone_surrogate_in_a_json_body_is_a_client_error(app, one_dataset, body, parameter):
    """CKAN's JSON parsing accepts a lone surrogate (json.loads does); it
    broke in the backend, where psycopg2 cannot encode it as UTF-8."""
    response = app.post(SEARCH_URL, data=body, headers={"Content-Type": "application/json"})
    refused(response, parameter)


def test_a_nul_on_the_search_page_and_the_catalogue(app, one_dataset):
    page = app.get("/dataset/", query_string={"q": "Bus\x00"})
    assert page.status_code == 400 and "Traceback" not in page.body
    catalogue = app.get("/catalog.ttl", query_string={"q": "Bus\x00"})
    assert catalogue.status_code == 409


def test_a_surrogate_pair_is_an_ordinary_character(app, one_dataset):
    response = app.post(SEARCH_URL, data='{"q": "Bus \\ud83d\\ude8c"}',
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 200


# -- sort: 2,000 keys were a 500 "Search Connection Error" ----------------------

def test_two_thousand_sort_keys_are_a_client_error_not_an_outage(app, one_dataset, statements):
    sort = ", ".join(["name asc"] * 2000)
    message = refused(app.get(SEARCH_URL, query_string={"sort": sort}), '"sort"')
    assert "10" in message
    assert statements == []
    page = app.get("/dataset/", query_string={"sort": sort})
    assert page.status_code == 400 and "Traceback" not in page.body


def test_ten_sort_keys_are_answered(app, one_dataset):
    sort = ", ".join(["name asc", "title_string desc", "metadata_modified desc"] * 3
                     + ["score desc"])
    response = app.get(SEARCH_URL, query_string={"sort": sort})
    assert response.status_code == 200
    assert response.json["result"]["count"] == 1


def test_a_database_limit_is_the_querys_fault_not_an_outage(app, one_dataset, monkeypatch):
    """Should a query pass the caps and still hit a PostgreSQL limit (SQLSTATE
    class 54, "program limit exceeded"), that is a 400, not 500 "Search
    Connection Error"."""
    monkeypatch.setitem(tk.config, "ckanext.smartcity.search.max_sort_keys", 2000)
    response = app.get(SEARCH_URL, query_string={"sort": ", ".join(["name asc"] * 2000)})
    assert response.status_code == 400
    assert response.json["error"]["__type"] == "Search Query Error"


# -- facet.field: 50,000 names took 5 s -----------------------------------------

def test_fifty_thousand_facet_fields_are_refused_before_any_sql(app, one_dataset, statements):
    names = [f"feld_{i}" for i in range(50_000)]
    response = app.post(SEARCH_URL, json={"facet.field": names})
    message = refused(response, '"facet.field"')
    assert "50" in message
    assert statements == []


def test_facet_fields_are_deduplicated_before_they_are_counted(app, one_dataset):
    names = ["tags", "organization"] * 1000 + [f"feld_{i}" for i in range(48)]
    response = app.post(SEARCH_URL, json={"facet.field": names})
    assert response.status_code == 200
    facets = response.json["result"]["facets"]
    assert len(facets) == 50
    assert facets["tags"] == {}  # the dataset has no tags
    assert list(facets["organization"].values()) == [1]


def test_fifty_one_distinct_facet_fields_are_refused(app, one_dataset):
    names = [f"feld_{i}" for i in range(51)]
    refused(app.post(SEARCH_URL, json={"facet.field": names}), '"facet.field"')
