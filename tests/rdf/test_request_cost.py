"""Bounded cost of the RDF endpoints (issue 16, findings 1 to 3;
docs/security.md O5 to O7): ``?profiles=`` takes known names only, each
once and a few at most, and the site's own choice always takes the fast
path; a dataset's own RDF (/dataset/<id>.<format>) comes from the
catalogue's cache and is never rebuilt per request; any ``q`` gives a
catalogue page, its page IRIs percent-encoded, on both paths.

Cost is counted (profile passes, Builder.build calls), never timed."""
import html
from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib import Graph, Namespace
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories, helpers
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.processors import RDFProcessor, RDFSerializer

from ckanext.smartcity.rdf import builder as fast_rdf
from ckanext.smartcity.rdf import catalogue
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)
from tests.shacl import violations

pytestmark = pytest.mark.usefixtures("clean_db")

PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt", "n3": "n3"}
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
PAGE_LINKS = (HYDRA.first, HYDRA.last, HYDRA.next, HYDRA.previous,
              HYDRA.firstPage, HYDRA.lastPage, HYDRA.nextPage, HYDRA.previousPage)


@pytest.fixture
def datasets(steward, org):
    """Three public datasets a multi-word query finds, with a few
    distributions each."""
    for number in range(3):
        resources = [{"url": f"https://example.org/bus/{number}/{i}.csv", "name": f"Teil {i}",
                      "format": "csv"} for i in range(3)]
        helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(
            org, name=f"verkehr-bus-{number}", title=f"Verkehr Bus Ordnung {number}",
            identifier=f"verkehr-bus-{number}", resources=resources))
    fast_rdf._local.__dict__.clear()
    yield
    fast_rdf._local.__dict__.clear()


@pytest.fixture
def work(monkeypatch):
    """What requests cost: the profile lists ckanext-dcat loaded (one pass
    of every dataset per name), Builder.build calls (datasets built on the
    fast path), graph_from_dataset calls (datasets run through the
    profiles on either path), catalogue pages served by the fast path."""
    done = {"profiles": [], "built": [], "profiled": [], "fast_pages": 0}
    load, build = RDFProcessor._load_profiles, fast_rdf.Builder.build
    graph_from_dataset, page = RDFSerializer.graph_from_dataset, fast_rdf.catalogue_page

    def counted_load(self, names):
        done["profiles"].append(list(names))
        return load(self, names)

    def counted_build(self, dataset):
        done["built"].append(dataset["name"])
        return build(self, dataset)

    def counted_graph(self, dataset):
        done["profiled"].append(dataset["name"])
        return graph_from_dataset(self, dataset)

    def counted_page(*args, **kwargs):
        done["fast_pages"] += 1
        return page(*args, **kwargs)
    monkeypatch.setattr(RDFProcessor, "_load_profiles", counted_load)
    monkeypatch.setattr(fast_rdf.Builder, "build", counted_build)
    monkeypatch.setattr(RDFSerializer, "graph_from_dataset", counted_graph)
    monkeypatch.setattr(fast_rdf, "catalogue_page", counted_page)

    def reset():
        for key in ("profiles", "built", "profiled"):
            done[key].clear()
        done["fast_pages"] = 0
    done["reset"] = reset
    return done


def empty_cache():
    client = connect_to_redis()
    for key in client.scan_iter(fast_rdf.KEY_PREFIX + "*"):
        client.delete(key)


def assert_same(one, other):
    if not isomorphic(one, other):
        _both, only_one, only_other = graph_diff(to_isomorphic(one), to_isomorphic(other))
        pytest.fail(f"only first: {sorted(only_one)[:5]}\nonly second: {sorted(only_other)[:5]}")


def parse(body, fmt):
    return Graph().parse(data=body, format=PARSERS[fmt])


def without_paging(graph):
    """The graph without its hydra page (whose IRI repeats the request)."""
    pages = set(graph.subjects(predicate=HYDRA.totalItems))
    out = Graph()
    for triple in graph:
        if triple[0] not in pages:
            out.add(triple)
    return out


# -- O5: ?profiles= (finding 1) -------------------------------------------------

