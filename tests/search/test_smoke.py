import pytest
from ckan.tests import factories, helpers


@pytest.mark.usefixtures("clean_db")
def test_create_and_find():
    org = factories.Organization()
    factories.Dataset(owner_org=org["id"], title="Bäume im Stadtgebiet", notes="Baumkataster")
    result = helpers.call_action("package_search", q="Baum")
    assert result["count"] == 1
