"""The steward's web form: grouped into Pflichtangaben / Empfohlen / Optional
with GovData marks, German by default and English at /en/, field errors
shown in the form with nothing stored, and a dataset filled in through the
form alone carrying every DCAT-AP.de mandatory and recommended property."""
import json

import pytest
from bs4 import BeautifulSoup

from ckan import model
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db")


def csrf_token(html):
    return BeautifulSoup(html, "html.parser").find("input", {"name": "_csrf_token"})["value"]


@pytest.fixture
def logged_in(app):
    user = factories.Sysadmin(name="steward", password="correct-horse-battery")
    page = app.get("/user/login")
    app.post("/user/login", data={"login": "steward", "password": "correct-horse-battery",
                                  "_csrf_token": csrf_token(page.body)}, follow_redirects=True)
    helpers.call_action(
        "organization_create", context={"user": user["name"]}, name="stadt-dinslaken",
        title="Stadt Dinslaken", political_geocoding_level="municipality",
        political_geocoding="05170008", contact_email="opendata@dinslaken.de",
        contributor_id="http://dcat-ap.de/def/contributors/openNRW")
    return app


def stage_one(**fields):
    data = {"_ckan_phase": "dataset_new_1", "save": "", "title": "Ladesäulen",
            "name": "ladesaeulen", "notes": "Öffentliche Ladesäulen.",
            "owner_org": "stadt-dinslaken", "license_id": "http://dcat-ap.de/def/licenses/dl-by-de/2.0"}
    data.update(fields)
    return data


class TestFormLayout:
    def test_groups_and_govdata_marks_in_german(self, logged_in):
        soup = BeautifulSoup(logged_in.get("/dataset/new").body, "html.parser")
        legends = [legend.get_text(strip=True)
                   for legend in soup.select("fieldset.smartcity-form-group > legend")]
        assert legends == ["Pflichtangaben", "Empfohlen", "Optional"]
        mandatory = soup.select_one("#smartcity-group-mandatory")
        marked = {div["data-field"] for div in mandatory.select(".smartcity-field")
                  if div.select_one(".smartcity-govdata-badge")}
        assert {"title", "notes", "publisher", "license_id"} <= marked
        assert "für GovData nötig" in mandatory.get_text()
        # optional in DCAT-AP.de, but GovData needs it: marked where it is
        optional = soup.select_one("#smartcity-group-optional")
        contributor = optional.select_one('.smartcity-field[data-field="contributor_id"]')
        assert contributor.select_one(".smartcity-govdata-badge") is not None
        label = soup.find("label", {"for": "field-political_geocoding_level"}).get_text()
        assert "Politische Verwaltungsebene" in label
        # every field explains itself or is self-evident from the label
        assert "Für eine Stadt: kommunale Ebene." in soup.get_text()
        # choices come from the vocabulary, labelled in German
        options = [o.get_text() for o in soup.select("#field-frequency option")]
        assert "monatlich" in options

    def test_english_is_switchable(self, logged_in):
        soup = BeautifulSoup(logged_in.get("/en/dataset/new").body, "html.parser")
        legends = [legend.get_text(strip=True)
                   for legend in soup.select("fieldset.smartcity-form-group > legend")]
        assert legends == ["Mandatory", "Recommended", "Optional"]
        assert "needed by GovData" in soup.get_text()
        options = [o.get_text() for o in soup.select("#field-frequency option")]
        assert "monthly" in options

    def test_region_field_searches_as_you_type(self, logged_in):
        soup = BeautifulSoup(logged_in.get("/dataset/new").body, "html.parser")
        field = soup.select_one("#field-political_geocoding")
        assert field["data-module"] == "smartcity-region-autocomplete"
        # the module's script is on the page (CKAN's webassets)
        assert any("region-autocomplete" in (tag.get("src") or "")
                   for tag in soup.select("script"))
        source = field["data-module-source"]
        assert source.startswith("/smartcity/regions/autocomplete")
        result = logged_in.get(source.replace("?q=?", "?q=Dinslaken")).json
        assert result["ResultSet"]["Result"][0]["uri"].endswith("municipalityKey/05170008")

    def test_resource_form_is_grouped_too(self, logged_in):
        token = csrf_token(logged_in.get("/dataset/new").body)
        page = logged_in.post("/dataset/new", data=dict(stage_one(), _csrf_token=token),
                              follow_redirects=True)
        soup = BeautifulSoup(page.body, "html.parser")
        legends = [legend.get_text(strip=True)
                   for legend in soup.select("fieldset.smartcity-form-group > legend")]
        assert legends == ["Pflichtangaben", "Empfohlen", "Optional"]
        assert soup.select_one("#field-format option[value=CSV]") is not None