def test_the_site_profile_repeated_takes_the_fast_path(app, datasets, work):
    """20 repeats of the site's own profile (dcat_ap_de in test.ini) were 20
    rdflib passes over every dataset on the page; after deduplication it is
    the site's choice, served from the cache."""
    repeated = ",".join(["dcat_ap_de"] * 20)
    plain = app.get("/catalog.ttl")
    response = app.get("/catalog.ttl", query_string={"profiles": repeated})
    assert response.status_code == 200
    assert work["fast_pages"] == 2 and work["profiled"] == []
    assert_same(without_paging(parse(response.body, "ttl")),
                without_paging(parse(plain.body, "ttl")))
    work["reset"]()
    dataset = app.get("/dataset/verkehr-bus-0.ttl", query_string={"profiles": repeated})
    assert dataset.status_code == 200
    assert work["profiled"] == [] and work["profiles"] == []


def test_another_profile_repeated_is_run_once(app, datasets, work):
    repeated = ",".join(["euro_dcat_ap_3"] * 20)
    for url in ("/catalog.ttl", "/dataset/verkehr-bus-0.ttl"):
        work["reset"]()
        response = app.get(url, query_string={"profiles": repeated})
        assert response.status_code == 200, url
        assert work["profiles"] == [["euro_dcat_ap_3"]], url
    # the mixed order is another choice (later profiles refine earlier ones)
    work["reset"]()
    app.get("/catalog.ttl", query_string={"profiles": "euro_dcat_ap_3, dcat_ap_de,euro_dcat_ap_3"})
    assert work["profiles"] == [["euro_dcat_ap_3", "dcat_ap_de"]]


@pytest.mark.parametrize("profiles, message", [
    ("nope", "Unbekanntes RDF-Profil; erlaubt: croissant, dcat_ap_de"),
    ("dcat_ap_de,../../etc", "Unbekanntes RDF-Profil"),
    ("euro_dcat_ap,euro_dcat_ap_2,euro_dcat_ap_3,dcat_ap_de,schemaorg,croissant",
     "Höchstens 5 RDF-Profile können kombiniert werden."),
])
def test_unknown_or_too_many_profiles_are_a_409_naming_profiles(app, datasets, work,
                                                                profiles, message):
    for url in ("/catalog.ttl", "/dataset/verkehr-bus-0.ttl"):
        response = app.get(url, query_string={"profiles": profiles})
        assert response.status_code == 409, url
        body = html.unescape(response.body)
        assert "{'profiles': ['" in body and message in body, url
    assert work["profiles"] == [] and work["built"] == [] and work["profiled"] == []


@pytest.mark.parametrize("action", ["dcat_catalog_show", "dcat_dataset_show"])
@pytest.mark.parametrize("profiles", ["nope", ",".join(["x"] * 50)])
def test_unknown_profiles_through_the_action_api(app, datasets, action, profiles):
    response = app.get(f"/api/3/action/{action}",
                       query_string={"id": "verkehr-bus-0", "format": "ttl",
                                     "profiles": profiles})
    assert response.status_code == 409
    assert response.json["error"]["__type"] == "Validation Error"
    assert "profiles" in response.json["error"]


def test_five_distinct_profiles_are_answered(app, datasets):
    profiles = "euro_dcat_ap,euro_dcat_ap_2,euro_dcat_ap_3,dcat_ap_de,euro_dcat_ap_scheming"
    assert app.get("/catalog.ttl", query_string={"profiles": profiles}).status_code == 200


@pytest.mark.ckan_config("ckanext.smartcity.rdf.other_profiles_per_page", "2")
def test_pages_in_other_profiles_are_smaller_and_page_through_everything(app, datasets, work):
    """Another site's profiles have no cache: their pages hold
    other_profiles_per_page datasets (budget: five profiles over 100
    datasets took 1.7 s), with hydra paging of that size, and walking
    "next" meets every dataset the site's own catalogue lists, once."""
    DCAT = Namespace("http://www.w3.org/ns/dcat#")
    own = parse(app.get("/catalog.ttl").body, "ttl")
    everything = set(own.objects(None, DCAT.dataset))
    assert len(everything) == 3
    work["reset"]()
    seen, url, params, pages = [], "/catalog.ttl", {"profiles": "euro_dcat_ap_3,schemaorg"}, 0
    while url:
        response = app.get(url, query_string=params)
        assert response.status_code == 200
        graph = parse(response.body, "ttl")
        on_page = set(graph.objects(None, DCAT.dataset))
        assert len(on_page) <= 2
        seen += on_page
        assert [int(n) for n in graph.objects(None, HYDRA.itemsPerPage)] == [2]
        assert [int(n) for n in graph.objects(None, HYDRA.totalItems)] == [3]
        [last] = graph.objects(None, HYDRA.last)
        assert parse_qs(urlsplit(str(last)).query)["page"] == ["2"]
        following = list(graph.objects(None, HYDRA.next))
        url, params = (str(following[0]) if following else None), None
        pages += 1
    assert pages == 2 and len(seen) == 3 and set(seen) == everything
    assert work["profiles"] == [["euro_dcat_ap_3", "schemaorg"]] * 2


