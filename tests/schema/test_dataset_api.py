"""The DCAT-AP.de schema through the action API: every field stored in its
canonical form, every error path refused per field in German (default) and
English (/en/), and a refused write leaves the stored dataset untouched."""
import pytest

from ckan import model
from ckan.tests import factories, helpers

pytestmark = pytest.mark.usefixtures("clean_db")

DL_BY = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
DINSLAKEN = "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05170008"
MUNICIPALITY = "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def steward():
    user = factories.Sysadmin()
    return {"user": user, "context": {"user": user["name"]},
            "token": factories.APIToken(user=user["name"])["token"]}


@pytest.fixture
def org(steward):
    return helpers.call_action(
        "organization_create", context=dict(steward["context"]),
        name="stadt-dinslaken", title="Stadt Dinslaken",
        publisher_uri="https://www.dinslaken.de",
        contributor_id="http://dcat-ap.de/def/contributors/openNRW",
        political_geocoding_level="municipality", political_geocoding="05170008",
        contact_name="Open-Data-Team", contact_email="opendata@dinslaken.de",
        homepage="https://www.dinslaken.de")


def full_dataset(org, **overrides):
    """Every field of the schema, given the way an API user might write it
    (codes, aliases, German dates)."""
    data = {
        "name": "ladesaeulen", "title": "Ladesäulen", "owner_org": org["id"],
        "notes": "Öffentliche Ladesäulen im Stadtgebiet.",
        "license_id": "dl-de-by-2.0",
        "publisher": [{"name": "Stadtwerke Dinslaken", "uri": "https://www.stadtwerke-dinslaken.de",
                       "type": "Company", "email": "info@stadtwerke-dinslaken.de",
                       "url": "https://www.stadtwerke-dinslaken.de"}],
        "contributor_id": "http://dcat-ap.de/def/contributors/openNRW",
        "tag_string": "Mobilität,Ladesäule",
        "theme": ["TRAN", "ener"],
        "contact": [{"name": "Team Mobilität", "email": "mailto:mobil@dinslaken.de",
                     "url": "https://www.dinslaken.de/kontakt", "phone": "+49 2064 66-0"}],
        "political_geocoding_level": "municipality",
        "political_geocoding": "05170008,05170",
        "temporal_coverage": [{"start": "2020", "end": "31.12.2024"}],
        "availability": "STABLE",
        "modified": "2025-01-15T08:30:00Z",
        "issued": "2021-03",
        "identifier": "dinslaken-ladesaeulen",
        "frequency": "MONTHLY",
        "language": ["DEU", "ENG"],
        "url": "https://www.dinslaken.de/ladesaeulen",
        "references": "https://musterdatenkatalog.de/def/musterdatensatz/Energie/Ladesaeulen",
        "conforms_to": ["https://example.org/schema/ladesaeulen"],
        "access_rights": "PUBLIC",
        "provenance": "Erhoben von den Stadtwerken.",
        "version": "1.2",
        "applicable_legislation": ["http://data.europa.eu/eli/reg_impl/2023/138/oj"],
        "hvd_category": ["http://data.europa.eu/bna/c_b79e35eb"],
        "temporal_resolution": "pt15m",
        "originator": [{"name": "Stadtwerke Dinslaken"}],
        "custodian": [{"name": "Stadt Dinslaken", "email": "it@dinslaken.de"}],
        "resources": [{
            "url": "https://example.org/ladesaeulen.csv", "name": "Ladesäulen (CSV)",
            "format": "csv", "availability": "AVAILABLE", "modified": "2025-01-15",
            "description": "Alle Standorte.", "download_url": "https://example.org/dl/ladesaeulen.csv",
            "mimetype": "Text/CSV", "size": "2048",
            "hash": "D41D8CD98F00B204E9800998ECF8427E", "hash_algorithm": "md5",
            "rights": "Frei nutzbar.", "license": "cc-by/4.0",
            "license_attribution_by_text": "© Stadtwerke Dinslaken (2025)",
            "status": "COMPLETED", "language": "DEU",
            "conforms_to": "https://example.org/schema/ladesaeulen", "issued": "2021-03-01",
            "access_services": [{"title": "Lade-API", "endpoint_url": "https://api.example.org/lade",
                                 "endpoint_description": "https://api.example.org/lade/openapi.json"}],
        }],
    }
    data.update(overrides)
    return data


