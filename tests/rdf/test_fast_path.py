"""The fast path of /catalog.* (ckanext/smartcity/rdf/builder.py) serves the
triples the plain profiles give (ckanext-dcat's serialiser), in every
format and on every page, whether the per-dataset cache in Redis is cold,
warm, or unreachable; a changed dataset is never served from an old entry;
private datasets stay out.

Fast and plain path share the profile, so a bug in both would pass the
comparison: each comparison is backed by the checks of
tests/rdf/spec_checks.py (the spec table's mandatory properties, and the
datasets' title, licences and themes where the spec puts them)."""
import pytest
import redis
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

import ckan.plugins.toolkit as tk
from ckan.tests import helpers
from ckanext.dcat import utils as dcat_utils

from ckanext.smartcity.demo import town as demo
from ckanext.smartcity.rdf import builder as fast_rdf
from tests.rdf import spec_checks
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")
PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "n3": "n3"}


@pytest.fixture
def portal(steward, org):
    demo.load(steward["user"]["name"], 9)  # 9 of the demo town + 1 = 10
    # TRAN is not picked by hand: only the category (Radverkehr, broadMatch
    # TRAN in the scheme) can put it on the page
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, theme=["ener"], smartcity_category=["radverkehr"]))
    fast_rdf._local.__dict__.clear()
    yield
    fast_rdf._local.__dict__.clear()


@pytest.fixture
def page(app, monkeypatch):
    def get(fmt, number, fast=True):
        monkeypatch.setitem(tk.config, "ckanext.smartcity.rdf.fast_path", fast)
        text = app.get(f"/catalog.{fmt}?page={number}").body
        return Graph().parse(data=text, format=PARSERS[fmt])
    return get


def assert_same(fast, plain):
    if not isomorphic(fast, plain):
        _both, only_fast, only_plain = graph_diff(to_isomorphic(fast), to_isomorphic(plain))
        pytest.fail(f"only fast: {sorted(only_fast)[:5]}\nonly plain: {sorted(only_plain)[:5]}")


def assert_meets_the_spec(graph):
    """The independent check behind a comparison of the two paths: the
    spec's mandatory properties, every dataset listed by the catalogue, and
    each dataset's title, licences and themes as package_show has them."""
    assert spec_checks.mandatory_problems(graph) == []
    assert spec_checks.unlisted_datasets(graph) == []
    on_page = {str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)}
    shown = [helpers.call_action("package_show", id=d["id"])
             for d in helpers.call_action("package_search", rows=1000)["results"]
             if dcat_utils.dataset_uri(d) in on_page]
    assert len(shown) == len(on_page)
    problems = {d["name"]: spec_checks.value_problems(graph, d) for d in shown}
    assert problems == {d["name"]: [] for d in shown}


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "4")
@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld", "n3"])
def test_every_page_has_the_plain_profiles_triples(portal, page, fmt, monkeypatch):
    served = []
    original = fast_rdf.catalogue_page
    monkeypatch.setattr(fast_rdf, "catalogue_page",
                        lambda *args, **kw: served.append(1) or original(*args, **kw))
    titles = set()
    for number in (1, 2, 3):                   # 10 datasets, 4 per page
        cold = page(fmt, number)
        warm = page(fmt, number)
        assert_same(cold, page(fmt, number, fast=False))
        assert_same(warm, cold)
        assert_meets_the_spec(cold)
        titles |= {str(t) for d in cold.subjects(RDF.type, DCAT.Dataset)
                   for t in cold.objects(d, DCTERMS.title)}
    assert len(titles) == 10
    assert len(served) == 6                    # cold and warm of 3 pages; plain ones not


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "20")
def test_a_changed_dataset_is_never_served_from_the_cache(portal, page, steward):
    before = page("ttl", 1)
    [dataset] = [d for d in helpers.call_action("package_search", rows=100)["results"]
                 if d["title"] == "Ladesäulen für Elektrofahrzeuge"]
    helpers.call_action("package_patch", context=dict(steward["context"]), id=dataset["id"],
                        title="Radwege (neu vermessen)")
    after = page("ttl", 1)
    titles = {str(o) for o in after.objects(None, DCTERMS.title)}
    assert "Radwege (neu vermessen)" in titles
    assert not isomorphic(before, after)
    assert_same(after, page("ttl", 1, fast=False))
    # the new title on the dataset's own node, as dct:title
    changed = helpers.call_action("package_show", id=dataset["id"])
    assert spec_checks.value_problems(after, changed) == []


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "20")
def test_without_redis_pages_are_built_directly(portal, page, monkeypatch):
    monkeypatch.setattr(fast_rdf, "_redis", lambda: redis.Redis(host="127.0.0.1", port=1,
                                                                socket_connect_timeout=0.2))
    direct = page("ttl", 1)
    assert_same(direct, page("ttl", 1, fast=False))
    assert_meets_the_spec(direct)


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "20")
def test_private_datasets_stay_out_for_anonymous_users(app, portal, org, steward):
    secret = helpers.call_action("package_create", context=dict(steward["context"]),
                                 **full_dataset(org, name="geheim", title="Geheime Daten",
                                                private=True))
    for fmt in PARSERS:
        body = app.get(f"/catalog.{fmt}").body
        assert "Geheime Daten" not in body and secret["id"] not in body


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "20")
def test_saving_a_dataset_puts_its_triples_in_the_cache(portal, page, steward, org,
                                                        monkeypatch):
    """Indexing builds the dataset's triples, so the next /catalog.* request
    (and the export) only reads them."""
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, name="neu", title="Neu gespeichert"))
    built = []
    original = fast_rdf.Builder.build
    monkeypatch.setattr(fast_rdf.Builder, "build",
                        lambda self, d: built.append(d["name"]) or original(self, d))
    graph = page("ttl", 1)
    assert "Neu gespeichert" in {str(o) for o in graph.objects(None, DCTERMS.title)}
    assert built == []


