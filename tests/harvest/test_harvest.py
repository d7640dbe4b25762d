"""Harvesting DCAT-AP.de catalogues with ckanext-harvest, this extension's
harvester (source type dcat_ap_de) and real Redis queues.

The main source is a second portal (tests/harvest/source-portal.ini: own
database, the demo datasets, 4 per page) on 127.0.0.1; the edge cases of
docs/security.md H11-H15 use a local HTTP server that serves chosen pages."""
import json
import socket
import urllib.request

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.harvest.model import HarvestObject, HarvestSource
from ckanext.smartcity.categories.index import effective_themes

from tests.harvest.conftest import SOURCE_DATASETS, SOURCE_URL, run_harvest
from tests.harvest.local_server import Source

pytestmark = pytest.mark.usefixtures("clean_db", "harvest_queues")
EU = "http://publications.europa.eu/resource/authority/"
LICENSE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"


def create_source(url, org, config=None, name="nachbarportal"):
    context = {"user": helpers.call_action("get_site_user")["name"], "ignore_auth": True}
    return tk.get_action("harvest_source_create")(context, {
        "name": name, "title": "Nachbarportal", "url": url, "source_type": "dcat_ap_de",
        "owner_org": org["id"], "config": json.dumps(config or {"rdf_format": "ttl"}),
        "frequency": "MANUAL"})


def harvested(org):
    return helpers.call_action("package_search", q="*:*", fq=f"owner_org:{org['id']}",
                               rows=100, include_private=True)["results"]


def source_datasets(base):
    with urllib.request.urlopen(base + "/api/3/action/package_search?rows=100") as answer:
        return json.load(answer)["result"]["results"]


def errors(report):
    return ([e["message"] for e in report["gather_errors"]]
            + [e["message"] for o in report["object_errors"].values() for e in o["errors"]])


def unordered(value):
    return sorted(value) if isinstance(value, list) else (value or None)


def test_paged_catalogue_of_another_portal_is_harvested(source_portal):
    org = factories.Organization(name="kreis-wesel")
    source = create_source(source_portal + "/catalog.ttl", org)
    report = run_harvest(source["id"])
    assert errors(report) == []

    expected = {d["title"]: d for d in source_datasets(source_portal)}
    assert len(expected) == SOURCE_DATASETS  # three catalogue pages of 4
    stored = {d["title"]: d for d in harvested(org)}
    assert set(stored) == set(expected)
    for title, original in expected.items():
        copy = stored[title]
        assert copy["owner_org"] == org["id"]
        # effective themes: a hand-picked theme a category implies is folded in (RDF has one list)
        assert sorted(effective_themes(copy)) == sorted(effective_themes(original))
        for field in ("notes", "license_id", "contributor_id", "smartcity_category",
                      "political_geocoding_level", "political_geocoding"):
            # RDF has no order: multi-valued fields compare as sets
            assert unordered(copy.get(field)) == unordered(original.get(field)), (title, field)
        # the source's stable identifier travels on (GovData de-duplicates by
        # it): its own dct:identifier, else the source's dataset URI
        assert copy["identifier"] == (original.get("identifier")
                                      or f"{source_portal}/dataset/{original['id']}")
        assert sorted(r["url"] for r in copy["resources"]) == \
            sorted(r["url"] for r in original["resources"])

    status = helpers.call_action("harvest_source_show_status", id=source["id"])
    assert status["last_job"]["status"] == "Finished"
    assert status["last_job"]["stats"]["added"] == SOURCE_DATASETS

    # a second run updates the same datasets instead of adding copies; the
    # distributions keep their resource ids
    ids = sorted(d["id"] for d in harvested(org))
    resource_ids = sorted(r["id"] for d in harvested(org) for r in d["resources"])
    report = run_harvest(source["id"])
    assert errors(report) == []
    assert sorted(d["id"] for d in harvested(org)) == ids
    assert sorted(r["id"] for d in harvested(org) for r in d["resources"]) == resource_ids
    status = helpers.call_action("harvest_source_show_status", id=source["id"])
    assert status["last_job"]["stats"].get("added", 0) == 0
    assert status["last_job"]["stats"]["updated"] == SOURCE_DATASETS