def create(steward, data):
    return helpers.call_action("package_create", context=dict(steward["context"]), **data)


class TestEveryFieldStoredCanonically:
    def test_create_then_show(self, steward, org):
        create(steward, full_dataset(org))
        ds = helpers.call_action("package_show", id="ladesaeulen")
        assert ds["license_id"] == DL_BY
        assert ds["license_title"] == "Datenlizenz Deutschland Namensnennung 2.0"
        assert ds["isopen"] is True
        assert ds["publisher"][0]["type"] == "http://purl.org/adms/publishertype/Company"
        assert ds["publisher"][0]["name"] == "Stadtwerke Dinslaken"
        assert ds["contributor_id"] == "http://dcat-ap.de/def/contributors/openNRW"
        assert sorted(t["name"] for t in ds["tags"]) == ["Ladesäule", "Mobilität"]
        assert ds["theme"] == [EU + "data-theme/TRAN", EU + "data-theme/ENER"]
        assert ds["contact"][0]["email"] == "mobil@dinslaken.de"
        assert ds["contact"][0]["phone"] == "+49 2064 66-0"
        assert ds["political_geocoding_level"] == MUNICIPALITY
        assert ds["political_geocoding"] == [
            DINSLAKEN, "http://dcat-ap.de/def/politicalGeocoding/districtKey/05170"]
        assert ds["temporal_coverage"] == [{"start": "2020", "end": "2024-12-31"}]
        assert ds["availability"] == EU + "planned-availability/STABLE"
        assert ds["modified"] == "2025-01-15T08:30:00Z"
        assert ds["temporal_coverage"][0]["end"] == "2024-12-31"
        assert ds["issued"] == "2021-03"
        assert ds["identifier"] == "dinslaken-ladesaeulen"
        assert ds["frequency"] == EU + "frequency/MONTHLY"
        assert ds["language"] == [EU + "language/DEU", EU + "language/ENG"]
        assert ds["url"] == "https://www.dinslaken.de/ladesaeulen"
        assert ds["references"] == [
            "https://musterdatenkatalog.de/def/musterdatensatz/Energie/Ladesaeulen"]
        assert ds["conforms_to"] == ["https://example.org/schema/ladesaeulen"]
        assert ds["access_rights"] == EU + "access-right/PUBLIC"
        assert ds["provenance"] == "Erhoben von den Stadtwerken."
        assert ds["version"] == "1.2"
        assert ds["applicable_legislation"] == ["http://data.europa.eu/eli/reg_impl/2023/138/oj"]
        assert ds["hvd_category"] == ["http://data.europa.eu/bna/c_b79e35eb"]
        assert ds["temporal_resolution"] == "PT15M"
        assert ds["originator"] == [{"name": "Stadtwerke Dinslaken"}]
        assert ds["custodian"][0]["email"] == "it@dinslaken.de"
        res = ds["resources"][0]
        assert res["format"] == "CSV"
        assert res["availability"] == EU + "planned-availability/AVAILABLE"
        assert res["modified"] == "2025-01-15"
        assert res["download_url"] == "https://example.org/dl/ladesaeulen.csv"
        assert res["mimetype"] == "text/csv"
        assert res["size"] == 2048
        assert res["hash"] == "d41d8cd98f00b204e9800998ecf8427e"
        assert res["hash_algorithm"] == "http://spdx.org/rdf/terms#checksumAlgorithm_md5"
        assert res["license"] == "http://dcat-ap.de/def/licenses/cc-by/4.0"
        assert res["license_attribution_by_text"] == "© Stadtwerke Dinslaken (2025)"
        assert res["status"] == EU + "distribution-status/COMPLETED"
        assert res["language"] == [EU + "language/DEU"]
        assert res["conforms_to"] == ["https://example.org/schema/ladesaeulen"]
        assert res["issued"] == "2021-03-01"
        assert res["access_services"][0]["endpoint_url"] == "https://api.example.org/lade"

    def test_update_and_patch_change_fields(self, steward, org):
        create(steward, full_dataset(org))
        ds = helpers.call_action("package_show", id="ladesaeulen")
        ds["frequency"] = "DAILY"
        ds["theme"] = ["ENVI"]
        helpers.call_action("package_update", context=dict(steward["context"]), **ds)
        helpers.call_action("package_patch", context=dict(steward["context"]),
                            id="ladesaeulen", modified="2025-02-01", language=["FRA"])
        ds = helpers.call_action("package_show", id="ladesaeulen")
        assert ds["frequency"] == EU + "frequency/DAILY"
        assert ds["theme"] == [EU + "data-theme/ENVI"]
        assert ds["modified"] == "2025-02-01"
        assert ds["language"] == [EU + "language/FRA"]
        # untouched fields survive the patch
        assert ds["contact"][0]["email"] == "mobil@dinslaken.de"
        assert ds["resources"][0]["size"] == 2048

    def test_resource_without_licence_inherits_the_dataset_licence(self, steward, org):
        data = full_dataset(org)
        del data["resources"][0]["license"]
        create(steward, data)
        ds = helpers.call_action("package_show", id="ladesaeulen")
        assert "license" not in ds["resources"][0]
        assert ds["license_id"] == DL_BY


