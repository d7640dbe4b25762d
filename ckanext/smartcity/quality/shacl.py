"""DCAT-AP.de 3.0 SHACL validation of one dataset, in German and English,
each result tied to the form field it concerns.

The shapes are GovData's DCAT-AP.de 3.0 files on the EU 3.0.0 base
(``shapes/``, copied unchanged from the official DCAT-AP.de and EU DCAT-AP
releases; docs/architecture.md names them); they are parsed once per
process. Vocabulary checks (``skos:inScheme``) need the membership triples in
the data graph: they come from the portal's own vocabularies (generated from
the official lists), only for the concepts the dataset uses.

A high-value dataset (one with an HVD category) is also checked against the
DCAT-AP HVD 3.0.0 shapes (``shapes/hvd-SHACL.ttl``, SEMIC's release, copied
unchanged; docs/quality.md): its findings come the same way, marked "HVD".
The HVD shapes target every ``dcat:Dataset``, so they run only for datasets
that claim a category.
"""
from __future__ import annotations

import functools
import os
from dataclasses import asdict, dataclass
from typing import Any

from pyshacl import validate as run
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCAT, FOAF, RDF, SH, SKOS

from ckanext.dcat.profiles.base import namespaces
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.smartcity.rdf.profile import NAMESPACES
from ckanext.smartcity.schema import vocab

SHAPES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shapes")
SHAPE_FILES = ("eu-3.0.0-dcat-ap-SHACL.ttl", "dcat-ap-SHACL-DE.ttl",
               "dcat-ap-de-controlledvocabularies.ttl", "dcat-ap-de-deprecated.ttl",
               "dcat-ap-spec-german-additions.ttl")
HVD_SHAPE_FILE = "hvd-SHACL.ttl"
# what a data service finding concerns, where the schema has no field of the
# property: the resource's access service (dcat:endpointURL, foaf:page...)
SERVICE_FIELD = "access_services"
SERVICE_LABELS = {str(DCAT.endpointURL): ("Endpunkt-URL", "Endpoint URL"),
                  str(DCAT.endpointDescription): ("Endpunkt-Beschreibung",
                                                   "Endpoint description"),
                  str(FOAF.page): ("Dokumentation", "Documentation")}
# the vocabularies whose membership the shapes check (regions and categories are not)
CHECKED_VOCABULARIES = ("adms-publisher-type", "dcatde-contributor", "dcatde-license",
                        "eu-access-right", "eu-data-theme", "eu-distribution-status",
                        "eu-file-type", "eu-frequency", "eu-language",
                        "eu-planned-availability", "political-geocoding-level")


@dataclass
class Finding:
    severity: str          # "violation" | "warning" | "info"
    field: str | None      # schema field name (dataset or resource field)
    resource: int | None   # 1-based distribution number for resource fields
    label_de: str
    label_en: str
    message_de: str
    message_en: str
    path: str              # the RDF property, for experts
    shape_message: str     # the shape's own (English) message

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.lru_cache(maxsize=1)
def shapes() -> Graph:
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(os.path.join(SHAPES, name), format="turtle")
    return graph


@functools.lru_cache(maxsize=1)
def hvd_shapes() -> Graph:
    return Graph().parse(os.path.join(SHAPES, HVD_SHAPE_FILE), format="turtle")


@functools.lru_cache(maxsize=1)
def _memberships() -> dict[str, str]:
    found = {}
    for name in CHECKED_VOCABULARIES:
        scheme = vocab.load_vocabulary(name)["scheme"]
        for concept in vocab.concepts(name):
            found[concept["uri"]] = scheme
    return found


@functools.lru_cache(maxsize=1)
def _fields() -> tuple[dict, dict]:
    """RDF property -> (field name, labels), for dataset and resource fields,
    from the schema's ``dcat`` annotations."""
    prefixes = {**{k: str(v) for k, v in namespaces.items()},
                **{k: str(v) for k, v in NAMESPACES.items()}}
    schema = scheming_get_dataset_schema("dataset")

    def index(fields):
        out = {}
        for field in fields:
            for curie in str(field.get("dcat") or "").replace(",", " ").split():
                prefix, _, local = curie.partition(":")
                if prefix in prefixes:
                    label = field.get("label") or {}
                    if isinstance(label, str):
                        label = {"de": label, "en": label}
                    out.setdefault(prefixes[prefix] + local,
                                   (field["field_name"], label.get("de") or field["field_name"],
                                    label.get("en") or field["field_name"]))
        return out
    return index(schema["dataset_fields"]), index(schema["resource_fields"])


def _data_graph(graph: Graph) -> Graph:
    data = Graph()
    for triple in graph:
        data.add(triple)
    members = _memberships()
    for obj in set(graph.objects()):
        if isinstance(obj, URIRef) and str(obj) in members:
            data.add((obj, SKOS.inScheme, URIRef(members[str(obj)])))
    return data


