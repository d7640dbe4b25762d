"""Mending a harvested page graph before the profile reads it (issue 15,
"tolerant in": read DCAT-AP.de as real portals write it).

:func:`mend_graph` rewrites the graph in place so that
:class:`ckanext.smartcity.rdf.profile.DCATAPDEProfile` reads canonical values,
and returns the warnings per ``dcat:Dataset`` node. What it does:

- terms: every spelling of the dcatde namespace (``https://www.``, version
  folders ``1.1/``, the glued ``1_0politicalGeocodingURI``) and
  ``data.europa.eu/r5r#`` become the current terms;
- vocabulary values (licence, contributor ID, geocoding level and regions,
  language, theme, frequency, availability, checksum algorithm, format,
  access rights, HVD category) become the exact IRI of our list
  (``ckanext/smartcity/vocabularies/*.json`` through
  :mod:`ckanext.smartcity.schema.vocab`, the only list): http/https,
  ``www.``, a trailing slash, the old ``/mdr/`` path, versioned contributor
  list IRIs, a literal holding the IRI, the bare code; old codes and aliases
  through ``aliases.json`` (next to this module, with its provenance); the
  12-digit Regionalschlüssel through the Kreis or Gemeinde it names;
  a value that stays unknown is dropped;
- regions given only in ``dct:spatial`` (``locn:adminUnitL1/L2``) are added
  as ``dcatde:politicalGeocodingURI``, a missing geocoding level is taken
  from the regions when they agree;
- e-mails (``vcard:hasEmail``, ``foaf:mbox``) become ``mailto:`` IRIs, from
  literals, relative IRIs and ``(at)`` spellings; an e-mail glued into an
  agent's name is moved out of it; an agent given as a literal becomes a
  named ``foaf:Agent``;
- ``dct:conformsTo`` and ``dcat:endpointDescription`` given as text are
  dropped (the schema keeps URLs); a media type that is none is dropped (a
  format word there becomes the format when the distribution has none);
- a licence given as text never wins over a licence IRI: text that names no
  licence of the list is dropped; distributions that disagree are reported;
- what is not kept is reported: vCard addresses, the DCAT-AP.de 2.0 terms
  without a 3.0 successor.

Relative IRIs: :func:`ckanext.smartcity.harvest.fetch.parse` parses with the
base :data:`SENTINEL`, so a relative IRI is recognisable here. Values of
e-mail and vocabulary properties are read as what they are (never as a URL
of the source); every other IRI under the sentinel (dataset, distribution
and other node identities, relative URLs) is resolved against the page URL,
as RDF base resolution does. No IRI under the sentinel survives.

Warnings are "German / English" (:func:`ckanext.smartcity.i18n_text.bilingual`),
name the property and the reason, and quote the value cut short. The rule
for warnings: a value written in another spelling of the same IRI or code
(scheme, ``www.``, slash, literal instead of IRI, relative e-mail) is mended
silently; a value read as another code, derived, or dropped gets a warning.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any
from urllib.parse import urljoin

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF
from rdflib.term import Node

from ckanext.dcat.profiles import ADMS, DCATAP, LOCN, SPDX, VCARD
from ckanext.smartcity.harvest.fetch import SENTINEL
from ckanext.smartcity.i18n_text import bilingual
from ckanext.smartcity.rdf.profile import DCATDE, FILE_TYPE, GEODCATAP, IANA
from ckanext.smartcity.schema import vocab
# the form's digest lengths (one table; a public name there would be better)
from ckanext.smartcity.schema.validators import DIGEST_LENGTH

GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
SCHEMA_EMAIL = URIRef("http://schema.org/email")
FORMAT = DCTERMS["format"]
MAX_QUOTE = 120

_DCATDE_TERM = re.compile(
    r"^https?://(?:www\.)?dcat-ap\.de/def/dcatde/(?:[0-9][0-9._]*/?)?([A-Za-z]+)$")
_R5R_TERM = re.compile(r"^https?://data\.europa\.eu/r5r#([A-Za-z]+)$")
_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$", re.I)
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")
_OBFUSCATED_AT = re.compile(r"\s*[(\[{]\s*at\s*[)\]}]\s*", re.I)
_OBFUSCATED_DOT = re.compile(r"\s*[(\[{]\s*(?:dot|punkt)\s*[)\]}]\s*", re.I)
_GLUED_EMAIL = re.compile(r"^(.*?)[\s,;:(]*e-?mail\s*:\s*(\S+@\S+?)[)\s.]*$", re.I | re.S)
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$", re.I)
_IANA_PREFIX = re.compile(r"^https?://(?:www\.)?iana\.org/assignments/media-types/", re.I)
_VERSIONED_LIST = re.compile(r"/contributors/[0-9]{8}#")

# property -> vocabulary whose IRIs it takes
VOCABULARY_PROPERTIES: dict[URIRef, str] = {
    DCTERMS.license: "dcatde-license",
    DCATDE.contributorID: "dcatde-contributor",
    DCATDE.politicalGeocodingLevelURI: "political-geocoding-level",
    DCATDE.politicalGeocodingURI: "german-region",
    DCTERMS.language: "eu-language",
    DCAT.theme: "eu-data-theme",
    DCTERMS.accrualPeriodicity: "eu-frequency",
    DCATAP.availability: "eu-planned-availability",
    DCATDE.plannedAvailability: "eu-planned-availability",
    SPDX.algorithm: "checksum-algorithm",
    FORMAT: "eu-file-type",
    DCTERMS.accessRights: "eu-access-right",
    DCATAP.hvdCategory: "eu-hvd-category",
}
EMAIL_PROPERTIES = (VCARD.hasEmail, FOAF.mbox, SCHEMA_EMAIL)
AGENT_PROPERTIES = (DCTERMS.publisher, DCTERMS.creator, DCATDE.maintainer, DCATDE.originator,
                    GEODCATAP.originator, GEODCATAP.custodian)
# properties whose value the schema keeps as a URL: a literal holding one
# becomes the IRI (the same value), other text is dropped. Real portals
# write literals here (tests/data/realworld/INVENTORY.md: Brandenburg's
# access and download URLs, Dessau-Rosslau's applicable legislation as
# English text, GovData's dct:source "HMDK/..."), and a literal where the
# shapes want an IRI would make the re-export invalid
URL_PROPERTIES = (DCTERMS.conformsTo, DCAT.endpointDescription, DCTERMS.source,
                  DCATAP.applicableLegislation, DCAT.accessURL, DCAT.downloadURL,
                  DCAT.landingPage, DCAT.endpointURL, FOAF.page, ADMS.sample)
ADDRESS_PROPERTIES = (VCARD.hasAddress, VCARD["street-address"], VCARD.hasStreetAddress,
                      VCARD.hasPostalCode, VCARD["postal-code"], VCARD.hasLocality,
                      VCARD.locality, VCARD.hasCountryName, VCARD["country-name"],
                      VCARD.hasRegion)
# DCAT-AP.de 2.0 terms 3.0 deprecates without a successor (docs: the
# changelog of DCAT-AP.de 3.0); maintainer/originator are read by the
# profile as geodcatap:custodian/originator
NO_SUCCESSOR = ("geocodingDescription", "geocodingText", "legalBasis", "qualityProcessURI")
# dct:spatial nodes name their administrative unit with these
ADMIN_UNITS = (LOCN.adminUnitL1, LOCN.adminUnitL2)
# prefixes of the property names in warnings
PREFIXES = (("dcatde", str(DCATDE)), ("dct", str(DCTERMS)), ("dcat", str(DCAT)),
            ("dcatap", str(DCATAP)), ("foaf", str(FOAF)), ("vcard", str(VCARD)),
            ("spdx", str(SPDX)), ("locn", str(LOCN)), ("adms", str(ADMS)),
            ("geodcatap", str(GEODCATAP)))
# where an owning dataset is looked for: dataset -> distribution -> checksum
OWNER_DEPTH = 3


@functools.cache
def _aliases() -> dict[str, dict[str, str]]:
    text = resources.files(__package__).joinpath("aliases.json").read_text("utf-8")
    return {name: table for name, table in json.loads(text).items()
            if not name.startswith("_")}


@functools.cache
def _labels(name: str) -> dict[str, dict[str, Any] | None]:
    """Concepts of ``name`` by lower-cased German and English label (None
    where two concepts share a label)."""
    index: dict[str, dict[str, Any] | None] = {}
    for concept in vocab.concepts(name):
        for text in set(concept.get("labels", {}).values()):
            key = text.strip().lower()
            index[key] = None if key in index and index[key] is not concept else concept
    return index


@functools.cache
def _file_types_by_media_type() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for concept in vocab.concepts("eu-file-type"):
        for media in concept.get("media_types", ()):
            index.setdefault(media.lower(), []).append(concept["code"])
    return index


def _quote(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 1] + "…"


def _curie(predicate: URIRef) -> str:
    """The property as warnings name it: a prefixed name of our own
    prefixes, whatever the document bound."""
    text = str(predicate)
    for prefix, namespace in PREFIXES:
        if text.startswith(namespace) and len(text) > len(namespace):
            return prefix + ":" + text[len(namespace):]
    return text


# ---------------------------------------------------------------- vocabularies

def _spelling(iri: str) -> str:
    """One spelling for the IRI forms portals write for the same value."""
    text = iri.strip()
    text = re.sub(r"^https?://(?:www\.)?", "http://", text, flags=re.I)
    text = text.replace("publications.europa.eu/mdr/resource/authority/",
                        "publications.europa.eu/resource/authority/")
    text = _VERSIONED_LIST.sub("/contributors/", text)
    return text.rstrip("/")


def _namespace(name: str) -> str:
    """The IRI namespace of the vocabulary's concepts, e.g. ``.../licenses/``."""
    if name == "german-region":  # three key lists under one namespace
        return GEOCODING
    first = vocab.concepts(name)[0]
    uri, code = first["uri"], first["code"]
    if uri.endswith(code):
        return uri[:-len(code)]
    return uri.rsplit("/", 1)[0] + "/"


