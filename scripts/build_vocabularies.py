#!/usr/bin/env python3
"""Regenerate the vocabulary data files shipped in the package.

Reads the official vocabularies copied into scripts/reference/ (or the folder
given with --reference, e.g. ../shared/reference/vocab) and writes compact JSON files to
ckanext/smartcity/vocabularies/. Output is sorted and stable, so a re-run on
the same input produces identical files (checked by the tests).

Each file: {"source": ..., "version": ..., "concepts": [{"uri", "code",
"labels": {"de": ..., "en": ...}}]}.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_VOCAB_DIR = os.path.join(HERE, "..", "ckanext", "smartcity", "vocabularies")
DEFAULT_REFERENCE = os.path.join(HERE, "reference")

# name -> (source file under the reference folder, RDF format, scheme URI)
SOURCES = {
    "eu-data-theme": (
        "nal/eu_data-theme_20241211-0.rdf", "xml",
        "http://publications.europa.eu/resource/authority/data-theme",
    ),
}
LANGUAGES = ("de", "en")


def build(name: str, reference: str) -> dict:
    path, fmt, scheme = SOURCES[name]
    graph = Graph()
    graph.parse(os.path.join(reference, path), format=fmt)
    scheme_ref = URIRef(scheme)
    concepts = []
    for concept in sorted(set(graph.subjects(SKOS.inScheme, scheme_ref))):
        if (concept, RDF.type, SKOS.Concept) not in graph:
            continue
        labels = {}
        for label in graph.objects(concept, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language in LANGUAGES:
                labels[label.language] = str(label)
        missing = [lang for lang in LANGUAGES if lang not in labels]
        if missing:
            raise SystemExit(f"{name}: {concept} has no label in {missing}")
        concepts.append({
            "uri": str(concept),
            "code": str(concept).rsplit("/", 1)[-1],
            "labels": labels,
        })
    version = graph.value(scheme_ref, OWL.versionInfo)
    return {
        "source": path,
        "scheme": scheme,
        "version": str(version) if version else None,
        "concepts": concepts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default=DEFAULT_REFERENCE)
    parser.add_argument("--out", default=PACKAGE_VOCAB_DIR)
    args = parser.parse_args(argv)
    for name in sorted(SOURCES):
        data = build(name, args.reference)
        target = os.path.join(args.out, f"{name}.json")
        with open(target, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
            handle.write("\n")
        print(f"{target}: {len(data['concepts'])} concepts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
