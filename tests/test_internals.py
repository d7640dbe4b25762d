"""Private internals of CKAN, ckanext-dcat, ckanext-harvest and rdflib that
the extension relies on because no public way exists.

Each test names the target, where we use it and what we rely on (the name,
the parameters we pass, or the behaviour we patch), so that an upgrade that
moves or changes one fails here, loudly, instead of somewhere in production.
Everything with a public way uses it (luqum.thread.parse, ckanext-dcat's
namespaces and ``_agents_details`` for profile authors, CKAN's
``licenses_group_url``)."""
import inspect
import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF
from rdflib.plugins.shared.jsonld import context as jsonld_context

import ckan.cli.search_index
import ckan.config.environment
import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat import utils as dcat_utils
from ckanext.dcat.processors import RDFParser, RDFSerializer
from ckanext.dcat.profiles import RDFProfile
from ckanext.dcat.profiles.base import namespaces as dcat_namespaces

from ckanext.smartcity.harvest import fetch
from ckanext.smartcity.harvest.harvester import DCATAPDEHarvester
from ckanext.smartcity.rdf.profile import DCATAPDEProfile
from ckanext.smartcity.search import backend

from tests.harvest.local_server import Source

HYDRA = "http://www.w3.org/ns/hydra/core#"


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


# -- ckan.lib.search (search/backend.py swaps the Solr connection) ----------

CONNECTION_USERS = (search_common, search_index, search_query, search)


@pytest.mark.parametrize("module", CONNECTION_USERS, ids=lambda m: m.__name__)
def test_make_connection_is_still_a_module_global_we_can_replace(module):
    """search/backend.py replaces ``make_connection`` in every module that
    imported it; CKAN calls it as ``make_connection()`` (we honour
    ``decode_dates``)."""
    original = backend.original(module, "make_connection")
    assert original is backend.original(search_common, "make_connection")
    assert parameters(original) == ["decode_dates"]
    assert module.make_connection is backend.make_connection  # the plugin installed it
    if module is not search:  # the package only re-exports it
        assert "make_connection()" in inspect.getsource(module)


def test_solr_schema_check_and_clear_are_looked_up_at_call_time():
    """search/backend.py replaces ``check_solr_schema_version`` (start-up
    check) and ``clear`` (``ckan search-index clear``) in ckan.lib.search."""
    assert parameters(backend.original(search, "check_solr_schema_version")) == ["schema_file"]
    assert parameters(backend.original(search, "clear")) == ["package_reference"]
    assert "search.check_solr_schema_version()" in inspect.getsource(ckan.config.environment)
    assert "from ckan.lib.search import clear" in inspect.getsource(ckan.cli.search_index)


def test_search_errors_we_raise_and_catch():
    """search/connection.py raises, rdf/catalogue.py catches these."""
    for name in ("SearchError", "SearchQueryError", "SolrConnectionError", "SearchIndexError"):
        assert issubclass(getattr(search_common, name), Exception), name
    assert issubclass(search_common.SearchQueryError, search_common.SearchError)


# -- ckanext-dcat (rdf/catalogue.py, rdf/builder.py, harvest/harvester.py) --

def test_catalogue_search_and_paging_helpers():
    """rdf/catalogue.py runs ckanext-dcat's own catalogue search and paging
    so the fast path answers exactly what ``dcat_catalog_show`` would."""
    assert parameters(dcat_logic._search_ckan_datasets) == ["context", "data_dict"]
    assert parameters(dcat_logic._pagination_info) == ["query", "data_dict"]


