"""Drafts that may be incomplete (docs/drafts.md): a steward saves a dataset
with only a title, through the API ("state": "draft") or the form's "Save as
draft" button; given values are still validated; the draft's page lists what
publication still needs, linked to the fields; "Publish" enforces the whole
schema; and a draft never shows in public search, the catalogue, RDF,
category counts or the home page."""
import logging

import pytest
from bs4 import BeautifulSoup

import ckan.lib.plugins as lib_plugins
from ckan import model
from ckan.tests import factories, helpers

from ckanext.smartcity.schema import drafts

pytestmark = pytest.mark.usefixtures("clean_db")

LICENCE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
CATEGORY = "https://w3id.org/ckanext-smartcity/kategorien/mobilitaet"
PASSWORD = "correct-horse-battery"


def csrf_token(html):
    return BeautifulSoup(html, "html.parser").find("input", {"name": "_csrf_token"})["value"]


@pytest.fixture
def town():
    """An organisation with a steward (editor, not sysadmin) and her token."""
    steward = factories.User(name="steward", password=PASSWORD)
    factories.User(name="outsider")
    org = factories.Organization(
        name="stadt-dinslaken", title="Stadt Dinslaken",
        users=[{"name": "steward", "capacity": "editor"}])
    return {"org": org, "steward": steward,
            "token": factories.APIToken(user="steward")["token"]}


def login(app, user="steward"):
    page = app.get("/user/login")
    app.post("/user/login", data={"login": user, "password": PASSWORD,
                                  "_csrf_token": csrf_token(page.body)}, follow_redirects=True)
    return app


@pytest.fixture
def logged_in(app, town):
    """The steward's browser (the same client as ``app``: anonymous checks
    go first in a test)."""
    return login(app)


def api(app, town, action, **data):
    return app.post(f"/api/3/action/{action}", json=data,
                    headers={"Authorization": town["token"]})


def draft(town, **fields):
    """A draft saved through the action API by the steward."""
    data = {"title": "Ladesäulen 2024", "owner_org": town["org"]["id"], "state": "draft"}
    data.update(fields)
    return helpers.call_action("package_create", context={"user": "steward"}, **data)


def complete(name):
    """What the draft of draft() lacks for publication."""
    helpers.call_action("package_patch", context={"user": "steward"}, id=name,
                        notes="Öffentliche Ladesäulen.", license_id=LICENCE,
                        smartcity_category=[CATEGORY])
    helpers.call_action("resource_create", context={"user": "steward"}, package_id=name,
                        url="https://example.org/ladesaeulen.csv", format="CSV")