@pytest.mark.ckan_config("ckanext.smartcity.rdf.other_profiles_max_work", "5")
def test_other_profiles_over_the_work_budget_are_a_409_naming_profiles(app, datasets, work):
    """A dataset and its 3 distributions are 4 passes per profile: one
    profile fits a budget of 5, two do not; the site's profile (cached)
    has no such limit. Nothing is run through the profiles before refusing."""
    for url in ("/catalog.ttl", "/dataset/verkehr-bus-0.ttl"):
        work["reset"]()
        response = app.get(url, query_string={"profiles": "euro_dcat_ap_3,schemaorg"})
        assert response.status_code == 409, url
        body = html.unescape(response.body)
        assert "{'profiles': ['Zu viele Distributionen" in body, url
        assert work["profiled"] == [], url
        assert app.get(url).status_code == 200, url
    assert app.get("/dataset/verkehr-bus-0.ttl",
                   query_string={"profiles": "schemaorg"}).status_code == 200


def test_a_wrong_date_or_page_in_other_profiles_is_a_409(app, datasets):
    for params, field in (({"modified_since": "gestern"}, "modified_since"),
                          ({"page": "0"}, "page"), ({"page": "x"}, "page")):
        response = app.get("/catalog.ttl", query_string=dict(params, profiles="euro_dcat_ap_3"))
        assert response.status_code == 409, params
        assert f"'{field}'" in html.unescape(response.body), params


# -- O6: a dataset's own RDF from the cache (finding 2) -------------------------

def test_a_datasets_rdf_is_built_once_and_then_read_from_the_cache(app, datasets, work):
    empty_cache()
    first = app.get("/dataset/verkehr-bus-1.ttl")
    assert first.status_code == 200
    assert work["built"] == ["verkehr-bus-1"]
    work["reset"]()
    second = app.get("/dataset/verkehr-bus-1.ttl")
    assert work["built"] == [] and work["profiled"] == []
    assert second.body == first.body
    for fmt in ("rdf", "jsonld", "nt", "n3"):  # every format from the same entry
        app.get(f"/dataset/verkehr-bus-1.{fmt}")
    assert work["built"] == [] and work["profiled"] == []
    # the catalogue reads the same entry (and the other datasets' once built)
    app.get("/catalog.ttl")
    assert sorted(work["built"]) == ["verkehr-bus-0", "verkehr-bus-2"]


def test_a_saved_dataset_is_served_without_building(app, datasets, work, steward):
    """Saving indexes the dataset, and indexing builds its triples."""
    helpers.call_action("package_patch", context=dict(steward["context"]),
                        id="verkehr-bus-2", title="Verkehr Bus Ordnung (neu)")
    work["reset"]()
    graph = parse(app.get("/dataset/verkehr-bus-2.ttl").body, "ttl")
    assert "Verkehr Bus Ordnung (neu)" in {str(o) for o in graph.objects()}
    assert work["built"] == [] and work["profiled"] == []


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld", "nt", "n3"])
def test_a_datasets_rdf_has_ckanext_dcats_triples(app, datasets, monkeypatch, fmt):
    """The same triples as ckanext-dcat's serialiser gives for the dataset
    (RDFSerializer, the plain path), in every format."""
    served = parse(app.get(f"/dataset/verkehr-bus-0.{fmt}").body, fmt)
    dataset = helpers.call_action("package_show", id="verkehr-bus-0")
    plain = RDFSerializer()
    plain.graph_from_dataset(dataset)
    assert_same(served, plain.g)
    monkeypatch.setitem(tk.config, "ckanext.smartcity.rdf.fast_path", False)
    assert_same(served, parse(app.get(f"/dataset/verkehr-bus-0.{fmt}").body, fmt))


