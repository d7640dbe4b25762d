"""The Metadata Quality Assessment score of data.europa.eu (405 points),
computed locally from the dataset's DCAT-AP.de RDF (what a harvester sees).

Metrics and points (docs/architecture.md, "Metadata quality"):
- Findability 100: keyword 30, theme 30, spatial 20, temporal 20 (dataset);
- Accessibility 100: accessURL answers 50, downloadURL present 20,
  downloadURL answers 30 (share of the distributions);
- Interoperability 110: format 20, media type 10, both from their
  vocabularies 10, non-proprietary 20, machine-readable 20 (the best
  distribution counts), DCAT-AP.de SHACL without violations 30;
- Reusability 75: licence 20, known licence 10 (share of distributions),
  access rights 10, access rights from the vocabulary 5, contact point 20,
  publisher 10 (dataset);
- Contextuality 20: rights 5, byte size 5, issued 5, modified 5 (share of
  distributions).
Ratings: excellent 351-405, good 221-350, sufficient 121-220, bad 0-120.
The machine-readable / non-proprietary format lists and the access-rights
list are data.europa.eu's own (``mqa/``).

A metric counted over distributions gives its points times the share of
distributions that fulfil it (rounded), so one of two answering gives half.
URL reachability comes from the background check (``reachability``); until
a URL was checked it counts as not answering and the next step says so.
"""
from __future__ import annotations

import functools
import os
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, SKOS

from ckanext.smartcity.schema import vocab

MQA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mqa")
EDP = "https://europeandataportal.eu/voc#"
IANA = ("https://www.iana.org/assignments/media-types/", "http://www.iana.org/assignments/media-types/")
MAXIMUM = 405
DIMENSIONS = (("findability", "Auffindbarkeit", "Findability"),
              ("accessibility", "Zugänglichkeit", "Accessibility"),
              ("interoperability", "Interoperabilität", "Interoperability"),
              ("reusability", "Wiederverwendbarkeit", "Reusability"),
              ("contextuality", "Kontext", "Contextuality"))
RATINGS = ((351, "excellent", "Ausgezeichnet", "Excellent"), (221, "good", "Gut", "Good"),
           (121, "sufficient", "Ausreichend", "Sufficient"), (0, "bad", "Mangelhaft", "Bad"))


@functools.lru_cache(maxsize=1)
def _lists() -> dict[str, set[str]]:
    def flagged(name, prop):
        graph = Graph().parse(os.path.join(MQA, name), format="xml")
        return {str(s) for s, o in graph.subject_objects(URIRef(EDP + prop))
                if str(o).lower() == "true"}
    access = Graph().parse(os.path.join(MQA, "mqa_access-right-skos.rdf"), format="xml")
    return {"machine": flagged("mqa_edp-machine-readable-format.rdf", "isMachineReadable"),
            "open": flagged("mqa_edp-non-proprietary-format.rdf", "isNonProprietary"),
            "access": {str(s) for s in access.subjects(SKOS.inScheme, None)}}


def rating(score: int) -> dict[str, str]:
    for minimum, code, de, en in RATINGS:
        if score >= minimum:
            return {"code": code, "de": de, "en": en}
    raise AssertionError(score)


def _step(points: int, de: str, en: str, field: str | None, resource: int | None = None):
    return {"points": points, "de": f"{de}: +{points} Punkte",
            "en": f"{en}: +{points} points", "field": field, "resource": resource}


