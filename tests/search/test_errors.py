"""Queries the backend cannot answer get a clear 400/409, never a 500 and
never a silently wrong result."""
import re

import pytest
import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.tests import factories

from ckanext.smartcity.search.connection import PostgresSearchConnection, SearchBackendError
from ckanext.smartcity.search.query import Compiler

pytestmark = pytest.mark.usefixtures("clean_db")

SEARCH_URL = "/api/3/action/package_search"


@pytest.fixture
def one_dataset():
    org = factories.Organization()
    return factories.Dataset(owner_org=org["id"], title="Haltestellen")


def api(app, **params):
    return app.get(SEARCH_URL, query_string=params)


@pytest.mark.parametrize("params, message", [
    ({"q": "{!xmlparser v='<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>'}"},
     "Local parameters are not supported in param 'q'"),
    # CKAN puts its own filter (+capacity:public) in front of fq: the {! is
    # no longer at the start
    ({"fq": "{!join from=id to=name}name:x"},
     "Local parameters must be defined at the beginning of param 'fq'"),
    ({"q": "{!frange l=1}views_total"}, "Local parameters are not supported in param 'q'"),
    ({"q": "_query_:\"{!dismax}x\""}, "Magic fields are not supported in param 'q'"),
])
def test_solr_local_parameters_are_rejected(app, one_dataset, params, message):
    """CKAN's own guard (ckan.lib.search.query) refuses these before any
    backend sees them: a SearchError, which the action API answers with 409
    "Search Error"."""
    response = api(app, **params)
    assert response.status_code == 409
    assert response.json["success"] is False
    assert response.json["error"]["__type"] == "Search Error"
    assert message in response.json["error"]["message"]


@pytest.mark.parametrize("q", ["{!xmlparser v='<a/>'}", "{!frange l=1}views_total"])
def test_local_parameters_a_site_allows_in_ckan_are_still_refused_by_the_backend(
        app, one_dataset, monkeypatch, q):
    """A site may let query parsers through CKAN's guard
    (ckan.search.solr_allowed_query_parsers); PostgreSQL has none of them,
    so the backend refuses them itself: 400, the query's fault."""
    monkeypatch.setitem(tk.config, "ckan.search.solr_allowed_query_parsers",
                        ["xmlparser", "frange"])
    response = api(app, q=q)
    assert response.status_code == 400
    assert response.json["error"]["__type"] == "Search Query Error"
    assert "Local parameters ({!...}) are not supported" in response.json["error"]["message"]


@pytest.mark.parametrize("fq, message", [
    ("tags:(Verkehr", "Invalid query syntax"),
    ("title:Verkehr~2", "Fuzzy queries"),
    ('title:"a b"~3', "Proximity queries"),
    ("name:/hal.*/", "Regular expression"),
    ("metadata_modified:[yesterday TO NOW]", "Invalid date"),
    ("metadata_modified:[NOW-1FORTNIGHT TO NOW]", "Unknown date unit"),
    ("title:*stelle", "trailing wildcards"),
])
def test_unsupported_syntax_is_a_client_error(app, one_dataset, fq, message):
    response = api(app, fq=fq)
    assert response.status_code == 400
    assert message in response.json["error"]["message"]


@pytest.mark.parametrize("sort", ["name sideways", "tags asc", "name asc; DROP TABLE package"])
def test_invalid_sort_is_a_client_error(app, one_dataset, sort):
    response = api(app, sort=sort)
    assert response.status_code == 400


@pytest.fixture
def search_work(monkeypatch):
    """What the backend did for a request: clauses compiled, SQL statements
    run (every search statement goes through PostgresSearchConnection._execute)."""
    work = {"clauses": 0, "statements": 0}
    count_clause, execute = Compiler._count_clause, PostgresSearchConnection._execute

    def counted_clause(self):
        work["clauses"] += 1
        return count_clause(self)

    def counted_execute(self, statement, params):
        work["statements"] += 1
        return execute(self, statement, params)
    monkeypatch.setattr(Compiler, "_count_clause", counted_clause)
    monkeypatch.setattr(PostgresSearchConnection, "_execute", counted_execute)
    return work


def test_a_huge_or_list_is_refused_by_its_length_before_it_is_parsed(app, one_dataset,
                                                                    search_work):
    fq = " OR ".join(f"tags:t{i}" for i in range(5000))   # 68,886 characters
    response = api(app, fq=fq)
    assert response.status_code == 400
    message = response.json["error"]["message"]
    length = int(re.search(r"Query too long \((\d+) characters, at most 10000\)", message)[1])
    assert length >= len(fq)   # CKAN adds its own filters (capacity, state, ...) to fq
    assert search_work == {"clauses": 0, "statements": 0}


