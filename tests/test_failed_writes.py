"""A write that fails half-way leaves nothing behind (issue 8, "Failed
writes"): the failure is injected after the dataset row and its search
index row were written, inside the same request, through the real web API
(so CKAN's own request teardown does the rollback)."""
import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib.search.common import SearchIndexError
from ckan.tests import helpers

from ckanext.smartcity.search.connection import TABLE, PostgresSearchConnection
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def failing_index(monkeypatch):
    """The index write succeeds, then the request fails (as a lost
    connection or a full disk would, after the rows were sent)."""
    original = PostgresSearchConnection.add
    calls = []

    def add(self, docs, *args, **kwargs):
        original(self, docs, *args, **kwargs)
        calls.append([d["id"] for d in docs])
        raise SearchIndexError("injected failure after the index write")
    monkeypatch.setattr(PostgresSearchConnection, "add", add)
    return calls


def api(app, steward, action, data):
    return app.post(f"/api/3/action/{action}", json=data,
                    headers={"Authorization": steward["token"]})


def index_rows(name):
    return model.Session.execute(
        sa.text(f"SELECT count(*) FROM {TABLE} WHERE fields->>'name' = :n"), {"n": name}).scalar()


def test_failed_create_leaves_no_dataset_and_no_index_entry(app, steward, org, failing_index):
    response = api(app, steward, "package_create", full_dataset(org))
    assert failing_index, "the failure was not injected"
    assert response.status_code == 500
    assert response.json["success"] is False
    assert "Traceback" not in response.body
    model.Session.remove()
    assert model.Session.execute(
        sa.text("SELECT count(*) FROM package WHERE name = 'ladesaeulen'")).scalar() == 0
    assert index_rows("ladesaeulen") == 0
    assert helpers.call_action("package_search", q="Ladesäulen")["count"] == 0


def test_failed_update_keeps_the_stored_dataset_and_its_index_entry(app, steward, org,
                                                                     monkeypatch):
    before = helpers.call_action("package_create", context=dict(steward["context"]),
                                 **full_dataset(org))
    original = PostgresSearchConnection.add

    def add(self, docs, *args, **kwargs):
        original(self, docs, *args, **kwargs)
        raise SearchIndexError("injected failure after the index write")
    monkeypatch.setattr(PostgresSearchConnection, "add", add)
    response = api(app, steward, "package_patch",
                   {"id": before["id"], "title": "Umbenannt", "notes": "Neu"})
    assert response.status_code == 500
    assert "Traceback" not in response.body
    monkeypatch.undo()
    model.Session.remove()
    after = helpers.call_action("package_show", id=before["id"])
    assert after == before
    assert helpers.call_action("package_search", q="title:Umbenannt")["count"] == 0
    [hit] = helpers.call_action("package_search", q="Ladesäulen")["results"]
    assert hit["title"] == before["title"]