def _region_by_key(digits: str) -> dict[str, Any] | None:
    """A region of our list for an official key: 2 digits Land, 5 Kreis,
    8 Gemeinde (AGS), 12 Regionalschlüssel (ARS = Land 2, Regierungsbezirk 1,
    Kreis 2, Gemeindeverband 4, Gemeinde 3)."""
    if not digits.isdigit():
        return None
    if len(digits) == 12:
        if digits[2:] == "0" * 10:
            digits = digits[:2]
        elif digits[5:] == "0" * 7:
            digits = digits[:5]
        elif digits[9:] != "000":
            digits = digits[:5] + digits[9:]  # the AGS of the Gemeinde
        else:
            return None  # a Gemeindeverband: no list of ours has it
    kind = {2: "stateKey", 5: "districtKey", 8: "municipalityKey"}.get(len(digits))
    return vocab.find("german-region", f"{GEOCODING}{kind}/{digits}") if kind else None


def _code_alias(name: str, code: str) -> dict[str, Any] | None:
    table = _aliases().get(name, {})
    target = table.get(code) or table.get(code.upper())
    return vocab.find(name, target) if target else None


def _lookup(name: str, text: str) -> tuple[dict[str, Any] | None, bool]:
    """The concept of ``name`` that ``text`` (an IRI or a literal's text)
    stands for, and whether it is only another spelling of that concept's
    IRI or code (no warning needed)."""
    concept = vocab.find(name, text)
    if concept is not None:
        same = text.strip().lower() in (concept["uri"].lower(), concept["code"].lower())
        return concept, same or _spelling(text) == _spelling(concept["uri"])
    spelled = _spelling(text)
    concept = vocab.find(name, spelled)
    if concept is not None:
        return concept, _spelling(concept["uri"]) == spelled
    namespace = _spelling(_namespace(name)).rstrip("/") + "/"
    if spelled.startswith(namespace) or text.startswith(SENTINEL) or _IRI.match(text):
        if spelled.startswith(namespace):
            code = spelled[len(namespace):]
        else:  # relative, or another list's IRI (id.loc.gov): its last segment
            code = re.split(r"[/#]", spelled.rstrip("/"))[-1]
        return _code(name, code, relative=not spelled.startswith(namespace)), False
    return _code(name, text.strip(), relative=False) or _label(name, text), False


