"""Real-world DCAT-AP.de through one hop (issue 15, items 4 and 5): each
document of tests/data/realworld/ (PROVENANCE.md) is served from a local
HTTP server on a free port of 127.0.0.1, harvested by a ``dcat_ap_de``
source through ckanext-harvest's real Redis queues, and re-exported.

Checked per document:

- every ``dcat:Dataset`` of the document (counted with plain rdflib) is
  imported, none refused; the source has ``defaults`` for the mandatory
  values the documents leave out, as a steward would configure it;
- every official-vocabulary value of the source (licence, contributor ID,
  political geocoding and its level, themes, formats, languages; computed
  independently in tests/harvest/realworld.py) is in the dataset's
  re-export (``/dataset/NAME.ttl``), or a warning of that dataset in the job
  report names it;
- the re-export has zero violations of the DCAT-AP.de 3.0 and the EU
  DCAT-AP 3.0.1 shapes (tests/shacl.py). To keep the run short the shapes
  check a deterministic sample of at most ``SHACL_SAMPLE`` datasets per
  document (spread evenly over the sorted dataset URIs), validated as one
  graph per shape set; the value check covers every dataset.

Every syntax end to end, with paging: real corpus content converted with
rdflib into RDF/XML, JSON-LD, Turtle and N-Triples and split into three
pages linked by ``hydra:PartialCollectionView``/``hydra:next``."""
from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from ckan.tests import factories, helpers
from ckanext.harvest.model import HarvestJob, HarvestObject

from tests.harvest import realworld
from tests.harvest.conftest import run_harvest
from tests.harvest.local_server import Source
from tests.harvest.test_harvest import create_source
from tests.shacl import violations

pytestmark = pytest.mark.usefixtures("clean_db", "harvest_queues")

SHAPE_SETS = ("dcat-ap-de-3.0", "eu-dcat-ap-3.0.1")
SHACL_SAMPLE = 20
HYDRA = "http://www.w3.org/ns/hydra/core#"
LICENCE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
# What a steward enters as the source's defaults: the portal's contributor
# ID, the publisher and a contact (addresses of the example domain).
PUBLISHERS = {
    "rostock": ("openDataHRO", "Hanse- und Universitätsstadt Rostock"),
    "bremen": ("transparenzportalBremen", "Freie Hansestadt Bremen"),
    "brandenburg": ("landBrandenburg", "Land Brandenburg"),
    "destatis": ("destatis", "Statistisches Bundesamt"),
    "schleswig-holstein": ("schleswigHolstein", "Land Schleswig-Holstein"),
    "potsdam": ("openDataBrandenburg", "Landeshauptstadt Potsdam"),
    "dessau-rosslau": ("landSachsenAnhalt", "Stadt Dessau-Roßlau"),
    "govdata": ("govData", "GovData"),
    "dcatapde-spec": ("govData", "GovData"),
}
# gather errors a document causes by itself: Rostock's page 1 links its
# page 2 on the live portal, another origin than the served copy (H9)
GATHER_ERRORS = {"rostock-opendata-hro-catalog-page1.rdf": ["next page https://www.opendata-hro"]}
# real content for the syntax-and-paging tests: absolute IRIs only (a
# relative IRI has no N-Triples form), several datasets each
PAGED = {"rdf": "destatis-catalog.rdf", "jsonld": "potsdam-opendatasoft-catalog.ttl",
         "ttl": "schleswig-holstein-opendata-collection.rdf",
         "nt": "brandenburg-datenadler-catalog.ttl"}
PAGED_DATASETS = 9  # three pages of three


@pytest.fixture
def server():
    served = Source()
    yield served
    served.server.shutdown()


def defaults(document: str) -> dict:
    key = next(k for k in PUBLISHERS if document.startswith(k))
    contributor, publisher = PUBLISHERS[key]
    return {"license_id": LICENCE,
            "contributor_id": f"http://dcat-ap.de/def/contributors/{contributor}",
            "publisher": {"name": publisher},
            "contact": {"name": "Open-Data-Team", "email": f"opendata@{key}.example.org"}}


def harvest(server: Source, path: str, body: bytes, fmt: str, document: str) -> tuple:
    """Serve ``body`` at ``path``, harvest it through the queues; the job's
    report and its harvest objects (dataset objects only)."""
    media = next(m for f, _p, m in realworld.SYNTAXES.values() if f == fmt)
    server.add(path, body, media=media)
    org = factories.Organization()
    source = create_source(server.base + path, org, name=f"quelle-{org['name']}"[:100],
                           config={"rdf_format": fmt, "defaults": defaults(document)})
    report = run_harvest(source["id"])
    [job] = HarvestJob.filter(source_id=source["id"]).all()
    objects = HarvestObject.filter(harvest_job_id=job.id).all()
    return report, objects


def export(app, name: str, token: str) -> Graph:
    body = app.get(f"/dataset/{name}.ttl", headers={"Authorization": token}).body
    return Graph().parse(data=body, format="turtle")


