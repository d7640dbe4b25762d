"""Metadata quality: the MQA score (405 points) and the DCAT-AP.de SHACL
report per dataset, pinned for reference datasets (a minimal one, a complete
one, broken ones), stored on save, shown to editors only, URL checks as a
background job against a local HTTP server, the dashboard and its exports."""
import csv
import io
import json
import os

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS

import ckan.plugins.toolkit as tk
from ckan.lib import jobs
from ckan.tests import factories, helpers

from ckanext.smartcity.quality import assessment as quality
from ckanext.smartcity.quality import reachability, shacl
from tests.harvest.local_server import Source
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "examples")

# The MQA points table, copied by hand from the docstring of
# ckanext/smartcity/quality/mqa.py (data.europa.eu's metrics): the expected
# scores below are sums over it, not numbers read off a run.
MQA = {
    "findability": {"keyword": 30, "theme": 30, "spatial": 20, "temporal": 20},   # 100
    "accessibility": {"accessURL": 50, "downloadURL": 20, "downloadURLAnswers": 30},  # 100
    "interoperability": {"format": 20, "mediaType": 10, "vocabularies": 10,
                         "nonProprietary": 20, "machineReadable": 20,
                         "dcatApCompliance": 30},                                  # 110
    "reusability": {"license": 20, "knownLicense": 10, "accessRights": 10,
                    "accessRightsVocabulary": 5, "contactPoint": 20, "publisher": 10},  # 75
    "contextuality": {"rights": 5, "byteSize": 5, "issued": 5, "modified": 5},     # 20
}


def earned(fulfilled):
    """Points per dimension when exactly the ``fulfilled`` metrics are met
    (all distributions meeting them; the others score 0)."""
    return {dimension: sum(points for metric, points in metrics.items() if metric in fulfilled)
            for dimension, metrics in MQA.items()}


# The minimal dataset (``minimal`` below) meets: spatial (the organisation's
# default region), SHACL without violations, licence and known licence,
# contact point (the organisation's default) and publisher, issued and
# modified (CKAN's resource dates, which the RDF carries):
# 20 + 30 + (20 + 10 + 20 + 10) + (5 + 5) = 120.
MINIMAL = {"spatial", "dcatApCompliance", "license", "knownLicense", "contactPoint",
           "publisher", "issued", "modified"}
MINIMAL_SCORE = sum(earned(MINIMAL).values())


def minimal(org, **extra):
    return {"name": "minimal", "title": "Baumkataster", "owner_org": org["id"],
            "notes": "Bäume der Stadt.", "license_id": "dl-de-by-2.0",
            "publisher": [{"name": "Stadt Dinslaken"}],
            "resources": [{"url": "https://example.org/baeume.csv", "name": "Bäume"}], **extra}


def create(steward, data):
    return helpers.call_action("package_create", context=dict(steward["context"]), **data)


def points(result):
    return {d["code"]: d["points"] for d in result["dimensions"]}


def test_minimal_dataset_score_and_next_steps(steward, org):
    dataset = create(steward, minimal(org))
    result = helpers.call_action("smartcity_quality_show", context=dict(steward["context"]),
                                 id=dataset["id"])
    # accessibility: URL never checked, no download URL; interoperability: no
    # format, no media type; contextuality: no rights, no byte size
    assert points(result) == earned(MINIMAL) == {
        "findability": 20, "accessibility": 0, "interoperability": 30,
        "reusability": 60, "contextuality": 10}
    assert result["score"] == MINIMAL_SCORE == 120
    assert result["rating"] == {"code": "bad", "de": "Mangelhaft", "en": "Bad"}
    assert result["shacl"]["violations"] == 0
    steps = [s["de"] for s in result["next_steps"]]
    assert steps[0] == ("Zugangs-URL erreichbar machen (oder die Prüfung abwarten) "
                        "(Ressource ›Bäume‹): +50 Punkte")
    assert "Schlagwörter angeben: +30 Punkte" in steps
    assert "Eine Smart-City-Kategorie oder ein EU-Datenthema wählen: +30 Punkte" in steps
    assert [s["points"] for s in result["next_steps"]] == \
        sorted((s["points"] for s in result["next_steps"]), reverse=True)
    # every point not earned is offered as a next step: 405 = 100 + 100 + 110 + 75 + 20
    assert result["score"] + sum(s["points"] for s in result["next_steps"]) == \
        sum(sum(m.values()) for m in MQA.values()) == 405