def _code(name: str, code: str, relative: bool) -> dict[str, Any] | None:
    if not code:
        return None
    if name == "german-region":
        found = _region_by_key(code.rsplit("/", 1)[-1])
        if found is not None or relative:
            return found
    concept = vocab.find(name, code) if "/" not in code or not relative else None
    return concept or _code_alias(name, code)


def _label(name: str, text: str) -> dict[str, Any] | None:
    return _labels(name).get(text.strip().lower()) if name != "german-region" else None


# ---------------------------------------------------------------- the report

class _Report:
    """Warnings by the node they concern; :meth:`by_dataset` hands them to
    the datasets that reach the node."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.found: dict[Node | None, list[str]] = {}

    def warn(self, subject: Node | None, text: str) -> None:
        rows = self.found.setdefault(subject, [])
        if text not in rows:
            rows.append(text)

    def by_dataset(self, datasets: list[Node]) -> dict[Node | None, list[str]]:
        result: dict[Node | None, list[str]] = {ref: [] for ref in datasets}
        owners = _owners(self.graph, datasets)
        for subject, texts in self.found.items():
            for ref in owners.get(subject, [None]):
                rows = result.setdefault(ref, [])
                rows.extend(t for t in texts if t not in rows)
        if not result.get(None):
            result.pop(None, None)
        return result


def _owners(graph: Graph, datasets: list[Node]) -> dict[Node, list[Node]]:
    """Nodes reachable from each dataset (distributions, checksums, agents,
    contacts, locations), not through another dataset."""
    dataset_set = set(datasets)
    owners: dict[Node, list[Node]] = {}
    for ref in datasets:
        seen = {ref}
        frontier = [ref]
        for _ in range(OWNER_DEPTH):
            following = []
            for node in frontier:
                for predicate, value in graph.predicate_objects(node):
                    if predicate == RDF.type or isinstance(value, Literal) \
                            or value in seen or value in dataset_set:
                        continue
                    seen.add(value)
                    following.append(value)
            frontier = following
        for node in seen:
            owners.setdefault(node, []).append(ref)
    return owners


# ---------------------------------------------------------------- the steps

def _replace(graph: Graph, triple: tuple, new: Node | None) -> None:
    graph.remove(triple)
    if new is not None:
        graph.add((triple[0], triple[1], new))


def _upgrade_terms(graph: Graph) -> None:
    """dcatde terms in every namespace spelling, and ``r5r#``, to the
    current term (complements the profile's ``_upgrade_legacy_terms``,
    which knows the three 1.0 namespaces only)."""
    for predicate in {p for p in graph.predicates() if isinstance(p, URIRef)}:
        match = _DCATDE_TERM.match(predicate)
        target = DCATDE[match.group(1)] if match else None
        if target is None and (match := _R5R_TERM.match(predicate)):
            target = DCATAP[match.group(1)]
        if target is None or target == predicate:
            continue
        for s, o in list(graph.subject_objects(predicate)):
            graph.remove((s, predicate, o))
            graph.add((s, target, o))


def _value_predicates() -> set[URIRef]:
    return {*VOCABULARY_PROPERTIES, *EMAIL_PROPERTIES}


def _rename(graph: Graph, old: URIRef, new: Node) -> None:
    for p, o in list(graph.predicate_objects(old)):
        graph.remove((old, p, o))
        graph.add((new, p, o))
    for s, p in list(graph.subject_predicates(old)):
        graph.remove((s, p, old))
        graph.add((s, p, new))


def _resolve_nodes(graph: Graph, source_url: str | None) -> None:
    """Relative node identities (subjects under the sentinel that are not
    values of an e-mail or vocabulary property): resolved against the page
    URL; without one, blank nodes."""
    values = _value_predicates()
    for node in {s for s in graph.subjects() if str(s).startswith(SENTINEL)}:
        if any(p in values for p in graph.predicates(None, node)):
            continue
        _rename(graph, node, _resolved(node, source_url) or BNode())


def _resolved(node: Node, source_url: str | None) -> URIRef | None:
    if not source_url:
        return None
    return URIRef(urljoin(source_url, str(node)[len(SENTINEL):]))


def _mend_vocabularies(graph: Graph, report: _Report) -> None:
    for predicate, name in VOCABULARY_PROPERTIES.items():
        for s, o in list(graph.subject_objects(predicate)):
            if isinstance(o, BNode):
                continue
            concept, same = _lookup(name, str(o))
            if concept is None:
                _replace(graph, (s, predicate, o), None)
                report.warn(s, bilingual("%(field)s: %(value)s dropped, not in the list",
                                         field=_curie(predicate), value=_quote(_shown(o))))
                continue
            new = URIRef(concept["uri"])
            if new != o:
                _replace(graph, (s, predicate, o), new)
                if not same:
                    report.warn(s, bilingual("%(field)s: %(value)s read as %(canonical)s",
                                             field=_curie(predicate), value=_quote(_shown(o)),
                                             canonical=concept["uri"]))


def _shown(value: Node) -> str:
    text = str(value)
    if text.startswith(SENTINEL):
        return text[len(SENTINEL):] or "<>"
    return text


def _mend_emails(graph: Graph, report: _Report) -> None:
    for predicate in EMAIL_PROPERTIES:
        for s, o in list(graph.subject_objects(predicate)):
            if isinstance(o, BNode):
                continue
            written = _shown(o).strip()
            address = re.sub(r"^mailto:", "", written, flags=re.I).strip()
            plain = _OBFUSCATED_DOT.sub(".", _OBFUSCATED_AT.sub("@", address))
            if not _EMAIL.match(plain):
                _replace(graph, (s, predicate, o), None)
                report.warn(s, bilingual("%(field)s: %(value)s dropped, not an e-mail address",
                                         field=_curie(predicate), value=_quote(written)))
                continue
            new = URIRef("mailto:" + plain)
            if new != o:
                _replace(graph, (s, predicate, o), new)
                if plain != address:
                    report.warn(s, bilingual("%(field)s: %(value)s mended to %(canonical)s",
                                             field=_curie(predicate), value=_quote(written),
                                             canonical=plain))


def _mend_agents(graph: Graph, report: _Report) -> None:
    """Agents written as a literal become named agents; an e-mail glued
    into an agent's name moves to ``foaf:mbox``."""
    for predicate in AGENT_PROPERTIES:
        for s, o in list(graph.subject_objects(predicate)):
            if isinstance(o, Literal) and str(o).strip():
                agent = BNode()
                _replace(graph, (s, predicate, o), agent)
                graph.add((agent, RDF.type, FOAF.Agent))
                graph.add((agent, FOAF.name, o))
    for agent, name in list(graph.subject_objects(FOAF.name)):
        match = _GLUED_EMAIL.match(str(name)) if isinstance(name, Literal) else None
        if not match or not _EMAIL.match(match.group(2)):
            continue
        # a name that is only the address: the agent is named by it
        rest = match.group(1).strip() or match.group(2)
        _replace(graph, (agent, FOAF.name, name),
                 Literal(rest, lang=name.language, datatype=name.datatype))
        if graph.value(agent, FOAF.mbox) is None:
            graph.add((agent, FOAF.mbox, URIRef("mailto:" + match.group(2))))
        report.warn(agent, bilingual("%(field)s: e-mail address %(value)s moved out of the name",
                                     field=_curie(FOAF.name), value=_quote(match.group(2))))