@pytest.mark.parametrize("suffix, media", [
    ("ttl", "text/turtle"), ("rdf", "application/rdf+xml"), ("xml", "application/rdf+xml"),
    ("jsonld", "application/ld+json"), ("n3", "text/n3"), ("nt", "application/n-triples")])
def test_every_offered_suffix_answers_with_its_media_type(app, portal, suffix, media):
    dataset = helpers.call_action("package_search", rows=1)["results"][0]
    for url in (f"/catalog.{suffix}", f"/dataset/{dataset['name']}.{suffix}"):
        answer = app.get(url)
        assert answer.headers["Content-Type"].startswith(media), url
        graph = Graph().parse(data=answer.body, format={"rdf": "xml", "xml": "xml",
                                                        "jsonld": "json-ld"}.get(suffix, suffix))
        assert len(graph) > 20


@pytest.mark.parametrize("suffix", ["foo", "pretty-xml", "json-ld", "NT%00", "trig"])
def test_unknown_suffixes_are_a_clear_409_not_a_500(app, portal, suffix):
    dataset = helpers.call_action("package_search", rows=1)["results"][0]
    for url in (f"/catalog.{suffix}", f"/dataset/{dataset['name']}.{suffix}"):
        answer = app.get(url, status=409)
        # in the portal's language (German here), through the message catalogue
        assert "Unbekanntes RDF-Format; erlaubt: " in answer.body


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "20")
def test_odd_but_accepted_urls_do_not_break_a_page(portal, page, steward, org):
    """URLs the validators accept but a strict IRI parser refuses (a second
    "#", a bad percent escape) must not turn the page or the export into a 500."""
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(
        org, name="karte", title="Karte", url="https://x.de/app/#/karte#a",
        resources=[{"url": "http://ex.org/%zz", "name": "Roh", "format": "csv"}]))
    for fmt in ("ttl", "rdf", "jsonld"):
        served = page(fmt, 1)
        assert_same(served, page(fmt, 1, fast=False))
        assert_meets_the_spec(served)


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "20")
def test_other_profile_choices_take_the_plain_path(app, portal, monkeypatch):
    """?profiles= variants are not cached (each would be a new cache entry per
    dataset and a new builder per thread)."""
    served = []
    monkeypatch.setattr(fast_rdf, "catalogue_page", lambda *a, **kw: served.append(1) or "")
    app.get("/catalog.ttl?profiles=dcat_ap_de,euro_dcat_ap_3")
    assert served == []
    app.get("/catalog.ttl?profiles=dcat_ap_de")
    assert served == [1]