def test_complete_dataset_scores_everything_but_unchecked_urls(steward, org):
    dataset = create(steward, full_dataset(org))
    result = quality.stored(dataset["id"])
    # every metric but the two URL checks, which have not run yet (accessURL
    # answers 50, downloadURL answers 30): 405 - 50 - 30 = 325, i.e.
    # 100 + (20) + 110 + 75 + 20; "good" is 221-350
    every = {metric for metrics in MQA.values() for metric in metrics}
    expected = earned(every - {"accessURL", "downloadURLAnswers"})
    assert points(result) == expected == {
        "findability": 100, "accessibility": 20, "interoperability": 110,
        "reusability": 75, "contextuality": 20}
    metrics = {m["metric"]: m["points"] for d in result["dimensions"] for m in d["metrics"]}
    assert {m for m, got in metrics.items() if got == 0} == {"accessURL", "downloadURLAnswers"}
    assert result["score"] == sum(expected.values()) == 325
    assert result["rating"]["code"] == "good"
    assert [s["de"] for s in result["next_steps"]] == [
        "Zugangs-URL erreichbar machen (oder die Prüfung abwarten) "
        "(Ressource ›Ladesäulen (CSV)‹): +50 Punkte",
        "Download-URL erreichbar machen (Ressource ›Ladesäulen (CSV)‹): +30 Punkte"]


def test_saving_again_updates_the_score(steward, org):
    dataset = create(steward, minimal(org))
    before = quality.stored(dataset["id"])["score"]
    helpers.call_action("package_patch", context=dict(steward["context"]), id=dataset["id"],
                        tag_string="Bäume,Umwelt", theme=["ENVI"])
    after = quality.stored(dataset["id"])
    # keywords and a theme: 30 + 30
    assert after["score"] == before + MQA["findability"]["keyword"] + MQA["findability"]["theme"]
    assert not any("Schlagwörter" in s["de"] for s in after["next_steps"])


def test_shacl_findings_in_german_tied_to_fields():
    """A real document (GovData's quicktest, which conforms) broken by hand:
    title and the distribution's access URL removed."""
    graph = Graph().parse(os.path.join(EXAMPLES, "v3.0-quicktest.ttl"), format="turtle")
    from rdflib.namespace import DCAT, RDF
    [ref] = graph.subjects(RDF.type, DCAT.Dataset)
    assert [f for f in shacl.validate(graph, ref) if f.severity == "violation"] == []
    graph.remove((ref, DCTERMS.title, None))
    [distribution] = graph.objects(ref, DCAT.distribution)
    graph.remove((distribution, DCAT.accessURL, None))
    violations = [f for f in shacl.validate(graph, ref) if f.severity == "violation"]
    by_field = {(f.field, f.resource): f for f in violations}
    assert by_field[("title", None)].message_de == "Pflichtangabe fehlt: Titel"
    assert by_field[("title", None)].message_en == "Required value missing: Title"
    assert by_field[("url", 1)].message_de.startswith("Ressource 1: Pflichtangabe fehlt:")


@pytest.fixture
def links():
    server = Source()
    server.add("/ok.csv", b"a,b\n1,2\n", media="text/csv")
    server.add("/dl.csv", b"a,b\n1,2\n", media="text/csv")
    server.add("/gone.csv", b"", status=404)
    yield server
    server.server.shutdown()


def test_url_check_job_runs_on_the_queue_and_scores(steward, org, links):
    jobs.get_queue().empty()
    dataset = create(steward, minimal(org, resources=[
        {"url": links.base + "/ok.csv", "name": "Gut", "download_url": links.base + "/dl.csv"},
        {"url": links.base + "/gone.csv", "name": "Weg"},
        {"url": "http://10.1.2.3/intern.csv", "name": "Intern"}]))
    assert quality.stored(dataset["id"])["urls"][links.base + "/ok.csv"] is None
    jobs.Worker(["default"]).work(burst=True)   # the RQ worker, as `ckan jobs worker`
    result = quality.stored(dataset["id"])
    urls = result["urls"]
    ok = urls[links.base + "/ok.csv"]
    assert ok["ok"] is True and ok["status"] == 200
    assert urls[links.base + "/gone.csv"]["ok"] is False
    assert urls[links.base + "/gone.csv"]["error"] == "HTTP 404"
    assert "private or local address" in urls["http://10.1.2.3/intern.csv"]["error"]
    assert urls[links.base + "/ok.csv"]["checked_at"]
    # one of three access URLs answers (50/3), one download URL present and answering
    assert points(result)["accessibility"] == round(50 / 3) + round(20 / 3) + round(30 / 3)
    assert not [p for p in links.requests if "intern" in p]
    assert sorted(set(links.requests)) == ["/dl.csv", "/gone.csv", "/ok.csv"]