def _mend_urls(graph: Graph, report: _Report) -> None:
    """``dct:conformsTo``/``dcat:endpointDescription``: the schema keeps
    URLs; a literal holding one becomes an IRI, text is dropped."""
    for predicate in URL_PROPERTIES:
        for s, o in list(graph.subject_objects(predicate)):
            if not isinstance(o, Literal):
                continue
            text = str(o).strip()
            if re.match(r"^https?://\S+$", text):
                _replace(graph, (s, predicate, o), URIRef(text))
            elif not text:  # an empty value says nothing: no warning
                _replace(graph, (s, predicate, o), None)
            else:
                _replace(graph, (s, predicate, o), None)
                report.warn(s, bilingual("%(field)s: text %(value)s dropped, a URL is expected",
                                         field=_curie(predicate), value=_quote(text)))


def _mend_documents(graph: Graph, report: _Report) -> None:
    """``foaf:page`` given as a node (Dessau-Rosslau's ArcGIS feed: a
    ``foaf:Document`` holding the URL) is read as the URL it holds;
    ckanext-dcat would store the blank node's id. A node without a URL is
    dropped."""
    for s, o in list(graph.subject_objects(FOAF.page)):
        if not isinstance(o, BNode):
            continue
        urls = [str(v).strip() for v in graph.objects(o, None)
                if not isinstance(v, BNode) and re.match(r"^https?://\S+$", str(v).strip())]
        _replace(graph, (s, FOAF.page, o), URIRef(urls[0]) if urls else None)
        if urls:
            report.warn(s, bilingual("%(field)s: a document node read as its URL %(value)s",
                                     field=_curie(FOAF.page), value=_quote(urls[0])))
        else:
            report.warn(s, bilingual("%(field)s: a document without a URL dropped",
                                     field=_curie(FOAF.page)))


