"""``ckan smartcity export``: the whole catalogue, streamed dataset by
dataset, carries exactly the triples the profiles give when the catalogue
is built as one graph (the slow, quadratic path), in every format, across
search pages. Both paths share the profile, so the comparison is backed by
tests/rdf/spec_checks.py (the spec table's mandatory properties, each
dataset's title, licences and themes) and by SHACL."""
import io

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic, graph_diff, to_isomorphic
from rdflib.namespace import DCAT, RDF

from ckan.tests import helpers

from ckanext.dcat.processors import RDFSerializer
from ckanext.smartcity.demo import town as demo
from ckanext.smartcity.rdf import builder as fast_rdf
from ckanext.smartcity.rdf import export
from tests.rdf import spec_checks
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)
from tests.shacl import violations

pytestmark = pytest.mark.usefixtures("clean_db")


@pytest.fixture
def portal(steward, org):
    demo.load(steward["user"]["name"], 9)  # 9 of the demo town + 1 = 10
    # the full dataset: TRAN only through its category (Radverkehr, broadMatch
    # TRAN in the scheme), a line of the description that looks like a header
    notes = "Erste Zeile\n@prefix dct: <http://x/> .\nTab\u2028Ende"
    helpers.call_action("package_create", context=dict(steward["context"]), **full_dataset(
        org, theme=["ener"], smartcity_category=["radverkehr"], notes=notes))
    return 10


def one_graph():
    """The plain path: every dataset through the profiles into one graph."""
    serializer = RDFSerializer()
    ref = serializer.graph_from_catalog({})
    for dataset in (d for page in export.pages() for d in page):
        serializer.g.add((ref, DCAT.dataset, serializer.graph_from_dataset(dataset)))
    return serializer.g


@pytest.fixture
def cold_cache():
    """No dataset of the test in the RDF cache: every one is built."""
    client = fast_rdf._redis()
    for key in client.scan_iter(fast_rdf.KEY_PREFIX + "*"):
        client.delete(key)


@pytest.mark.parametrize("fmt, parser, workers", [
    ("nt", "nt", 1), ("ttl", "turtle", 1), ("rdf", "xml", 1), ("jsonld", "json-ld", 1),
    ("ttl", "turtle", 2),   # datasets built in two forked worker processes
])
def test_export_has_the_same_triples_as_the_one_graph_path(portal, cold_cache, monkeypatch,
                                                           fmt, parser, workers):
    monkeypatch.setattr(fast_rdf, "POOL_MINIMUM", 1)
    out = io.BytesIO()
    assert export.write(out, fmt, page_size=4, workers=workers) == portal  # three pages
    exported = Graph().parse(data=out.getvalue(), format=parser)
    expected = one_graph()
    assert len(set(exported.subjects(RDF.type, DCAT.Dataset))) == portal
    if not isomorphic(exported, expected):
        _both, only_exported, only_expected = graph_diff(to_isomorphic(exported),
                                                         to_isomorphic(expected))
        pytest.fail(f"only in export: {sorted(only_exported)[:5]}\n"
                    f"only in one graph: {sorted(only_expected)[:5]}")
    assert_meets_the_spec(exported)


def assert_meets_the_spec(graph):
    """What the spec says, independently of both paths: the mandatory
    properties, every dataset listed by the catalogue, and each dataset's
    title, licences and themes as package_show has them."""
    assert spec_checks.mandatory_problems(graph) == []
    assert spec_checks.unlisted_datasets(graph) == []
    shown = [helpers.call_action("package_show", id=d["id"])
             for d in helpers.call_action("package_search", rows=1000)["results"]]
    problems = {d["name"]: spec_checks.value_problems(graph, d) for d in shown}
    assert problems == {d["name"]: [] for d in shown}


def test_export_conforms_and_cli_writes_a_file(cli, portal, tmp_path):
    from ckan.cli.cli import ckan
    target = tmp_path / "katalog.ttl"
    result = cli.invoke(ckan, ["smartcity", "export", "--format", "ttl", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"{portal} datasets exported as ttl" in result.output
    graph = Graph().parse(str(target), format="turtle")
    assert violations(graph) == []
    assert_meets_the_spec(graph)


def test_pages_are_keyset_paged_and_survive_changes_during_the_export(portal, steward):
    """A dataset deleted and one created while the export runs shift no
    other dataset: every dataset present throughout is exported once."""
    seen = []
    pages = export.pages(page_size=4)
    first = next(pages)
    seen += [d["id"] for d in first]
    helpers.call_action("package_delete", context=dict(steward["context"]), id=first[0]["id"])
    for page in pages:
        seen += [d["id"] for d in page]
    everyone = {d["id"] for d in helpers.call_action("package_search", rows=100)["results"]}
    assert len(seen) == len(set(seen)) == portal
    assert everyone <= set(seen)
