"""The DCAT-AP.de profile for ckanext-dcat (entry point ``dcat_ap_de``).

Built on ckanext-dcat's ``EuropeanDCATAP3Profile``. What it adds:

- the DCAT-AP.de properties of the schema the EU profile does not know:
  contributor ID, political geocoding level and regions (the regions also as
  ``dct:spatial``), contact telephone, Musterdatenkatalog ``dct:references``,
  originator and custodian (GeoDCAT-AP), licence attribution text;
- formats as EU file-type URIs and media types as IANA URIs (the stored
  values are codes / ``type/subtype``), every referenced node typed, a
  publisher on every access service (DCAT-AP.de requires one);
- the deprecated dcatde terms GovData's own parser still reads, next to their
  3.0 successors: ``dcatde:politicalGeocodingURI``, ``dcatde:plannedAvailability``,
  ``dcatde:originator`` and ``dcatde:maintainer``;
- the catalogue's publisher (config ``ckanext.smartcity.catalog.publisher_*``),
  description and language as an EU language URI.

- Smart City categories go out as ``dct:subject <concept>`` (the concept
  typed ``skos:Concept`` with its labels and scheme) and their German and
  English labels as ``dcat:keyword``; never as ``dcat:theme``, since GovData's
  shapes accept only EU data themes there;
- ``dcat:theme`` carries the effective EU data themes: the hand-picked ones
  plus those the categories imply;
- the catalogue names both the category scheme and the EU data-theme
  vocabulary in ``dcat:themeTaxonomy``;
- parsing reads categories back from ``dct:subject`` (URIs of the scheme) and
  keeps in ``theme`` only the themes the categories do not already imply;
- identity through the hop (the DCAT-AP.de conventions handbook, Konvention
  25 and 26, "Erkennung von Dubletten"): ``dct:identifier`` is always a literal, the stored
  ``identifier`` unchanged (a harvested dataset's source identifier) or else
  the dataset's own URI; the ``adms:identifier`` entries read from the
  source are written again unchanged, as ``adms:Identifier`` nodes with a
  ``skos:notation``, and our own URI joins them when ``dct:identifier``
  names another record;
- no invented dates: a harvested dataset or distribution without its own
  ``dct:issued``/``dct:modified`` gets none (not the harvest time);
- data services and high-value datasets (docs/hvd.md): every DataStore table
  is a ``dcat:DataService`` the distribution links with
  ``dcat:accessService``; every access service serves the dataset and has
  its publisher, contact points and a documentation page; a file in the
  portal's file store is a ``dcat:downloadURL``; a dataset with an HVD
  category names the HVD regulation on itself, its distributions and its
  services, and the objects the DCAT-AP HVD shapes check by class are typed.
"""
from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote, unquote

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import ADMS, DCATAP, GSP, LOCN, VCARD
from ckanext.dcat.profiles.euro_dcat_ap_3 import EuropeanDCATAP3Profile
from ckanext.dcat.utils import resource_uri

from ckanext.smartcity.categories import scheme as categories
from ckanext.smartcity.categories import index as facets
from ckanext.smartcity.dataservice import urls
from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.values import values

log = logging.getLogger(__name__)

# the namespaces ckanext-dcat does not define (DCATAP, VCARD come from it)
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
GEODCATAP = Namespace("http://data.europa.eu/930/")
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
# prefixes this profile adds to ckanext-dcat's (bound in every graph it
# writes, so the output has no generated "ns1:" prefixes)
NAMESPACES = {"dcatde": DCATDE, "geodcatap": GEODCATAP}
# namespaces of DCAT-AP.de 1.0 / 1.0.1 that documents still use
LEGACY_DCATDE = ("http://dcat-ap.de/def/dcatde/1_0/", "http://dcat-ap.de/def/dcatde/1.0.1/",
                 "http://dcat-ap.de/def/dcatde/1.0/")
# deprecated ADMS status list -> EU distribution status (DCAT-AP.de 3.0)
ADMS_STATUS = {"Completed": "COMPLETED", "Deprecated": "DEPRECATED",
               "UnderDevelopment": "DEVELOP", "Withdrawn": "WITHDRAWN"}
DISTRIBUTION_STATUS = "http://publications.europa.eu/resource/authority/distribution-status/"

# DCAT 3, not in rdflib's closed DCAT namespace
DCAT_HAS_VERSION = URIRef("http://www.w3.org/ns/dcat#hasVersion")