def test_identity_is_scoped_to_the_source(source_portal):
    """H12: a second source with the same datasets (same URIs) in another
    organisation gets its own copies; the first source's stay as they were."""
    first_org, second_org = factories.Organization(), factories.Organization()
    first = create_source(source_portal + "/catalog.ttl", first_org, name="erste")
    run_harvest(first["id"])
    before = {d["id"]: d["metadata_modified"] for d in harvested(first_org)}
    # ckanext-harvest refuses a second source with the same URL and config
    second = create_source(source_portal + "/catalog.ttl", second_org, name="zweite",
                           config={"rdf_format": "ttl", "max_deletion_ratio": 0.2})
    assert errors(run_harvest(second["id"])) == []
    assert len(harvested(second_org)) == SOURCE_DATASETS
    assert {d["id"]: d["metadata_modified"] for d in harvested(first_org)} == before
    assert not set(before) & {d["id"] for d in harvested(second_org)}


@pytest.fixture
def page_server():
    server = Source()
    yield server
    server.server.shutdown()


def catalogue(base, datasets, next_page=None):
    """A DCAT-AP.de Turtle page with the given (uri suffix, title, extra turtle)."""
    lines = ["@prefix dcat: <http://www.w3.org/ns/dcat#> .",
             "@prefix dct: <http://purl.org/dc/terms/> .",
             "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .",
             "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
             f"<{base}/catalog> a dcat:Catalog ; dct:title \"Quelle\" ."]
    if next_page:
        lines.append(f"<{base}/page> a hydra:PagedCollection ; hydra:next <{base}{next_page}> .")
    for suffix, title, extra in datasets:
        identifier = "" if "no-identifier" in extra else f'dct:identifier "{suffix}" ;'
        extra = extra.replace("no-identifier", "")
        lines.append(f"""<{base}/ds/{suffix}> a dcat:Dataset ;
  dct:title {json.dumps(title)} ; dct:description "Beschreibung" ;
  {identifier} dct:license <{LICENSE}> ;
  dct:publisher [ a foaf:Agent ; foaf:name "Stadt Moers" ] {extra} .
<{base}/catalog> dcat:dataset <{base}/ds/{suffix}> .""")
    return "\n".join(lines).encode()


def test_no_mass_deletion_after_errors_or_an_empty_catalogue(page_server):
    """H13: page 2 failing, or a valid but empty catalogue, deletes nothing
    and says why; an ordinary drop below the threshold deletes."""
    org = factories.Organization()
    base = page_server.base
    three = [("a", "Erster", ""), ("b", "Zweiter", ""), ("c", "Dritter", "")]
    page_server.add("/catalog.ttl", catalogue(base, three[:2], next_page="/p2.ttl"))
    page_server.add("/p2.ttl", catalogue(base, three[2:]))
    source = create_source(base + "/catalog.ttl", org)
    assert errors(run_harvest(source["id"])) == []
    assert len(harvested(org)) == 3

    page_server.add("/p2.ttl", b"Fehler", media="text/plain", status=500)
    report = run_harvest(source["id"])
    assert len(harvested(org)) == 3
    messages = errors(report)
    assert any("Keine Löschung" in m and "no deletion after errors" in m for m in messages)
    assert any(m.startswith("Abruf abgebrochen / fetch stopped") and "/p2.ttl" in m
               and "Fehler" not in m for m in messages)  # the page body is not echoed

    page_server.add("/catalog.ttl", catalogue(base, []))
    report = run_harvest(source["id"])
    assert len(harvested(org)) == 3
    assert any("3 von 3" in m for m in errors(report))

    page_server.add("/catalog.ttl", catalogue(base, three[:2], next_page="/p2.ttl"))
    page_server.add("/p2.ttl", catalogue(base, []))
    assert errors(run_harvest(source["id"])) == []
    assert sorted(d["title"] for d in harvested(org)) == ["Erster", "Zweiter"]


