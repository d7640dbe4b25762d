#!/usr/bin/env python3
"""Regenerate the vocabulary data files shipped in the package.

Reads the official vocabularies copied into scripts/reference/ (see its
README for provenance) and writes compact JSON files to
ckanext/smartcity/vocabularies/. Output is sorted and stable, so a re-run on
the same input produces identical files (checked by the tests).

Each file: {"name", "scheme", "source", "version", "concepts": [{"uri",
"code", "labels": {"de", "en"}, ...extra keys per list}]}.

Where an official list lacks a German or English label, the label comes from
scripts/reference/supplement/labels.csv (each row names its source); the
build fails if a concept still has no label in either language.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections.abc import Callable, Iterable

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DC, DCTERMS, OWL, SKOS

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_VOCAB_DIR = os.path.join(HERE, "..", "ckanext", "smartcity", "vocabularies")
DEFAULT_REFERENCE = os.path.join(HERE, "reference")
LANGUAGES = ("de", "en")

AT = Namespace("http://publications.europa.eu/ontology/authority/")
EUVOC = Namespace("http://publications.europa.eu/ontology/euvoc#")
GOVDATA = Namespace("http://govdata.de/mqa/#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
# "provisional data" placeholder present in every EU table: never a choice
OP_DATPRO = "OP_DATPRO"


class Build:
    """Context of one build run: reference folder and supplementary labels."""

    def __init__(self, reference: str):
        self.reference = reference
        self._graphs: dict[str, Graph] = {}
        self.supplement: dict[tuple[str, str], dict[str, str]] = {}
        path = os.path.join(reference, "supplement", "labels.csv")
        with open(path, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (row["vocabulary"], row["uri"])
                self.supplement.setdefault(key, {})[row["lang"]] = row["label"]

    def graph(self, path: str) -> Graph:
        if path not in self._graphs:
            graph = Graph()
            fmt = "turtle" if path.endswith(".ttl") else "xml"
            graph.parse(os.path.join(self.reference, path), format=fmt)
            self._graphs[path] = graph
        return self._graphs[path]

    def text(self, path: str) -> str:
        """The reference file ``path`` (relative to the reference folder) as text."""
        with open(os.path.join(self.reference, path), encoding="utf-8") as handle:
            return handle.read()

    def labels(self, name: str, graph: Graph, concept: URIRef,
               fallback: dict[str, str] | None = None) -> dict[str, str]:
        labels: dict[str, str] = {}
        for label in graph.objects(concept, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language in LANGUAGES:
                labels[label.language] = str(label).strip()
        for lang, text in self.supplement.get((name, str(concept)), {}).items():
            labels.setdefault(lang, text)
        for lang, text in (fallback or {}).items():
            labels.setdefault(lang, text)
        missing = [lang for lang in LANGUAGES if lang not in labels]
        if missing:
            raise SystemExit(f"{name}: {concept} has no label in {missing}")
        return labels


def _code(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def _concepts(graph: Graph, scheme: str) -> list[URIRef]:
    found = set(graph.subjects(SKOS.inScheme, URIRef(scheme)))
    return sorted(c for c in found
                  if isinstance(c, URIRef) and _code(str(c)) != OP_DATPRO
                  and str(graph.value(c, AT.deprecated) or "false") != "true")


def _version(graph: Graph, scheme: str) -> str | None:
    value = graph.value(URIRef(scheme), OWL.versionInfo)
    return str(value) if value else None


def skos_list(name: str, path: str, scheme: str,
              extra: Callable[[Graph, URIRef], dict] | None = None,
              label_fallback: Callable[[Graph, URIRef], dict] | None = None):
    """A builder for a plain SKOS list (one scheme, one file)."""
    def build(ctx: Build) -> dict:
        graph = ctx.graph(path)
        concepts = []
        for concept in _concepts(graph, scheme):
            fallback = label_fallback(graph, concept) if label_fallback else None
            entry = {"uri": str(concept), "code": _code(str(concept)),
                     "labels": ctx.labels(name, graph, concept, fallback)}
            if extra:
                entry.update(extra(graph, concept))
            concepts.append(entry)
        return {"scheme": scheme, "source": path,
                "version": _version(graph, scheme), "concepts": concepts}
    return build


def _same_label_both_languages(graph: Graph, concept: URIRef) -> dict:
    # File-type names (CSV, GeoJSON, ...) are the same in every language; the
    # EU table itself carries English labels only.
    for label in graph.objects(concept, SKOS.prefLabel):
        if isinstance(label, Literal) and label.language == "en":
            return {"de": str(label)}
    return {}


def _file_type_extra(graph: Graph, concept: URIRef) -> dict:
    media_types = sorted(str(n) for n in graph.objects(concept, SKOS.notation)
                         if isinstance(n, Literal) and n.datatype == EUVOC.IANA_MT)
    return {"media_types": media_types}


def _hvd_extra(graph: Graph, concept: URIRef) -> dict:
    broader = graph.value(concept, SKOS.broader)
    return {"broader": str(broader) if broader else None}


def _language_list(ctx: Build) -> dict:
    """EU language table: every current concept labelled in German and English
    (this keeps Low German, Sorbian and "multiple languages", which have no
    ISO 639-1 code); the ISO 639-1 code, where there is one, is an alias."""
    path = "nal/eu_language_20220928-0_de-en.ttl"
    scheme = "http://publications.europa.eu/resource/authority/language"
    graph = ctx.graph(path)
    concepts = []
    for concept in _concepts(graph, scheme):
        iso1 = None
        for mapped in graph.objects(concept, AT["op-mapped-code"]):
            if str(graph.value(mapped, DC.source)) == "iso-639-1":
                iso1 = str(graph.value(mapped, AT["legacy-code"]))
        names = {label.language for label in graph.objects(concept, SKOS.prefLabel)
                 if isinstance(label, Literal)}
        if not set(LANGUAGES) <= names:
            continue
        concepts.append({"uri": str(concept), "code": _code(str(concept)),
                         "iso_639_1": iso1, "aliases": [iso1] if iso1 else [],
                         "labels": ctx.labels("eu-language", graph, concept)})
    return {"scheme": scheme, "source": path, "version": "20220928-0",
            "concepts": concepts}


def _frequency_list(ctx: Build) -> dict:
    """Frequency table 20220615-0 with labels, plus the codes the 2026 table adds
    (1MIN ... 12HRS: sensor data), labelled from the supplement."""
    base = skos_list("eu-frequency", "nal/eu_frequency_20220615-0.ttl",
                     "http://publications.europa.eu/resource/authority/frequency")(ctx)
    known = {c["uri"] for c in base["concepts"]}
    stub_path = "nal/STUB_eu_frequency_20260617-0_uris-only.rdf"
    stub = ctx.graph(stub_path)
    for concept in _concepts(stub, base["scheme"]):
        if str(concept) in known:
            continue
        base["concepts"].append({"uri": str(concept), "code": _code(str(concept)),
                                 "labels": ctx.labels("eu-frequency", stub, concept)})
    base["concepts"].sort(key=lambda c: c["uri"])
    base["source"] = f"{base['source']} + {stub_path}"
    return base


def _api_standard_list(ctx: Build) -> dict:
    """API standards a data service conforms to (dct:conformsTo): a list this
    project keeps (supplement/api-standard.ttl names the source of each IRI).
    Code: skos:notation; aliases: skos:altLabel; in the German labels' order,
    as the form lists them."""
    path = "supplement/api-standard.ttl"
    scheme = "https://w3id.org/ckanext-smartcity/api-standards"
    graph = ctx.graph(path)
    concepts = [{"uri": str(concept), "code": str(graph.value(concept, SKOS.notation)),
                 "labels": ctx.labels("api-standard", graph, concept),
                 "aliases": sorted(str(alias) for alias in graph.objects(concept, SKOS.altLabel)),
                 "source": str(graph.value(concept, DCTERMS.source))}
                for concept in _concepts(graph, scheme)]
    concepts.sort(key=lambda concept: concept["labels"]["de"].casefold())
    return {"scheme": scheme, "source": path, "version": None, "concepts": concepts}


def _planned_availability_list(ctx: Build) -> dict:
    """EU planned availability; the deprecated dcatde:plannedAvailability
    URIs (dcat-ap.de list v1.0.2) stay as aliases of their successor, so old
    values are stored under the 3.0 term."""
    base = skos_list("eu-planned-availability", "nal/eu_planned-availability_20211208-0.ttl",
                     "http://publications.europa.eu/resource/authority/planned-availability")(ctx)
    lists = ctx.text("dcatde/v1.0.2-dcat-ap-de-lists.ttl")
    old = re.findall(r"<(http://dcat-ap.de/def/plannedAvailability/(\w+))>", lists)
    for concept in base["concepts"]:
        concept["aliases"] = sorted(uri for uri, code in old if code.upper() == concept["code"])
    return base


def _data_theme_list(ctx: Build) -> dict:
    """EU data themes, each with the old GovData (OGD) categories that map to
    it (ckanext-dcatde's category mapping), for migrating CKAN groups."""
    base = skos_list("eu-data-theme", "nal/eu_data-theme_20241211-0.rdf",
                     "http://publications.europa.eu/resource/authority/data-theme")(ctx)
    with open(os.path.join(ctx.reference, "dcatde",
                           "govdata_ogd-category_to_eu-theme_mapping.json"),
              encoding="utf-8") as handle:
        mapping = json.load(handle)
    for concept in base["concepts"]:
        code = concept["code"].lower()
        concept["ogd_categories"] = sorted(
            category for category, themes in mapping.items()
            if themes == code or (isinstance(themes, list) and code in themes))
    return base


def _license_list(ctx: Build) -> dict:
    """dcat-ap.de licences with GovData's open flag, homepage and the codes
    other catalogues use for them (for the migration)."""
    path = "dcatde/dcatde-licenses-open.rdf"
    scheme = "http://dcat-ap.de/def/licenses"
    graph = ctx.graph(path)
    with open(os.path.join(ctx.reference, "dcatde",
                           "ckanext-dcatde_dcat_license_mapping.json"),
              encoding="utf-8") as handle:
        mapping = {row["URI"]: row for row in json.load(handle)["list"]}
    concepts = []
    for concept in _concepts(graph, scheme):
        uri = str(concept)
        is_open = graph.value(concept, GOVDATA.isOpenLicense)
        homepage = graph.value(concept, FOAF.homepage)
        row = mapping.get(uri, {})
        aliases = sorted({a for a in (row.get("Lizenzcode"), row.get("OGDLizenzcode"),
                                      uri.split("/licenses/", 1)[1]) if a})
        concepts.append({
            "uri": uri, "code": uri.split("/licenses/", 1)[1],
            "labels": ctx.labels("dcatde-license", graph, concept),
            "open": str(is_open).lower() == "true",
            "homepage": str(homepage) if homepage else None,
            "aliases": aliases,
        })
    return {"scheme": scheme, "source": path,
            "version": _version(graph, scheme), "concepts": concepts}


def _contributor_list(ctx: Build) -> dict:
    # Contributor names are proper names of German bodies: the German name is
    # also the English label.
    def fallback(graph, concept):
        for label in graph.objects(concept, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language == "de":
                return {"en": str(label).strip()}
        return {}
    return skos_list("dcatde-contributor", "dcatde/dcatde-contributors.rdf",
                     "http://dcat-ap.de/def/contributors",
                     label_fallback=fallback)(ctx)


def _hash_algorithm_list(ctx: Build) -> dict:
    """Checksum algorithms: DCAT-AP.de 3.0 recommends the SPDX URIs
    (base ``http://spdx.org/rdf/terms#checksumAlgorithm_``, spec chapter 5,
    "SPDX-Liste der Algorithmen"); the deprecated dcat-ap.de list (v1.0.2)
    names which ones. Its URIs stay as aliases so old values map to the
    successor. ``md/1`` has no SPDX counterpart and is left out. Algorithm
    names are the same in every language."""
    path = "dcatde/v1.0.2-dcat-ap-de-lists.ttl"
    text = ctx.text(path)
    block = text.split(":hashAlgorithms_List", 1)[1].split(") .", 1)[0]
    concepts = []
    for family, number in re.findall(r"hashAlgorithms/(md|sha)/(\d+)>", block):
        code = f"{family}{number}"
        if code == "md1":
            continue
        name = f"{family.upper()}-{number}" if family == "sha" else f"MD{number}"
        deprecated = f"http://dcat-ap.de/def/hashAlgorithms/{family}/{number}"
        concepts.append({
            "uri": f"http://spdx.org/rdf/terms#checksumAlgorithm_{code}",
            "code": code, "labels": {"de": name, "en": name},
            "aliases": sorted({deprecated, deprecated + "/"}),
        })
    concepts.sort(key=lambda c: c["uri"])
    return {"scheme": "http://spdx.org/rdf/terms#ChecksumAlgorithm",
            "source": path, "version": None, "concepts": concepts}


GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
_REGION_LEVELS = {  # datenguidepy level -> (dcat-ap.de key list, geocoding level, German noun)
    "nuts1": ("stateKey", "state", ("Land", "State")),
    "nuts3": ("districtKey", "administrativeDistrict", ("Kreis", "District")),
    "lau": ("municipalityKey", "municipality", ("Gemeinde", "Municipality")),
}


def _region_list(ctx: Build) -> dict:
    """German states, districts and municipalities for the geocoding picker.

    Names and the state/district/municipality tree come from datenguidepy's
    regions.csv (Regionalstatistik, dl-de/by-2.0), which also holds units
    merged away long ago; a unit is kept only if its key is in dcat-ap.de's
    own key lists v1.0.2 (district keys of 2019-07-31, regional keys of
    2019-12-31, whose 12-digit ARS give the 8-digit municipality key as
    ARS[0:5] + ARS[9:12]). URIs use dcat-ap.de's stateKey / districtKey /
    municipalityKey namespaces (spec 3.0, chapter 5)."""
    lists = ctx.text("dcatde/v1.0.2-dcat-ap-de-lists.ttl")
    districts = set(re.findall(r"politicalGeocoding/districtKey/(\d{5})>", lists))
    municipalities = {ars[:5] + ars[9:] for ars in
                      re.findall(r"politicalGeocoding/regionalKey/(\d{12})>", lists)}
    source = "regions/datenguidepy-0.4.1_regions.csv"
    with open(os.path.join(ctx.reference, source), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = {row["region_id"]: row["name"] for row in rows}
    concepts = []
    for row in rows:
        key, level = row["region_id"], row["level"]
        if level not in _REGION_LEVELS:
            continue
        if (level == "nuts3" and key not in districts) or (
                level == "lau" and key not in municipalities):
            continue
        namespace, geocoding_level, (noun_de, noun_en) = _REGION_LEVELS[level]
        name = row["name"]
        if level == "lau":
            district = names.get(key[:5], "").split(",")[0]
            state = names.get(key[:2], "")
            context = ", ".join(part for part in (district, state) if part)
        elif level == "nuts3":
            context = names.get(key[:2], "")
        else:
            context = ""
        concepts.append({
            "uri": f"{GEOCODING}{namespace}/{key}", "code": key,
            "level": f"{GEOCODING}Level/{geocoding_level}",
            "labels": {"de": name, "en": name},
            "context": {"de": f"{noun_de}{', ' + context if context else ''}",
                        "en": f"{noun_en}{', ' + context if context else ''}"},
        })
    concepts.sort(key=lambda c: c["uri"])
    return {"scheme": GEOCODING, "source": source, "version": "dcat-ap.de key lists 2019",
            "concepts": concepts}


BUILDERS: dict[str, Callable[[Build], dict]] = {
    "eu-data-theme": _data_theme_list,
    "eu-file-type": skos_list(
        "eu-file-type", "nal/eu_file-type_20250319-0.rdf",
        "http://publications.europa.eu/resource/authority/file-type",
        extra=_file_type_extra, label_fallback=_same_label_both_languages),
    "eu-frequency": _frequency_list,
    "eu-language": _language_list,
    "eu-access-right": skos_list(
        "eu-access-right", "nal/eu_access-right_20260617-0.rdf",
        "http://publications.europa.eu/resource/authority/access-right"),
    "eu-planned-availability": _planned_availability_list,
    "eu-distribution-status": skos_list(
        "eu-distribution-status", "nal/eu_distribution-status_20260617-0.rdf",
        "http://publications.europa.eu/resource/authority/distribution-status"),
    "eu-hvd-category": skos_list(
        "eu-hvd-category", "nal/eu_hvd-category_scheme.ttl",
        "http://data.europa.eu/bna/asd487ae75", extra=_hvd_extra),
    "adms-publisher-type": skos_list(
        "adms-publisher-type", "nal/adms_ADMS_SKOS_v1.00.rdf",
        "http://purl.org/adms/publishertype/1.0"),
    "political-geocoding-level": skos_list(
        "political-geocoding-level",
        "nal/STUB_dcatde_politicalGeocoding_Level_uris-only.ttl",
        "http://dcat-ap.de/def/politicalGeocoding/Level"),
    "dcatde-license": _license_list,
    "dcatde-contributor": _contributor_list,
    "checksum-algorithm": _hash_algorithm_list,
    "api-standard": _api_standard_list,
    "german-region": _region_list,
}


def build(name: str, reference: str = DEFAULT_REFERENCE) -> dict:
    data = BUILDERS[name](Build(reference))
    data["name"] = name
    return data


def write(data: dict, out: str) -> str:
    target = os.path.join(out, f"{data['name']}.json")
    with open(target, "w", encoding="utf-8") as handle:
        # long lists (regions) one concept per line, the rest indented
        if len(data["concepts"]) > 1000:
            head = {k: v for k, v in data.items() if k != "concepts"}
            handle.write(json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1])
            handle.write(', "concepts": [\n')
            handle.write(",\n".join(json.dumps(c, ensure_ascii=False, sort_keys=True)
                                     for c in data["concepts"]))
            handle.write("\n]}")
        else:
            json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
        handle.write("\n")
    return target


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", default=DEFAULT_REFERENCE)
    parser.add_argument("--out", default=PACKAGE_VOCAB_DIR)
    parser.add_argument("names", nargs="*", help="lists to build (default: all)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    ctx = Build(args.reference)
    for name in args.names or sorted(BUILDERS):
        data = BUILDERS[name](ctx)
        data["name"] = name
        target = write(data, args.out)
        print(f"{target}: {len(data['concepts'])} concepts", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