class TestSaveThroughTheApi:
    def test_only_a_title_as_draft(self, app, town):
        response = api(app, town, "package_create", title="Ladesäulen 2024",
                       owner_org=town["org"]["id"], state="draft")
        assert response.status_code == 200, response.json
        result = response.json["result"]
        assert result["state"] == "draft"
        assert result["name"] == "ladesaulen-2024"  # made from the title
        assert not result.get("notes") and not result.get("license_id")
        # the organisation still supplies its defaults
        assert result["publisher"][0]["name"] == "Stadt Dinslaken"

    def test_second_draft_with_the_same_title_gets_its_own_name(self, town):
        assert draft(town)["name"] == "ladesaulen-2024"
        assert draft(town)["name"] == "ladesaulen-2024-2"

    def test_without_state_draft_every_mandatory_field_is_required(self, app, town):
        response = api(app, town, "package_create", title="Ladesäulen 2024",
                       owner_org=town["org"]["id"])
        assert response.status_code == 409
        errors = response.json["error"]
        assert {"name", "notes", "license_id"} <= set(errors)
        assert model.Package.get("ladesaulen-2024") is None

    @pytest.mark.parametrize("field,value,message", [
        ("url", "ftp://example.org", "http:// or https://"),
        ("license_id", "gemeinfrei-ish", "not in the list of allowed values"),
        ("modified", "2024-02-30", "YYYY-MM-DD"),
    ])
    def test_a_given_value_is_still_validated(self, town, field, value, message):
        with pytest.raises(helpers.logic.ValidationError) as error:
            draft(town, **{field: value})
        assert message in str(error.value.error_dict[field])
        assert model.Package.get("ladesaulen-2024") is None

    def test_english_message_at_en(self, app, town):
        response = app.post("/en/api/3/action/package_create", json={
            "title": "Ladesäulen", "owner_org": town["org"]["id"], "state": "draft",
            "url": "ftp://example.org"}, headers={"Authorization": town["token"]})
        assert "starts with http:// or https://" in response.json["error"]["url"][0]

    def test_updating_a_draft_keeps_it_incomplete(self, town):
        name = draft(town)["name"]
        updated = helpers.call_action("package_patch", context={"user": "steward"}, id=name,
                                      frequency="MONTHLY")
        assert updated["state"] == "draft"
        assert updated["frequency"].endswith("/MONTHLY")

    def test_an_update_without_name_keeps_the_drafts_name(self, town):
        pkg = draft(town)
        updated = helpers.call_action("package_update", context={"user": "steward"},
                                      id=pkg["id"], title="Ladesäulen 2024",
                                      owner_org=town["org"]["id"], state="draft")
        assert updated["name"] == "ladesaulen-2024"

    def test_an_outsider_cannot_create_a_draft_in_the_organisation(self, app, town):
        response = app.post("/api/3/action/package_create", json={
            "title": "Fremd", "owner_org": town["org"]["id"], "state": "draft"},
            headers={"Authorization": factories.APIToken(user="outsider")["token"]})
        assert response.status_code == 403
        assert model.Package.get("fremd") is None

    def test_activating_through_the_api_runs_the_whole_schema(self, town):
        name = draft(town)["name"]
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("package_patch", context={"user": "steward"}, id=name,
                                state="active")
        assert {"notes", "license_id"} <= set(error.value.error_dict)
        assert model.Package.get(name).state == "draft"


def test_a_draft_state_ckan_drops_is_checked_in_full(town):
    """CKAN drops a state the caller may not set (ignore_not_package_admin)
    after the fields were checked: the dataset would be saved active, so the
    mandatory fields are checked once more on the state it ends up in."""
    public = factories.Dataset(owner_org=town["org"]["id"], name="oeffentlich",
                               notes="Beschreibung.", license_id=LICENCE)
    plugin = lib_plugins.lookup_package_plugin("dataset")
    context = {"model": model, "session": model.Session, "user": "outsider",
               "package": model.Package.get(public["id"])}
    data = {"id": public["id"], "type": "dataset", "name": "oeffentlich", "title": "Öffentlich",
            "owner_org": town["org"]["id"], "state": "draft"}
    _data, errors = lib_plugins.plugin_validate(
        plugin, context, data, plugin.update_package_schema(), "package_update")
    assert errors.get("notes") == ["Missing value"], errors
    assert errors["license_id"] == ["Missing value"]


def test_quality_report_takes_an_incomplete_draft(app, town, caplog):
    with caplog.at_level(logging.WARNING):
        name = draft(town)["name"]
        helpers.call_action("package_patch", context={"user": "steward"}, id=name,
                            url="https://example.org/ladesaeulen")
    assert "not assessed" not in caplog.text
    factories.Sysadmin(name="admin", password=PASSWORD)
    assert login(app, "admin").get("/qualitaet").status_code == 200