class TestFormErrors:
    def test_errors_shown_per_field_and_nothing_stored(self, logged_in):
        token = csrf_token(logged_in.get("/dataset/new").body)
        page = logged_in.post("/dataset/new", data=dict(stage_one(
            url="ftp://example.org", modified="2024-02-30", **{
                "temporal_coverage-0-start": "2024-06-01",
                "temporal_coverage-0-end": "2024-01-01",
                "contact-0-email": "keine-adresse"}), _csrf_token=token))
        assert page.status_code == 200
        soup = BeautifulSoup(page.body, "html.parser")
        text = soup.get_text()
        assert "mit http:// oder https:// beginnt" in text
        assert "JJJJ-MM-TT" in text
        assert "Das Ende darf nicht vor dem Beginn liegen." in text
        assert "gültige E-Mail-Adresse" in text
        # the steward's input is kept in the form
        assert soup.select_one("#field-url")["value"] == "ftp://example.org"
        assert model.Package.get("ladesaeulen") is None

    def test_errors_in_english_at_en(self, logged_in):
        token = csrf_token(logged_in.get("/en/dataset/new").body)
        page = logged_in.post("/en/dataset/new", data=dict(stage_one(modified="soon"),
                                                           _csrf_token=token))
        assert "Enter a date as YYYY-MM-DD" in page.body
        assert model.Package.get("ladesaeulen") is None

    def test_resource_errors_in_the_resource_form(self, logged_in):
        token = csrf_token(logged_in.get("/dataset/new").body)
        page = logged_in.post("/dataset/new", data=dict(stage_one(), _csrf_token=token),
                              follow_redirects=True)
        page = logged_in.post("/dataset/ladesaeulen/resource/new", data={
            "_csrf_token": csrf_token(page.body), "id": "", "save": "go-metadata",
            "url": "javascript:alert(1)", "size": "-3"})
        text = BeautifulSoup(page.body, "html.parser").get_text()
        assert "mit http:// oder https:// beginnt" in text
        assert "ganze Zahl ab 0" in text
        assert helpers.call_action("package_show", id="ladesaeulen")["resources"] == []


