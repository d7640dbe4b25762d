"""The fast path of /catalog.* (ckanext/smartcity/fast_rdf.py) serves the
triples the plain profiles give (ckanext-dcat's serialiser), in every
format and on every page, whether the per-dataset cache in Redis is cold,
warm, or unreachable; a changed dataset is never served from an old entry;
private datasets stay out."""
import pytest
import redis
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.smartcity.demo import town as demo
from ckanext.smartcity.rdf import builder as fast_rdf
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")
PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "n3": "n3"}


@pytest.fixture
def portal(steward, org):
    demo.load(steward["user"]["name"], 9)  # 9 of the demo town + 1 = 10
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, smartcity_category=["radverkehr"]))
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


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "20")
def test_without_redis_pages_are_built_directly(portal, page, monkeypatch):
    monkeypatch.setattr(fast_rdf, "_redis", lambda: redis.Redis(host="127.0.0.1", port=1,
                                                                socket_connect_timeout=0.2))
    assert_same(page("ttl", 1), page("ttl", 1, fast=False))


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
        assert "unknown RDF format" in answer.body and "Unbekanntes RDF-Format" in answer.body


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "20")
def test_odd_but_accepted_urls_do_not_break_a_page(portal, page, steward, org):
    """URLs the validators accept but a strict IRI parser refuses (a second
    "#", a bad percent escape) must not turn the page or the export into a 500."""
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(
        org, name="karte", title="Karte", url="https://x.de/app/#/karte#a",
        resources=[{"url": "http://ex.org/%zz", "name": "Roh", "format": "csv"}]))
    for fmt in ("ttl", "rdf", "jsonld"):
        assert_same(page(fmt, 1), page(fmt, 1, fast=False))


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
