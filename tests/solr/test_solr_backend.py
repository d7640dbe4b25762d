"""Stock CKAN on a real Solr, with this extension but without ``smartcity_search``
(docs/solr.md): what a site that keeps Solr gets.

Solr 9 runs from its own jars (deploy/solr/, started by ``scripts/solr.sh``
on test ports), once standalone with the core ``ckan`` and once as SolrCloud
(2 nodes, embedded ZooKeeper, 2 shards x 2 replicas), both built from CKAN
2.12's own ``schema.xml``. CKAN runs in a separate process
(tests/solr/portal.py) with the plugins of the test configuration minus
``smartcity_search`` and ``solr_url`` pointing at that Solr. Nothing is
skipped: without Java or Maven the tests fail and say what to install.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from typing import Any

import pytest
from ckan.plugins import toolkit as tk

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOLR_SH = os.path.join(ROOT, "scripts", "solr.sh")
PORTAL = os.path.join(ROOT, "tests", "solr", "portal.py")
PYTHON = sys.executable
CKAN = os.path.join(os.path.dirname(PYTHON), "ckan")
# not the demo's 8983/8984: a running demo Solr is never touched
STANDALONE_PORT = 18983
CLOUD_PORT = 18985  # nodes on 18985 and 18986
ORG = "solr-stadt"
KAT = "https://w3id.org/ckanext-smartcity/kategorien/"
INSTALL_HINT = ("Solr needs a JDK 17 and Maven (Debian: apt-get install "
                "openjdk-17-jdk-headless maven; scripts/bootstrap.sh installs them)")
ENV = {**os.environ, "SOLR_PORT": str(STANDALONE_PORT), "SOLRCLOUD_PORT": str(CLOUD_PORT)}


def run(args: list[str], timeout: int, what: str, env: dict | None = None) -> str:
    """``args`` in the repository with the Solr ports of ``env`` (this
    file's by default); the test fails with the output if it fails."""
    try:
        done = subprocess.run(args, cwd=ROOT, env=env or ENV, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"{what} took longer than {timeout} s: {error.stdout}\n{error.stderr}")
    if done.returncode != 0:
        pytest.fail(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                    f"{done.stderr[-3000:]}")
    return done.stdout


def solr_sh(command: str) -> str:
    # the first build downloads Solr's jars (about 90 MB) into ~/.m2
    return run([SOLR_SH, command], 900, f"scripts/solr.sh {command}")


def start_standalone() -> str:
    solr_sh("up")
    return f"http://127.0.0.1:{STANDALONE_PORT}/solr/ckan"


def start_cloud() -> str:
    solr_sh("cloud-up")
    with open(os.path.join(ROOT, "var", f"solrcloud-{CLOUD_PORT}.urls"), encoding="utf-8") as fh:
        nodes = fh.read().split()
    assert len(nodes) == 2, nodes
    return nodes[0] + "/ckan"


def plugins_without_search() -> str:
    plugins = tk.config.get("ckan.plugins")
    if isinstance(plugins, str):
        plugins = plugins.split()
    return " ".join(p for p in plugins if p != "smartcity_search")


def write_overlay(directory: str, solr_url: str, ckan_ini: str) -> str:
    """The test configuration with CKAN's own Solr search instead of ours."""
    path = os.path.join(directory, "solr.ini")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[DEFAULT]\ndebug = false\n\n[app:main]\n"
                 f"use = config:{os.path.abspath(ckan_ini)}\n"
                 f"ckan.plugins = {plugins_without_search()}\n"
                 f"solr_url = {solr_url}\n")
    return path


def portal(ini: str, command: str) -> dict[str, Any]:
    out = run([PYTHON, PORTAL, ini, command], 300, f"tests/solr/portal.py {command}")
    for line in out.splitlines():
        if line.startswith("PORTAL-RESULT "):
            return json.loads(line[len("PORTAL-RESULT "):])
    pytest.fail(f"tests/solr/portal.py {command} printed no result:\n{out[-3000:]}")


def solr_select(solr_url: str, **params: str) -> dict[str, Any]:
    query = urllib.parse.urlencode({"wt": "json", **params})
    with urllib.request.urlopen(f"{solr_url}/select?{query}", timeout=30) as response:
        return json.load(response)["response"]


def org_docs(solr_url: str, **params: str) -> dict[str, Any]:
    return solr_select(solr_url, q="*:*", fq=f"organization:{ORG}", **params)


@pytest.fixture(scope="module", params=["standalone", "cloud"])
def solr_url(request):
    """A running Solr of either kind; stopped after the module's tests on it."""
    if shutil.which("java") is None:
        pytest.fail(f"java not found. {INSTALL_HINT}")
    url = start_standalone() if request.param == "standalone" else start_cloud()
    yield url
    solr_sh("down")