def test_form_alone_gives_every_mandatory_and_recommended_property(logged_in):
    """DCAT-AP.de 3.0: MUST title, description, publisher; distribution MUST
    accessURL and licence. SHOULD keyword, theme, politicalGeocodingLevelURI,
    spatial, temporal, distribution, contactPoint, availability; distribution
    SHOULD title, modified, format, availability."""
    token = csrf_token(logged_in.get("/dataset/new").body)
    page = logged_in.post("/dataset/new", data=dict(stage_one(
        tag_string="Mobilität,Elektromobilität",
        theme=["http://publications.europa.eu/resource/authority/data-theme/TRAN",
               "http://publications.europa.eu/resource/authority/data-theme/ENER"],
        availability="http://publications.europa.eu/resource/authority/planned-availability/STABLE",
        modified="2025-01-15", issued="2021-03-01", **{
            "temporal_coverage-0-start": "2020-01-01",
            "temporal_coverage-0-end": "2024-12-31"}), _csrf_token=token),
        follow_redirects=True)
    page = logged_in.post("/dataset/ladesaeulen/resource/new", data={
        "_csrf_token": csrf_token(page.body), "id": "", "save": "go-metadata",
        "url": "https://example.org/ladesaeulen.csv", "name": "Ladesäulen (CSV)",
        "format": "CSV", "modified": "2025-01-15",
        "availability": "http://publications.europa.eu/resource/authority/planned-availability/AVAILABLE"},
        follow_redirects=True)
    assert page.status_code == 200
    ds = helpers.call_action("package_show", id="ladesaeulen")
    assert ds["state"] == "active"
    # mandatory
    assert ds["title"] and ds["notes"]
    assert ds["publisher"][0]["name"] == "Stadt Dinslaken"
    assert ds["contributor_id"].startswith("http://dcat-ap.de/def/contributors/")
    res = ds["resources"][0]
    assert res["url"].startswith("https://")
    assert ds["license_id"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    # recommended
    assert len(ds["tags"]) == 2
    assert len(ds["theme"]) == 2
    assert ds["political_geocoding_level"].endswith("/Level/municipality")
    assert ds["political_geocoding"][0].endswith("municipalityKey/05170008")
    assert ds["temporal_coverage"] == [{"start": "2020-01-01", "end": "2024-12-31"}]
    assert ds["contact"][0]["email"] == "opendata@dinslaken.de"
    assert ds["availability"].endswith("/STABLE")
    assert res["name"] and res["format"] == "CSV" and res["modified"] == "2025-01-15"
    assert res["availability"].endswith("/AVAILABLE")


def test_organisation_form_offers_the_defaults(logged_in):
    soup = BeautifulSoup(logged_in.get("/organization/new").body, "html.parser")
    for field in ("publisher_name", "publisher_uri", "publisher_type", "contributor_id",
                  "political_geocoding_level", "political_geocoding", "contact_email",
                  "homepage"):
        assert soup.select_one(f"#field-{field}") is not None, field
    selected = soup.select_one("#field-publisher_type option[selected]")
    assert selected["value"] == "http://purl.org/adms/publishertype/LocalAuthority"
    assert selected.get_text() == "Kommunalverwaltung"


def test_dataset_page_shows_labels_not_uris_and_hides_empty_fields(app):
    user = factories.Sysadmin()
    org = helpers.call_action("organization_create", context={"user": user["name"]},
                              name="stadt-dinslaken", title="Stadt Dinslaken",
                              political_geocoding="05170008")
    helpers.call_action(
        "package_create", context={"user": user["name"]}, name="ladesaeulen",
        title="Ladesäulen", notes="Öffentliche Ladesäulen.", owner_org=org["id"],
        license_id="dl-by-de/2.0", theme="TRAN", frequency="MONTHLY",
        resources=[{"url": "https://example.org/a.csv", "format": "csv"}])
    soup = BeautifulSoup(app.get("/dataset/ladesaeulen").body, "html.parser")
    info = soup.select_one("table").get_text(" ", strip=True)
    assert "Verkehr" in info and "monatlich" in info and "Dinslaken" in info
    assert "Stadt Dinslaken" in info  # publisher inherited from the organisation
    assert "Rechtsgrundlage" not in info  # empty, so not listed
    assert "Datenlizenz Deutschland Namensnennung 2.0" in soup.get_text()
    english = BeautifulSoup(app.get("/en/dataset/ladesaeulen").body, "html.parser")
    assert "Transport" in english.select_one("table").get_text(" ", strip=True)
    licence = english.select_one("section.license").get_text(" ", strip=True)
    assert "Data licence Germany – attribution – version 2.0" in licence


class TestEditForm:
    @pytest.fixture
    def existing(self, logged_in):
        user = model.User.get("steward")
        helpers.call_action(
            "package_create", context={"user": user.name}, name="ladesaeulen",
            title="Ladesäulen", notes="Öffentliche Ladesäulen.", owner_org="stadt-dinslaken",
            license_id="dl-by-de/2.0", frequency="MONTHLY", theme="TRAN",
            temporal_coverage=[{"start": "2020-01-01", "end": "2024-12-31"}],
            resources=[{"url": "https://example.org/a.csv", "format": "CSV", "size": 10}])
        return logged_in

    def _form(self, app, url):
        soup = BeautifulSoup(app.get(url).body, "html.parser")
        form = soup.select_one("form#dataset-edit, form.dataset-form, form#resource-edit")
        # scheming's JavaScript takes the hidden "add another" template out
        # of the form before it is submitted; do as the browser does.
        for template in form.select("[name=repeating-template]"):
            template.decompose()
        data = {}
        for field in form.select("input[name], textarea[name]"):
            if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
                continue
            if field.get("type") == "file":
                continue
            is_input = field.name == "input"
            data[field["name"]] = field.get("value", "") if is_input else field.get_text()
        for select in form.select("select[name]"):
            chosen = [o.get("value", "") for o in select.select("option[selected]")]
            if select.has_attr("multiple"):
                data[select["name"]] = chosen
            else:
                data[select["name"]] = chosen[0] if chosen else ""
        return data

    def test_edit_changes_fields_and_keeps_the_rest(self, existing):
        soup = BeautifulSoup(existing.get("/dataset/edit/ladesaeulen").body, "html.parser")
        region = soup.select_one("#field-political_geocoding")
        assert region["value"].endswith("municipalityKey/05170008")
        # the picker shows the stored region by name, not by URI
        assert json.loads(region["data-module-labels"]) == {
            region["value"]: "Dinslaken (Gemeinde, Wesel, Nordrhein-Westfalen)"}
        data = self._form(existing, "/dataset/edit/ladesaeulen")
        assert data["frequency"].endswith("/MONTHLY")
        assert data["temporal_coverage-0-start"] == "2020-01-01"
        data.update(frequency="http://publications.europa.eu/resource/authority/frequency/DAILY",
                    save="")
        page = existing.post("/dataset/edit/ladesaeulen", data=data, follow_redirects=True)
        assert page.status_code == 200
        errors = BeautifulSoup(page.body, "html.parser").select_one(".error-explanation")
        assert errors is None, errors.get_text()
        ds = helpers.call_action("package_show", id="ladesaeulen")
        assert ds["frequency"].endswith("/DAILY")
        assert ds["theme"][0].endswith("/TRAN")
        assert ds["temporal_coverage"] == [{"start": "2020-01-01", "end": "2024-12-31"}]
        assert ds["license_id"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"

    def test_list_fields_edit_as_lines_and_save_back(self, existing):
        """A stored list (conforms_to, alternate_identifier) is shown one
        value per line, and saving the form unchanged keeps it: the
        textarea showed "['a', 'b']" and saving failed."""
        urls = ["https://example.org/spec/a", "https://example.org/spec/b"]
        others = ["urn:example:ladesaeulen", "https://doi.org/10.1234/5"]
        helpers.call_action("package_patch", context={"user": "steward"}, id="ladesaeulen",
                            conforms_to=urls,
                            alternate_identifier=others)
        data = self._form(existing, "/dataset/edit/ladesaeulen")
        assert data["conforms_to"].split("\n") == urls
        assert data["alternate_identifier"].split("\n") == others
        data["save"] = ""
        page = existing.post("/dataset/edit/ladesaeulen", data=data, follow_redirects=True)
        errors = BeautifulSoup(page.body, "html.parser").select_one(".error-explanation")
        assert errors is None, errors.get_text()
        ds = helpers.call_action("package_show", id="ladesaeulen")
        assert ds["conforms_to"] == urls and ds["alternate_identifier"] == others

    def test_bad_edit_shows_error_and_changes_nothing(self, existing):
        before = helpers.call_action("package_show", id="ladesaeulen")
        data = self._form(existing, "/dataset/edit/ladesaeulen")
        data.update({"title": "Neuer Titel", "temporal_coverage-0-end": "2019-01-01", "save": ""})
        page = existing.post("/dataset/edit/ladesaeulen", data=data)
        assert "Das Ende darf nicht vor dem Beginn liegen." in page.body
        assert helpers.call_action("package_show", id="ladesaeulen") == before
        # the form keeps what the steward typed, next to the error
        soup = BeautifulSoup(page.body, "html.parser")
        assert soup.select_one("#field-temporal_coverage-0-end")["value"] == "2019-01-01"
        assert soup.select_one("#field-title")["value"] == "Neuer Titel"

    def test_empty_rows_are_not_stored_and_defaults_fill_empty_contact(self, logged_in):
        token = csrf_token(logged_in.get("/dataset/new").body)
        data = self._form(logged_in, "/dataset/new")
        data.update(stage_one(), _csrf_token=token)
        page = logged_in.post("/dataset/new", data=data, follow_redirects=True)
        errors = BeautifulSoup(page.body, "html.parser").select_one(".error-explanation")
        assert errors is None, errors.get_text()
        # every resource field as the form sends it: optional ones empty
        resource = self._form(logged_in, "/dataset/ladesaeulen/resource/new")
        resource.update(url="https://example.org/a.csv", save="go-metadata")
        page = logged_in.post("/dataset/ladesaeulen/resource/new", data=resource,
                              follow_redirects=True)
        assert page.status_code == 200
        ds = helpers.call_action("package_show", id="ladesaeulen")
        assert ds["contact"] == [{"email": "opendata@dinslaken.de"}]
        assert "originator" not in ds and "custodian" not in ds
        assert ds["publisher"][0]["type"] == "http://purl.org/adms/publishertype/LocalAuthority"
        res = ds["resources"][0]
        assert res["url"] == "https://example.org/a.csv"
        assert res.get("size") is None and "access_services" not in res

    def test_resource_edit_form(self, existing):
        res_id = helpers.call_action("package_show", id="ladesaeulen")["resources"][0]["id"]
        url = f"/dataset/ladesaeulen/resource/{res_id}/edit"
        data = self._form(existing, url)
        assert data["size"] == "10"
        data.update(size="abc", save="")
        page = existing.post(url, data=data)
        assert "ganze Zahl ab 0" in page.body
        data.update(size="2048", mimetype="text/csv")
        existing.post(url, data=data, follow_redirects=True)
        res = helpers.call_action("resource_show", id=res_id)
        assert res["size"] == 2048 and res["mimetype"] == "text/csv"
