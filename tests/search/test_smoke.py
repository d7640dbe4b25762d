import pytest
from ckan.tests import factories, helpers


@pytest.mark.usefixtures("clean_db")
def test_create_and_find():
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], title="Bäume im Stadtgebiet", notes="Baumkataster")
    result = helpers.call_action("package_search", q="Baum")
    assert result["count"] == 1


@pytest.mark.usefixtures("clean_db")
def test_index_rows_are_narrow_and_still_answer_filters():
    """The jsonb columns are stored out of line (migration f7c1d3e9a2b4:
    a search reads one row per match for rank and facets); a filter and a
    facet on a field that only the jsonb holds still work, on a dataset
    whose row is wide enough to be moved out."""
    import sqlalchemy as sa
    import ckan.model as model
    storage = dict(model.Session.execute(sa.text(
        "SELECT attname, attstorage FROM pg_attribute "
        "WHERE attrelid = 'smartcity_search_doc'::regclass AND attnum > 0")).fetchall())
    assert storage["fields"] == storage["text_fields"] == "e"
    assert storage["tsv"] == storage["facet_ids"] == "m"
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], title="Haltestellen", notes="Bus " * 2000,
                      extras=[{"key": "quelle", "value": "VRR"}])
    result = helpers.call_action("package_search", q="Haltestellen", fq='extras_quelle:"VRR"',
                                 **{"facet.field": '["extras_quelle"]'})
    assert result["count"] == 1
    assert result["search_facets"]["extras_quelle"]["items"][0]["count"] == 1