class TestOrganisationDefaults:
    def test_new_dataset_inherits_publisher_contact_geocoding(self, steward, org):
        create(steward, {"name": "haushalt", "title": "Haushalt", "notes": "Haushaltsplan.",
                         "owner_org": org["id"], "license_id": "dl-zero-de/2.0"})
        ds = helpers.call_action("package_show", id="haushalt")
        assert ds["publisher"] == [{"name": "Stadt Dinslaken", "uri": "https://www.dinslaken.de",
                                    "type": "http://purl.org/adms/publishertype/LocalAuthority",
                                    "url": "https://www.dinslaken.de"}]
        assert ds["contact"] == [{"name": "Open-Data-Team", "email": "opendata@dinslaken.de"}]
        assert ds["contributor_id"] == "http://dcat-ap.de/def/contributors/openNRW"
        assert ds["political_geocoding_level"] == MUNICIPALITY
        assert ds["political_geocoding"] == [DINSLAKEN]

    def test_steward_values_win_over_defaults(self, steward, org):
        create(steward, full_dataset(org))
        ds = helpers.call_action("package_show", id="ladesaeulen")
        assert ds["publisher"][0]["name"] == "Stadtwerke Dinslaken"
        assert ds["contact"][0]["name"] == "Team Mobilität"
        assert len(ds["political_geocoding"]) == 2

    def test_organisation_saved_before_the_schema_still_gives_a_publisher_type(self):
        from ckanext.smartcity.schema.defaults import organization_defaults
        publisher = organization_defaults({"name": "alt", "title": "Stadt Alt"})["publisher"]
        assert publisher == [{"name": "Stadt Alt",
                              "type": "http://purl.org/adms/publishertype/LocalAuthority"}]

    def test_organisation_publisher_type_defaults_to_local_authority(self, steward):
        org = helpers.call_action("organization_create", context=dict(steward["context"]),
                                  name="stadt-herten", title="Stadt Herten")
        assert org["publisher_type"] == "http://purl.org/adms/publishertype/LocalAuthority"

    def test_organisation_fields_are_validated(self, steward):
        with pytest.raises(helpers.logic.ValidationError) as error:
            helpers.call_action("organization_create", context=dict(steward["context"]),
                                name="stadt-moers", title="Stadt Moers",
                                contact_email="kein-mail", homepage="javascript:alert(1)",
                                political_geocoding="99999999")
        assert set(error.value.error_dict) == {"contact_email", "homepage", "political_geocoding"}


