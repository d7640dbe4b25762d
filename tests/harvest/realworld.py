"""What the real-world harvest test (tests/harvest/test_realworld.py) knows
about the corpus in tests/data/realworld/, computed from the documents
alone: their datasets and every official-vocabulary value they give, and
the same values read back from the portal's re-export.

Independent of the harvester on purpose: the documents are read with plain
rdflib, the official lists are the JSON files in
``ckanext/smartcity/vocabularies/`` (their ``uri`` entries only, no aliases),
and a source value counts as a list value only when it equals a list IRI
after normalising the scheme (http/https), ``www.`` and a trailing slash.
A literal holding such an IRI counts too (the value is the same IRI; many
portals write ``dcatde:contributorID`` so). Spellings only the mending step
knows (old codes, aliases, regional keys) are not expected here."""
from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.term import Node

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(ROOT, "tests", "data", "realworld")
VOCABULARIES = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies")
LOCN = "http://www.w3.org/ns/locn#"
DCATDE = "http://dcat-ap.de/def/dcatde/"

# file suffix -> (harvest source rdf_format, rdflib parser, media type served)
SYNTAXES = {".rdf": ("rdf", "xml", "application/rdf+xml"),
            ".ttl": ("ttl", "turtle", "text/turtle"),
            ".jsonld": ("jsonld", "json-ld", "application/ld+json"),
            ".nt": ("nt", "nt", "application/n-triples")}

# any dcatde namespace spelling real portals write: https/www., version
# folders (1.0/, 1.0.1/, 1_0/, 1.1/), the version glued to the term
# (Brandenburg's 1_0politicalGeocodingURI)
_DCATDE_TERM = re.compile(r"^https?://(?:www\.)?dcat-ap\.de/def/dcatde/[0-9._]*/?([A-Za-z]+)$")


@dataclass(frozen=True)
class Field:
    """A field checked for survival: where the source gives it (dataset,
    distribution), its properties and the official list of its values."""
    name: str
    vocabulary: str
    dct: tuple[URIRef, ...] = ()      # plain properties
    dcatde: tuple[str, ...] = ()      # dcatde terms, in any namespace spelling
    on_distributions: bool = False
    spatial: bool = False             # also regions named in dct:spatial


FIELDS = (
    Field("licence", "dcatde-license", dct=(DCTERMS.license,), on_distributions=True),
    Field("contributorID", "dcatde-contributor", dcatde=("contributorID",)),
    Field("politicalGeocodingURI", "german-region", dcatde=("politicalGeocodingURI",),
          spatial=True),
    Field("politicalGeocodingLevelURI", "political-geocoding-level",
          dcatde=("politicalGeocodingLevelURI",)),
    Field("theme", "eu-data-theme", dct=(DCAT.theme,)),
    Field("format", "eu-file-type", dct=(DCTERMS["format"],), on_distributions=True),
    Field("language", "eu-language", dct=(DCTERMS.language,), on_distributions=True),
)


def normalised(text: str) -> str:
    """An IRI without scheme, ``www.`` and trailing slash."""
    return re.sub(r"^https?://(?:www\.)?", "", text.strip(), flags=re.I).rstrip("/")


@functools.cache
def official(vocabulary: str) -> dict[str, str]:
    """The list's IRIs by their normalised form."""
    with open(os.path.join(VOCABULARIES, vocabulary + ".json"), encoding="utf-8") as handle:
        concepts = json.load(handle)["concepts"]
    return {normalised(c["uri"]): c["uri"] for c in concepts}


@dataclass
class SourceDataset:
    """One ``dcat:Dataset`` of a document and its official values:
    field name -> {list IRI: the value as the document writes it}."""
    node: Node
    title: str
    values: dict[str, dict[str, str]] = field(default_factory=dict)


def documents() -> list[str]:
    """The corpus documents (file names), sorted."""
    return sorted(name for name in os.listdir(CORPUS)
                  if os.path.splitext(name)[1] in SYNTAXES and not name.startswith("."))