def test_unknown_and_variant_vocabulary_values(page_server):
    """H15: https twins and deprecated codes map to the current URI; unknown
    ones are dropped with a warning, and the dataset is still imported."""
    org = factories.Organization()
    base = page_server.base
    extra = (f"; dcat:theme <https://publications.europa.eu/resource/authority/data-theme/TRAN>, "
             f"<{EU}data-theme/NOPE> ; dct:accrualPeriodicity <{EU}frequency/WEEKLY>")
    page_server.add("/catalog.ttl", catalogue(base, [("v", "Vokabeln", extra)]))
    source = create_source(base + "/catalog.ttl", org)
    report = run_harvest(source["id"])
    [dataset] = harvested(org)
    assert dataset["theme"] == [EU + "data-theme/TRAN"]
    assert dataset["frequency"] == EU + "frequency/WEEKLY"
    # a dropped value is a warning of the dataset, not an error of the job
    assert errors(report) == []
    [entry] = report["object_warnings"].values()
    # the property and the dropped value (cut to 120 characters, shown escaped)
    assert entry["warnings"] == [
        f"dcat:theme: {EU}data-theme/NOPE verworfen, nicht in der Liste / "
        f"dcat:theme: {EU}data-theme/NOPE dropped, not in the list"]


def test_hostile_literals_go_through_the_form_validators(page_server, app):
    """H11: markup is stored as text and shown escaped; a javascript: landing
    page is refused like in the form, with the field named, and the rest of
    the catalogue is imported."""
    org = factories.Organization()
    base = page_server.base
    page_server.add("/catalog.ttl", catalogue(base, [
        ("x", "<script>alert(1)</script> {{ 7*7 }}", ""),
        ("j", "Landing", "; dcat:landingPage <javascript:alert(1)>"),
    ]))
    source = create_source(base + "/catalog.ttl", org)
    report = run_harvest(source["id"])
    [dataset] = harvested(org)
    assert dataset["title"] == "<script>alert(1)</script> {{ 7*7 }}"
    page = app.get(f"/dataset/{dataset['name']}").body
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in page
    [message] = errors(report)
    assert message.startswith("Nicht übernommen, Prüfung fehlgeschlagen / not imported")
    assert ": url: " in message   # the field named: the landing page is CKAN's "url"
    assert "javascript" not in message


def test_harvest_limits_per_dataset_and_per_job(page_server, monkeypatch):
    """H9/H11: a dataset with 150 keywords, one with 1,001 distributions and a
    2,000-character title are refused with the field named, the others imported;
    a source listing more datasets than ckanext.smartcity.harvest.max_datasets
    is cut there with an error, and nothing is deleted after such a run."""
    org = factories.Organization()
    base = page_server.base
    keywords = "; dcat:keyword " + ", ".join(f'"k{i}"' for i in range(150))
    distributions = "".join(f"; dcat:distribution [ a dcat:Distribution ; "
                            f"dcat:accessURL <https://example.org/{i}.csv> ]"
                            for i in range(1001))
    page_server.add("/catalog.ttl", catalogue(base, [
        ("ok", "Normal", ""), ("kw", "Schlagworte", keywords),
        ("dist", "Verteilungen", distributions), ("txt", "lang " * 400, "")]))
    source = create_source(base + "/catalog.ttl", org)
    report = errors(run_harvest(source["id"]))
    assert [d["title"] for d in harvested(org)] == ["Normal"]
    assert len(report) == 3, report
    joined = " ".join(report)
    for field in ("tags", "resources", "title"):
        assert field in joined, (field, report)
    assert "lang lang" not in joined  # the document's content is not echoed

    four = [(f"n{i}", f"Datensatz {i}", "") for i in range(4)]
    page_server.add("/catalog.ttl", catalogue(base, four))
    monkeypatch.setitem(tk.config, "ckanext.smartcity.harvest.max_datasets", 2)
    report = errors(run_harvest(source["id"]))
    assert any("max_datasets" in m for m in report), report
    # two imported; "Normal", no longer listed, is kept: the run had errors
    assert sorted(d["title"] for d in harvested(org)) == ["Datensatz 0", "Datensatz 1", "Normal"]


