"""SHACL validation of the portal's RDF against GovData's DCAT-AP.de 3.0
shapes and the EU DCAT-AP 3.0.1 shapes (pyshacl).

Vocabulary checks (``skos:inScheme``) only fire when the vocabularies'
membership triples are in the data graph, so the ``skos:inScheme`` triples of
the official lists in ``scripts/reference/`` are merged in before validating
(only those: typing the concepts would make the EU shapes validate the
vocabularies themselves). See docs/architecture.md, "Metadata quality".
"""
from __future__ import annotations

import functools
import glob
import os

from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import RDF, SH, SKOS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPES = os.path.join(ROOT, "ckanext", "smartcity", "quality", "shapes")
REFERENCE = os.path.join(ROOT, "scripts", "reference")
SHAPE_SETS = {
    "dcat-ap-de-3.0": ("eu-3.0.0-dcat-ap-SHACL.ttl", "dcat-ap-SHACL-DE.ttl",
                       "dcat-ap-de-controlledvocabularies.ttl", "dcat-ap-de-deprecated.ttl",
                       "dcat-ap-spec-german-additions.ttl"),
    "eu-dcat-ap-3.0.1": ("eu-3.0.1-html-shapes.ttl",),
    # DCAT-AP HVD 3.0.0: for high-value datasets only (it makes an HVD
    # category mandatory on every dcat:Dataset); docs/hvd.md
    "hvd": ("hvd-SHACL.ttl",),
}


@functools.cache
def shapes(name: str) -> Graph:
    graph = Graph()
    for file_name in SHAPE_SETS[name]:
        graph.parse(os.path.join(SHAPES, file_name), format="turtle")
    return graph


@functools.lru_cache(maxsize=1)
def memberships() -> Graph:
    """``skos:inScheme`` triples of every official list the shapes check."""
    out = Graph()
    files = glob.glob(os.path.join(REFERENCE, "nal", "*")) + [
        os.path.join(REFERENCE, "dcatde", n) for n in (
            "dcatde-contributors.rdf", "dcatde-licenses-open.rdf", "v1.0.2-dcat-ap-de-lists.ttl")]
    for path in files:
        fmt = "xml" if path.endswith(".rdf") else "turtle"
        graph = Graph()
        graph.parse(path, format=fmt)
        for concept, scheme in graph.subject_objects(SKOS.inScheme):
            out.add((concept, SKOS.inScheme, scheme))
        for concept, scheme in graph.subject_objects(SKOS.topConceptOf):
            out.add((concept, SKOS.inScheme, scheme))
    return out


def violations(data: Graph, shape_set: str = "dcat-ap-de-3.0") -> list[str]:
    """Every sh:Violation as "focus path: message (value)"; warnings ignored."""
    merged = Graph()
    for triple in data:
        merged.add(triple)
    for triple in memberships():
        merged.add(triple)
    _conforms, report, _text = validate(merged, shacl_graph=shapes(shape_set),
                                        inference="none", advanced=True, allow_warnings=True)
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        found.append(f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
                     f"{report.value(result, SH.resultMessage)} ({report.value(result, SH.value)})")
    return sorted(found)