@pytest.fixture(scope="module")
def portal_on_solr(solr_url, tmp_path_factory, ckanconfig_path):
    """Datasets created through CKAN, the index cleared and rebuilt with
    ``ckan search-index rebuild``, then the answers a visitor gets."""
    ini = write_overlay(str(tmp_path_factory.mktemp("solr")), solr_url, ckanconfig_path)
    portal(ini, "load")
    run([CKAN, "-c", ini, "search-index", "clear"], 300, "ckan search-index clear")
    cleared = org_docs(solr_url, rows="0")["numFound"]
    run([CKAN, "-c", ini, "search-index", "rebuild"], 600, "ckan search-index rebuild")
    return {"solr_url": solr_url, "cleared": cleared, "answers": portal(ini, "query")}


@pytest.fixture(scope="module")
def ckanconfig_path(pytestconfig):
    return pytestconfig.getoption("ckan_ini")


def test_ckan_searches_through_solr_without_smartcity_search(portal_on_solr):
    answers = portal_on_solr["answers"]
    assert "smartcity_search" not in answers["plugins"]
    assert "smartcity" in answers["plugins"]
    assert answers["solr_url"] == portal_on_solr["solr_url"]


def test_rebuild_indexes_every_dataset_with_category_ancestors(portal_on_solr):
    solr_url = portal_on_solr["solr_url"]
    assert portal_on_solr["cleared"] == 0
    docs = org_docs(solr_url, rows="10", fl="name,vocab_smartcity_category,vocab_eu_theme")
    # the private dataset is indexed too; CKAN hides it by permission labels
    assert docs["numFound"] == 4
    radwege = next(d for d in docs["docs"] if d["name"] == "solr-radwege")
    assert set(radwege["vocab_smartcity_category"]) == {KAT + "radverkehr", KAT + "mobilitaet"}
    assert radwege["vocab_eu_theme"] == [
        "http://publications.europa.eu/resource/authority/data-theme/TRAN"]


@pytest.mark.parametrize(("search", "names"), [
    ("radwege", {"solr-radwege"}),
    ("baeume", {"solr-baumkataster"}),
    ("haltestellen", {"solr-haltestellen"}),
    # category labels and alternative labels, ancestors included (categories/index.py)
    ("mobilitaet_label", {"solr-radwege", "solr-haltestellen"}),
    ("oepnv_alt_label", {"solr-haltestellen"}),
])
def test_german_words_find_datasets(portal_on_solr, search, names):
    answer = portal_on_solr["answers"][search]
    assert answer["status"] == 200, answer
    assert set(answer["names"]) == names


def test_category_facet_counts_ancestors_with_german_labels(portal_on_solr):
    facet = portal_on_solr["answers"]["facets"]["facets"]["vocab_smartcity_category"]
    assert facet[KAT + "mobilitaet"] == [2, "Mobilität und Verkehr"]
    assert facet[KAT + "radverkehr"] == [1, "Radverkehr"]
    assert facet[KAT + "oepnv"] == [1, "Öffentlicher Personennahverkehr"]
    assert facet[KAT + "stadtgruen-natur"][0] == 1


def test_category_filter_and_pages(portal_on_solr):
    answers = portal_on_solr["answers"]
    assert set(answers["category_filter"]["names"]) == {"solr-radwege", "solr-haltestellen"}
    page = answers["category_page"]
    assert page["status"] == 200
    assert "Radwege in Dinslaken" in page["html"]
    assert "Haltestellen des Busverkehrs" in page["html"]
    assert "Baumkataster" not in page["html"]
    search_page = answers["dataset_page"]
    assert search_page["status"] == 200
    assert "Radwege in Dinslaken" in search_page["html"]


def test_home_page_and_catalogue_answer_from_solr(portal_on_solr):
    answers = portal_on_solr["answers"]
    assert answers["home"]["status"] == 200
    catalogue = answers["catalogue"]
    assert catalogue["status"] == 200
    assert "Radwege in Dinslaken" in catalogue["html"]
    assert "Geheime" not in catalogue["html"]


def test_sort_by_title(portal_on_solr):
    assert portal_on_solr["answers"]["sorted"]["names"] == [
        "solr-baumkataster", "solr-haltestellen", "solr-radwege"]


def test_private_dataset_hidden_from_anonymous_found_by_sysadmin(portal_on_solr):
    answers = portal_on_solr["answers"]
    assert answers["all"]["count"] == 3
    assert "solr-geheim" not in answers["all"]["names"]
    assert answers["geheim"]["count"] == 0
    assert "Geheime" not in answers["category_page"]["html"]
    assert answers["sysadmin_geheim"]["names"] == ["solr-geheim"]
