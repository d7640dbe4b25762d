"""A harvested dataset's life across harvest jobs: warnings kept apart from
errors, mandatory gaps filled from defaults, the source URI kept as the
identifier, a dataset that comes back restored, and no deletion in a job
whose datasets were refused (issue 15).

The stages are driven directly, as the gather and fetch consumers call
them (``ckanext.harvest.queue.gather_stage`` and
``fetch_and_import_stages``), so a test can choose the order in which the
fetch queue hands out the objects. The source is a local HTTP server on a
free port of 127.0.0.1."""
import datetime
import json

import pytest
from rdflib import URIRef

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

from ckanext.smartcity.harvest.harvester import DCATAPDEHarvester
from tests.harvest.local_server import Source
from tests.harvest.test_harvest import catalogue, create_source, harvested

pytestmark = pytest.mark.usefixtures("clean_db", "harvest_queues")
EU = "http://publications.europa.eu/resource/authority/"
CC_BY = "http://dcat-ap.de/def/licenses/cc-by/4.0"
CONTRIBUTOR = "http://dcat-ap.de/def/contributors/SWONetzGmbH"
PREFIXES = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcatde: <http://dcat-ap.de/def/dcatde/> .
"""


@pytest.fixture
def page_server():
    server = Source()
    yield server
    server.server.shutdown()


def document(base, datasets):
    """A Turtle catalogue of (uri suffix, turtle of the dataset's properties)."""
    lines = [PREFIXES, f"<{base}/catalog> a dcat:Catalog ; dct:title \"Quelle\" ."]
    for suffix, body in datasets:
        lines.append(f"<{base}/ds/{suffix}> a dcat:Dataset ; {body} .\n"
                     f"<{base}/catalog> dcat:dataset <{base}/ds/{suffix}> .")
    return "\n".join(lines).encode()


def run_job(source_id, order=None):
    """One job: the gather stage, then every object through fetch and
    import in the queue's order (or ``order(objects)``); returns the job id."""
    harvester = queue.get_harvester("dcat_ap_de")
    job = HarvestJob(source=HarvestSource.get(source_id), status="Running")
    job.save()
    ids = queue.gather_stage(harvester, job)
    objects = [HarvestObject.get(i) for i in ids]
    for obj in order(objects) if order else objects:
        queue.fetch_and_import_stages(harvester, obj)
    job = HarvestJob.get(job.id)
    job.status, job.finished = "Finished", datetime.datetime.utcnow()
    job.save()
    return job.id


def by_title(org):
    return {d["title"]: d for d in harvested(org)}


def report(job_id):
    return helpers.call_action("harvest_job_report", id=job_id)


def object_errors(job_id):
    return [e["message"] for o in report(job_id)["object_errors"].values() for e in o["errors"]]


def warnings_by_guid(job_id):
    return {w["guid"]: w["warnings"] for w in report(job_id)["object_warnings"].values()}


def test_warnings_are_kept_apart_from_errors_and_shown_to_editors(page_server, app):
    """A dropped value is a warning: the dataset counts as added, not as an
    error; its editors read the warning on the dataset page and on the job
    page, other visitors do not see it."""
    org = factories.Organization()
    editor = factories.UserWithToken()
    helpers.call_action("organization_member_create", id=org["id"], username=editor["name"],
                        role="editor")
    stranger = factories.UserWithToken()
    base = page_server.base
    extra = f"; dcat:theme <{EU}data-theme/TRAN>, <{EU}data-theme/NOPE>"
    page_server.add("/catalog.ttl", catalogue(base, [("w", "Mit Warnung", extra),
                                                     ("o", "Ohne Warnung", "")]))
    source = create_source(base + "/catalog.ttl", org)
    job_id = run_job(source["id"])

    stats = helpers.call_action("harvest_job_show", id=job_id)["stats"]
    assert (stats["added"], stats["errored"], stats["refused"], stats["warnings"]) == (2, 0, 0, 1)
    last = helpers.call_action("harvest_source_show_status", id=source["id"])["last_job"]
    assert last["stats"]["warnings"] == 1
    [listed] = helpers.call_action("harvest_job_list", source_id=source["id"])
    assert listed["stats"]["warnings"] == 1
    assert object_errors(job_id) == []
    # the mending step names the property and the dropped value
    warning = (f"dcat:theme: {EU}data-theme/NOPE verworfen, nicht in der Liste / "
               f"dcat:theme: {EU}data-theme/NOPE dropped, not in the list")
    assert warnings_by_guid(job_id) == {base + "/ds/w": [warning]}

    dataset = by_title(org)["Mit Warnung"]
    assert dataset["theme"] == [EU + "data-theme/TRAN"]
    page = app.get(f"/dataset/{dataset['name']}", headers={"Authorization": editor["token"]}).body
    assert 'id="smartcity-harvest-warnings"' in page and warning in page
    assert f"/harvest/{source['name']}/job/{job_id}" in page
    for headers in ({}, {"Authorization": stranger["token"]}):
        page = app.get(f"/dataset/{dataset['name']}", headers=headers).body
        assert "smartcity-harvest-warnings" not in page and "unknown value" not in page
    quiet = by_title(org)["Ohne Warnung"]
    page = app.get(f"/dataset/{quiet['name']}", headers={"Authorization": editor["token"]}).body
    assert "smartcity-harvest-warnings" not in page

    sysadmin = factories.SysadminWithToken()
    page = app.get(f"/harvest/{source['name']}/job/{job_id}",
                   headers={"Authorization": sysadmin["token"]}).body
    assert 'id="smartcity-job-warnings"' in page and warning in page
    assert base + "/ds/w" in page


def test_a_graph_step_hands_its_warnings_to_the_dataset(page_server, monkeypatch):
    """The place where a graph-level step (mending wild spellings) returns
    per-dataset warnings: they travel with the harvest object into import."""
    org = factories.Organization()
    base = page_server.base
    page_server.add("/catalog.ttl", catalogue(base, [("m", "Geflickt", ""), ("n", "Nicht", "")]))
    source = create_source(base + "/catalog.ttl", org)
    seen = []

    def graph_warnings(self, graph, source_url):
        seen.append(source_url)
        return {URIRef(base + "/ds/m"): ["contact.email: mended / geflickt"]}
    monkeypatch.setattr(DCATAPDEHarvester, "_graph_warnings", graph_warnings)
    job_id = run_job(source["id"])
    assert seen == [base + "/catalog.ttl"]
    assert warnings_by_guid(job_id) == {base + "/ds/m": ["contact.email: mended / geflickt"]}
    assert helpers.call_action("harvest_job_show", id=job_id)["stats"]["warnings"] == 1
    assert len(harvested(org)) == 2


def test_mandatory_gaps_are_filled_from_the_source_then_the_organisation(page_server):
    """Licence, contributor ID, publisher and contact missing in the source:
    the harvest source's defaults first, then the organisation's, each with a
    warning; a value the source gives is kept."""
    org = factories.Organization(publisher_name="Stadt Moers", contact_name="Open-Data-Team",
                                 contact_email="opendata@moers.example",
                                 contributor_id="http://dcat-ap.de/def/contributors/auswaertigesAmt")
    base = page_server.base
    page_server.add("/catalog.ttl", document(base, [
        ("luecken", 'dct:title "Lücken" ; dct:description "Beschreibung"'),
        ("eigen", 'dct:title "Eigener Herausgeber" ; dct:description "Beschreibung" ; '
                  'dct:publisher [ a foaf:Agent ; foaf:name "Kreis Wesel" ]')]))
    source = create_source(base + "/catalog.ttl", org, config={
        "rdf_format": "ttl", "defaults": {"license_id": CC_BY, "contributor_id": CONTRIBUTOR}})
    job_id = run_job(source["id"])
    assert object_errors(job_id) == []

    gaps = by_title(org)["Lücken"]
    assert gaps["license_id"] == CC_BY            # the source's default ...
    assert gaps["contributor_id"] == CONTRIBUTOR  # ... wins over the organisation's
    assert gaps["publisher"][0]["name"] == "Stadt Moers"
    assert gaps["contact"][0]["email"] == "opendata@moers.example"
    warned = warnings_by_guid(job_id)
    messages = warned[base + "/ds/luecken"]
    assert len(messages) == 4, messages
    for field, origin, value in (("license_id", "harvest source", CC_BY),
                                 ("contributor_id", "harvest source", CONTRIBUTOR),
                                 ("publisher", "organisation", "Stadt Moers"),
                                 ("contact", "organisation", "Open-Data-Team")):
        [message] = [m for m in messages if m.startswith(field + ":")]
        assert f"missing in the source, the {origin}'s default was used" in message
        assert value in message

    own = by_title(org)["Eigener Herausgeber"]
    assert own["publisher"][0]["name"] == "Kreis Wesel"
    assert not any(m.startswith("publisher:") for m in warned[base + "/ds/eigen"])
    stats = helpers.call_action("harvest_job_show", id=job_id)["stats"]
    assert (stats["added"], stats["refused"], stats["warnings"]) == (2, 0, 2)


def test_a_dataset_still_lacking_a_mandatory_value_is_refused_with_why(page_server):
    org = factories.Organization()   # no defaults, and a licence has no organisation default
    base = page_server.base
    page_server.add("/catalog.ttl", document(base, [
        ("ohne", 'dct:title "Ohne Lizenz" ; dct:description "Beschreibung"')]))
    source = create_source(base + "/catalog.ttl", org)
    job_id = run_job(source["id"])
    assert harvested(org) == []
    [message] = object_errors(job_id)
    assert "license_id" in message and "no default" in message
    stats = helpers.call_action("harvest_job_show", id=job_id)["stats"]
    assert (stats["added"], stats["refused"], stats["errored"]) == (0, 1, 1)


@pytest.mark.parametrize("defaults, field", [
    ({"license_id": "keine-lizenz"}, "defaults.license_id"),
    ({"contributor_id": "http://example.org/x"}, "defaults.contributor_id"),
    ({"publisher": {"uri": "https://moers.example"}}, "defaults.publisher"),
    ({"contact": "opendata@moers.example"}, "defaults.contact"),
    ({"title": "Immer gleich"}, "defaults.title"),
])
def test_bad_source_defaults_are_refused(defaults, field):
    org = factories.Organization()
    with pytest.raises(tk.ValidationError) as error:
        create_source("https://example.org/catalog.ttl", org,
                      config={"rdf_format": "ttl", "defaults": defaults})
    assert field in json.dumps(error.value.error_dict, ensure_ascii=False)


def test_the_source_uri_is_kept_as_identifier(page_server):
    """Without dct:identifier the dataset keeps the source's URI as its
    identifier (the re-export passes it on); a dct:identifier is kept."""
    org = factories.Organization()
    base = page_server.base
    page_server.add("/catalog.ttl", catalogue(base, [("u", "Ohne Kennung", "no-identifier"),
                                                     ("k", "Mit Kennung", "")]))
    source = create_source(base + "/catalog.ttl", org)
    run_job(source["id"])
    stored = by_title(org)
    assert stored["Ohne Kennung"]["identifier"] == base + "/ds/u"
    assert stored["Mit Kennung"]["identifier"] == "k"


def test_a_dataset_that_comes_back_is_restored(page_server):
    """Deleted by a job because the source no longer listed it, then listed
    again: the same dataset (id and name) is active again, no second one."""
    org = factories.Organization()
    base = page_server.base
    three = [("a", "Erster", ""), ("b", "Zweiter", ""), ("c", "Dritter", "")]
    page_server.add("/catalog.ttl", catalogue(base, three))
    source = create_source(base + "/catalog.ttl", org)
    run_job(source["id"])
    before = by_title(org)["Dritter"]

    page_server.add("/catalog.ttl", catalogue(base, three[:2]))
    run_job(source["id"])
    assert "Dritter" not in by_title(org)
    assert helpers.call_action("package_show", id=before["id"])["state"] == "deleted"

    page_server.add("/catalog.ttl", catalogue(base, three))
    job_id = run_job(source["id"])
    after = by_title(org)["Dritter"]
    assert (after["id"], after["name"], after["state"]) == (before["id"], before["name"], "active")
    assert len(harvested(org)) == 3
    assert model.Session.query(model.Package).filter_by(type="dataset").count() == 3
    stats = helpers.call_action("harvest_job_show", id=job_id)["stats"]
    assert (stats["added"], stats["errored"]) == (0, 0)


def test_no_deletion_in_a_job_whose_datasets_were_refused(page_server):
    """A dataset refused at import counts as an error for the deletion
    guard: what the source no longer lists is kept, and the job says why; a
    delete handed out while datasets of its job are still waiting is kept
    too; a clean job deletes."""
    org = factories.Organization()
    base = page_server.base
    three = [("a", "Erster", ""), ("b", "Zweiter", ""), ("c", "Dritter", "")]
    page_server.add("/catalog.ttl", catalogue(base, three))
    source = create_source(base + "/catalog.ttl", org)
    run_job(source["id"])
    assert len(harvested(org)) == 3

    broken = ("b", "Zweiter", "; dcat:landingPage <javascript:alert(1)>")
    page_server.add("/catalog.ttl", catalogue(base, [three[0], broken]))
    job_id = run_job(source["id"])
    assert sorted(by_title(org)) == ["Dritter", "Erster", "Zweiter"]
    [refusal] = object_errors(job_id)
    assert "url" in refusal
    [kept] = warnings_by_guid(job_id)[base + "/ds/c"]
    assert "not deleted" in kept and "1" in kept
    stats = helpers.call_action("harvest_job_show", id=job_id)["stats"]
    assert (stats["deleted"], stats["refused"]) == (0, 1)

    # the queue hands out the delete before the datasets of its job
    page_server.add("/catalog.ttl", catalogue(base, three[:2]))
    job_id = run_job(source["id"], order=lambda objects: objects[::-1])
    assert sorted(by_title(org)) == ["Dritter", "Erster", "Zweiter"]
    [kept] = warnings_by_guid(job_id)[base + "/ds/c"]
    assert "not deleted" in kept and "not yet imported" in kept

    job_id = run_job(source["id"])
    assert sorted(by_title(org)) == ["Erster", "Zweiter"]
    assert helpers.call_action("harvest_job_show", id=job_id)["stats"]["deleted"] == 1