def _mend_samples(graph: Graph, report: _Report) -> None:
    """``adms:sample`` must name a distribution (DCAT-AP.de 3.0 shapes): a
    link to anything not described as a ``dcat:Distribution`` in the page
    is dropped, with a warning (text was dropped by :func:`_mend_urls`)."""
    for s, o in list(graph.subject_objects(ADMS.sample)):
        if (o, RDF.type, DCAT.Distribution) not in graph:
            _replace(graph, (s, ADMS.sample, o), None)
            report.warn(s, bilingual("%(field)s: %(value)s dropped, not a distribution of the "
                                     "document", field=_curie(ADMS.sample), value=_quote(o)))


def _mend_media_types(graph: Graph, report: _Report) -> None:
    for s, o in list(graph.subject_objects(DCAT.mediaType)):
        if isinstance(o, BNode):
            continue
        text = _IANA_PREFIX.sub("", _shown(o).strip())
        if _MEDIA_TYPE.match(text):
            continue
        _replace(graph, (s, DCAT.mediaType, o), None)
        concept, _ = _lookup("eu-file-type", text)
        if concept is not None and graph.value(s, FORMAT) is None:
            graph.add((s, FORMAT, URIRef(concept["uri"])))
            report.warn(s, bilingual("%(field)s: %(value)s is no media type, read as the format "
                                     "%(canonical)s", field=_curie(DCAT.mediaType),
                                     value=_quote(_shown(o)), canonical=concept["code"]))
        else:
            report.warn(s, bilingual("%(field)s: %(value)s dropped, not a media type",
                                     field=_curie(DCAT.mediaType), value=_quote(_shown(o))))