def _message(component: str, label_de: str, label_en: str, shape_message: str) -> tuple[str, str]:
    if component.endswith("MinCountConstraintComponent"):
        return (f"Pflichtangabe fehlt: {label_de}", f"Required value missing: {label_en}")
    if component.endswith("MaxCountConstraintComponent"):
        return (f"Zu viele Werte: {label_de}", f"Too many values: {label_en}")
    if component.endswith(("ClassConstraintComponent", "NodeConstraintComponent",
                           "HasValueConstraintComponent", "InConstraintComponent")):
        return (f"Wert nicht aus der vorgesehenen Liste oder falsch typisiert: {label_de}",
                f"Value not from the expected list or wrongly typed: {label_en}")
    if component.endswith(("DatatypeConstraintComponent", "NodeKindConstraintComponent",
                           "PatternConstraintComponent")):
        return (f"Wert hat nicht die erwartete Form: {label_de}",
                f"Value does not have the expected form: {label_en}")
    return (f"Entspricht nicht DCAT-AP.de: {label_de}",
            f"Does not conform to DCAT-AP.de: {label_en} ({shape_message[:200]})")


def validate(graph: Graph, dataset_ref) -> list[Finding]:
    """DCAT-AP.de findings for the dataset ``dataset_ref`` described in ``graph``."""
    return _findings(graph, dataset_ref, shapes(), "", "")


def validate_hvd(graph: Graph, dataset_ref) -> list[Finding]:
    """DCAT-AP HVD findings (German messages start with "HVD: ") for a
    high-value dataset; call it only for datasets with an HVD category."""
    return _findings(graph, dataset_ref, hvd_shapes(), "HVD: ", "HVD: ")


def _findings(graph: Graph, dataset_ref, shape_graph: Graph, prefix_de: str,
              prefix_en: str) -> list[Finding]:
    _conforms, report, _text = run(_data_graph(graph), shacl_graph=shape_graph,
                                   inference="none", advanced=True, allow_warnings=True)
    distributions = list(graph.objects(dataset_ref, DCAT.distribution))
    findings = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = {SH.Violation: "violation", SH.Warning: "warning"}.get(
            report.value(result, SH.resultSeverity), "info")
        component = str(report.value(result, SH.sourceConstraintComponent) or "")
        shape_message = str(report.value(result, SH.resultMessage) or "")
        field, resource, label_de, label_en, path, where_de, where_en = _locate(
            graph, dataset_ref, distributions, report.value(result, SH.focusNode),
            report.value(result, SH.resultPath))
        message_de, message_en = _message(component, label_de, label_en, shape_message)
        message_de, message_en = where_de + message_de, where_en + message_en
        if resource:
            message_de = f"Ressource {resource}: {message_de}"
            message_en = f"Resource {resource}: {message_en}"
        findings.append(Finding(severity, field, resource, label_de, label_en,
                                prefix_de + message_de, prefix_en + message_en,
                                str(path or ""), shape_message))
    order = {"violation": 0, "warning": 1, "info": 2}
    unique = {(f.severity, f.field, f.resource, f.message_de): f for f in findings}
    return sorted(unique.values(), key=lambda f: (order[f.severity], f.resource or 0,
                                                  f.field or "", f.message_de))


def _locate(graph: Graph, dataset_ref, distributions: list, focus, path):
    """The form field a result concerns: (field, 1-based resource number,
    German label, English label, path, German and English "where" prefix).

    A result on the dataset or a distribution names that field; one on a
    node hanging off them (publisher, contact...) the property linking it;
    one on a data service the dataset field the portal fills the service
    from (contact point, licence, HVD category) or else the resource's
    access service, named as such."""
    dataset_fields, resource_fields = _fields()
    table, resource, where = dataset_fields, None, ("", "")
    if focus in distributions:
        table, resource = resource_fields, distributions.index(focus) + 1
    elif (focus, RDF.type, DCAT.DataService) in graph:
        owners = [d for d in distributions if (d, DCAT.accessService, focus) in graph]
        number = distributions.index(owners[0]) + 1 if owners else None
        if str(path) not in dataset_fields:
            label_de, label_en = SERVICE_LABELS.get(str(path), (_short(path), _short(path)))
            return (SERVICE_FIELD, number, label_de, label_en, path,
                    "Datenservice: ", "Access service: ")
        # a dataset field (the resource is named in the text, the link goes
        # to the dataset form)
        where = ((f"Datenservice von Ressource {number}: ",
                  f"Access service of resource {number}: ") if number else
                 ("Datenservice: ", "Access service: "))
    elif focus != dataset_ref:
        # a node hanging off the dataset or a distribution (publisher, contact...)
        for subject, predicate in graph.subject_predicates(focus):
            if subject == dataset_ref:
                path = predicate
                break
            if subject in distributions:
                table, resource, path = resource_fields, distributions.index(subject) + 1, \
                    predicate
                break
    name, label_de, label_en = table.get(str(path), (None, _short(path), _short(path)))
    return (name, resource, label_de, label_en, path) + where


def _short(path) -> str:
    if path is None or isinstance(path, BNode):
        return "?"
    text = str(path)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