# (field path, value, German message, English message)
DATASET_ERRORS = [
    ("url", "ftp://example.org/x", "mit http:// oder https:// beginnt", "starts with http://"),
    ("url", "http://[::1", "mit http:// oder https:// beginnt", "starts with http://"),
    ("url", " JaVaScRiPt:alert(1)", "mit http:// oder https:// beginnt", "starts with http://"),
    ("theme", ["TRAN"] * 101, "Höchstens 100 Werte", "At most 100 values"),
    ("language", {"de": 1}, "Liste von Werten", "list of values"),
    ("modified", "٢٠٢٤-٠٥-٣١", "JJJJ-MM-TT", "YYYY-MM-DD"),
    ("temporal_resolution", "P1W", "ISO 8601", "ISO 8601"),
    ("license_id", "nope", "nicht in der Liste der zulässigen Werte",
     "not in the list of allowed values"),
    ("license_id", "", "Fehlender Wert", "Missing value"),
    ("notes", "", "Fehlender Wert", "Missing value"),
    ("theme", ["TRAN", "SPORT"], "„SPORT“ steht nicht in der Liste", "“SPORT” is not in the list"),
    ("language", "Klingonisch", "nicht in der Liste", "not in the list"),
    ("frequency", "sometimes", "nicht in der Liste", "not in the list"),
    ("availability", "FOREVER", "nicht in der Liste", "not in the list"),
    ("access_rights", "OPEN", "nicht in der Liste", "not in the list"),
    ("hvd_category", ["http://data.europa.eu/bna/nope"], "nicht in der Liste", "not in the list"),
    ("contributor_id", "http://example.org/me", "nicht in der Liste", "not in the list"),
    ("political_geocoding_level", "galactic", "nicht in der Liste", "not in the list"),
    ("political_geocoding", "00000000", "nicht in der Liste", "not in the list"),
    ("modified", "2024-02-30", "JJJJ-MM-TT", "YYYY-MM-DD"),
    ("issued", "gestern", "JJJJ-MM-TT", "YYYY-MM-DD"),
    ("references", "musterdatenkatalog.de/x", "mit http:// oder https://", "starts with http://"),
    ("conforms_to", ["javascript:alert(1)"], "mit http:// oder https://", "starts with http://"),
    ("applicable_legislation", {"not": "a list"}, "Liste von Werten", "list of values"),
    ("temporal_resolution", "15 minutes", "ISO 8601", "ISO 8601"),
    ("title", "Lade\x00säulen", "Steuerzeichen", "control characters"),
    ("title", "Lade\ud800säulen", "kein gültiges Unicode", "not valid Unicode"),
]
NESTED_ERRORS = [
    ("publisher", [{"name": "X", "email": "nobody"}], ("publisher", 0, "email"),
     "E-Mail-Adresse", "email address"),
    ("publisher", [{"name": "X", "type": "Pirate"}], ("publisher", 0, "type"),
     "nicht in der Liste", "not in the list"),
    ("publisher", [{"uri": "https://example.org"}], ("publisher", 0, "name"),
     "Fehlender Wert", "Missing value"),
    ("contact", [{"email": "a@b"}], ("contact", 0, "email"), "E-Mail-Adresse", "email address"),
    ("contact", [{"url": "www.example.org"}], ("contact", 0, "url"),
     "mit http://", "starts with http://"),
    ("temporal_coverage", [{"start": "2024-06-01", "end": "2024-05-31"}],
     ("temporal_coverage", 0, "end"),
     "Ende darf nicht vor dem Beginn", "end date must not be before"),
    ("temporal_coverage", [{"start": "2024-13-01"}], ("temporal_coverage", 0, "start"),
     "JJJJ-MM-TT", "YYYY-MM-DD"),
    ("temporal_coverage", [{"start": "2024-06-01T18:00:00Z", "end": "2024-06-01T08:00:00Z"}],
     ("temporal_coverage", 0, "end"),
     "Ende darf nicht vor dem Beginn", "end date must not be before"),
    ("publisher", [{"name": "A"}, {"name": "B"}], ("publisher", 1, "name"),
     "genau eine veröffentlichende Stelle", "Exactly one publishing body"),
    ("contact", [{"name": "Nur ein Name"}], ("contact", 0, "email"),
     "Telefonnummer angeben", "telephone number"),
    ("custodian", [{"uri": "urn:x"}], ("custodian", 0, "uri"),
     "mit http://", "starts with http://"),
]
RESOURCE_ERRORS = [
    ("url", "javascript:alert(1)", "mit http:// oder https://", "starts with http://"),
    ("url", "", "Fehlender Wert", "Missing value"),
    ("size", "-1", "ganze Zahl ab 0", "whole number, 0 or more"),
    ("size", "1.5 MB", "ganze Zahl ab 0", "whole number, 0 or more"),
    ("license", ["cc-by", "dl-de-by-2.0"], "genau einen Wert", "exactly one value"),
    ("license", "all rights reserved", "nicht in der Liste", "not in the list"),
    ("format", "Excel 97", "nicht in der Liste", "not in the list"),
    ("mimetype", "csv", "Medientyp", "media type"),
    ("hash", "abc123", "(32 Zeichen)", "(32 characters)"),
    ("download_url", "file:///etc/passwd", "mit http://", "starts with http://"),
    ("status", "DONE", "nicht in der Liste", "not in the list"),
    ("modified", "2025-1-5", "JJJJ-MM-TT", "YYYY-MM-DD"),
    ("language", ["XXX"], "nicht in der Liste", "not in the list"),
]