def check_round_trip(app, source_graph: Graph, report: dict, objects: list,
                     gather_errors: list[str]) -> dict:
    """The assertions every harvested document must pass; its numbers."""
    sources = realworld.source_datasets(source_graph)
    assert sources, "no dcat:Dataset in the document"
    gathered = [e["message"] for e in report["gather_errors"]]
    assert len(gathered) == len(gather_errors), gathered
    assert all(any(p in m for m in gathered) for p in gather_errors), gathered
    refused = {o["guid"]: [e["message"] for e in o["errors"]]
               for o in report["object_errors"].values()}
    assert refused == {}, "\n".join(f"{guid}: {m}" for guid, m in refused.items())
    imported = {o.guid: o.package_id for o in objects if o.current and o.package_id}
    assert sorted(imported) == sorted(str(node) for node in sources)
    warnings = {w["guid"]: w["warnings"] for w in report["object_warnings"].values()}

    lost, kept, warned, shapes_input = [], 0, 0, Graph()
    shacl_guids = set(realworld.sample(sorted(imported), SHACL_SAMPLE))
    token = factories.SysadminWithToken()["token"]
    for node, source in sources.items():
        dataset = helpers.call_action("package_show", id=imported[str(node)])
        graph = export(app, dataset["name"], token)
        [ref] = graph.subjects(RDF.type, DCAT.Dataset)
        fared = realworld.survival(source, realworld.exported_values(graph, ref),
                                   warnings.get(str(node), []))
        kept, warned = kept + fared[0], warned + fared[1]
        lost += [f"{node}: {text}" for text in fared[2]]
        # identity through the hop: the source's dct:identifier, else its URI
        assert all(isinstance(v, Literal) for v in graph.objects(ref, DCTERMS.identifier))
        if str(node) in shacl_guids:
            shapes_input += graph
    assert lost == [], "\n".join(lost)
    found = {shape_set: problems for shape_set in SHAPE_SETS
             if (problems := violations(shapes_input, shape_set))}
    assert found == {}, "\n".join(p for problems in found.values() for p in problems)
    return {"datasets": len(sources), "imported": len(imported), "refused": len(refused),
            "warnings": sum(len(w) for w in warnings.values()),
            "datasets_with_warnings": len(warnings), "values_kept": kept,
            "values_dropped_with_warning": warned, "shacl_checked": len(shacl_guids)}


@pytest.mark.parametrize("document", realworld.documents())
def test_a_real_document_survives_the_hop(document, server, app, record_property):
    """Every dataset imported, every official value kept or warned about,
    the re-export valid (see the module docstring)."""
    fmt, parser, _media = realworld.SYNTAXES[document[document.rindex("."):]]
    body = realworld.read(document)
    report, objects = harvest(server, "/" + document, body, fmt, document)
    graph = realworld.parse(body, parser, server.base + "/" + document)
    numbers = check_round_trip(app, graph, report, objects, GATHER_ERRORS.get(document, []))
    record_property("numbers", numbers)
    print(document, numbers)


# ------------------------------------------------------ every syntax, paged

def _closure(graph: Graph, start, stop: set) -> Graph:
    """The statements about ``start`` and what hangs off it (distributions,
    agents, contacts, checksums), not crossing into the ``stop`` nodes
    (other datasets, the catalogue)."""
    out, seen, frontier = Graph(), {start}, [start]
    while frontier:
        node = frontier.pop()
        for p, o in graph.predicate_objects(node):
            out.add((node, p, o))
            if o not in seen and o not in stop and not isinstance(o, Literal) \
                    and p != RDF.type:
                seen.add(o)
                frontier.append(o)
    return out


def paged(body: bytes, parser: str, base: str, path: str, count: int) -> list[Graph]:
    """The first ``count`` datasets of a corpus document as three pages:
    each with the catalogue, its datasets (and what hangs off them) and a
    ``hydra:PartialCollectionView`` with ``hydra:next`` to the next page."""
    graph = realworld.parse(body, parser, base + "/original")
    datasets = sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str)[:count]
    catalogues = set(graph.subjects(RDF.type, DCAT.Catalog))
    stop = set(datasets) | catalogues | set(graph.subjects(RDF.type, DCAT.Dataset))
    per_page = -(-len(datasets) // 3)
    pages = []
    for number in range(3):
        page = Graph()
        for node in datasets[number * per_page:(number + 1) * per_page]:
            page += _closure(graph, node, stop)
            for catalogue in catalogues:
                if (catalogue, DCAT.dataset, node) in graph:
                    page.add((catalogue, DCAT.dataset, node))
        view = URIRef(f"{base}{path}?page={number + 1}" if number else base + path)
        page.add((view, RDF.type, URIRef(HYDRA + "PartialCollectionView")))
        if number < 2:
            page.add((view, URIRef(HYDRA + "next"), URIRef(f"{base}{path}?page={number + 2}")))
        pages.append(page)
    return pages


@pytest.mark.parametrize("fmt", list(PAGED))
def test_every_syntax_is_harvested_across_pages(fmt, server, app):
    """A catalogue in each syntax, three pages linked by hydra:next: every
    page fetched once, every dataset imported with its values, the
    re-export valid."""
    document = PAGED[fmt]
    _fmt, parser, _media = realworld.SYNTAXES[document[document.rindex("."):]]
    serializer = {"rdf": "pretty-xml", "jsonld": "json-ld", "ttl": "turtle", "nt": "nt11"}[fmt]
    path = f"/katalog.{fmt}"
    pages = paged(realworld.read(document), parser, server.base, path, PAGED_DATASETS)
    media = next(m for f, _p, m in realworld.SYNTAXES.values() if f == fmt)
    for number, page in enumerate(pages):
        server.add(f"{path}?page={number + 1}" if number else path,
                   page.serialize(format=serializer, encoding="utf-8"), media=media)
    whole = Graph()
    for page in pages:
        whole += page
    report, objects = harvest(server, path, pages[0].serialize(format=serializer,
                                                                 encoding="utf-8"), fmt, document)
    assert server.requests == [path, f"{path}?page=2", f"{path}?page=3"]
    numbers = check_round_trip(app, whole, report, objects, [])
    assert numbers["datasets"] == numbers["imported"] == PAGED_DATASETS
