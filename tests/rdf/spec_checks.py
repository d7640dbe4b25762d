"""Checks of the portal's RDF that know nothing of our RDF code: SPARQL
queries (rdflib) built from the DCAT-AP.de 3.0 property table
(``tests/data/v3.0_properties_table.derived.json``, parsed from the spec's
class tables) and from the shipped vocabulary files.

Several RDF tests compare our two paths with each other (fast path and plain
serialiser, export and one graph, write and parse back); a bug both paths
share passes such a comparison. These checks back each comparison with what
the specification says (docs/architecture.md, "RDF"):

- :func:`mandatory_problems`: every property the table marks ``Pflicht`` for
  dcat:Catalog, dcat:Dataset and dcat:Distribution is present as often as its
  multiplicity allows, with the node kind its range asks for (a literal for
  ``rdfs:Literal``, an IRI for ``rdfs:Resource``, an IRI or blank node for a
  class: the spec's own examples leave e.g. licence IRIs untyped), and every
  foaf:Agent described has its mandatory foaf:name;
- :func:`value_problems`: values of a dataset dict appear as the spec's
  property says (dct:title, dct:license of each distribution, dcat:theme for
  the EU data themes a Smart City category maps to in the category scheme).
"""
from __future__ import annotations

import functools
import json
import os
from typing import Any, NamedTuple

from rdflib import Graph, Literal, URIRef

from ckanext.dcat import utils as dcat_utils

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE = os.path.join(ROOT, "tests", "data", "v3.0_properties_table.derived.json")
CATEGORY_SCHEME = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies",
                               "smartcity-categories.ttl")
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"

# The prefixes the spec table writes its properties and ranges with.
PREFIXES = {
    "adms": "http://www.w3.org/ns/adms#", "dcat": "http://www.w3.org/ns/dcat#",
    "dcatap": "http://data.europa.eu/r5r/", "dcatde": "http://dcat-ap.de/def/dcatde/",
    "dcterms": "http://purl.org/dc/terms/", "eli": "http://data.europa.eu/eli/ontology#",
    "foaf": "http://xmlns.com/foaf/0.1/", "geodcatap": "http://data.europa.eu/930/",
    "locn": "http://www.w3.org/ns/locn#", "odrl": "http://www.w3.org/ns/odrl/2/",
    "owl": "http://www.w3.org/2002/07/owl#", "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "spdx": "http://spdx.org/rdf/terms#",
    "time": "http://www.w3.org/2006/time#", "vcard": "http://www.w3.org/2006/vcard/ns#",
}
# The spec table's German class names and the classes they describe.
CLASSES = {"Katalog": "dcat:Catalog", "Datensatz": "dcat:Dataset",
           "Distribution": "dcat:Distribution", "Verantwortliche Stelle": "foaf:Agent"}
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{uri}>\n" for p, uri in PREFIXES.items())