def _error_at(error, path):
    node = error
    for step in path:
        node = node[step]
    if isinstance(node, list) and all(isinstance(n, str) for n in node):
        return " ".join(node)
    return node


def _post(app, steward, data, prefix="", status=409):
    return app.post(f"{prefix}/api/3/action/package_create", json=data, status=status,
                    headers={"Authorization": steward["token"]})


class TestErrorsPerField:
    @pytest.mark.parametrize("field,value,german,english", DATASET_ERRORS,
                             ids=[f"{e[0]}:{e[1]!r}" for e in DATASET_ERRORS])
    def test_dataset_field(self, app, steward, org, field, value, german, english):
        data = full_dataset(org, **{field: value})
        body = _post(app, steward, data).json
        assert body["success"] is False
        assert german in _error_at(body["error"], (field,))
        body = _post(app, steward, data, prefix="/en").json
        assert english in _error_at(body["error"], (field,))
        assert model.Package.get("ladesaeulen") is None

    @pytest.mark.parametrize("field,value,path,german,english", NESTED_ERRORS,
                             ids=[f"{e[0]}:{e[2][-1]}" for e in NESTED_ERRORS])
    def test_repeating_subfield(self, app, steward, org, field, value, path, german, english):
        data = full_dataset(org, **{field: value})
        error = _post(app, steward, data).json["error"]
        assert german in _error_at(error, path)
        error = _post(app, steward, data, prefix="/en").json["error"]
        assert english in _error_at(error, path)

    @pytest.mark.parametrize("field,value,german,english", RESOURCE_ERRORS,
                             ids=[f"{e[0]}:{e[1]!r}" for e in RESOURCE_ERRORS])
    def test_distribution_field(self, app, steward, org, field, value, german, english):
        data = full_dataset(org)
        data["resources"][0][field] = value
        error = _post(app, steward, data).json["error"]
        assert german in _error_at(error, ("resources", 0, field))
        error = _post(app, steward, data, prefix="/en").json["error"]
        assert english in _error_at(error, ("resources", 0, field))
        assert model.Package.get("ladesaeulen") is None

    def test_checksum_length_must_fit_algorithm(self, app, steward, org):
        data = full_dataset(org)
        data["resources"][0].update(hash="ab" * 10, hash_algorithm="sha256")
        error = _post(app, steward, data).json["error"]
        assert "64 Zeichen" in _error_at(error, ("resources", 0, "hash"))
        # the deprecated dcat-ap.de algorithm URI is checked like its successor
        data["resources"][0].update(
            hash="ab", hash_algorithm="http://dcat-ap.de/def/hashAlgorithms/sha/256")
        error = _post(app, steward, data).json["error"]
        assert "64 Zeichen" in _error_at(error, ("resources", 0, "hash"))
        data["resources"][0].update(hash="ab" * 32, hash_algorithm="")
        error = _post(app, steward, data).json["error"]
        assert "Prüfsummen-Algorithmus" in _error_at(error, ("resources", 0, "hash"))


