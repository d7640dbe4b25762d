"""Free-text fields take text only (docs/security.md F6): a list, object,
number or boolean sent through the API, a text longer than the field's cap,
a lone surrogate or a bidirectional override is a field error in German and
English; nothing is stored and nothing already stored changes."""
import json

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")


def api_create(app, steward, raw_json, lang=None):
    """POST a JSON body as written (lone surrogates survive only as escapes)."""
    prefix = f"/{lang}" if lang else ""
    return app.post(f"{prefix}/api/3/action/package_create", data=raw_json,
                    headers={"Authorization": steward["token"],
                             "Content-Type": "application/json"})


@pytest.mark.parametrize("field, value", [
    ("title", ["Ladesäulen"]), ("title", {"de": "Ladesäulen"}), ("title", True),
    ("title", 1e308), ("notes", ["a", "b"]), ("notes", 42), ("provenance", {"x": 1}),
])
def test_text_fields_refuse_other_json_types(app, steward, org, field, value):
    response = api_create(app, steward, json.dumps(full_dataset(org, **{field: value})))
    assert response.status_code == 409, response.body[:300]
    assert field in response.json["error"], response.json["error"]
    assert helpers.call_action("package_search")["count"] == 0


def test_nan_is_not_a_title(app, steward, org):
    """Python's JSON reader (CKAN's) accepts the non-standard NaN as a
    number; the title's validator then refuses it like any other number:
    a field error, not a 400 for the whole body."""
    body = json.dumps(full_dataset(org, title="PLACEHOLDER")).replace('"PLACEHOLDER"', "NaN")
    response = api_create(app, steward, body)
    assert response.status_code == 409, response.body[:300]
    assert set(response.json["error"]) == {"title", "__type"}   # only the title is wrong
    assert helpers.call_action("package_search")["count"] == 0


def test_subfield_text_refuses_a_list(app, steward, org):
    contact = [{"name": ["Team"], "email": "mailto:mobil@dinslaken.de"}]
    response = api_create(app, steward, json.dumps(full_dataset(org, contact=contact)))
    assert response.status_code == 409
    assert "name" in json.dumps(response.json["error"]["contact"])


@pytest.mark.parametrize("field, limit", [("title", 1_000), ("notes", 100_000)])
def test_a_text_longer_than_the_cap_is_refused_with_the_limit(app, steward, org, field, limit):
    at_limit = api_create(app, steward, json.dumps(full_dataset(org, **{field: "ä" * limit})))
    assert at_limit.status_code == 200, at_limit.body[:300]
    too_long = api_create(app, steward, json.dumps(
        full_dataset(org, name="zu-lang", **{field: "ä" * (limit + 1)})), lang="de")
    assert too_long.status_code == 409
    message = too_long.json["error"][field][0]
    assert "zu lang" in message and f"{limit:,}".replace(",", ".") in message
    assert helpers.call_action("package_search", q="name:zu-lang")["count"] == 0


def test_a_one_megabyte_title_is_a_field_error_not_a_500(app, steward, org):
    response = api_create(app, steward, json.dumps(full_dataset(org, title="x" * 1_048_576)))
    assert response.status_code == 409
    assert "title" in response.json["error"]


def test_a_long_description_is_stored_whole_and_searchable(steward, org):
    notes = "Ladesäulen im Stadtgebiet. " * 3_000 + "Schnellladepunkt"
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, notes=notes))
    assert helpers.call_action("package_show", id="ladesaeulen")["notes"] == notes
    assert helpers.call_action("package_search", q="Schnellladepunkt")["count"] == 1


@pytest.mark.parametrize("escaped", ["\\ud800", "Lade\\udfffsäulen"])
def test_a_lone_surrogate_is_a_field_error(app, steward, org, escaped):
    body = json.dumps(full_dataset(org, title="PLACEHOLDER")).replace("PLACEHOLDER", escaped)
    response = api_create(app, steward, body, lang="en")
    assert response.status_code == 409, response.body[:300]
    assert "not valid Unicode" in response.json["error"]["title"][0]
    assert helpers.call_action("package_search")["count"] == 0


@pytest.mark.parametrize("value", ["Rechnung\u202efdp.exe", "\u202dLTR", "Titel\uffff"])
def test_bidirectional_overrides_and_noncharacters_are_refused_and_nothing_changes(
        steward, org, value):
    created = helpers.call_action("package_create", context=dict(steward["context"]),
                                  **full_dataset(org))
    before = helpers.call_action("package_show", id=created["id"])
    with pytest.raises(tk.ValidationError) as error:
        helpers.call_action("package_patch", context=dict(steward["context"]),
                            id=created["id"], title=value)
    assert "title" in error.value.error_dict
    assert helpers.call_action("package_show", id=created["id"]) == before


def test_bidi_message_in_german(app, steward, org):
    response = api_create(app, steward, json.dumps(full_dataset(org, title="a\u202eb")),
                          lang="de")
    assert "Leserichtung" in response.json["error"]["title"][0]


def test_right_to_left_text_itself_stays_allowed(steward, org):
    """Arabic or Hebrew titles with their marks, embeddings and isolates
    (U+200F, U+202B…U+202C, U+2067…U+2069, as pasted right-to-left text
    brings them) are text, not attacks."""
    title = "بيانات الشحن \u200f \u202bنص\u202c \u2067Ladesäulen\u2069"
    dataset = helpers.call_action("package_create", context=dict(steward["context"]),
                                  **full_dataset(org, title=title))
    assert dataset["title"] == title


def test_more_than_a_thousand_distributions_are_refused(app, steward, org):
    """docs/security.md H11 through the API: a field error on the distributions
    (not a 500), nothing stored; 1,000 are still accepted."""
    resources = [{"url": f"https://example.org/{i}.csv"} for i in range(1001)]
    response = api_create(app, steward, json.dumps(full_dataset(org, resources=resources)))
    assert response.status_code == 409, response.body[:300]
    assert "resources" in response.json["error"]
    assert "1000" in json.dumps(response.json["error"]["resources"])
    assert helpers.call_action("package_search")["count"] == 0
    response = api_create(app, steward, json.dumps(full_dataset(org, resources=resources[:1000])))
    assert response.status_code == 200, response.body[:300]
