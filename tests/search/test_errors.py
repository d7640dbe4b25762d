"""Queries the backend cannot answer get a clear 400/409, never a 500 and
never a silently wrong result."""
import pytest

from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("clean_db")

SEARCH_URL = "/api/3/action/package_search"


@pytest.fixture
def one_dataset():
    org = factories.Organization()
    return factories.Dataset(owner_org=org["id"], title="Haltestellen")


def api(app, **params):
    return app.get(SEARCH_URL, query_string=params)


@pytest.mark.parametrize("params", [
    {"q": "{!xmlparser v='<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>'}"},
    {"fq": "{!join from=id to=name}name:x"},
    {"q": "{!frange l=1}views_total"},
    {"q": "_query_:\"{!dismax}x\""},
])
def test_solr_local_parameters_are_rejected(app, one_dataset, params):
    response = api(app, **params)
    assert response.status_code in (400, 409)
    assert response.json["success"] is False


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


def test_huge_or_list_is_refused_quickly(app, one_dataset):
    fq = " OR ".join(f"tags:t{i}" for i in range(5000))
    response = api(app, fq=fq)
    assert response.status_code == 400


def test_sql_in_values_is_just_a_value(app, one_dataset):
    response = api(app, q="name:\"x' OR 1=1 --\"")
    assert response.status_code == 200
    assert response.json["result"]["count"] == 0
    response = api(app, fq="tags:x\\'); DROP TABLE package; --")
    assert response.status_code in (200, 400)
    # Nothing was executed: the catalogue is intact.
    assert api(app, q="Haltestellen").json["result"]["count"] == 1


def test_dismax_text_with_odd_characters_still_searches(app, one_dataset):
    for q in ["Haltestellen AND", "(Haltestellen", "Haltestellen \"", "a:b:c"]:
        response = api(app, q=q)
        assert response.status_code in (200, 400), q
    response = api(app, q="Haltestellen AND")
    assert response.status_code == 200
    assert response.json["result"]["count"] == 1


def test_dataset_page_with_bad_query_shows_an_error_not_a_crash(app, one_dataset):
    response = app.get("/dataset/", query_string={"q": "title:Verkehr~2"})
    assert response.status_code == 400
    assert "Traceback" not in response.body


def test_a_lost_database_connection_is_a_backend_error_not_a_bad_query(one_dataset):
    """A search PostgreSQL cannot run because its connection died is the
    backend's fault: the catalogue must answer 5xx, not 'your query is bad'."""
    import sqlalchemy as sa
    from ckan import model
    from ckan.lib.search.common import SearchError, SearchQueryError
    from ckanext.smartcity.search.connection import PostgresSearchConnection, SearchBackendError

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
    """The catalogue and the action API answer 500 (the API: "Search
    Connection Error"), not 409 "bad search", while the database is away."""
    from ckanext.smartcity.search.connection import PostgresSearchConnection, SearchBackendError

    def lost(self, statement, params):
        raise SearchBackendError("The search backend cannot be reached")
    monkeypatch.setattr(PostgresSearchConnection, "_execute", lost)
    try:
        status = app.get("/catalog.ttl").status_code
    except SearchBackendError:
        status = 500  # the test app hands the exception on instead of the error page
    assert status == 500
    response = api(app, q="Haltestellen")
    assert response.status_code == 500
    assert response.json["error"]["__type"] == "Search Connection Error"