class TestMissingForPublication:
    def test_lists_the_missing_fields_with_labels_and_links(self, app, town):
        pkg = draft(town)
        with app.flask_app.test_request_context("/"):
            missing = drafts.missing_for_publication({"user": "steward"}, pkg)
        by_field = {m.field_name: m for m in missing}
        assert {"notes", "license_id", "resources"} <= set(by_field)
        assert "publisher" not in by_field  # from the organisation
        assert by_field["notes"].label == "Beschreibung"
        assert by_field["notes"].url == "/dataset/edit/ladesaulen-2024#field-notes"
        assert by_field["resources"].url == "/dataset/ladesaulen-2024/resource/new"
        assert all(m.message for m in missing)

    def test_outside_a_request_too(self, town):
        """The command line and background jobs (spreadsheet import) ask too."""
        missing = drafts.missing_for_publication({"user": "steward"}, draft(town))
        urls = {m.field_name: m.url for m in missing}
        assert urls["notes"] == "/dataset/edit/ladesaulen-2024#field-notes"
        assert urls["resources"] == "/dataset/ladesaulen-2024/resource/new"

    def test_a_wrong_value_is_listed_with_its_message(self, app, town):
        """A value the schema refuses since it was saved (e.g. a vocabulary
        change) is listed with the validator's message, for its row."""
        pkg = draft(town)
        pkg["publisher"] = [{"name": "", "email": "keine-adresse"}]
        with app.flask_app.test_request_context("/"):
            missing = {m.field_name: m for m in
                       drafts.missing_for_publication({"user": "steward"}, pkg)}
        assert missing["publisher-0-name"].message == "Fehlender Wert"
        assert missing["publisher-0-name"].url.endswith("#field-publisher-0-name")
        assert "E-Mail-Adresse" in missing["publisher-0-email"].message
        assert missing["publisher-0-email"].label == "Veröffentlichende Stelle 1: E-Mail"

    def test_nothing_missing_once_complete(self, app, town):
        name = draft(town)["name"]
        complete(name)
        pkg = helpers.call_action("package_show", id=name)
        with app.flask_app.test_request_context("/"):
            assert drafts.missing_for_publication({"user": "steward"}, pkg) == []


def soup(response):
    return BeautifulSoup(response.body, "html.parser")


def preselected(form, name):
    """The option the form preselects (the first one where none is marked)."""
    select = form.select_one(f"select[name={name}]")
    return (select.select_one("option[selected]") or select.select_one("option"))["value"]


def save_draft(app, prefix="", **fields):
    """The dataset form's "Save as draft" button: the stage-1 form posted to
    the button's formaction, CSRF token included."""
    form = soup(app.get(f"{prefix}/dataset/new"))
    button = form.select_one("button.smartcity-save-draft")
    data = {"_ckan_phase": "dataset_new_1", "pkg_name": "", "save": button["value"],
            "title": "Ladesäulen 2024", "name": "", "notes": "",
            "owner_org": preselected(form, "owner_org"),
            "_csrf_token": form.find("input", {"name": "_csrf_token"})["value"]}
    data.update(fields)
    return app.post(button["formaction"], data=data, follow_redirects=False)