ELI = Namespace("http://data.europa.eu/eli/ontology#")
# Commission Implementing Regulation (EU) 2023/138 (high-value datasets): the
# ELI DCAT-AP.de 3.0 and DCAT-AP HVD prescribe (docs/hvd.md)
HVD_LEGISLATION = URIRef("http://data.europa.eu/eli/reg_impl/2023/138/oj")
HVD_VOCABULARY = "eu-hvd-category"
# API standards (dct:conformsTo of data services) and, among them, the one
# of the portal's own DataStore APIs: CKAN's documentation of its DataStore
# API for the CKAN version this extension supports (docs/hvd.md)
API_STANDARD_VOCABULARY = "api-standard"
DATASTORE_API_STANDARD_CODE = "ckan-datastore"
DATASTORE_SERVICE_TITLES = {"de": "Schnittstelle (API): {}", "en": "API: {}"}
# the access service subfields of the schema (what parsing keeps)
ACCESS_SERVICE_FIELDS = ("title", "endpoint_url", "endpoint_description", "conforms_to")

EU_THEME_SCHEME_TITLES = {"de": "Datenthemen der EU", "en": "EU data themes"}

# the identifiers of other records (adms:identifier): a scheming field of
# this name if the schema has one, else a free extra holding a JSON list
# (where ckanext-dcat's non-scheming parse puts it)
ALTERNATE_IDENTIFIER = "alternate_identifier"
# what ckanext-harvest's before_dataset_index adds to the indexed dict of a
# dataset a harvest object currently owns (root key or extra)
HARVEST_MARKERS = ("harvest_object_id", "harvest_source_id")


_WKT = re.compile(r"^\s*(?:SRID=\d+;\s*)?(?:<[^>]*>\s*)?[A-Z]+(?:\s+Z?M?)?\s*\(", re.I)
_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_WKT_PAIR = re.compile(rf"({_NUMBER})\s+({_NUMBER})")


def _bounding_box(geometry) -> str | None:
    """A WKT polygon of the bounding box of a WKT or GeoJSON literal; None
    if it is neither."""
    text = str(geometry)
    points: list[tuple[float, float]] = []
    try:
        shape = json.loads(text)
    except ValueError:  # WKT: the coordinates are "x y" pairs (a z or m is ignored)
        if not _WKT.match(text):
            return None
        shape = None
        points = [(float(x), float(y)) for x, y in _WKT_PAIR.findall(text)]

    def walk(value):
        if isinstance(value, dict):
            for key in ("coordinates", "geometries", "geometry"):
                walk(value.get(key))
        elif isinstance(value, (list, tuple)):
            if len(value) >= 2 and all(isinstance(v, (int, float)) for v in value[:2]):
                points.append((float(value[0]), float(value[1])))
            else:
                for item in value:
                    walk(item)
    walk(shape)
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = (f"{v:.15g}" for v in (min(xs), max(xs), min(ys), max(ys)))
    return (f"POLYGON (({west} {south}, {west} {north}, {east} {north}, {east} {south}, "
            f"{west} {south}))")


def clamp_catalogue_page_size(config) -> None:
    """ckanext-dcat pages the catalogue by ``ckanext.dcat.datasets_per_page``
    but CKAN caps every search at ``ckan.search.rows_max``: with a larger
    page size each page would silently lose the datasets above the cap
    (the next page starts after them). Clamp the page size instead, loudly."""
    per_page = tk.asint(config.get("ckanext.dcat.datasets_per_page"))
    rows_max = tk.asint(config.get("ckan.search.rows_max"))
    if per_page > rows_max:
        log.warning("ckanext.dcat.datasets_per_page = %s exceeds ckan.search.rows_max = %s; "
                    "the catalogue is paged by %s datasets", per_page, rows_max, rows_max)
        config["ckanext.dcat.datasets_per_page"] = rows_max


def _resource_page(dataset_name: str, resource_id: str) -> str:
    """The portal's page of a distribution: the documentation (``foaf:page``)
    of its data services, where the endpoint, the table preview and the
    API's description are linked."""
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    return f"{site}/dataset/{quote(dataset_name, safe='')}/resource/{quote(resource_id, safe='')}"


def datastore_api_standard() -> URIRef | None:
    """``dct:conformsTo`` of the portal's DataStore APIs, from the API
    standard vocabulary (one source for the form and the RDF)."""
    uri = vocab.canonical(API_STANDARD_VOCABULARY, DATASTORE_API_STANDARD_CODE)
    return URIRef(uri) if uri else None