def test_too_many_clauses_stop_the_compiler_at_the_limit_before_any_sql(app, one_dataset,
                                                                      search_work):
    """1,400 clauses fit in the length limit; the compiler stops at the first
    one over ckanext.smartcity.search.max_clauses (1,024) instead of
    compiling all of them, and no SQL runs."""
    fq = " OR ".join(["a:1"] * 1400)   # 9,796 characters
    response = api(app, fq=fq)
    assert response.status_code == 400
    assert "Too many clauses in query (at most 1024)" in response.json["error"]["message"]
    assert search_work == {"clauses": 1025, "statements": 0}


def test_sql_in_values_is_just_a_value(app, one_dataset):
    response = api(app, q="name:\"x' OR 1=1 --\"")
    assert response.status_code == 200
    assert response.json["result"]["count"] == 0
    # unquoted, the ")" is a syntax error of the query language
    response = api(app, fq="tags:x\\'); DROP TABLE package; --")
    assert response.status_code == 400
    assert "Invalid query syntax" in response.json["error"]["message"]
    # quoted, the same text is a tag nobody has
    response = api(app, fq="tags:\"x'); DROP TABLE package; --\"")
    assert response.status_code == 200
    assert response.json["result"]["count"] == 0
    # Nothing was executed: the catalogue is intact.
    assert api(app, q="Haltestellen").json["result"]["count"] == 1


@pytest.mark.parametrize("q", ["Haltestellen AND", "(Haltestellen", "Haltestellen \""])
def test_dismax_text_with_odd_characters_still_searches(app, one_dataset, q):
    """Free text is never a syntax error: what does not parse is taken word
    by word, so the dataset is still found."""
    response = api(app, q=q)
    assert response.status_code == 200
    assert response.json["result"]["count"] == 1


def test_text_with_colons_is_a_field_query_that_matches_nothing(app, one_dataset):
    """A colon makes CKAN send a field query instead of free text (as with
    Solr); "a:b:c" is field b = "c" (inside a). CKAN's Solr schema has a
    catch-all string field "*", so an unknown field is a valid query that
    matches nothing, not an error."""
    response = api(app, q="a:b:c")
    assert response.status_code == 200
    assert response.json["result"]["count"] == 0


def test_dataset_page_with_bad_query_shows_an_error_not_a_crash(app, one_dataset):
    response = app.get("/dataset/", query_string={"q": "title:Verkehr~2"})
    assert response.status_code == 400
    assert "Traceback" not in response.body


def test_a_lost_database_connection_is_a_backend_error_not_a_bad_query(one_dataset):
    """A search PostgreSQL cannot run because its connection died is the
    backend's fault: the catalogue must answer 5xx, not 'your query is bad'."""
    connection = PostgresSearchConnection()
    with pytest.raises(SearchQueryError):  # a value PostgreSQL cannot take
        connection._execute(sa.text("SELECT CAST(:v AS date)"), {"v": "31.02.2020x"})
    with pytest.raises(SearchBackendError) as lost:
        connection._execute(sa.text("SELECT pg_terminate_backend(pg_backend_pid())"), {})
    assert not isinstance(lost.value, SearchError)
    model.Session.remove()
    model.meta.engine.dispose()


def test_an_unreachable_backend_is_a_server_error_for_the_catalogue_and_the_api(
        app, one_dataset, monkeypatch):
    """The catalogue answers 500 with the portal's error page, the action API
    500 "Search Connection Error" (not 409 "bad search"), while the database
    is away."""
    def lost(self, statement, params):
        raise SearchBackendError("The search backend cannot be reached")
    monkeypatch.setattr(PostgresSearchConnection, "_execute", lost)
    # CKAN's test app re-raises view exceptions (Flask's testing mode); a
    # portal renders its error page instead, as here
    monkeypatch.setitem(app.flask_app.config, "PROPAGATE_EXCEPTIONS", False)
    page = app.get("/catalog.ttl")
    assert page.status_code == 500
    assert "Das Portal kann gerade nicht antworten" in page.body
    for internal in ("Traceback", "SearchBackendError", "cannot be reached"):
        assert internal not in page.body
    response = api(app, q="Haltestellen")
    assert response.status_code == 500
    assert response.json["error"]["__type"] == "Search Connection Error"