class TestSaveThroughTheForm:
    def test_button_offered_on_stage_one_and_for_drafts_only(self, logged_in, town):
        assert soup(logged_in.get("/en/dataset/new")).select_one(
            "button.smartcity-save-draft").get_text(strip=True) == "Save as draft"
        name = draft(town)["name"]
        assert soup(logged_in.get(f"/dataset/edit/{name}")).select_one(
            "button.smartcity-save-draft") is not None
        complete(name)
        helpers.call_action("package_patch", context={"user": "steward"}, id=name,
                            state="active")
        assert soup(logged_in.get(f"/dataset/edit/{name}")).select_one(
            "button.smartcity-save-draft") is None

    def test_only_a_title(self, logged_in, town):
        response = save_draft(logged_in)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/dataset/ladesaulen-2024")
        pkg = helpers.call_action("package_show", id="ladesaulen-2024")
        assert pkg["state"] == "draft" and not pkg.get("notes")
        assert pkg["owner_org"] == town["org"]["id"]
        # the note was made in the (German) request that saved the draft
        page = logged_in.get("/dataset/ladesaulen-2024")
        assert "Als Entwurf gespeichert" in page.body

    def test_a_bad_value_shows_the_form_again_and_stores_nothing(self, logged_in, town):
        response = save_draft(logged_in, url="ftp://example.org")
        assert response.status_code == 200
        form = soup(response)
        assert "mit http:// oder https:// beginnt" in form.get_text()
        assert form.select_one("#field-url")["value"] == "ftp://example.org"
        # the form's main button still goes to CKAN's own form view
        assert form.select_one("form#dataset-edit")["action"] == "/dataset/new"
        assert model.Package.get("ladesaulen-2024") is None

    def test_english_error_at_en(self, logged_in, town):
        response = save_draft(logged_in, prefix="/en", modified="soon")
        assert "Enter a date as YYYY-MM-DD" in response.body

    def test_saving_a_draft_again_updates_it(self, logged_in, town):
        name = draft(town)["name"]
        form = soup(logged_in.get(f"/dataset/edit/{name}"))
        pkg_id = form.find("input", {"name": "pkg_name"})["value"]
        response = logged_in.post("/dataset/save-draft", data={
            "_csrf_token": form.find("input", {"name": "_csrf_token"})["value"],
            "_ckan_phase": "dataset_new_1", "pkg_name": pkg_id, "save": "smartcity-draft",
            "title": "Ladesäulen 2024", "name": name, "notes": "Schon etwas.",
            "owner_org": town["org"]["id"]}, follow_redirects=False)
        assert response.status_code == 302
        pkg = helpers.call_action("package_show", id=name)
        assert pkg["state"] == "draft" and pkg["notes"] == "Schon etwas."
        assert not pkg.get("license_id")

    def test_a_published_dataset_is_not_saved_as_a_draft(self, logged_in, town):
        name = draft(town)["name"]
        complete(name)
        helpers.call_action("package_patch", context={"user": "steward"}, id=name,
                            state="active")
        form = soup(logged_in.get("/dataset/new"))
        response = logged_in.post("/dataset/save-draft", data={
            "_csrf_token": form.find("input", {"name": "_csrf_token"})["value"],
            "pkg_name": name, "save": "smartcity-draft", "title": "Ladesäulen"})
        assert response.status_code == 409
        assert helpers.call_action("package_show", id=name)["state"] == "active"

    def test_without_csrf_token_refused(self, logged_in, town):
        response = logged_in.post("/dataset/save-draft", data={
            "title": "Ladesäulen", "owner_org": town["org"]["id"], "save": "smartcity-draft"})
        assert response.status_code in (400, 403)
        assert model.Package.get("ladesaulen") is None

    def test_anonymous_cannot_save(self, app, town):
        page = app.get("/user/login")
        response = app.post("/dataset/save-draft", data={
            "_csrf_token": csrf_token(page.body), "title": "Ladesäulen",
            "owner_org": town["org"]["id"], "save": "smartcity-draft"})
        assert response.status_code == 403
        assert model.Package.get("ladesaulen") is None