def _format_media_types(graph: Graph, report: _Report) -> None:
    """A media type written as the format (``"text/csv"``, an IANA IRI):
    the media type of the distribution, and the file type it names."""
    for s, o in list(graph.subject_objects(FORMAT)):
        if isinstance(o, BNode):
            continue
        text = _IANA_PREFIX.sub("", str(o).strip())
        if not _MEDIA_TYPE.match(text) or str(o).startswith(("http://publications",
                                                              "https://publications")):
            continue
        if graph.value(s, DCAT.mediaType) is None:
            graph.add((s, DCAT.mediaType, URIRef(IANA + text.lower())))
        code = _file_type_of(text)
        _replace(graph, (s, FORMAT, o), URIRef(FILE_TYPE + code) if code else None)
        if code:
            report.warn(s, bilingual("%(field)s: %(value)s read as %(canonical)s",
                                     field=_curie(FORMAT), value=_quote(text), canonical=code))
        else:
            report.warn(s, bilingual("%(field)s: %(value)s is a media type, kept as the media "
                                     "type only", field=_curie(FORMAT), value=_quote(text)))


def _file_type_of(media_type: str) -> str | None:
    """The EU file type a media type names: the only one, or the one named
    like its subtype (``application/zip`` is ZIP among the zipped formats)."""
    codes = _file_types_by_media_type().get(media_type.lower(), [])
    subtype = media_type.rsplit("/", 1)[-1].upper()
    for candidate in (subtype, subtype.split("+", 1)[0]):  # gml+xml: GML
        if candidate in codes:
            return candidate
    return codes[0] if len(codes) == 1 else None


def _formats_from_media_types(graph: Graph, report: _Report) -> None:
    """A distribution with a media type and no format: the file type the
    media type names (ckanext-dcat would store the media type as the format,
    which no list knows)."""
    for s, o in list(graph.subject_objects(DCAT.mediaType)):
        if graph.value(s, FORMAT) is not None or isinstance(o, BNode):
            continue
        code = _file_type_of(_IANA_PREFIX.sub("", str(o).strip()))
        if code:
            graph.add((s, FORMAT, URIRef(FILE_TYPE + code)))
            report.warn(s, bilingual("%(field)s: %(canonical)s taken from the media type %(value)s",
                                     field=_curie(FORMAT), value=_quote(o), canonical=code))


