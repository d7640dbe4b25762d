"""Other extensions hook into harvesting through ckanext-dcat's
IDCATRDFHarvester; the DCAT-AP.de harvester calls those hooks where
ckanext-dcat's own RDF harvester does.

A recording plugin is loaded through CKAN's plugin machinery (an entry point
in the ``ckan.test_plugins`` group, declared by a throw-away distribution on
``sys.path``), the source is a local HTTP server on a free port."""
import pytest

import ckan.model as model
import ckan.plugins as plugins
from ckan.tests import factories
from ckanext.dcat.interfaces import IDCATRDFHarvester
from ckanext.dcat.processors import RDFParser
from ckanext.harvest.model import HarvestJob, HarvestObject
from ckanext.smartcity.i18n_text import bilingual

from tests.harvest.conftest import run_harvest
from tests.harvest.local_server import Source
from tests.harvest.test_harvest import catalogue, create_source, errors, harvested

pytestmark = pytest.mark.usefixtures("clean_db", "harvest_queues")
PLUGIN = "smartcity_test_harvest_hooks"


class HookRecorder(plugins.SingletonPlugin):
    """Records every IDCATRDFHarvester call; ``behaviour`` changes answers."""

    plugins.implements(IDCATRDFHarvester, inherit=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls: list[tuple] = []
        self.behaviour: dict = {}

    def before_download(self, url, harvest_job):
        self.calls.append(("before_download", url, harvest_job))
        url = self.behaviour.get("rewrite", {}).get(url, url)
        return url, list(self.behaviour.get("download_errors", []))

    def update_session(self, session):
        self.calls.append(("update_session", session))
        return session

    def after_download(self, content, harvest_job):
        self.calls.append(("after_download", content, harvest_job))
        return content.replace("Erster", "Erster (geprüft)"), []

    def after_parsing(self, rdf_parser, harvest_job):
        self.calls.append(("after_parsing", rdf_parser, harvest_job))
        if self.behaviour.get("stop_after_parsing"):
            return None, ["Katalog abgelehnt"]
        return rdf_parser, []

    def update_package_schema_for_create(self, package_schema):
        self.calls.append(("update_package_schema_for_create", package_schema))
        return package_schema

    def update_package_schema_for_update(self, package_schema):
        self.calls.append(("update_package_schema_for_update", package_schema))
        return package_schema

    def before_create(self, harvest_object, dataset_dict, temp_dict):
        self.calls.append(("before_create", harvest_object, dict(dataset_dict)))
        temp_dict["title"] = dataset_dict["title"]
        dataset_dict["notes"] = "Vom Hook ergänzt"
        if dataset_dict["title"] in self.behaviour.get("ignore", ()):
            dataset_dict.clear()

    def after_create(self, harvest_object, dataset_dict, temp_dict):
        stored = model.Package.get(harvest_object.package_id)
        self.calls.append(("after_create", harvest_object, dict(dataset_dict),
                           dict(temp_dict), stored is not None))
        return self.behaviour.get("after_create_error")

    def before_update(self, harvest_object, dataset_dict, temp_dict):
        self.calls.append(("before_update", harvest_object, dict(dataset_dict)))
        temp_dict["title"] = dataset_dict["title"]

    def after_update(self, harvest_object, dataset_dict, temp_dict):
        self.calls.append(("after_update", harvest_object, dict(dataset_dict),
                           dict(temp_dict)))
        return None

    def named(self, hook):
        return [call for call in self.calls if call[0] == hook]


@pytest.fixture
def recorder(tmp_path, monkeypatch):
    """The recording plugin, loaded and unloaded with ckan.plugins."""
    dist = tmp_path / "smartcity_test_harvest_hooks-0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: smartcity-test-harvest-hooks\n"
                                   "Version: 0\n")
    (dist / "entry_points.txt").write_text(
        f"[ckan.test_plugins]\n{PLUGIN} = tests.harvest.test_hooks:HookRecorder\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with plugins.use_plugin(PLUGIN) as plugin:
        yield plugin


@pytest.fixture
def page_server():
    server = Source()
    yield server
    server.server.shutdown()


def test_hooks_are_called_where_ckanext_dcat_calls_them(recorder, page_server):
    org = factories.Organization()
    base = page_server.base
    page_server.add("/p1.ttl", catalogue(base, [("a", "Erster", "")], next_page="/p2.ttl"))
    page_server.add("/p2.ttl", catalogue(base, [("b", "Zweiter", "")]))
    # before_download may change the URL: the source names a page that only
    # the hook knows how to reach
    recorder.behaviour["rewrite"] = {base + "/start.ttl": base + "/p1.ttl"}
    source = create_source(base + "/start.ttl", org)

    assert errors(run_harvest(source["id"])) == []

    # gather: per page before_download (the page's URL), after_download (its
    # text), after_parsing (an RDFParser holding the page)
    job = recorder.named("before_download")[0][2]
    assert isinstance(job, HarvestJob) and job.source_id == source["id"]
    assert [c[1] for c in recorder.named("before_download")] == [
        base + "/start.ttl", base + "/p2.ttl"]
    downloaded = [c[1] for c in recorder.named("after_download")]
    assert len(downloaded) == 2 and "Erster" in downloaded[0] and "Zweiter" in downloaded[1]
    parsed = recorder.named("after_parsing")
    assert len(parsed) == 2 and all(isinstance(c[1], RDFParser) for c in parsed)
    assert all(c[2] is job for c in recorder.calls if c[0] in ("after_download",
                                                               "after_parsing"))
    assert page_server.requests == ["/p1.ttl", "/p2.ttl"]  # /start.ttl never fetched
    # no requests session: pages go through net.py (docs/security.md)
    assert recorder.named("update_session") == []

    # import: the schema hook, before_create with the dict about to be saved,
    # after_create once the dataset exists, with the temp dict of before_create
    assert len(recorder.named("update_package_schema_for_create")) == 2
    assert all("title" in c[1] for c in recorder.named("update_package_schema_for_create"))
    created = {c[2]["title"]: c for c in recorder.named("before_create")}
    assert set(created) == {"Erster (geprüft)", "Zweiter"}  # after_download's change
    uris = {"Erster (geprüft)": base + "/ds/a", "Zweiter": base + "/ds/b"}
    for title, (_hook, harvest_object, dataset) in created.items():
        assert isinstance(harvest_object, HarvestObject)
        assert harvest_object.guid == uris[title]
        assert dataset["owner_org"] == org["id"] and dataset["id"]
    after = {c[3]["title"]: c for c in recorder.named("after_create")}
    assert set(after) == set(created)
    for title, (_hook, harvest_object, dataset, _temp, stored) in after.items():
        assert stored and harvest_object.package_id == dataset["id"]
        assert harvest_object is created[title][1]
    # what before_create changed is what was saved
    assert {d["title"]: d["notes"] for d in harvested(org)} == {
        "Erster (geprüft)": "Vom Hook ergänzt", "Zweiter": "Vom Hook ergänzt"}

    # a second run updates: the update hooks, with the stored dataset's id
    recorder.calls.clear()
    assert errors(run_harvest(source["id"])) == []
    ids = {d["title"]: d["id"] for d in harvested(org)}
    assert recorder.named("before_create") == []
    assert len(recorder.named("update_package_schema_for_update")) == 2
    updated = {c[2]["title"]: c[2]["id"] for c in recorder.named("before_update")}
    assert updated == ids
    assert {c[3]["title"]: c[2]["id"] for c in recorder.named("after_update")} == ids


def test_hook_errors_are_reported_and_a_hook_can_stop_or_skip(recorder, page_server):
    org = factories.Organization()
    base = page_server.base
    page_server.add("/catalog.ttl", catalogue(base, [("a", "Erster", ""), ("b", "Zweiter", "")]))
    source = create_source(base + "/catalog.ttl", org)

    # an emptied dict is ignored; an after_create error fails the object
    # (the dataset itself is stored by then, as in ckanext-dcat)
    recorder.behaviour.update(ignore=["Zweiter"], after_create_error="Ablage voll",
                              download_errors=["Quelle langsam"])
    messages = errors(run_harvest(source["id"]))
    assert "Quelle langsam" in messages  # the hook's own message, as a gather error
    assert [m for m in messages if "Ablage voll" in m] == [
        bilingual("extension error") + ": Ablage voll"]
    assert [d["title"] for d in harvested(org)] == ["Erster (geprüft)"]

    # a falsy parser stops the gather stage: nothing imported, nothing deleted
    recorder.behaviour = {"stop_after_parsing": True}
    page_server.add("/catalog.ttl", catalogue(base, [("c", "Dritter", "")]))
    messages = errors(run_harvest(source["id"]))
    assert messages == ["Katalog abgelehnt"]
    assert [d["title"] for d in harvested(org)] == ["Erster (geprüft)"]
