"""CKAN's tag actions answer from the permission-filtered search index
(docs/security.md F16): a tag used only by a private dataset is not listed,
completed, found or shown to anyone outside its organisation; members and
sysadmins see it; the result shapes of the core actions stay."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from tests.schema.test_dataset_api import org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")

SECRET = "Fusion-Geheimprojekt"


@pytest.fixture
def tagged(steward, org):
    """A public dataset and a private one of the organisation, and a public
    one of another organisation."""
    other = factories.Organization(name="stadt-voerde")
    def create(owner, name, tags, private=False):
        return helpers.call_action(
            "package_create", context=dict(steward["context"]), name=name, title=name,
            owner_org=owner["id"], notes="Text.", private=private,
            license_id="http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            tags=[{"name": tag} for tag in tags])
    create(org, "radwege", ["Radverkehr", "Verkehr"])
    create(org, "fusion", [SECRET, "Verkehr"], private=True)
    create(other, "parkhaeuser", ["Parken", "Verkehrsfluss"])
    return org


@pytest.fixture
def member(tagged):
    user = factories.User()
    helpers.call_action("organization_member_create", id=tagged["id"],
                        username=user["name"], role="member")
    return user


def as_user(name):
    return {"user": name, "ignore_auth": False}


def call(action, user="", **data):
    return helpers.call_action(action, context=as_user(user), **data)


def test_anonymous_tag_list_leaves_out_private_tags(tagged):
    assert call("tag_list") == ["Parken", "Radverkehr", "Verkehr", "Verkehrsfluss"]
    assert call("tag_list", query="geheim") == []
    assert call("tag_list", q="verkehr") == ["Radverkehr", "Verkehr", "Verkehrsfluss"]


def test_tag_list_with_all_fields_keeps_the_core_shape(tagged):
    tags = call("tag_list", all_fields=True)
    assert [t["name"] for t in tags] == ["Parken", "Radverkehr", "Verkehr", "Verkehrsfluss"]
    assert set(tags[0]) == {"id", "name", "vocabulary_id", "display_name"}
    assert tags[0]["vocabulary_id"] is None and tags[0]["display_name"] == "Parken"


def test_anonymous_autocomplete_leaves_out_private_tags(tagged, app):
    assert call("tag_autocomplete", q="geheim") == []
    assert call("tag_autocomplete", q="Fusion") == []
    # substring, case-insensitive as core; prefix matches first
    assert call("tag_autocomplete", q="verkehr") == ["Verkehr", "Verkehrsfluss", "Radverkehr"]
    assert call("tag_autocomplete", q="verkehr", limit=2) == ["Verkehr", "Verkehrsfluss"]
    # the dataset form's autocompletion (CKAN's util view)
    found = app.get("/api/2/util/tag/autocomplete?incomplete=geh").json
    assert found == {"ResultSet": {"Result": []}}
    found = app.get("/api/2/util/tag/autocomplete?incomplete=park&limit=5").json
    assert found == {"ResultSet": {"Result": [{"Name": "Parken"}]}}


def test_anonymous_tag_search_and_show_leave_out_private_tags(tagged, app):
    assert call("tag_search", query="geheim") == {"count": 0, "results": []}
    found = call("tag_search", query="verkehr", limit=1, offset=1)
    assert found["count"] == 3 and [t["name"] for t in found["results"]] == ["Verkehr"]
    assert set(found["results"][0]) == {"id", "name", "vocabulary_id"}
    with pytest.raises(tk.ObjectNotFound):
        call("tag_show", id=SECRET)
    assert call("tag_show", id="Parken")["name"] == "Parken"
    app.get(f"/api/3/action/tag_show?id={SECRET}", status=404)
    assert SECRET not in app.get("/api/3/action/tag_list").body
    assert SECRET not in app.get("/api/3/action/tag_autocomplete?q=Fusion").body


def test_members_and_sysadmins_see_the_private_tag(tagged, member, steward):
    assert SECRET in call("tag_list", member["name"])
    assert call("tag_autocomplete", member["name"], q="geheim") == [SECRET]
    assert call("tag_show", member["name"], id=SECRET)["name"] == SECRET
    assert SECRET in call("tag_list", steward["user"]["name"])
    outsider = factories.User()
    assert SECRET not in call("tag_list", outsider["name"])


@pytest.mark.parametrize("params", ["limit=abc", "limit=-1", "offset=x", "limit=1e9"])
def test_bad_limits_are_a_409_naming_the_parameter(tagged, app, params):
    response = app.get(f"/api/3/action/tag_autocomplete?q=ver&{params}", status=409)
    assert params.split("=")[0] in response.json["error"]


@pytest.mark.parametrize("limit", ["abc", "-1", "1e9"])
def test_the_forms_tag_completion_answers_400_for_a_bad_limit(tagged, app, limit):
    response = app.get(f"/api/2/util/tag/autocomplete?incomplete=ver&limit={limit}",
                       status=400)
    assert "limit" in response.body