def _mend_distributions(graph: Graph, datasets: list[Node], report: _Report) -> None:
    """``dcat:accessURL`` is mandatory, and a dataset with a distribution
    the form refuses is refused whole. A distribution without one takes its
    ``dcat:downloadURL`` (DCAT-AP.de Konvention 39: a direct download has
    both the same, so silently), else a ``dcat:endpointURL`` written on it
    or on its access service (Dessau-Rosslau's ArcGIS feed). One with none
    of these (Bremen's empty ``#distribution_`` nodes) is left to the
    harvester, which drops it from the dataset with a warning."""
    for ref in datasets:
        for dist in list(graph.objects(ref, DCAT.distribution)):
            if graph.value(dist, DCAT.accessURL) is not None:
                continue
            download = graph.value(dist, DCAT.downloadURL)
            if download is not None:
                graph.add((dist, DCAT.accessURL, download))
                continue
            endpoint = graph.value(dist, DCAT.endpointURL) or next(
                (e for service in graph.objects(dist, DCAT.accessService)
                 for e in graph.objects(service, DCAT.endpointURL)), None)
            if endpoint is not None:
                graph.add((dist, DCAT.accessURL, endpoint))
                report.warn(dist, bilingual("%(field)s: %(value)s taken from dcat:endpointURL",
                                            field=_curie(DCAT.accessURL), value=_quote(endpoint)))


def _mend_checksums(graph: Graph, report: _Report) -> None:
    """A checksum whose value is not the hex digest of its algorithm (the
    official 2.0 example gives a SHA-256 value as MD5) would refuse the
    whole dataset in the form: the checksum is dropped, with a warning."""
    for dist, checksum in list(graph.subject_objects(SPDX.checksum)):
        algorithm = graph.value(checksum, SPDX.algorithm)
        value = str(graph.value(checksum, SPDX.checksumValue) or "").strip().lower()
        concept = vocab.find("checksum-algorithm", str(algorithm)) if algorithm else None
        length = DIGEST_LENGTH.get(concept["code"]) if concept else None
        if not value or length is None or (len(value) == length
                                           and re.fullmatch(r"[0-9a-f]+", value)):
            continue  # nothing to check, or no usable algorithm (warned already)
        graph.remove((dist, SPDX.checksum, checksum))
        report.warn(dist, bilingual("%(field)s: %(value)s dropped, not a %(canonical)s value",
                                    field=_curie(SPDX.checksum), value=_quote(value),
                                    canonical=concept["code"]))


def _mend_regions(graph: Graph, datasets: list[Node], report: _Report) -> None:
    """Regions of ``dct:spatial`` (an IRI of the list, or a location with
    ``locn:adminUnitL1/L2``) as ``dcatde:politicalGeocodingURI``; the
    geocoding level from the regions when it is missing and they agree."""
    for ref in datasets:
        regions = {str(o) for o in graph.objects(ref, DCATDE.politicalGeocodingURI)}
        for place in list(graph.objects(ref, DCTERMS.spatial)):
            candidates = [place] if isinstance(place, URIRef) else []
            candidates += [u for p in ADMIN_UNITS for u in graph.objects(place, p)]
            for value in candidates:
                if isinstance(value, BNode):
                    continue
                concept, _ = _lookup("german-region", str(value))
                if concept is None:
                    if _spelling(str(value)).startswith(_spelling(GEOCODING)) and value != place:
                        report.warn(ref, bilingual("%(field)s: region %(value)s not in the list, "
                                                   "not kept", field=_curie(DCTERMS.spatial),
                                                   value=_quote(value)))
                    continue
                if concept["uri"] in regions:
                    continue
                regions.add(concept["uri"])
                graph.add((ref, DCATDE.politicalGeocodingURI, URIRef(concept["uri"])))
                if value != place or str(value) != concept["uri"]:
                    report.warn(ref, bilingual("%(field)s: %(canonical)s taken from dct:spatial "
                                               "(%(value)s)",
                                               field=_curie(DCATDE.politicalGeocodingURI),
                                               value=_quote(value), canonical=concept["uri"]))
        if regions and graph.value(ref, DCATDE.politicalGeocodingLevelURI) is None:
            levels = {(vocab.find("german-region", uri) or {}).get("level") for uri in regions}
            if len(levels) == 1 and None not in levels:
                level = levels.pop()
                graph.add((ref, DCATDE.politicalGeocodingLevelURI, URIRef(level)))
                report.warn(ref, bilingual("%(field)s: %(canonical)s taken from the regions",
                                           field=_curie(DCATDE.politicalGeocodingLevelURI),
                                           canonical=level))
        for place in list(graph.objects(ref, DCTERMS.spatial)):
            if isinstance(place, URIRef) and _spelling(str(place)).startswith(
                    _spelling(GEOCODING)):
                concept, _ = _lookup("german-region", str(place))
                if concept is None:
                    _replace(graph, (ref, DCTERMS.spatial, place), None)
                    report.warn(ref, bilingual("%(field)s: region %(value)s not in the list, not "
                                               "kept", field=_curie(DCTERMS.spatial),
                                               value=_quote(place)))
                elif concept["uri"] != str(place):
                    _rename_value(graph, ref, DCTERMS.spatial, place, URIRef(concept["uri"]))


