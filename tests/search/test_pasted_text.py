"""A title pasted into the search box finds its dataset (issue 20: three
exact-title queries of the judged set found nothing). CKAN sends a query
with a colon as a field query; "Luftqualität: Messwerte" then asked the
field "Luftqualität" for "Messwerte". A colon after something that is no
field name is read as text; real field queries keep working."""
import pytest

from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def datasets():
    org = factories.Organization()
    wanted = factories.Dataset(owner_org=org["id"], name="luftqualitaet-messwerte",
                               title="Luftqualität: Messwerte der Innenstadt")
    factories.Dataset(owner_org=org["id"], name="kommunalwahl-2025",
                      title="Kommunalwahl 2025: Ergebnisse nach Stimmbezirken")
    factories.Dataset(owner_org=org["id"], name="baumkataster", title="Baumkataster")
    return wanted


def names(q):
    # what the dataset search page sends (CKAN adds defType only without a colon)
    result = helpers.call_action("package_search", q=q, rows=20)
    return [d["name"] for d in result["results"]]


@pytest.mark.parametrize("q, first", [
    ("Luftqualität: Messwerte der Innenstadt", "luftqualitaet-messwerte"),
    ("Luftqualität: Messwerte", "luftqualitaet-messwerte"),
    ("Kommunalwahl 2025: Ergebnisse nach Stimmbezirken", "kommunalwahl-2025"),
])
def test_a_pasted_title_finds_its_dataset_first(datasets, q, first):
    found = names(q)
    assert found and found[0] == first, found


def test_field_queries_stay_field_queries(datasets):
    assert names("name:baumkataster") == ["baumkataster"]
    assert names("title:Baumkataster") == ["baumkataster"]
    # an unknown but field-like name is still a field query (as in Solr): nothing
    assert names("colour:Messwerte") == []
    assert sorted(names("name:luftqualitaet-messwerte OR name:baumkataster")) == [
        "baumkataster", "luftqualitaet-messwerte"]