def read(name: str) -> bytes:
    with open(os.path.join(CORPUS, name), "rb") as handle:
        return handle.read()


def parse(body: bytes, parser: str, base: str) -> Graph:
    """The document as rdflib reads it, relative IRIs against ``base`` (the
    URL it is served at, as node identities resolve in the harvester)."""
    return Graph().parse(data=body, format=parser, publicID=base)


def _objects(graph: Graph, node: Node, spec: Field) -> list[Node]:
    found = [o for p in spec.dct for o in graph.objects(node, p)]
    if spec.dcatde:
        for p, o in graph.predicate_objects(node):
            match = _DCATDE_TERM.match(str(p))
            if match and match.group(1) in spec.dcatde:
                found.append(o)
    return found


def _spatial_regions(graph: Graph, node: Node) -> list[Node]:
    """Region IRIs a dataset names in ``dct:spatial``: the IRI itself or the
    ``locn:adminUnitL1/L2`` of a location node."""
    found = []
    for place in graph.objects(node, DCTERMS.spatial):
        if isinstance(place, URIRef):
            found.append(place)
        for level in ("adminUnitL1", "adminUnitL2"):
            found.extend(graph.objects(place, URIRef(LOCN + level)))
    return found


def _list_values(nodes: list[Node], vocabulary: str) -> dict[str, str]:
    table = official(vocabulary)
    found = {}
    for value in nodes:
        if isinstance(value, BNode):
            continue
        iri = table.get(normalised(str(value)))
        if iri:
            found.setdefault(iri, str(value))
    return found


def source_datasets(graph: Graph) -> dict[Node, SourceDataset]:
    """Every ``dcat:Dataset`` of the document with its official values."""
    datasets = {}
    for node in sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str):
        title = next((str(t) for t in graph.objects(node, DCTERMS.title)), "")
        dataset = SourceDataset(node, title)
        for spec in FIELDS:
            nodes = _objects(graph, node, spec)
            if spec.on_distributions:
                for dist in graph.objects(node, DCAT.distribution):
                    nodes += _objects(graph, dist, spec)
            if spec.spatial:
                nodes += _spatial_regions(graph, node)
            dataset.values[spec.name] = _list_values(nodes, spec.vocabulary)
        datasets[node] = dataset
    return datasets


def exported_values(graph: Graph, node: URIRef) -> dict[str, set[str]]:
    """The re-export's values of each field, strictly: IRIs in the current
    properties (``http://dcat-ap.de/def/dcatde/``) of the dataset and its
    distributions."""
    found: dict[str, set[str]] = {}
    distributions = list(graph.objects(node, DCAT.distribution))
    for spec in FIELDS:
        properties = [*spec.dct, *(URIRef(DCATDE + term) for term in spec.dcatde)]
        subjects = [node, *distributions] if spec.on_distributions else [node]
        found[spec.name] = {str(o) for s in subjects for p in properties
                            for o in graph.objects(s, p) if isinstance(o, URIRef)}
    return found


def survival(source: SourceDataset, exported: dict[str, set[str]],
             warnings: list[str]) -> tuple[int, int, list[str]]:
    """How the source's official values fared: the number kept in the
    re-export, the number a warning of the dataset names (as written or as
    the list's IRI), and "field: value" for each lost without a warning."""
    kept, warned, lost = 0, 0, []
    for name, values in source.values.items():
        for iri, written in values.items():
            if iri in exported[name]:
                kept += 1
            elif any(iri in text or written in text for text in warnings):
                warned += 1
            else:
                lost.append(f"{name}: {written}")
    return kept, warned, lost


def sample(items: list, size: int) -> list:
    """At most ``size`` items, spread evenly over the list (deterministic)."""
    if len(items) <= size:
        return list(items)
    step = len(items) / size
    return [items[int(i * step)] for i in range(size)]