class TestRejectedSavesStoreNothing:
    def test_bad_patch_leaves_dataset_unchanged(self, app, steward, org):
        create(steward, full_dataset(org))
        before = helpers.call_action("package_show", id="ladesaeulen")
        app.post("/api/3/action/package_patch", status=409,
                 headers={"Authorization": steward["token"]},
                 json={"id": "ladesaeulen", "title": "Neu", "modified": "31.02.2025",
                       "resources": [{"url": "https://example.org/neu.csv", "size": "-5"}]})
        after = helpers.call_action("package_show", id="ladesaeulen")
        assert after == before

    def test_bad_update_leaves_dataset_unchanged(self, app, steward, org):
        create(steward, full_dataset(org))
        before = helpers.call_action("package_show", id="ladesaeulen")
        changed = dict(before, title="Neu", theme=["NOPE"])
        app.post("/api/3/action/package_update", status=409, json=changed,
                 headers={"Authorization": steward["token"]})
        assert helpers.call_action("package_show", id="ladesaeulen") == before

    def test_bad_resource_create_adds_no_resource(self, app, steward, org):
        create(steward, full_dataset(org))
        app.post("/api/3/action/resource_create", status=409,
                 headers={"Authorization": steward["token"]},
                 json={"package_id": "ladesaeulen", "url": "https://example.org/b.csv",
                       "license": ["cc-by", "cc-zero"]})
        assert len(helpers.call_action("package_show", id="ladesaeulen")["resources"]) == 1

    def test_nul_character_is_a_field_error_not_a_500(self, app, steward, org):
        body = _post(app, steward, full_dataset(org, notes="a\x00b")).json
        assert "Steuerzeichen" in _error_at(body["error"], ("notes",))
        data = full_dataset(org)
        data["resources"][0]["name"] = "Teil\x00 1"
        body = _post(app, steward, data).json
        assert "Steuerzeichen" in _error_at(body["error"], ("resources", 0, "name"))
        body = app.post("/api/3/action/organization_create", status=409,
                        headers={"Authorization": steward["token"]},
                        json={"name": "stadt-moers", "contact_email": "a\x00b@moers.de"}).json
        assert "Steuerzeichen" in _error_at(body["error"], ("contact_email",))

    def test_update_without_publisher_is_refused(self, app, steward, org):
        create(steward, full_dataset(org))
        before = helpers.call_action("package_show", id="ladesaeulen")
        changed = {k: v for k, v in before.items() if k != "publisher"}
        error = app.post("/api/3/action/package_update", status=409, json=changed,
                         headers={"Authorization": steward["token"]}).json["error"]
        assert "veröffentlichende Stelle" in _error_at(error, ("publisher",))
        assert helpers.call_action("package_show", id="ladesaeulen") == before


class TestRegionSearch:
    def test_search_by_name_and_key(self, app):
        found = app.get("/api/3/action/smartcity_region_autocomplete?q=Dinsl").json["result"]
        assert found[0]["uri"] == DINSLAKEN
        assert found[0]["context"] == "Gemeinde, Wesel, Nordrhein-Westfalen"
        found = app.get("/api/3/action/smartcity_region_autocomplete?q=05562020").json["result"]
        assert [r["label"] for r in found] == ["Herten"]

    def test_states_come_before_towns(self, app):
        found = app.get("/api/3/action/smartcity_region_autocomplete?q=Nordrhein").json["result"]
        assert found[0]["uri"] == "http://dcat-ap.de/def/politicalGeocoding/stateKey/05"

    def test_form_endpoint_speaks_the_autocomplete_format(self, app):
        body = app.get("/smartcity/regions/autocomplete?q=Moers").json
        # CKAN's client drops completions without "Name"
        assert body["ResultSet"]["Result"][0] == {
            "uri": "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05170024",
            "text": "Moers (Gemeinde, Wesel, Nordrhein-Westfalen)",
            "Name": "Moers (Gemeinde, Wesel, Nordrhein-Westfalen)"}

    def test_words_in_any_order(self, app):
        found = app.get("/api/3/action/smartcity_region_autocomplete?q=Kreis%20Wesel").json
        assert found["result"][0]["uri"] == "http://dcat-ap.de/def/politicalGeocoding/districtKey/05170"

    def test_query_length_is_bounded(self, app):
        assert app.get("/api/3/action/smartcity_region_autocomplete?q=D").json["result"] == []
        app.get("/api/3/action/smartcity_region_autocomplete?q=" + "a" * 101, status=409)

    def test_bad_limit_is_a_field_error(self, app):
        app.get("/api/3/action/smartcity_region_autocomplete?q=a&limit=x", status=409)
        found = app.get("/api/3/action/smartcity_region_autocomplete?q=Bad&limit=500").json
        assert len(found["result"]) == 50


def test_licence_list_is_the_dcat_ap_de_list(app):
    licences = app.get("/api/3/action/license_list").json["result"]
    assert len(licences) == 34
    assert all(lic["id"].startswith("http://dcat-ap.de/def/licenses/") for lic in licences)