class TestDraftPage:
    def test_lists_what_is_missing_linked_to_the_fields(self, logged_in, town):
        name = draft(town)["name"]
        page = soup(logged_in.get(f"/dataset/{name}"))
        panel = page.select_one(".smartcity-draft")
        items = {li["data-field"]: li for li in panel.select(".smartcity-draft-missing li")}
        assert {"notes", "license_id", "resources"} <= set(items)
        assert items["notes"].a["href"] == f"/dataset/edit/{name}#field-notes"
        assert items["notes"].a.get_text() == "Beschreibung"
        assert "Fehlender Wert" in items["notes"].get_text()
        assert items["license_id"].a["href"] == f"/dataset/edit/{name}#field-license_id"
        assert items["resources"].a["href"] == f"/dataset/{name}/resource/new"
        # the links lead to forms that have those fields
        edit = soup(logged_in.get(f"/dataset/edit/{name}"))
        assert edit.select_one("#field-notes") is not None
        assert edit.select_one("#field-license_id") is not None
        assert panel.select_one("form.smartcity-draft-publish button") is not None

    def test_in_english(self, logged_in, town):
        name = draft(town)["name"]
        panel = soup(logged_in.get(f"/en/dataset/{name}")).select_one(".smartcity-draft")
        items = {li["data-field"]: li for li in panel.select(".smartcity-draft-missing li")}
        assert items["notes"].a.get_text() == "Description"
        assert "Missing value" in items["notes"].get_text()
        assert panel.select_one("h2").get_text(strip=True) == "Draft: not public yet"
        assert panel.select_one("form button").get_text(strip=True) == "Publish"

    def test_incomplete_draft_pages_work_for_its_editor(self, logged_in, town):
        name = draft(town, smartcity_category=[CATEGORY])["name"]
        for url in (f"/dataset/{name}", f"/dataset/edit/{name}", f"/dataset/resources/{name}",
                    f"/dataset/{name}/resource/new", f"/organization/{town['org']['name']}",
                    f"/dataset/activity/{name}", "/dataset/?q=Ladesäulen", "/dashboard/datasets",
                    "/kategorien/mobilitaet", "/"):
            assert logged_in.get(url).status_code == 200, url

    def test_others_see_no_draft(self, app, town):
        name = draft(town)["name"]
        assert app.get(f"/dataset/{name}").status_code in (403, 404)


class TestPublish:
    def publish(self, app, name, prefix=""):
        page = soup(app.get(f"{prefix}/dataset/{name}"))
        form = page.select_one("form.smartcity-draft-publish")
        return app.post(form["action"], data={
            "_csrf_token": form.find("input", {"name": "_csrf_token"})["value"]},
            follow_redirects=True)

    def test_incomplete_draft_refused_with_field_errors(self, logged_in, town):
        name = draft(town)["name"]
        helpers.call_action("resource_create", context={"user": "steward"}, package_id=name,
                            url="https://example.org/a.csv")
        before = helpers.call_action("package_show", id=name)
        response = self.publish(logged_in, name, "/en")
        assert "Not published: 2 fields are still missing or invalid" in response.body
        page = soup(response)
        items = {li["data-field"] for li in page.select(".smartcity-draft-missing li")}
        assert items == {"notes", "license_id"}
        after = helpers.call_action("package_show", id=name)
        assert after["state"] == "draft"
        assert after["metadata_modified"] == before["metadata_modified"]

    def test_without_distribution_refused(self, logged_in, town):
        name = draft(town, notes="Beschreibung.", license_id=LICENCE)["name"]
        response = self.publish(logged_in, name, "/en")
        assert "Not published: add at least one distribution first." in response.body
        assert helpers.call_action("package_show", id=name)["state"] == "draft"

    def test_complete_draft_becomes_public(self, logged_in, app, town):
        name = draft(town)["name"]
        complete(name)
        response = self.publish(logged_in, name, "/en")
        assert "Published: the dataset is now public in the catalogue." in response.body
        assert soup(response).select_one(".smartcity-draft") is None
        assert helpers.call_action("package_show", id=name)["state"] == "active"
        found = app.get("/api/3/action/package_search", query_string={"q": "Ladesäulen"})
        assert [d["name"] for d in found.json["result"]["results"]] == [name]

    def test_others_cannot_publish(self, app, town):
        name = draft(town)["name"]
        complete(name)
        factories.User(name="neighbour", password=PASSWORD)
        login(app, "neighbour")
        response = app.post(f"/dataset/publish/{name}",
                            data={"_csrf_token": csrf_token(app.get("/dataset/").body)})
        assert response.status_code == 403
        assert helpers.call_action("package_show", id=name)["state"] == "draft"


