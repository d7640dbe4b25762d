#!/usr/bin/env python3
"""Generate the Smart City category scheme (SKOS, Turtle) shipped in the package.

Inputs (all under ``scripts/reference/categories/``):

- ``smartcity-categories.csv``: the category table (ids, hierarchy, German and
  English labels, council-motion alternative labels, mappings);
- ``definitions.csv``: German and English definitions, icons of top concepts;
- ``musterdatenkatalog_v4.rdf`` and ``mobilitydcat-ap_mobility-theme_latest.ttl``:
  the external schemes mapped to, used to check every mapping target and to
  record the target labels.

Outputs (``ckanext/smartcity/vocabularies/``):

- ``smartcity-categories.ttl``: the concept scheme;
- ``smartcity-category-targets.json``: URIs and labels of the Musterdatenkatalog
  and mobilityDCAT-AP concepts (EU data themes and HVD categories are shipped
  vocabularies already), so the portal can check every mapping of a town's own
  SKOS file at load time without the big external files.

The Turtle is written by hand (not by rdflib's serialiser) so that the output
is ordered like the table and byte-stable; a test regenerates it and compares.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_REFERENCE = os.path.join(HERE, "reference", "categories")
DEFAULT_OUT = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies")

# Persistent, host-independent namespace (see README, "Smart City categories").
SCHEME = "https://w3id.org/ckanext-smartcity/kategorien"
NS = SCHEME + "/"
ONTOLOGY = "https://w3id.org/ckanext-smartcity/ns#"

TARGET_BASES = {
    "eu_data_theme": "http://publications.europa.eu/resource/authority/data-theme/",
    "musterdatenkatalog_v4": "https://musterdatenkatalog.de/def/musterdatensatz/",
    "hvd_category": "http://data.europa.eu/bna/",
    "mobilitydcat_mobility_theme": "https://w3id.org/mobilitydcat-ap/mobility-theme/",
}
EXTERNAL = ("musterdatenkatalog_v4", "mobilitydcat_mobility_theme")
RELATIONS = {
    "exact": "skos:exactMatch",
    "close": "skos:closeMatch",
    "broad": "skos:broadMatch",
    "narrow": "skos:narrowMatch",
    "related": "skos:relatedMatch",
}


def _literal(text: str, lang: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def _split(cell: str) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def _vocab_uris(name: str) -> dict[str, dict[str, str]]:
    path = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies", f"{name}.json")
    with open(path, encoding="utf-8") as fh:
        return {c["uri"]: c["labels"] for c in json.load(fh)["concepts"]}


def _skos_labels(path: str, fmt: str, base: str) -> dict[str, dict[str, str]]:
    graph = Graph()
    graph.parse(path, format=fmt)
    result: dict[str, dict[str, str]] = {}
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        uri = str(concept)
        if not uri.startswith(base):
            continue
        labels = {}
        for label in graph.objects(concept, SKOS.prefLabel):
            labels.setdefault(label.language or "en", str(label))
        result[uri] = dict(sorted(labels.items()))
    return result


def targets(reference: str) -> dict[str, dict[str, dict[str, str]]]:
    """Every concept a mapping may point to, per target scheme: {uri: labels}."""
    return {
        "eu_data_theme": _vocab_uris("eu-data-theme"),
        "hvd_category": _vocab_uris("eu-hvd-category"),
        "musterdatenkatalog_v4": _skos_labels(
            os.path.join(reference, "musterdatenkatalog_v4.rdf"), "xml",
            TARGET_BASES["musterdatenkatalog_v4"]),
        "mobilitydcat_mobility_theme": _skos_labels(
            os.path.join(reference, "mobilitydcat-ap_mobility-theme_latest.ttl"), "turtle",
            TARGET_BASES["mobilitydcat_mobility_theme"]),
    }


def _read_csv(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def build(reference: str = DEFAULT_REFERENCE) -> tuple[str, dict]:
    rows = _read_csv(os.path.join(reference, "smartcity-categories.csv"))
    extra = {r["id"]: r for r in _read_csv(os.path.join(reference, "definitions.csv"))}
    known = targets(reference)
    ids = [r["id"] for r in rows]
    if sorted(ids) != sorted(extra):
        raise SystemExit("definitions.csv and smartcity-categories.csv name different ids")

    tops = [r["id"] for r in rows if not r["broader"]]
    narrower: dict[str, list[str]] = {i: [] for i in ids}
    for r in rows:
        if r["broader"]:
            if r["broader"] not in narrower:
                raise SystemExit(f"{r['id']}: unknown broader concept {r['broader']}")
            narrower[r["broader"]].append(r["id"])
    notation: dict[str, str] = {}
    for n, top in enumerate(tops, 1):
        notation[top] = f"{n:02d}"
        for m, sub in enumerate(narrower[top], 1):
            notation[sub] = f"{n:02d}.{m:02d}"

    out = [
        "# Smart City categories of ckanext-smartcity (SKOS).",
        "# GENERATED by scripts/build_categories.py from scripts/reference/categories/;",
        "# edit the tables there and run `make vocabularies`.",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        f"@prefix sc: <{ONTOLOGY}> .",
        f"@prefix kat: <{NS}> .",
        "",
        f"<{SCHEME}> a skos:ConceptScheme ;",
        f"    dct:title {_literal('Smart-City-Kategorien', 'de')}, "
        f"{_literal('Smart City categories', 'en')} ;",
        "    dct:description "
        + _literal("Kategorien für kommunale Smart-City- und Open-Data-Portale: zehn "
                   "Handlungsfelder aus den Ratsbeschlüssen (Mobilität, Energie, Umwelt, "
                   "Stadtentwicklung, Verwaltung, …) mit Unterkategorien und Abbildungen auf "
                   "die EU-Datenthemen, den Musterdatenkatalog V4, die HVD-Kategorien und "
                   "mobilityDCAT-AP.", "de") + ",\n        "
        + _literal("Categories for municipal smart city and open data portals: ten fields of "
                   "action from the council motions (mobility, energy, environment, urban "
                   "development, administration, …) with sub-categories and mappings to the "
                   "EU data themes, Musterdatenkatalog V4, HVD categories and mobilityDCAT-AP.",
                   "en") + " ;",
        "    dct:license <http://dcat-ap.de/def/licenses/dl-zero-de/2.0> ;",
        '    owl:versionInfo "1.0.0" ;',
        "    skos:hasTopConcept " + ", ".join(f"kat:{t}" for t in tops) + " .",
    ]
    for r in rows:
        cid = r["id"]
        props = ["a skos:Concept", "skos:inScheme <" + SCHEME + ">"]
        if r["broader"]:
            props.append(f"skos:broader kat:{r['broader']}")
        else:
            props.append(f"skos:topConceptOf <{SCHEME}>")
        if narrower[cid]:
            props.append("skos:narrower " + ", ".join(f"kat:{n}" for n in narrower[cid]))
        props.append(f"skos:prefLabel {_literal(r['prefLabel_de'], 'de')}, "
                     f"{_literal(r['prefLabel_en'], 'en')}")
        alt = _split(r["altLabel_de"])
        if alt:
            props.append("skos:altLabel " + ", ".join(_literal(a, "de") for a in alt))
        props.append(f"skos:definition {_literal(extra[cid]['definition_de'], 'de')}, "
                     f"{_literal(extra[cid]['definition_en'], 'en')}")
        props.append(f'skos:notation "{notation[cid]}"')
        if extra[cid]["icon"]:
            props.append(f'sc:icon "{extra[cid]["icon"]}"')
        by_relation: dict[str, list[str]] = {}
        for column, base in TARGET_BASES.items():
            for item in _split(r[column]):
                relation, _, local = item.partition(":")
                if relation not in RELATIONS:
                    raise SystemExit(f"{cid}: unknown mapping relation in {item!r}")
                uri = base + local
                if uri not in known[column]:
                    raise SystemExit(f"{cid}: mapping target {uri} is not in {column}")
                by_relation.setdefault(RELATIONS[relation], []).append(f"<{uri}>")
        for relation in RELATIONS.values():
            if relation in by_relation:
                props.append(relation + " " + ", ".join(by_relation[relation]))
        out.append("")
        out.append(f"kat:{cid} " + " ;\n    ".join(props) + " .")
    turtle = "\n".join(out) + "\n"
    # EU themes and HVD categories are shipped vocabularies already (one source each).
    target_file = {column: dict(sorted(known[column].items())) for column in EXTERNAL}
    return turtle, target_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default=DEFAULT_REFERENCE)
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    turtle, target_file = build(args.reference)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "smartcity-categories.ttl"), "w", encoding="utf-8") as fh:
        fh.write(turtle)
    with open(os.path.join(args.out, "smartcity-category-targets.json"), "w",
              encoding="utf-8") as fh:
        json.dump(target_file, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"wrote smartcity-categories.ttl and smartcity-category-targets.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