def _rename_value(graph: Graph, subject: Node, predicate: URIRef, old: URIRef,
                  new: URIRef) -> None:
    graph.remove((subject, predicate, old))
    graph.add((subject, predicate, new))
    for p, o in list(graph.predicate_objects(old)):
        graph.add((new, p, o))


def _report_licences(graph: Graph, datasets: list[Node], report: _Report) -> None:
    for ref in datasets:
        if any(isinstance(o, URIRef) for o in graph.objects(ref, DCTERMS.license)):
            continue
        found = {str(o) for dist in graph.objects(ref, DCAT.distribution)
                 for o in graph.objects(dist, DCTERMS.license) if isinstance(o, URIRef)}
        if len(found) > 1:
            report.warn(ref, bilingual("%(field)s: the distributions disagree (%(value)s); the "
                                       "dataset takes the most frequent one",
                                       field=_curie(DCTERMS.license),
                                       value=_quote(", ".join(sorted(found)))))


def _report_not_kept(graph: Graph, datasets: list[Node], report: _Report) -> None:
    for term in NO_SUCCESSOR:
        for s in set(graph.subjects(DCATDE[term], None)):
            report.warn(s, bilingual("%(field)s: not kept, DCAT-AP.de 3.0 has no successor",
                                     field=_curie(DCATDE[term])))
    for ref in datasets:
        for contact in graph.objects(ref, DCAT.contactPoint):
            if any(graph.value(contact, p) is not None for p in ADDRESS_PROPERTIES):
                report.warn(ref, bilingual("%(field)s: the postal address is not kept (the schema "
                                           "has no field for it)", field=_curie(DCAT.contactPoint)))


def _resolve_rest(graph: Graph, source_url: str | None, report: _Report) -> None:
    """Every IRI still under the sentinel (relative URLs, leftover nodes):
    resolved against the page URL, or dropped without one."""
    for s, p, o in list(graph):
        relative = [n for n in (s, p, o) if isinstance(n, URIRef) and str(n).startswith(SENTINEL)]
        if not relative:
            continue
        graph.remove((s, p, o))
        if not source_url:
            report.warn(s, bilingual("%(field)s: relative IRI %(value)s dropped (no base)",
                                     field=_curie(p), value=_quote(_shown(relative[0]))))
            continue
        s2, p2, o2 = (_resolved(n, source_url) if n in relative else n for n in (s, p, o))
        graph.add((s2, p2, o2))


def _datasets(graph: Graph) -> list[Node]:
    return list(dict.fromkeys(graph.subjects(RDF.type, DCAT.Dataset)))


def mend_graph(graph: Graph, source_url: str | None = None) -> dict[Node | None, list[str]]:
    """Rewrite ``graph`` (one page, parsed by :func:`.fetch.parse`) in place
    so that the profile reads canonical values; the warnings per
    ``dcat:Dataset`` node (every dataset has a key), those of no dataset
    under ``None``. ``source_url`` is the page's URL, the base of relative
    node IRIs."""
    report = _Report(graph)
    _upgrade_terms(graph)
    _resolve_nodes(graph, source_url)
    datasets = _datasets(graph)
    _mend_agents(graph, report)
    _mend_emails(graph, report)
    _format_media_types(graph, report)
    _mend_media_types(graph, report)
    _mend_vocabularies(graph, report)
    _formats_from_media_types(graph, report)
    _mend_documents(graph, report)
    _mend_urls(graph, report)
    _mend_samples(graph, report)
    _mend_distributions(graph, datasets, report)
    _mend_checksums(graph, report)
    _mend_regions(graph, datasets, report)
    _report_licences(graph, datasets, report)
    _report_not_kept(graph, datasets, report)
    _resolve_rest(graph, source_url, report)
    return report.by_dataset(datasets)


def sentinel_iris(graph: Graph) -> Iterable[URIRef]:
    """IRIs under the sentinel base still in ``graph`` (none after mending)."""
    for triple in graph:
        for node in triple:
            if isinstance(node, URIRef) and str(node).startswith(SENTINEL):
                yield node
