"""Control characters in title and description (docs/security.md F-cases):
refused per field with a German/English message, nothing stored changes,
and the catalogue RDF/XML stays well-formed XML."""
import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.mark.parametrize("field, value", [
    ("title", "Ladesäulen\x0b"), ("title", "\x1bLadesäulen"),
    ("notes", "Erste Zeile\x0cZweite"), ("notes", "Text\x00")])
def test_control_characters_are_refused_and_nothing_changes(steward, org, field, value):
    created = helpers.call_action("package_create", context=dict(steward["context"]),
                                  **full_dataset(org))
    before = helpers.call_action("package_show", id=created["id"])
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_create", context=dict(steward["context"]),
                            **full_dataset(org, name="neu", **{field: value}))
    assert field in error.value.error_dict
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_patch", context=dict(steward["context"]),
                            id=created["id"], **{field: value})
    assert field in error.value.error_dict
    assert helpers.call_action("package_show", id=created["id"]) == before
    assert not helpers.call_action("package_search", q="name:neu")["count"]


def test_tabs_and_newlines_stay_allowed(steward, org):
    dataset = helpers.call_action("package_create", context=dict(steward["context"]),
                                  **full_dataset(org, notes="Zeile 1\n\tZeile 2\r\n"))
    assert "\tZeile 2" in dataset["notes"]


def test_german_message_on_the_api(app, steward, org):
    answer = app.post("/api/3/action/package_create", json=full_dataset(org, title="A\x0bB"),
                      headers={"Authorization": steward["token"]}, status=409)
    assert "Steuerzeichen" in answer.json["error"]["title"][0]