def test_files_uploaded_to_the_portal_are_checked_in_the_file_store(steward, org):
    """The portal's own downloads live on a loopback address the SSRF rules
    refuse: they are checked on disk instead (the demo town's 89 files were
    all scored unreachable)."""
    import io
    import os
    from werkzeug.datastructures import FileStorage
    from ckan.lib import uploader
    jobs.get_queue().empty()
    dataset = create(steward, minimal(org))
    resource = helpers.call_action(
        "resource_create", context=dict(steward["context"]), package_id=dataset["id"],
        name="Daten", url="daten.csv",
        upload=FileStorage(stream=io.BytesIO(b"a,b\n1,2\n"), filename="daten.csv"))
    jobs.Worker(["default"]).work(burst=True)
    url = helpers.call_action("resource_show", id=resource["id"])["url"]
    assert url.startswith("http://") and url.endswith("/download/daten.csv")
    assert quality.stored(dataset["id"])["urls"][url]["ok"] is True
    os.remove(uploader.get_resource_uploader(dict(resource)).get_path(resource["id"]))
    reachability.recheck(0)
    check = quality.stored(dataset["id"])["urls"][url]
    assert check["ok"] is False and "uploaded file missing" in check["error"]


def test_redis_down_saving_still_works(steward, org, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis down")
    monkeypatch.setattr(tk, "enqueue_job", down)
    dataset = create(steward, minimal(org))
    assert quality.stored(dataset["id"])["score"] == MINIMAL_SCORE
    assert reachability.enqueue(dataset["id"]) is False


def test_only_editors_see_the_report(steward, org, app):
    dataset = create(steward, minimal(org))
    outsider = factories.User()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("smartcity_quality_show",
                            context={"user": outsider["name"], "ignore_auth": False},
                            id=dataset["id"])
    page = app.get(f"/dataset/{dataset['name']}").body
    assert "Metadatenqualität" not in page
    page = app.get(f"/dataset/{dataset['name']}",
                   headers={"Authorization": steward["token"]}).body
    assert "Metadatenqualität" in page and "Mangelhaft" in page
    assert "Schlagwörter angeben: +30 Punkte" in page


@pytest.mark.ckan_config("ckanext.smartcity.quality.public_summary", "true")
def test_public_summary_by_config(steward, org):
    dataset = create(steward, minimal(org))
    result = helpers.call_action("smartcity_quality_show",
                                 context={"user": "", "ignore_auth": False}, id=dataset["id"])
    assert set(result) == {"score", "maximum", "rating", "id", "name"}


def test_dashboard_and_exports(steward, org, app):
    anonymous = app.get("/qualitaet", status=302, follow_redirects=False)
    assert "/user/login" in anonymous.headers["Location"]
    create(steward, minimal(org, name="schlecht", title="=HYPERLINK(\"http://x\")"))
    create(steward, full_dataset(org))
    other_org = factories.Organization()
    admin_elsewhere = factories.User()
    helpers.call_action("organization_member_create", id=other_org["id"],
                        username=admin_elsewhere["name"], role="admin")
    as_sysadmin = {"Authorization": steward["token"]}
    page = app.get("/qualitaet", headers=as_sysadmin).body
    assert page.index("=HYPERLINK") < page.index("Ladesäulen")   # worst first
    report = json.loads(app.get("/qualitaet.json", headers=as_sysadmin).body)
    assert [d["name"] for d in report["datasets"]] == ["schlecht", "ladesaeulen"]
    assert report["ratings"] == {"excellent": 0, "good": 1, "sufficient": 0, "bad": 1}
    rows = list(csv.reader(io.StringIO(app.get("/qualitaet.csv", headers=as_sysadmin).body)))
    assert rows[0][:4] == ["name", "title", "organization", "score"]
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"   # no formula in a spreadsheet
    elsewhere = json.loads(app.get("/qualitaet.json",
                                   headers={"Authorization": factories.APIToken(
                                       user=admin_elsewhere["name"])["token"]}).body)
    assert elsewhere["datasets"] == []
    app.get("/qualitaet.json?org=%00", headers=as_sysadmin, status=404)
    helpers.call_action("package_delete", context=dict(steward["context"]), id="schlecht")
    report = json.loads(app.get("/qualitaet.json", headers=as_sysadmin).body)
    assert [d["name"] for d in report["datasets"]] == ["ladesaeulen"]


def test_cli_writes_csv(cli, steward, org):
    from ckan.cli.cli import ckan
    create(steward, minimal(org))
    result = cli.invoke(ckan, ["smartcity", "quality", "--format", "csv", "--assess"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output.split("\n", 1)[1])))
    assert rows[0][:4] == ["name", "title", "organization", "score"]
    # the minimal dataset's score summed from the MQA table (MINIMAL_SCORE, 120)
    assert rows[1][:2] == ["minimal", "Baumkataster"]
    assert int(rows[1][3]) == MINIMAL_SCORE