def test_serializer_graph_and_pagination_triples():
    """rdf/builder.py gives the serializer a fresh graph per dataset
    (``serializer.g``) and adds the hydra paging with
    ``_add_pagination_triples``."""
    serializer = RDFSerializer()
    assert isinstance(serializer.g, Graph)
    serializer.g = Graph()
    catalogue = serializer.graph_from_catalog({})
    assert (catalogue, RDF.type, DCAT.Catalog) in serializer.g
    assert parameters(serializer._add_pagination_triples) == ["paging_info"]
    page = "http://example.org/catalog.ttl?page=2"
    serializer._add_pagination_triples({"current": page, "count": 5, "items_per_page": 2,
                                        "next": page + "3"})
    assert (URIRef(page), URIRef(HYDRA + "totalItems"), Literal(5)) in serializer.g
    assert (URIRef(page), URIRef(HYDRA + "next"), Literal(page + "3")) in serializer.g


def test_parser_datasets_and_profiles():
    """harvest/harvester.py parses one dataset node at a time: it sets
    ``parser.g``, walks ``parser._datasets()`` and runs every class of
    ``parser._profiles`` as ``RDFParser.datasets()`` does."""
    parser = RDFParser()
    graph = Graph()
    dataset = URIRef("http://example.org/ds/1")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    parser.g = graph
    assert list(parser._datasets()) == [dataset]
    assert parser._profiles and all(issubclass(p, RDFProfile) for p in parser._profiles)
    assert DCATAPDEProfile in parser._profiles
    assert isinstance(parser.dataset_type, str) and isinstance(parser.compatibility_mode, bool)
    assert parameters(RDFProfile.__init__) == ["self", "graph", "dataset_type",
                                               "compatibility_mode"]
    profile = DCATAPDEProfile(graph, dataset_type=parser.dataset_type,
                              compatibility_mode=parser.compatibility_mode)
    assert profile.g is graph
    graph._smartcity_upgraded = True  # profile.py marks a graph it upgraded


def test_profile_helpers_for_subclasses():
    """rdf/profile.py reads agents with ``_agents_details`` and binds
    ckanext-dcat's prefixes (``profiles.base.namespaces``, rdf/builder.py)."""
    assert parameters(RDFProfile._agents_details) == ["self", "subject", "predicate"]
    assert {"dcat", "dct", "foaf", "vcard"} <= set(dcat_namespaces)


def test_content_types_table():
    """rdf/catalogue.py adds the formats of rdf/formats.py to the table
    ckanext-dcat's views take the Content-Type from."""
    assert isinstance(dcat_utils.CONTENT_TYPES, dict)
    assert "CONTENT_TYPES[_format]" in inspect.getsource(dcat_utils)
    assert dcat_utils.CONTENT_TYPES["nt"] == "application/n-triples"


# -- ckanext-harvest / ckanext-dcat harvester base ---------------------------

@pytest.mark.parametrize("name, expected", [
    ("_gen_new_name", ["title"]),
    ("_get_object_extra", ["self", "harvest_object", "key"]),
    ("_get_user_name", ["self"]),
    ("_save_gather_error", ["message", "job"]),
    ("_save_object_error", ["message", "object", "stage"]),
])
def test_harvester_base_helpers(name, expected):
    """harvest/harvester.py calls these inherited helpers with these
    positional arguments."""
    assert parameters(getattr(DCATAPDEHarvester, name))[:len(expected)] == expected


# -- rdflib (harvest/fetch.py) -------------------------------------------------

def test_jsonld_remote_contexts_are_never_fetched():
    """harvest/fetch.py replaces rdflib's ``Context._fetch_context`` so that
    no JSON-LD context is fetched, whatever its own check misses
    (docs/security.md H3): rdflib must still fetch through that method."""
    assert jsonld_context.Context._fetch_context is fetch._never_fetch
    assert "self._fetch_context(" in inspect.getsource(jsonld_context.Context)
    server = Source()
    try:
        server.add("/context.jsonld", b'{"@context": {"name": "http://schema.org/name"}}',
                   media="application/ld+json")
        document = json.dumps({"@context": server.base + "/context.jsonld",
                               "@id": "http://example.org/a", "name": "A"})
        with pytest.raises(fetch.FetchError):
            Graph().parse(data=document, format="json-ld")
        assert server.requests == []
    finally:
        server.server.shutdown()