def test_privileged_fields_never_come_from_the_document(page_server):
    """H12: whatever the parsed document says about id, owner_org, private or
    state is ignored; the source's organisation owns the dataset."""
    org, other = factories.Organization(), factories.Organization()
    victim = factories.Dataset(owner_org=other["id"], title="Fremder Datensatz")
    page_server.add("/catalog.ttl", catalogue(page_server.base, [("p", "Eigener", "")]))
    source = create_source(page_server.base + "/catalog.ttl", org)
    from ckanext.smartcity.harvest import harvester as module
    original = module.RDFParser.datasets

    def hostile(self):
        for dataset in original(self):
            yield {**dataset, "id": victim["id"], "owner_org": other["id"], "private": True,
                   "state": "deleted", "name": victim["name"]}
    module.RDFParser.datasets = hostile
    try:
        assert errors(run_harvest(source["id"])) == []
    finally:
        module.RDFParser.datasets = original
    [dataset] = harvested(org)
    assert dataset["title"] == "Eigener" and not dataset["private"]
    assert dataset["state"] == "active" and dataset["id"] != victim["id"]
    after = helpers.call_action("package_show", id=victim["id"])
    assert (after["title"], after["owner_org"], after["state"]) == \
        ("Fremder Datensatz", other["id"], "active")


@pytest.mark.parametrize("config, message", [
    ({"rdf_format": "xml"}, "rdf_format"),
    ({"rdf_format": "ttl", "delete_everything": True}, "Unbekannte Einstellung"),
    ({"max_deletion_ratio": 3}, "max_deletion_ratio"),
])
def test_bad_source_configuration_is_refused(config, message):
    org = factories.Organization()
    with pytest.raises(tk.ValidationError) as error:
        create_source("https://example.org/catalog.ttl", org, config=config)
    assert message in json.dumps(error.value.error_dict, ensure_ascii=False)


@pytest.mark.parametrize("url", [
    "/etc/passwd", "../../ckan.ini", "file:///etc/passwd", "ftp://example.org/catalog.ttl",
    "gopher://example.org/", "http://169.254.169.254/latest/meta-data/",
    "http://10.1.2.3/catalog.ttl", "http://2130706433/", "http://0x7f.1/", "http://[::1]/",
    "http://[::ffff:127.0.0.2]/", "http://localhost:5000/", "http://127.0.0.2/",
    "http://127.0.0.1./", "http://\u2460\u2461\u2466.0.0.1/", "http://foo.localhost./"])
def test_local_and_private_sources_are_refused_when_saved(url, monkeypatch):
    """H7/H8: at creation, through the API and through package_create (the
    source form), before anything is fetched; nothing is stored. (Without
    test.ini's allow-list of 127.0.0.1, as a portal has it.)"""
    monkeypatch.setitem(tk.config, "ckanext.smartcity.harvest.allowed_networks", "")
    org = factories.Organization()
    with pytest.raises(tk.ValidationError) as error:
        create_source(url, org)
    assert list(error.value.error_dict) == ["url"]
    context = {"user": helpers.call_action("get_site_user")["name"], "ignore_auth": True}
    with pytest.raises(tk.ValidationError) as error:
        tk.get_action("package_create")(context, {
            "type": "harvest", "name": "formular-quelle", "title": "Formular", "url": url,
            "source_type": "dcat_ap_de", "owner_org": org["id"], "frequency": "MANUAL"})
    assert "url" in error.value.error_dict
    assert model.Session.query(model.Package).filter_by(type="harvest").count() == 0