def expand(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(PREFIXES[prefix] + local)


class Property(NamedTuple):
    """One row of the spec's property table."""

    klass: str
    curie: str
    range: str
    obligation: str
    multiplicity: str
    level: str
    label: str

    @property
    def bounds(self) -> tuple[int, int | None]:
        """``[1..*]`` -> (1, None), ``[1]`` -> (1, 1), ``[0..1]`` -> (0, 1)."""
        inner = self.multiplicity.strip("[]")
        low, _, high = inner.partition("..")
        if not high:
            return (0, None) if low == "*" else (int(low), int(low))
        return int(low), None if high == "*" else int(high)


@functools.lru_cache(maxsize=1)
def table() -> tuple[Property, ...]:
    with open(TABLE, encoding="utf-8") as source:
        return tuple(Property(*row) for row in json.load(source))


def mandatory(klass: str) -> list[Property]:
    """The properties the spec marks ``Pflicht`` for ``klass`` (German name)."""
    return [p for p in table() if p.klass == klass and p.obligation == "Pflicht"]


def _kind_filter(prop: Property) -> str:
    """A SPARQL condition true for a value ``?o`` of the wrong node kind."""
    if prop.range == "rdfs:Literal":
        return "!isLiteral(?o)"
    if prop.range == "rdfs:Resource":
        return "!isIRI(?o)"
    return "isLiteral(?o)"


def mandatory_problems(graph: Graph, classes: tuple[str, ...] = tuple(CLASSES)) -> list[str]:
    """Every breach of the table's mandatory properties for ``classes``
    (German names as in the table); also an empty class is a problem."""
    problems = []
    for klass in classes:
        rdf_class = CLASSES[klass]
        if not graph.query(f"{SPARQL_PREFIXES}ASK {{ ?s a {rdf_class} }}").askAnswer:
            problems.append(f"no {rdf_class} in the graph")
        for prop in mandatory(klass):
            low, high = prop.bounds
            counts = graph.query(f"""{SPARQL_PREFIXES}
                SELECT ?s (COUNT(DISTINCT ?o) AS ?n) WHERE {{
                    ?s a {rdf_class} . OPTIONAL {{ ?s {prop.curie} ?o }}
                }} GROUP BY ?s""")
            for subject, number in counts:
                if int(number) < low or (high is not None and int(number) > high):
                    problems.append(f"{klass} {subject} {prop.curie}: {int(number)} values, "
                                    f"spec {prop.multiplicity}")
            wrong = graph.query(f"""{SPARQL_PREFIXES}
                SELECT ?s ?o WHERE {{
                    ?s a {rdf_class} ; {prop.curie} ?o . FILTER({_kind_filter(prop)})
                }}""")
            problems += [f"{klass} {subject} {prop.curie}: {value!r} is not a {prop.range}"
                         for subject, value in wrong]
    return sorted(problems)


def unlisted_datasets(graph: Graph) -> list[str]:
    """Datasets of the graph that no dcat:Catalog lists with dcat:dataset
    (a harvester reaches a dataset only through its catalogue)."""
    rows = graph.query(f"""{SPARQL_PREFIXES}
        SELECT ?d WHERE {{ ?d a dcat:Dataset . FILTER NOT EXISTS {{
            ?c a dcat:Catalog ; dcat:dataset ?d }} }}""")
    return sorted(str(d) for (d,) in rows)


@functools.lru_cache(maxsize=1)
def _category_scheme() -> Graph:
    return Graph().parse(CATEGORY_SCHEME, format="turtle")


def category_themes(category_uri: str) -> set[str]:
    """The EU data themes a category maps to in the shipped SKOS scheme:
    exact, close or broad matches (a related theme is not implied)."""
    rows = _category_scheme().query(f"""{SPARQL_PREFIXES}
        SELECT ?theme WHERE {{
            <{category_uri}> skos:exactMatch|skos:closeMatch|skos:broadMatch ?theme .
            FILTER(STRSTARTS(STR(?theme), "{EU_THEME}")) }}""")
    return {str(theme) for (theme,) in rows}


def _ask(graph: Graph, query: str, **bindings: Any) -> bool:
    return bool(graph.query(SPARQL_PREFIXES + query, initBindings=bindings).askAnswer)


def value_problems(graph: Graph, dataset: dict[str, Any]) -> list[str]:
    """Where the graph does not say what the spec's properties say of
    ``dataset`` (a dict as package_show returns it)."""
    node = URIRef(dcat_utils.dataset_uri(dataset))
    if not _ask(graph, "ASK { ?node a dcat:Dataset }", node=node):
        return [f"{node} is not a dcat:Dataset of the graph"]
    problems = []
    # dcterms:title: rdfs:Literal [1..*]
    if not _ask(graph, "ASK { ?node dcterms:title ?t . "
                       "FILTER(isLiteral(?t) && STR(?t) = STR(?title)) }",
                node=node, title=Literal(dataset["title"])):
        problems.append(f"{node} dcterms:title is not {dataset['title']!r}")
    # dcterms:license of each distribution: dcterms:LicenseDocument [1]; a
    # resource without a licence of its own has the dataset's
    for resource in dataset.get("resources") or []:
        licence = resource.get("license") or dataset["license_id"]
        rows = graph.query(SPARQL_PREFIXES + """
            SELECT ?licence WHERE {
                ?node dcat:distribution ?d . ?d dcat:accessURL ?url ; dcterms:license ?licence }""",
                           initBindings={"node": node, "url": URIRef(resource["url"])})
        found = sorted(str(uri) for (uri,) in rows)
        if found != [licence]:
            problems.append(f"{node} distribution {resource['url']}: licence {found}, "
                            f"expected [{licence}]")
    # dcat:theme: skos:Concept [*], the hand-picked themes and those the
    # categories map to
    themes = set(dataset.get("theme") or [])
    for category in dataset.get("smartcity_category") or []:
        themes |= category_themes(category)
    for theme in sorted(themes):
        if not _ask(graph, "ASK { ?node dcat:theme ?theme }", node=node, theme=URIRef(theme)):
            problems.append(f"{node} dcat:theme lacks {theme}")
    return problems