def test_a_datasets_rdf_conforms(app, datasets):
    served = parse(app.get("/dataset/verkehr-bus-0.ttl").body, "ttl")
    assert violations(served) == []
    assert violations(served, "eu-dcat-ap-3.0.1") == []


def test_private_datasets_are_refused_before_the_cache_is_asked(app, steward, org, work,
                                                                monkeypatch):
    helpers.call_action("package_create", context=dict(steward["context"]),
                        **full_dataset(org, name="geheim", title="Geheime Daten", private=True))
    asked = []
    datasets = fast_rdf.Builder.datasets
    monkeypatch.setattr(fast_rdf.Builder, "datasets",
                        lambda self, dicts, pool=None: asked.append(len(dicts))
                        or datasets(self, dicts, pool))
    refused = app.get("/dataset/geheim.ttl")
    assert refused.status_code == 403 and "Geheime" not in refused.body
    assert asked == []
    outsider = factories.User()
    token = factories.APIToken(user=outsider["name"])["token"]
    assert app.get("/dataset/geheim.ttl", headers={"Authorization": token}).status_code == 403
    assert asked == []
    member = app.get("/dataset/geheim.ttl", headers={"Authorization": steward["token"]})
    assert member.status_code == 200 and "Geheime Daten" in member.body
    assert asked == [1]


# -- O7: page IRIs (finding 3) ---------------------------------------------------

QUERIES = ["Verkehr Bus", '"Ordnung"', "title:[* TO *]"]


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "1")
@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld", "nt"])
@pytest.mark.parametrize("q", QUERIES)
def test_any_query_gives_a_page_with_encoded_page_iris(app, datasets, monkeypatch, q, fmt):
    """Three matches, one per page: page 2 links to all four others. The
    IRIs hold the query percent-encoded (it reads back as given), and both
    paths give the same triples."""
    response = app.get(f"/catalog.{fmt}", query_string={"q": q, "page": 2})
    assert response.status_code == 200
    fast = parse(response.body, fmt)
    links = {predicate: str(target) for _page, predicate, target in fast
             if predicate in PAGE_LINKS}
    assert set(links) == set(PAGE_LINKS)
    pages = {str(p) for p in fast.subjects(predicate=HYDRA.totalItems)} | set(links.values())
    assert len(pages) == 3    # pages 1, 2, 3
    for iri in pages:
        assert not set(iri) & set(' "<>[]{}|\\^`'), iri
        query = parse_qs(urlsplit(iri).query)
        assert query["q"] == [q], iri
    assert [int(t) for t in fast.objects(None, HYDRA.totalItems)] == [3]
    monkeypatch.setitem(tk.config, "ckanext.smartcity.rdf.fast_path", False)
    plain = app.get(f"/catalog.{fmt}", query_string={"q": q, "page": 2})
    assert plain.status_code == 200
    assert_same(fast, parse(plain.body, fmt))


@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "1")
def test_page_iris_keep_every_parameter_ckanext_dcat_repeats(app, datasets):
    response = app.get("/catalog.ttl", query_string={
        # "&" and "=" must survive the IRI; "&" is no word (it does not
        # count for minimum-should-match), "Ordnung=1" finds "Ordnung 1"
        "q": "Bus & Ordnung=1", "fq": "name:verkehr-bus-*", "profiles": "dcat_ap_de",
        "modified_since": "2000-01-01", "other": "x", "page": 1})
    graph = parse(response.body, "ttl")
    [first] = graph.objects(None, HYDRA.first)
    assert parse_qs(urlsplit(str(first)).query) == {
        "q": ["Bus & Ordnung=1"], "fq": ["name:verkehr-bus-*"], "profiles": ["dcat_ap_de"],
        "modified_since": ["2000-01-01"], "page": ["1"]}


def test_ckanext_dcat_looks_the_paging_up_at_call_time():
    """rdf/catalogue.py puts its encoding paging in ckanext-dcat's module so
    that dcat_catalog_show (the plain path) uses it too."""
    assert "_pagination_info" in dcat_logic.dcat_catalog_show.__code__.co_names
    assert "_pagination_info" in dcat_logic.dcat_catalog_search.__code__.co_names
    assert dcat_logic._pagination_info is catalogue.pagination_info