def score(graph: Graph, dataset_ref, dataset: dict[str, Any], shacl_violations: int,
          url_checks: dict[str, dict] | None = None) -> dict[str, Any]:
    """The MQA result: total, rating, points per dimension and metric, and
    the next steps worth most first (German and English)."""
    lists = _lists()
    checks = url_checks or {}
    g, ref = graph, dataset_ref
    metrics: dict[str, list[tuple[str, int, int]]] = {d[0]: [] for d in DIMENSIONS}
    steps = []

    def add(dimension, metric, got, maximum):
        metrics[dimension].append((metric, got, maximum))

    def has(node, prop):
        return g.value(node, prop) is not None

    # findability (dataset level)
    for metric, prop, points, field, de, en in (
            ("keyword", DCAT.keyword, 30, "tag_string", "Schlagwörter angeben",
             "Add keywords"),
            ("theme", DCAT.theme, 30, "smartcity_category",
             "Eine Smart-City-Kategorie oder ein EU-Datenthema wählen",
             "Choose a Smart City category or EU data theme"),
            ("spatial", DCTERMS.spatial, 20, "political_geocoding",
             "Die geopolitische Abdeckung angeben", "Add the geopolitical coverage"),
            ("temporal", DCTERMS.temporal, 20, "temporal_coverage",
             "Den Zeitraum angeben", "Add the temporal coverage")):
        got = points if has(ref, prop) else 0
        add("findability", metric, got, points)
        if not got:
            steps.append(_step(points, de, en, field))

    distributions = list(g.objects(ref, DCAT.distribution))
    resources = dataset.get("resources") or []
    names = [str((resources[i].get("name") if i < len(resources) else None) or
                 f"Ressource {i + 1}") for i in range(len(distributions))]

    def share(points, test, de, en, field):
        """Points times the share of distributions passing ``test``; a next
        step for each that fails (named, with its part of the points)."""
        if not distributions:
            if points:
                steps.append(_step(points, f"{de} (erst eine Ressource anlegen)",
                                   f"{en} (add a distribution first)", field))
            return 0
        passing = [bool(test(d, i)) for i, d in enumerate(distributions)]
        each = points / len(distributions)
        for i, ok in enumerate(passing):
            if not ok and round(each):
                steps.append(_step(round(each), f"{de} (Ressource ›{names[i]}‹)",
                                   f"{en} (distribution ›{names[i]}‹)", field, i + 1))
        return round(points * sum(passing) / len(distributions))

    def answers(url):
        check = checks.get(str(url)) if url is not None else None
        return bool(check and check.get("ok"))

    add("accessibility", "accessURL", share(
        50, lambda d, i: answers(g.value(d, DCAT.accessURL)),
        "Zugangs-URL erreichbar machen (oder die Prüfung abwarten)",
        "Make the access URL answer (or wait for the check)", "url"), 50)
    add("accessibility", "downloadURL", share(
        20, lambda d, i: has(d, DCAT.downloadURL), "Eine Download-URL angeben",
        "Add a download URL", "download_url"), 20)
    add("accessibility", "downloadURLAnswers", share(
        30, lambda d, i: answers(g.value(d, DCAT.downloadURL)),
        "Download-URL erreichbar machen", "Make the download URL answer", "download_url"), 30)

    # interoperability: the best distribution counts
    def best(points, test, de, en, field):
        ok = any(test(d) for d in distributions)
        if not ok:
            steps.append(_step(points, de, en, field))
        return points if ok else 0

    def fmt(d):
        value = g.value(d, DCTERMS.format)
        return str(value) if isinstance(value, URIRef) else None

    def media(d):
        value = g.value(d, DCAT.mediaType)
        return str(value) if value is not None else None
    add("interoperability", "format", best(20, fmt, "Ein Dateiformat angeben",
                                           "Add a file format", "format"), 20)
    add("interoperability", "mediaType", best(10, media, "Einen Medientyp angeben",
                                              "Add a media type", "mimetype"), 10)
    add("interoperability", "vocabularies", best(
        10, lambda d: fmt(d) and vocab.find("eu-file-type", fmt(d)) and media(d)
        and media(d).startswith(IANA), "Format und Medientyp aus den Listen wählen",
        "Choose format and media type from the lists", "format"), 10)
    add("interoperability", "nonProprietary", best(
        20, lambda d: fmt(d) in lists["open"], "Ein offenes (nicht proprietäres) Format anbieten",
        "Offer a non-proprietary format", "format"), 20)
    add("interoperability", "machineReadable", best(
        20, lambda d: fmt(d) in lists["machine"], "Ein maschinenlesbares Format anbieten",
        "Offer a machine-readable format", "format"), 20)
    shacl_ok = 30 if shacl_violations == 0 else 0
    add("interoperability", "dcatApCompliance", shacl_ok, 30)
    if not shacl_ok:
        steps.append(_step(30, f"Die {shacl_violations} DCAT-AP.de-Verstöße beheben",
                           f"Fix the {shacl_violations} DCAT-AP.de violations", None))

    # reusability
    add("reusability", "license", share(
        20, lambda d, i: has(d, DCTERMS.license), "Eine Lizenz angeben", "Add a licence",
        "license"), 20)
    add("reusability", "knownLicense", share(
        10, lambda d, i: vocab.find("dcatde-license", str(g.value(d, DCTERMS.license) or "")),
        "Eine Lizenz aus der dcat-ap.de-Liste wählen", "Choose a licence from the dcat-ap.de list",
        "license"), 10)
    access = g.value(ref, DCTERMS.accessRights)
    for metric, got, points, de, en in (
            ("accessRights", access is not None, 10, "Die Zugriffsrechte angeben",
             "Add the access rights"),
            ("accessRightsVocabulary", access is not None and str(access) in lists["access"], 5,
             "Zugriffsrechte aus der EU-Liste wählen", "Choose access rights from the EU list")):
        add("reusability", metric, points if got else 0, points)
        if not got:
            steps.append(_step(points, de, en, "access_rights"))
    for metric, prop, points, field, de, en in (
            ("contactPoint", DCAT.contactPoint, 20, "contact", "Eine Kontaktstelle angeben",
             "Add a contact point"),
            ("publisher", DCTERMS.publisher, 10, "publisher", "Einen Herausgeber angeben",
             "Add a publisher")):
        got = points if has(ref, prop) else 0
        add("reusability", metric, got, points)
        if not got:
            steps.append(_step(points, de, en, field))

    # contextuality (distribution level)
    for metric, prop, field, de, en in (
            ("rights", DCTERMS.rights, "rights", "Rechtehinweis angeben", "Add a rights statement"),
            ("byteSize", DCAT.byteSize, "size", "Die Dateigröße angeben", "Add the byte size"),
            ("issued", DCTERMS.issued, "issued", "Das Veröffentlichungsdatum angeben",
             "Add the release date"),
            ("modified", DCTERMS.modified, "modified", "Das Änderungsdatum angeben",
             "Add the modification date")):
        add("contextuality", metric, share(5, lambda d, i, prop=prop: has(d, prop), de, en,
                                           field), 5)

    dimensions = []
    for code, de, en in DIMENSIONS:
        items = metrics[code]
        dimensions.append({"code": code, "de": de, "en": en,
                           "points": sum(got for _m, got, _x in items),
                           "maximum": sum(maximum for _m, _g, maximum in items),
                           "metrics": [{"metric": m, "points": got, "maximum": maximum}
                                       for m, got, maximum in items]})
    total = sum(d["points"] for d in dimensions)
    steps.sort(key=lambda s: (-s["points"], s["resource"] or 0, s["de"]))
    return {"score": total, "maximum": MAXIMUM, "rating": rating(total),
            "dimensions": dimensions, "next_steps": steps}