def test_a_source_cannot_be_changed_to_a_local_path(source_portal):
    org = factories.Organization()
    source = create_source(source_portal + "/catalog.ttl", org)
    context = {"user": helpers.call_action("get_site_user")["name"], "ignore_auth": True}
    with pytest.raises(tk.ValidationError) as error:
        tk.get_action("harvest_source_update")(context, dict(
            id=source["id"], name=source["name"], title=source["title"], url="file:///etc/passwd",
            source_type="dcat_ap_de", owner_org=org["id"], frequency="MANUAL"))
    assert "url" in error.value.error_dict
    assert helpers.call_action("harvest_source_show", id=source["id"])["url"] == source["url"]


def test_public_names_and_allow_listed_addresses_are_accepted_unresolved(monkeypatch):
    """Host names are not looked up when saving (checked on every fetch);
    127.0.0.1 is allow-listed in test.ini for the local test sources (only
    saved here: the source portal need not run). A name that is no host name
    at all is saved too (no 500), and its first fetch says it cannot be
    found."""
    org = factories.Organization()
    urls = {"extern": "https://opendata.example.org/catalog.ttl",
            "lokal": SOURCE_URL + "/catalog.ttl", "kaputt": "http://-1/catalog.ttl"}
    lookups = []

    def recording(real):
        def lookup(host, *args, **kwargs):
            if host in ("opendata.example.org", "-1"):   # other lookups (Redis) pass
                lookups.append(host)
            return real(host, *args, **kwargs)
        return lookup
    with monkeypatch.context() as saving:
        for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
            saving.setattr(socket, name, recording(getattr(socket, name)))
        created = {name: create_source(url, org, name=name) for name, url in urls.items()}
    assert lookups == []
    for name, url in urls.items():
        stored = helpers.call_action("harvest_source_show", id=created[name]["id"])
        assert (stored["name"], stored["url"], stored["active"]) == (name, url, True)
    [message] = errors(run_harvest(created["kaputt"]["id"]))
    assert message.endswith("fetch stopped: host not found: '-1'"), message
    assert harvested(org) == []


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/",
                                 "http://10.1.2.3/catalog.ttl"])
def test_private_addresses_are_refused_again_at_fetch(url):
    """A source saved before the check (or a name that later resolves to a
    private address) is refused by the fetcher; nothing is stored."""
    org = factories.Organization()
    source = create_source("https://opendata.example.org/catalog.ttl", org)
    model.Session.query(HarvestSource).filter_by(id=source["id"]).update({"url": url})
    model.Session.commit()
    report = run_harvest(source["id"])
    assert any("private or local address" in m for m in errors(report))
    assert harvested(org) == []
    assert model.Session.query(HarvestObject).count() == 0


def test_datasets_are_known_by_their_uri(page_server):
    """The URI is the identity (dct:identifier is optional in DCAT-AP.de):
    datasets without one are imported, and a changed identifier updates the
    same dataset instead of replacing it."""
    org = factories.Organization()
    base = page_server.base
    page_server.add("/catalog.ttl", catalogue(base, [("u", "Ohne Kennung", "no-identifier")]))
    source = create_source(base + "/catalog.ttl", org)
    assert errors(run_harvest(source["id"])) == []
    [first] = harvested(org)
    page_server.add("/catalog.ttl", catalogue(base, [("u", "Ohne Kennung, geändert", "")]))
    assert errors(run_harvest(source["id"])) == []
    [second] = harvested(org)
    assert second["id"] == first["id"] and second["title"] == "Ohne Kennung, geändert"
    assert second["identifier"] == "u"
