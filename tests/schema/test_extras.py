"""Free extras of datasets and organisations are capped like the other
text fields (docs/security.md F17): keys at MAX_TEXT_LENGTH, values at
MAX_LONG_TEXT_LENGTH characters, refused as a field error on ``extras`` in
German and English; an oversized extra stored before the cap stays, and a
write that leaves it unchanged still succeeds."""
import pytest

from ckan import model
from ckan.lib import search
from ckan.tests import factories, helpers

from ckanext.smartcity.schema.validators import MAX_LONG_TEXT_LENGTH, MAX_TEXT_LENGTH
from tests.schema.test_dataset_api import org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")

HUGE = "x" * (5 * 1024 * 1024)
LONGEST = "x" * MAX_LONG_TEXT_LENGTH


def dataset(org, **extra):
    return {"name": "mit-extras", "title": "Mit Extras", "owner_org": org["id"],
            "notes": "Freie Zusatzfelder.",
            "license_id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0", **extra}


def api(app, action, data, token, language=None):
    headers = {"Authorization": token}
    if language:
        headers["Accept-Language"] = language
    url = f"/{language}/api/3/action/{action}" if language == "de" else \
        f"/api/3/action/{action}"
    return app.post(url, json=data, headers=headers)


def extras_error(response) -> str:
    assert response.status_code == 409, (response.status_code, response.body[:300])
    [message] = response.json["error"]["extras"]
    return message


def test_a_huge_dataset_extra_is_refused_in_both_languages(app, steward, org):
    data = dataset(org, extras=[{"key": "anhang", "value": HUGE}])
    english = extras_error(api(app, "package_create", data, steward["token"]))
    assert "anhang" in english and f"{MAX_LONG_TEXT_LENGTH:,}" in english.replace(".", ",")
    german = extras_error(api(app, "package_create", data, steward["token"], "de"))
    assert "anhang" in german and "Zeichen" in german
    assert model.Package.get("mit-extras") is None


def test_a_huge_extras_key_is_refused(app, steward, org):
    data = dataset(org, extras=[{"key": "k" * (MAX_TEXT_LENGTH + 1), "value": "1"}])
    assert extras_error(api(app, "package_create", data, steward["token"]))
    assert model.Package.get("mit-extras") is None


def test_extras_up_to_the_limits_are_kept(app, steward, org):
    key = "k" * MAX_TEXT_LENGTH
    data = dataset(org, extras=[{"key": key, "value": LONGEST}])
    response = api(app, "package_create", data, steward["token"])
    assert response.status_code == 200, response.body[:300]
    assert model.Package.get("mit-extras").extras[key] == LONGEST


def test_updates_and_patches_are_capped_too(app, steward, org):
    created = helpers.call_action("package_create", context=dict(steward["context"]),
                                  **dataset(org, extras=[{"key": "anhang", "value": "kurz"}]))
    data = dict(created, extras=[{"key": "anhang", "value": HUGE}])
    assert extras_error(api(app, "package_update", data, steward["token"]))
    assert extras_error(api(app, "package_patch", {"id": created["id"], "extras": [
        {"key": "anhang", "value": HUGE}]}, steward["token"]))
    assert model.Package.get("mit-extras").extras["anhang"] == "kurz"


def test_an_oversized_legacy_extra_survives_other_edits(app, steward, org):
    """Stored before the cap (a migration, an old API client): kept as it is
    by writes that do not change it; a changed value must fit."""
    created = helpers.call_action("package_create", context=dict(steward["context"]),
                                  **dataset(org))
    package = model.Package.get(created["id"])
    package.extras = dict(package.extras or {}, altlast=HUGE)
    model.Session.commit()
    search.rebuild(created["id"])
    patched = api(app, "package_patch", {"id": created["id"], "title": "Neuer Titel"},
                  steward["token"])
    assert patched.status_code == 200, patched.body[:300]
    shown = helpers.call_action("package_show", id=created["id"])
    assert {e["key"]: e["value"] for e in shown["extras"]}["altlast"] == HUGE
    updated = api(app, "package_update", dict(shown, notes="Neu."), steward["token"])
    assert updated.status_code == 200, updated.body[:300]
    assert model.Package.get(created["id"]).extras["altlast"] == HUGE
    grown = dict(shown, extras=[{"key": "altlast", "value": HUGE + "y"}])
    assert extras_error(api(app, "package_update", grown, steward["token"]))


def test_organisation_extras_are_capped(app, steward):
    refused = api(app, "organization_create", {
        "name": "gross", "title": "Groß", "extras": [{"key": "anhang", "value": HUGE}]},
        steward["token"])
    assert "anhang" in extras_error(refused)
    assert model.Group.get("gross") is None
    created = factories.Organization(name="klein", extras=[{"key": "anhang", "value": "1"}])
    assert extras_error(api(app, "organization_patch", {
        "id": created["id"], "extras": [{"key": "anhang", "value": HUGE}]}, steward["token"]))
    group = model.Group.get("klein")
    group.extras = dict(group.extras or {}, altlast=HUGE)
    model.Session.commit()
    patched = api(app, "organization_patch", {"id": "klein", "title": "Klein"},
                  steward["token"])
    assert patched.status_code == 200, patched.body[:300]
    assert model.Group.get("klein").extras["altlast"] == HUGE


@pytest.mark.parametrize("value", [12, None, ["a"], {"b": 1}])
def test_non_text_extras_are_no_500(app, steward, org, value):
    data = dataset(org, extras=[{"key": "anhang", "value": value}])
    response = api(app, "package_create", data, steward["token"])
    assert response.status_code in (200, 409), response.status_code
