"""High-value datasets and the points in the portal's hands: the HVD
findings in the quality panel (appear for an incomplete HVD dataset, go
once it is mended), the demo organisations' defaults (access rights,
rights statement) and data services, a file uploaded to the portal scoring
"Ausgezeichnet", and the form's HVD marker."""
import io

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import FileStorage

from ckan.lib import jobs
from ckan.tests import factories, helpers

from ckanext.smartcity.dataservice import urls
from ckanext.smartcity.demo import town
from ckanext.smartcity.quality import assessment as quality
from ckanext.smartcity.schema import vocab
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")
PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"


def create(steward, data):
    return helpers.call_action("package_create", context=dict(steward["context"]), **data)


def hvd_messages(result):
    return [f["message_de"] for f in result["hvd"]["findings"]]


@pytest.fixture
def org_without_contact(steward):
    return helpers.call_action(
        "organization_create", context=dict(steward["context"]), name="kreis-wesel",
        title="Kreis Wesel", political_geocoding_level="administrativeDistrict",
        political_geocoding="05170")


def test_incomplete_hvd_dataset_gets_a_finding_that_goes_once_mended(
        steward, org_without_contact, app):
    """No contact point anywhere (neither the dataset nor its organisation):
    the data service HVD requires lacks one; giving the contact mends it."""
    dataset = create(steward, full_dataset(org_without_contact, contact=[]))
    result = quality.stored(dataset["id"])
    contact = [f for f in result["hvd"]["findings"] if f["field"] == "contact"]
    assert contact and contact[0]["severity"] == "violation"
    assert contact[0]["message_de"] == ("HVD: Datenservice von Ressource 1: "
                                        "Pflichtangabe fehlt: Ansprechpartner")
    assert contact[0]["message_en"].startswith("HVD: Access service of resource 1: ")
    page = app.get(f"/dataset/{dataset['name']}",
                   headers={"Authorization": steward["token"]}).body
    panel = BeautifulSoup(page, "html.parser").select_one(".smartcity-hvd-findings")
    assert panel is not None and "Pflichtangabe fehlt: Ansprechpartner" in panel.text

    helpers.call_action("package_patch", context=dict(steward["context"]), id=dataset["id"],
                        contact=[{"name": "Team Mobilität", "email": "mobil@kreis-wesel.de"}])
    assert not [m for m in hvd_messages(quality.stored(dataset["id"])) if "Ansprechpartner" in m]


def test_complete_hvd_dataset_has_no_hvd_findings(steward, org):
    result = quality.stored(create(steward, full_dataset(org))["id"])
    assert result["hvd"] == {"violations": 0, "warnings": 0, "findings": []}


def test_dataset_without_hvd_category_is_not_checked_as_hvd(steward, org):
    data = full_dataset(org, hvd_category=[], applicable_legislation=[])
    assert quality.stored(create(steward, data)["id"])["hvd"] is None


def test_uploaded_file_with_access_rights_and_rights_is_excellent(steward, org):
    """The portal's own file is a download URL (dataservice/urls.py) that
    answers (checked in the file store); with access rights and a rights
    statement every MQA metric is met: 405 points."""
    jobs.get_queue().empty()
    data = full_dataset(org)
    resource = dict(data.pop("resources")[0], url="ladesaeulen.csv")
    for key in ("download_url", "access_services", "hash", "hash_algorithm", "size"):
        resource.pop(key)
    dataset = create(steward, data)
    assert dataset["access_rights"] == PUBLIC
    helpers.call_action(
        "resource_create", context=dict(steward["context"]), package_id=dataset["id"],
        upload=FileStorage(stream=io.BytesIO(b"id,lat,lon\n1,51.56,6.74\n"),
                           filename="ladesaeulen.csv"), **resource)
    jobs.Worker(["default"]).work(burst=True)
    result = quality.stored(dataset["id"])
    assert result["score"] >= 351, result["next_steps"]
    assert result["rating"]["de"] == "Ausgezeichnet"
    assert result["score"] == 405, result["next_steps"]


def _demo(monkeypatch, names):
    """The demo town's organisations and the named datasets only."""
    data = town.demo_data()
    data["datasets"] = [d for d in data["datasets"] if d["name"] in names]
    monkeypatch.setattr(town, "demo_data", lambda: data)
    admin = factories.Sysadmin()
    return town.load(admin["name"])


def test_demo_organisations_give_access_rights_rights_and_data_services(monkeypatch):
    _demo(monkeypatch, {"parkhausbelegung-dinslaken", "pegelstaende-kreis-wesel"})
    for name in ("parkhausbelegung-dinslaken", "pegelstaende-kreis-wesel"):
        dataset = helpers.call_action("package_show", id=name)
        assert dataset["access_rights"] == PUBLIC
        assert all(r["rights"].startswith("Demonstrationsdaten") for r in dataset["resources"])
        services = [(r, s) for r in dataset["resources"] for s in r.get("access_services") or []]
        assert len(services) == 1
        resource, service = services[0]
        assert resource["format"] == "CSV"
        assert service["endpoint_url"] == urls.endpoint_url(resource["id"])
        assert service["endpoint_description"] == urls.description_url(resource["id"])
        assert service["conforms_to"] == vocab.find("api-standard", "ckan-datastore")["uri"]


def test_demo_town_describes_at_least_five_data_services():
    marked = [r for d in town.demo_data()["datasets"] for r in d["resources"]
              if r.get("data_service")]
    assert len(marked) >= 5
    assert all(r["format"] == "CSV" for r in marked)   # tables the DataStore loads


def test_demo_defaults_reach_a_town_loaded_before_them(monkeypatch, steward):
    """A second load (``make demo`` on an older town) fills in what is missing."""
    names = {"pegelstaende-kreis-wesel"}
    _demo(monkeypatch, names)
    dataset = helpers.call_action("package_show", id="pegelstaende-kreis-wesel")
    context = steward["context"]
    for resource in dataset["resources"]:
        helpers.call_action("resource_patch", context=dict(context), id=resource["id"],
                            rights="", access_services=[])
    helpers.call_action("package_patch", context=dict(context), id=dataset["id"],
                        access_rights="")
    stripped = helpers.call_action("package_show", id="pegelstaende-kreis-wesel")
    assert not stripped.get("access_rights")
    assert not any(r.get("rights") or r.get("access_services") for r in stripped["resources"])
    _demo(monkeypatch, names)
    again = helpers.call_action("package_show", id="pegelstaende-kreis-wesel")
    assert again["access_rights"] == PUBLIC
    assert all(r["rights"] for r in again["resources"])
    assert sum(len(r.get("access_services") or []) for r in again["resources"]) == 1


def test_form_marks_what_hvd_requires(app, steward, org):
    page = app.get("/dataset/new", headers={"Authorization": steward["token"]}).body
    soup = BeautifulSoup(page, "html.parser")
    hint = soup.select_one("#smartcity-hvd-hint")
    assert hint is not None and hint["data-module"] == "smartcity-hvd-marker"
    assert hint["data-module-fields"].split() == ["contact", "license_id"]
    # the fields it names exist in the form
    for name in hint["data-module-fields"].split():
        assert soup.select_one(f'.smartcity-field[data-field="{name}"]') is not None
    assert soup.select_one('select[name="hvd_category"]') is not None
    assert "smartcity-hvd-active" not in hint["class"]
    assert any("hvd-marker" in (tag.get("src") or "") for tag in soup.find_all("script"))