class DCATAPDEProfile(EuropeanDCATAP3Profile):
    """DCAT-AP.de 3.0 on top of DCAT-AP 3 (see module docstring)."""

    def graph_from_dataset(self, dataset_dict, dataset_ref):
        super().graph_from_dataset(dataset_dict, dataset_ref)
        self._bind()
        self._identity(dataset_dict, dataset_ref)
        if self._harvested(dataset_dict):
            self._without_invented_dates(dataset_dict, dataset_ref)
        self._categories_to_graph(dataset_dict, dataset_ref)
        self._dcatde_dataset(dataset_dict, dataset_ref)
        self._geometry_as_bbox(dataset_ref)
        self._version_links(dataset_ref)
        hvd = self._hvd_dataset(dataset_dict, dataset_ref)
        for resource in dataset_dict.get("resources", []):
            ref = URIRef(resource_uri(resource))
            self._dcatde_distribution(resource, ref)
            self._data_services(dataset_dict, dataset_ref, resource, ref, hvd)

    def graph_from_catalog(self, catalog_dict, catalog_ref):
        super().graph_from_catalog(catalog_dict, catalog_ref)
        self._bind()
        self._dcatde_catalog(catalog_ref)
        scheme = categories.current()
        for uri, titles in ((scheme.uri, scheme.titles),
                            (categories.EU_THEME_SCHEME, EU_THEME_SCHEME_TITLES)):
            ref = URIRef(uri)
            self.g.add((catalog_ref, DCAT.themeTaxonomy, ref))
            self.g.add((ref, RDF.type, SKOS.ConceptScheme))
            for lang, title in titles.items():
                self.g.add((ref, DCTERMS.title, Literal(title, lang=lang)))

    def parse_dataset(self, dataset_dict, dataset_ref):
        self._upgrade_legacy_terms()
        dataset_dict = super().parse_dataset(dataset_dict, dataset_ref)
        scheme = categories.current()
        found = []
        for subject in self.g.objects(dataset_ref, DCTERMS.subject):
            concept = scheme.concepts.get(str(subject))
            if concept is not None and concept.uri not in found:
                found.append(concept.uri)
        if found:
            dataset_dict[facets.CATEGORY_FIELD] = found
            implied = set(scheme.derived_themes(found))
            self._drop_implied_themes(dataset_dict, implied)
            # the category labels were written as keywords: not tags of their own
            labels = {label for uri in found for label in scheme.concepts[uri].labels.values()}
            dataset_dict["tags"] = [t for t in dataset_dict.get("tags", [])
                                    if t.get("name") not in labels]
        self._parse_dcatde_dataset(dataset_dict, dataset_ref)
        return dataset_dict

    # ------------------------------------------------------------ parsing

    def _upgrade_legacy_terms(self):
        """Rewrite, once per graph, terms of the DCAT-AP.de 1.0 namespaces to
        the current ``dcatde:`` namespace."""
        if getattr(self.g, "_smartcity_upgraded", False):
            return
        for s, p, o in list(self.g):
            for old in LEGACY_DCATDE:
                if str(p).startswith(old):
                    self.g.remove((s, p, o))
                    self.g.add((s, DCATDE[str(p)[len(old):]], o))
                    break
        self.g._smartcity_upgraded = True

    def _first_uri(self, subject, *predicates):
        for predicate in predicates:
            for value in self.g.objects(subject, predicate):
                if isinstance(value, URIRef):
                    return str(value)
        return None

    def _uris(self, subject, *predicates):
        found: list[str] = []
        for predicate in predicates:
            for value in self.g.objects(subject, predicate):
                if isinstance(value, URIRef) and str(value) not in found:
                    found.append(str(value))
        return found

    def _parse_agents(self, subject, *predicates):
        """Agents of the 3.0 term and its deprecated twin, read by ckanext-dcat's
        ``_agents_details`` (name in the site language, email without
        ``mailto:``), kept to the schema's subfields; agents without a name
        are dropped, an agent under both terms is kept once."""
        rows = []
        for predicate in predicates:
            for details in self._agents_details(subject, predicate):
                if not details.get("name"):
                    continue
                row = {key: details[key] for key in ("name", "uri", "email", "url")
                       if details.get(key)}
                if row not in rows:
                    rows.append(row)
        return rows

    def _parse_dcatde_dataset(self, data, ref):
        """DCAT-AP.de 3.0 and 2.0 properties into schema fields; deprecated
        terms land in their successors (legacy dcatde namespaces are
        rewritten to the current one before parsing, see ``legacy``)."""
        data["contributor_id"] = self._first_uri(ref, DCATDE.contributorID)
        data["political_geocoding_level"] = self._first_uri(ref, DCATDE.politicalGeocodingLevelURI)
        data["political_geocoding"] = [
            uri for uri in self._uris(ref, DCATDE.politicalGeocodingURI, DCTERMS.spatial)
            if uri.startswith("http://dcat-ap.de/def/politicalGeocoding/")]
        data["availability"] = self._first_uri(ref, DCATAP.availability, DCATDE.plannedAvailability)
        data["references"] = self._uris(ref, DCTERMS.references)
        data["originator"] = self._parse_agents(ref, GEODCATAP.originator, DCATDE.originator)
        data["custodian"] = self._parse_agents(ref, GEODCATAP.custodian, DCATDE.maintainer)
        for field in ("contributor_id", "political_geocoding_level", "political_geocoding",
                      "availability", "references", "originator", "custodian"):
            if not data[field]:
                del data[field]
        # contact points with telephone, and only the schema's subfields
        contacts = []
        for node in self.g.objects(ref, DCAT.contactPoint):
            row = {}
            for key, predicate, prefix in (("name", VCARD.fn, ""),
                                           ("email", VCARD.hasEmail, "mailto:"),
                                           ("url", VCARD.hasURL, ""),
                                           ("phone", VCARD.hasTelephone, "tel:")):
                value = self.g.value(node, predicate)
                if value is not None:
                    text = str(value)
                    if prefix and text.startswith(prefix):
                        text = text[len(prefix):]
                    row[key] = unquote(text) if key == "phone" else text
            if row:
                contacts.append(row)
        if contacts:
            data["contact"] = contacts
        for row in data.get("publisher") or []:
            for key in [k for k, v in row.items() if k == "identifier" or v in ("", None)]:
                del row[key]
        # distributions: accessURL is the resource URL, codes for format and media type
        licences = []
        for resource in data.get("resources", []):
            ref_uri = self._distribution_ref(ref, resource)
            resource["url"] = resource.get("access_url") or resource.get("url")
            for key in ("access_url", "uri", "distribution_ref"):
                resource.pop(key, None)
            status = str(resource.get("status") or "")
            if status.startswith("http://purl.org/adms/status/"):
                successor = ADMS_STATUS.get(status.rsplit("/", 1)[-1])
                if successor:
                    resource["status"] = DISTRIBUTION_STATUS + successor
            if str(resource.get("format", "")).startswith(FILE_TYPE):
                resource["format"] = resource["format"][len(FILE_TYPE):]
            mimetype = str(resource.get("mimetype") or "")
            for prefix in (IANA, IANA.replace("https:", "http:")):
                if mimetype.startswith(prefix):
                    resource["mimetype"] = mimetype[len(prefix):]
            if ref_uri is not None:
                text = self.g.value(ref_uri, DCATDE.licenseAttributionByText)
                if text is not None:
                    resource["license_attribution_by_text"] = str(text)
                if not resource.get("availability"):
                    planned = self._first_uri(ref_uri, DCATDE.plannedAvailability)
                    if planned:
                        resource["availability"] = planned
            for service in resource.get("access_services") or []:
                for key in ("endpoint_url", "conforms_to"):  # one value each in the schema
                    if isinstance(service.get(key), list):
                        service[key] = (service[key] or [""])[0]
                for key in [k for k in service if k not in ACCESS_SERVICE_FIELDS]:
                    del service[key]
            if resource.get("license"):
                licences.append(resource["license"])
        # the dataset's licence: its own dct:license, else its distributions' one
        own = self._first_uri(ref, DCTERMS.license)
        if own:
            data["license_id"] = own
        elif licences and not data.get("license_id"):
            # most frequent; ties go to the first in the document (stable between runs)
            data["license_id"] = max(dict.fromkeys(licences), key=licences.count)
        for resource in data.get("resources", []):
            if resource.get("license") == data.get("license_id"):
                del resource["license"]  # inherited, not a licence of its own
        self._parse_alternate_identifiers(data, ref)
        # extras the schema has no place for (dataset URI, spatial mirror, homepage)
        data["extras"] = [e for e in data.get("extras", [])
                          if e.get("key") not in ("spatial_uri", "uri", "homepage")]
        if not data["extras"]:
            del data["extras"]

    def _parse_alternate_identifiers(self, data, ref):
        """``adms:identifier`` values, unchanged, into ``alternate_identifier``.
        Accepted: an ``adms:Identifier`` node (blank or IRI) with a
        ``skos:notation``, or (as in the wild) a literal or an IRI of its own.
        ckanext-dcat reads ``str()`` of each node, a blank node's generated
        id, so its reading is replaced. Only the notation is kept (its
        datatype and the node's other properties are not)."""
        found: list[str] = []
        for node in self.g.objects(ref, ADMS.identifier):
            notation = self.g.value(node, SKOS.notation) if not isinstance(node, Literal) else None
            if notation is None and isinstance(node, BNode):
                continue  # a node without notation names nothing
            value = str(notation if notation is not None else node)
            if value.strip() and value not in found:
                found.append(value)
        data.pop(ALTERNATE_IDENTIFIER, None)
        data["extras"] = [e for e in data.get("extras", [])
                          if e.get("key") != ALTERNATE_IDENTIFIER]
        if not found:
            return
        if self._schema_field(ALTERNATE_IDENTIFIER):
            data[ALTERNATE_IDENTIFIER] = found
        else:
            data["extras"].append({"key": ALTERNATE_IDENTIFIER, "value": json.dumps(found)})

    def _distribution_ref(self, dataset_ref, resource):
        """The distribution node the EU profile parsed ``resource`` from."""
        wanted = resource.get("distribution_ref")
        for dist in self.g.objects(dataset_ref, DCAT.distribution):
            if str(dist) == wanted or (isinstance(dist, BNode) and f"_:{dist}" == wanted):
                return dist
        return None

    # ------------------------------------------------------------ helpers

    def _bind(self):
        for prefix, namespace in NAMESPACES.items():
            self.g.bind(prefix, namespace, override=True)

    def _uri(self, subject, predicate, value, rdf_type=None):
        if value:
            self.g.add((subject, predicate, URIRef(value)))
            if rdf_type is not None:
                self.g.add((URIRef(value), RDF.type, rdf_type))

    def _harvested(self, data) -> bool:
        return any(self._get_dict_value(data, key) for key in HARVEST_MARKERS)

    def _identity(self, data, ref):
        """``dct:identifier`` and ``adms:identifier`` as the DCAT-AP.de
        conventions want them through several portals (Konvention 25, 26):
        the stored identifier passes on unchanged, as a literal (the DCAT-AP.de
        3.0 and EU shapes refuse an IRI); without one the dataset's own URI
        (not ckanext-dcat's fallback, the CKAN id, which names nothing
        outside this portal). The alternate identifiers stay as stored, in
        order; our own URI is added when ``dct:identifier`` names another
        record, so the next portal can tell where its copy came from. Also
        for a steward's own identifier (a migrated guid, say): the same
        situation, one rule."""
        g = self.g
        own = str(ref)
        stored = self._get_dict_value(data, "identifier")
        identifier = str(stored) if stored and str(stored).strip() else own
        g.remove((ref, DCTERMS.identifier, None))
        g.add((ref, DCTERMS.identifier, Literal(identifier)))
        alternates = list(dict.fromkeys(values(self._get_dict_value(data, ALTERNATE_IDENTIFIER))))
        if identifier != own and own not in alternates:
            alternates.append(own)
        for node in list(g.objects(ref, ADMS.identifier)):  # ckanext-dcat's, rebuilt
            g.remove((ref, ADMS.identifier, node))
            g.remove((node, None, None))
        for notation in alternates:
            node = BNode()
            g.add((ref, ADMS.identifier, node))
            g.add((node, RDF.type, ADMS.Identifier))
            g.add((node, SKOS.notation, Literal(notation)))

    def _without_invented_dates(self, data, ref):
        """ckanext-dcat falls back to CKAN's record times when a dataset or
        distribution has no ``issued``/``modified`` of its own: the dataset's
        ``metadata_created``/``metadata_modified``, the resource's
        ``created``/``metadata_modified``. For a harvested dataset these are
        the harvest time, not a date of the data, and GovData would take the
        copy for the newer record (it keeps the youngest ``dct:modified`` of
        one ``dct:identifier``): only the source's own dates go out.
        A steward's own datasets and resources keep the fallback: there
        the record times are real (the distribution was published here, then).
        Harvested: ckanext-harvest's markers in the dict (HARVEST_MARKERS)."""
        records = [(ref, self._get_dict_value(data, "issued"),
                    self._get_dict_value(data, "modified"))]
        records += [(URIRef(resource_uri(r)), r.get("issued"), r.get("modified"))
                    for r in data.get("resources", [])]
        for subject, issued, modified in records:
            if not issued:
                self.g.remove((subject, DCTERMS.issued, None))
            if not modified:
                self.g.remove((subject, DCTERMS.modified, None))

    def _dcatde_dataset(self, data, ref):
        g = self.g
        # the dataset's own licence (distributions without one inherit it)
        self._uri(ref, DCTERMS.license, data.get("license_id"), DCTERMS.LicenseDocument)
        # ckanext-dcat percent-encodes "(" and ")" in URIs; the ADMS type
        # ".../PrivateIndividual(s)" must stay as the vocabulary spells it.
        # (only this dataset's publishers: a scan of the whole graph per
        # dataset would make a catalogue page quadratic)
        for agent in list(g.objects(ref, DCTERMS.publisher)):
            for kind in list(g.objects(agent, DCTERMS.type)):
                if isinstance(kind, URIRef) and unquote(kind) != str(kind) \
                        and vocab.find("adms-publisher-type", unquote(kind)):
                    g.remove((agent, DCTERMS.type, kind))
                    g.add((agent, DCTERMS.type, URIRef(unquote(kind))))
        self._uri(ref, DCATDE.contributorID, data.get("contributor_id"))
        self._uri(ref, DCATDE.politicalGeocodingLevelURI, data.get("political_geocoding_level"))
        for region in values(data.get("political_geocoding")):
            self._uri(ref, DCATDE.politicalGeocodingURI, region)  # deprecated, GovData reads it
            self._uri(ref, DCTERMS.spatial, region, DCTERMS.Location)
        availability = data.get("availability")
        if availability:
            g.set((ref, DCATAP.availability, URIRef(availability)))
            g.set((ref, DCATDE.plannedAvailability, URIRef(availability)))  # GovData (2.0)
        for url in values(data.get("references")):
            self._uri(ref, DCTERMS.references, url, RDFS.Resource)
        # contact points: rebuilt whole (the EU profile knows no telephone)
        for node in list(g.objects(ref, DCAT.contactPoint)):
            g.remove((ref, DCAT.contactPoint, node))
            g.remove((node, None, None))
        self._contact_points(data, ref)
        for field, predicate, deprecated in (
                ("originator", GEODCATAP.originator, DCATDE.originator),
                ("custodian", GEODCATAP.custodian, DCATDE.maintainer)):
            for row in data.get(field) or []:
                if row.get("name"):
                    g.add((ref, predicate, self._agent(row)))
                    # GovData's parser reads the 2.0 term. A node of its own:
                    # rdflib's RDF/XML writer loses the type of a blank node
                    # that two properties share.
                    g.add((ref, deprecated, self._agent(row)))

    def _contact_points(self, data, subject):
        """``dcat:contactPoint`` nodes of ``subject`` from the dataset's
        ``contact`` rows; e-mail and web address typed ``rdfs:Resource``
        (the DCAT-AP HVD shapes check the class). A node of its own per
        subject (see ``_dcatde_dataset`` on shared blank nodes)."""
        g = self.g
        for row in data.get("contact") or []:
            if not any(row.get(k) for k in ("name", "email", "url", "phone")):
                continue
            node = BNode()
            g.add((subject, DCAT.contactPoint, node))
            g.add((node, RDF.type, VCARD.Kind))
            if row.get("name"):
                g.add((node, VCARD.fn, Literal(row["name"])))
            if row.get("email"):
                self._uri(node, VCARD.hasEmail, "mailto:" + row["email"], RDFS.Resource)
            if row.get("url"):
                self._uri(node, VCARD.hasURL, row["url"], RDFS.Resource)
            if row.get("phone"):  # the number as typed, spaces percent-encoded
                g.add((node, VCARD.hasTelephone,
                       URIRef("tel:" + quote(row["phone"].strip(), safe="+-().,/"))))

    def _geometry_as_bbox(self, ref):
        """A harvested ``spatial`` extra goes out (ckanext-dcat) as
        ``locn:geometry`` literals, which no valid output can hold: the
        DCAT-AP.de 3.0 shapes (on EU 3.0.0) want a node there, the EU 3.0.1
        shapes a literal. Both accept a ``dcat:bbox`` literal: the geometry's
        bounding box goes out as that, unless the location has one already
        (the real-world geometries, e.g. Rostock's, are boxes: nothing is
        lost for them)."""
        for place in list(self.g.objects(ref, DCTERMS.spatial)):
            geometries = [o for o in self.g.objects(place, LOCN.geometry)]
            if not geometries:
                continue
            self.g.remove((place, LOCN.geometry, None))
            box = next(filter(None, map(_bounding_box, geometries)), None)
            if box and self.g.value(place, DCAT.bbox) is None:
                self.g.add((place, DCAT.bbox, Literal(box, datatype=GSP.wktLiteral)))

    def _version_links(self, ref):
        """``dcat:hasVersion`` must name a ``dcat:Dataset`` of the graph
        (DCAT-AP.de 3.0 and EU 3.0.0 shapes); a harvested link to another
        portal's dataset (Schleswig-Holstein's collections) names none, so it
        goes out only as ``dct:hasVersion``, which ckanext-dcat writes too
        (DCAT-AP.de 3.0 deprecates it: a warning, not a violation). Likewise
        ``adms:sample`` must name a ``dcat:Distribution``: the harvester
        drops other samples with a warning (harvest/mend.py), this keeps
        what was stored before that out of the output."""
        for predicate, kind in ((DCAT_HAS_VERSION, DCAT.Dataset),
                                (ADMS.sample, DCAT.Distribution)):
            for target in list(self.g.objects(ref, predicate)):
                if (target, RDF.type, kind) not in self.g:
                    self.g.remove((ref, predicate, target))

    def _agent(self, row):
        """A ``foaf:Agent`` node for ``row``. Not ckanext-dcat's
        ``_add_agent_to_graph``: that one also types every agent
        ``foaf:Organization`` (an originator may be a person) and links the
        node itself, while we write one node per term (see above)."""
        agent = URIRef(row["uri"]) if row.get("uri") else BNode()
        self.g.add((agent, RDF.type, FOAF.Agent))
        self.g.add((agent, FOAF.name, Literal(row["name"])))
        if row.get("email"):
            self.g.add((agent, FOAF.mbox, URIRef("mailto:" + row["email"])))
        if row.get("url"):
            self.g.add((agent, FOAF.homepage, URIRef(row["url"])))
        return agent

    def _dcatde_distribution(self, resource, ref):
        g = self.g
        # dcat:accessURL is mandatory; ckanext-dcat leaves it out when the URL
        # equals the download URL, which is what Konvention 39 prescribes for
        # a direct download (and so what harvested distributions carry)
        if g.value(ref, DCAT.accessURL) is None:
            self._add_triple_from_dict(resource, ref, DCAT.accessURL, "url", _type=URIRef)
        code = resource.get("format")
        g.remove((ref, DCTERMS["format"], None))
        if code and vocab.find("eu-file-type", code):
            self._uri(ref, DCTERMS["format"],
                      FILE_TYPE + vocab.canonical("eu-file-type", code, "code"),
                      DCTERMS.MediaTypeOrExtent)
        media = resource.get("mimetype")
        g.remove((ref, DCAT.mediaType, None))
        if media:
            self._uri(ref, DCAT.mediaType, IANA + media.lower(), DCTERMS.MediaType)
        if resource.get("license_attribution_by_text"):
            g.add((ref, DCATDE.licenseAttributionByText,
                   Literal(resource["license_attribution_by_text"])))
        availability = g.value(ref, DCATAP.availability)
        if availability is not None:
            g.set((ref, DCATDE.plannedAvailability, availability))  # GovData (2.0)
        for licence in g.objects(ref, DCTERMS.license):
            g.add((licence, RDF.type, DCTERMS.LicenseDocument))

    # ------------------------------------------------- data services, HVD

    def _hvd_dataset(self, data, ref) -> list[URIRef]:
        """The dataset's HVD categories (an empty list: not a high-value
        dataset). For one that is: the regulation's ELI as
        ``dcatap:applicableLegislation`` (added to what the steward gave),
        and each category typed ``skos:Concept`` with its labels and scheme
        from the shipped vocabulary, so the class checks of the HVD shapes
        pass (docs/hvd.md). An IRI the vocabulary does not know stays
        untyped: the shapes then report it, as they should."""
        found = [URIRef(uri) for uri in values(data.get("hvd_category"))]
        if not found:
            return []
        self.g.add((ref, DCATAP.applicableLegislation, HVD_LEGISLATION))
        self.g.add((HVD_LEGISLATION, RDF.type, ELI.LegalResource))
        scheme = URIRef(vocab.load_vocabulary(HVD_VOCABULARY)["scheme"])
        for uri in found:
            concept = vocab.find(HVD_VOCABULARY, str(uri))
            if concept is None:
                continue
            self.g.add((uri, RDF.type, SKOS.Concept))
            self.g.add((uri, SKOS.inScheme, scheme))
            for lang, label in (concept.get("labels") or {}).items():
                self.g.add((uri, SKOS.prefLabel, Literal(label, lang=lang)))
        return found

    def _data_services(self, data, dataset_ref, resource, ref, hvd):
        """The distribution's downloads and data services (docs/hvd.md):

        - a file in the portal's file store is a ``dcat:downloadURL``;
        - a DataStore table is a ``dcat:DataService`` of its own;
        - every access service (the steward's and the DataStore's) serves
          the dataset, has the dataset's publisher (DCAT-AP.de requires one)
          and contact points, a documentation page (the resource page) and
          its standards typed ``dct:Standard``;
        - for a high-value dataset the distribution and its services carry
          the HVD regulation, the services the HVD categories too."""
        g = self.g
        download = urls.download_url(resource)
        if download and g.value(ref, DCAT.downloadURL) is None:
            self._uri(ref, DCAT.downloadURL, download, RDFS.Resource)
        for url in g.objects(ref, DCAT.accessURL):
            g.add((url, RDF.type, RDFS.Resource))  # the HVD shapes check the class
        if resource.get("id") and urls.in_datastore(resource):
            described = self._described(ref, urls.endpoint_url(resource["id"]))
            if described is None:
                self._datastore_service(data, dataset_ref, resource, ref)
            elif isinstance(described, BNode):
                # the steward's description of this very table: it gets the
                # table's service IRI, which /schnittstelle/<id> names
                self._rename(described, URIRef(urls.service_iri(resource["id"])))
        publisher = g.value(dataset_ref, DCTERMS.publisher)
        for service in list(g.objects(ref, DCAT.accessService)):
            g.add((service, DCAT.servesDataset, dataset_ref))
            if publisher is not None:
                g.set((service, DCTERMS.publisher, publisher))
            for standard in g.objects(service, DCTERMS.conformsTo):
                if isinstance(standard, URIRef):
                    self._standard(standard)
            if g.value(service, DCAT.contactPoint) is None:
                self._contact_points(data, service)
            if g.value(service, FOAF.page) is None and resource.get("id") and data.get("name"):
                self._uri(service, FOAF.page, _resource_page(data["name"], resource["id"]),
                          FOAF.Document)
            if hvd:
                g.add((service, DCATAP.applicableLegislation, HVD_LEGISLATION))
                for category in hvd:
                    g.add((service, DCATAP.hvdCategory, category))
        if hvd:
            g.add((ref, DCATAP.applicableLegislation, HVD_LEGISLATION))

    def _described(self, ref, endpoint: str):
        """The node of the steward's own description of a service of the
        distribution at ``endpoint``, or None (the demo town describes its
        DataStore tables itself): the table is then not described twice."""
        return next((service for service in self.g.objects(ref, DCAT.accessService)
                     for url in self.g.objects(service, DCAT.endpointURL)
                     if str(url) == endpoint), None)

    def _rename(self, old, new) -> None:
        """Give the node ``old`` the IRI ``new`` in every triple."""
        g = self.g
        for s, p, o in list(g.triples((old, None, None))):
            g.remove((s, p, o))
            g.add((new, p, o))
        for s, p, o in list(g.triples((None, None, old))):
            g.remove((s, p, o))
            g.add((s, p, new))

    def _datastore_service(self, data, dataset_ref, resource, ref):
        """The DataStore table of ``resource`` as a ``dcat:DataService``:
        its ``datastore_search`` endpoint, the OpenAPI document the portal
        serves for it, CKAN's DataStore API as its standard, the
        distribution's licence and the dataset's access rights (the
        addresses: ckanext/smartcity/dataservice/urls.py)."""
        g = self.g
        resource_id = resource["id"]
        service = URIRef(urls.service_iri(resource_id))
        g.add((ref, DCAT.accessService, service))
        g.add((service, RDF.type, DCAT.DataService))
        name = resource.get("name") or data.get("title") or resource_id
        for lang, template in DATASTORE_SERVICE_TITLES.items():
            g.add((service, DCTERMS.title, Literal(template.format(name), lang=lang)))
        self._uri(service, DCAT.endpointURL, urls.endpoint_url(resource_id), RDFS.Resource)
        self._uri(service, DCAT.endpointDescription, urls.description_url(resource_id),
                  RDFS.Resource)
        standard = datastore_api_standard()
        if standard is not None:
            g.add((service, DCTERMS.conformsTo, standard))
        licence = g.value(ref, DCTERMS.license) or g.value(dataset_ref, DCTERMS.license)
        if licence is not None:
            g.add((service, DCTERMS.license, licence))
        access_rights = g.value(dataset_ref, DCTERMS.accessRights)
        if access_rights is not None:
            g.add((service, DCTERMS.accessRights, access_rights))

    def _standard(self, uri):
        """An API standard typed ``dct:Standard`` (the shapes check the
        class), titled as the shipped vocabulary names it."""
        self.g.add((uri, RDF.type, DCTERMS.Standard))
        concept = vocab.find(API_STANDARD_VOCABULARY, str(uri))
        for lang, label in ((concept or {}).get("labels") or {}).items():
            self.g.add((uri, DCTERMS.title, Literal(label, lang=lang)))

    def _dcatde_catalog(self, ref):
        g = self.g
        if g.value(ref, DCTERMS.description) is None:
            g.add((ref, DCTERMS.description, Literal(
                tk.config.get("ckan.site_title"), lang="de")))
        for language in list(g.objects(ref, DCTERMS.language)):
            if isinstance(language, Literal):
                g.remove((ref, DCTERMS.language, language))
                concept = vocab.find("eu-language", str(language))
                if concept:
                    self._uri(ref, DCTERMS.language, concept["uri"], DCTERMS.LinguisticSystem)
        name = tk.config.get("ckanext.smartcity.catalog.publisher_name")
        if name and g.value(ref, DCTERMS.publisher) is None:
            uri = tk.config.get("ckanext.smartcity.catalog.publisher_uri")
            agent = URIRef(uri) if uri else BNode()
            g.add((ref, DCTERMS.publisher, agent))
            g.add((agent, RDF.type, FOAF.Agent))
            g.add((agent, FOAF.name, Literal(name)))
            g.add((agent, DCTERMS.type, URIRef(
                tk.config.get("ckanext.smartcity.catalog.publisher_type"))))

    def _categories_to_graph(self, dataset_dict, dataset_ref):
        scheme = categories.current()
        for uri in values(dataset_dict.get(facets.CATEGORY_FIELD)):
            concept = scheme.concepts.get(uri)
            if concept is None:
                continue
            ref = URIRef(concept.uri)
            self.g.add((dataset_ref, DCTERMS.subject, ref))
            self.g.add((ref, RDF.type, SKOS.Concept))
            self.g.add((ref, SKOS.inScheme, URIRef(scheme.uri)))
            for lang, label in concept.labels.items():
                self.g.add((ref, SKOS.prefLabel, Literal(label, lang=lang)))
                self.g.add((dataset_ref, DCAT.keyword, Literal(label, lang=lang)))
        for theme in facets.effective_themes(dataset_dict):
            self.g.add((dataset_ref, DCAT.theme, URIRef(theme)))

    @staticmethod
    def _drop_implied_themes(dataset_dict, implied):
        """Themes the categories imply are derived again on output; keep only
        the hand-picked rest (in ``theme`` or, before scheming moved it, in
        the extras)."""
        if dataset_dict.get(facets.THEME_FIELD):
            dataset_dict[facets.THEME_FIELD] = [
                t for t in values(dataset_dict[facets.THEME_FIELD]) if t not in implied]
        for extra in dataset_dict.get("extras", []):
            if extra.get("key") == facets.THEME_FIELD:
                kept = [t for t in values(extra.get("value")) if t not in implied]
                extra["value"] = json.dumps(kept)