class TestDraftsStayInvisible:
    """A draft (even a complete one) is in no public list, count or export."""

    @pytest.fixture
    def portal(self, town):
        factories.Dataset(owner_org=town["org"]["id"], name="oeffentlich",
                          title="Öffentliche Parkplätze", smartcity_category=[CATEGORY])
        name = draft(town, title="Geheimer Entwurf", notes="Noch nicht fertig.",
                     license_id=LICENCE, smartcity_category=[CATEGORY],
                     resources=[{"url": "https://example.org/geheim.csv"}])["name"]
        return name

    def test_not_in_anonymous_search(self, app, portal):
        for params in ({"q": "Geheimer"}, {"q": "Geheimer", "include_drafts": "true"},
                       {"rows": 100}):
            found = app.get("/api/3/action/package_search", query_string=params)
            assert portal not in [d["name"] for d in found.json["result"]["results"]]
        assert "Geheimer Entwurf" not in app.get("/dataset/").body
        assert "Geheimer Entwurf" not in app.get("/dataset/?q=Geheimer").body

    def test_not_in_its_editors_search_page_either(self, logged_in, portal):
        assert "Geheimer Entwurf" not in logged_in.get("/dataset/?q=Geheimer").body

    def test_not_in_the_catalogue(self, app, portal):
        for url in ("/catalog.ttl", "/catalog.ttl?page=1", "/catalog.rdf", "/catalog.jsonld",
                    "/catalog.ttl?modified_since=2000-01-01"):
            body = app.get(url).body
            assert "Geheimer Entwurf" not in body and portal not in body, url
            assert "Öffentliche Parkplätze" in body, url

    def test_no_dataset_rdf(self, app, portal):
        for fmt in ("rdf", "ttl", "jsonld"):
            assert app.get(f"/dataset/{portal}.{fmt}").status_code == 404
        # its editor neither: a draft is not DCAT-AP.de yet (docs/drafts.md)
        login(app)
        for fmt in ("rdf", "ttl"):
            assert app.get(f"/dataset/{portal}.{fmt}").status_code == 404
        assert app.get("/dataset/oeffentlich.ttl").status_code == 200

    def test_not_counted_in_categories_or_on_the_home_page(self, app, portal):
        tiles = soup(app.get("/kategorien")).select(".primary .smartcity-category-tile")
        assert tiles[0].select_one(".smartcity-category-tile-count").get_text(
            strip=True) == "1 Datensatz"
        home = soup(app.get("/"))
        assert home.select_one(".smartcity-category-tile-count").get_text(
            strip=True) == "1 Datensatz"
        assert "Datensätze: 1 " in home.select_one(".smartcity-home-stats").get_text()
        assert "Geheimer Entwurf" not in app.get("/").body
        concept = app.get("/kategorien/mobilitaet").body
        assert "Geheimer Entwurf" not in concept and "Öffentliche Parkplätze" in concept

    def test_not_in_the_organisation_page_for_the_public(self, app, town, portal):
        page = app.get(f"/organization/{town['org']['name']}").body
        assert "Geheimer Entwurf" not in page and "Öffentliche Parkplätze" in page


def test_german_texts(logged_in, town):
    """The draft's texts in German (the default language)."""
    assert soup(logged_in.get("/dataset/new")).select_one(
        "button.smartcity-save-draft").get_text(strip=True) == "Als Entwurf speichern"
    name = draft(town)["name"]
    panel = soup(logged_in.get(f"/dataset/{name}")).select_one(".smartcity-draft")
    assert panel.select_one("h2").get_text(strip=True) == "Entwurf: noch nicht öffentlich"
    assert panel.select_one("form button").get_text(strip=True) == "Veröffentlichen"
    missing = {li["data-field"]: li.get_text(" ", strip=True)
               for li in panel.select(".smartcity-draft-missing li")}
    assert missing["resources"] == "Distributionen : Mindestens eine Distribution hinzufügen."
    response = TestPublish().publish(logged_in, name)
    assert "Nicht veröffentlicht: zuerst mindestens eine Distribution hinzufügen." in response.body
