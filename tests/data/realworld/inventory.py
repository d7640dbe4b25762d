"""Inventory of the "wild" spellings in the real-world DCAT-AP.de corpus.

Reads every RDF document in this directory with rdflib and reports, per
document, how it spells the values the harvester has to read (issue 15,
item 5): licences, contributor IDs, conformsTo, political geocoding,
dct:spatial, languages, formats and media types, e-mail addresses, relative
IRIs, DCAT-AP.de 2.0-only terms, availability, checksum algorithms,
identifiers, themes, frequencies and dates.

A value is compared with the portal's own vocabulary lists
(ckanext/smartcity/vocabularies/*.json): "ok" means the exact IRI is in the
list; anything else is classified (https, www., trailing slash, alias or old
code, literal, relative, unknown).

Relative IRIs are found by parsing with the base ``http://relative.invalid/``:
every IRI that starts with it was relative in the source.

    .venv/bin/python tests/data/realworld/inventory.py            # Markdown
    .venv/bin/python tests/data/realworld/inventory.py --summary  # corpus table
    .venv/bin/python tests/data/realworld/inventory.py --json     # raw data
    .venv/bin/python tests/data/realworld/inventory.py FILE ...   # other files

Not a test module; nothing imports it.
"""

import collections
import glob
import json
import logging
import os
import re
import sys

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
VOCABS = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies")
BASE = "http://relative.invalid/"
FORMATS = {
    ".ttl": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
}

VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
SCHEMA = rdflib.Namespace("http://schema.org/")
LOCN = rdflib.Namespace("http://www.w3.org/ns/locn#")

# DCAT-AP.de 2.0 terms that 3.0 deprecates (3.0 changelog, deprecated shapes)
DCATDE_20_ONLY = {
    "maintainer",
    "originator",
    "legalBasisText",
    "legalBasis",
    "geocodingText",
    "geocodingDescription",
    "qualityProcessURI",
    "plannedAvailability",
    "contributor",
}
VCARD_ADDRESS = {
    "hasAddress",
    "street-address",
    "hasStreetAddress",
    "hasPostalCode",
    "postal-code",
    "hasLocality",
    "locality",
    "hasCountryName",
    "country-name",
    "hasRegion",
    "hasTelephone",
    "hasURL",
}
WILD_FORMAT_WORDS = {"WMS", "WFS", "ZIP", "JRSS", "SHP", "WCS", "WMTS", "API"}


def local(iri):
    return re.split(r"[/#]", str(iri).rstrip("/"))[-1]


def namespace(iri):
    s = str(iri)
    cut = max(s.rfind("/"), s.rfind("#"))
    return s[: cut + 1]


def load_vocab(name):
    """IRIs of a vocabulary list and its aliases (alias -> IRI)."""
    with open(os.path.join(VOCABS, name), encoding="utf-8") as f:
        data = json.load(f)
    uris = {c["uri"] for c in data["concepts"]}
    aliases = {}
    for c in data["concepts"]:
        for a in c.get("aliases") or []:
            aliases[str(a)] = c["uri"]
    return uris, aliases, {namespace(u) for u in uris}


VOCAB = {
    "license": load_vocab("dcatde-license.json"),
    "contributor": load_vocab("dcatde-contributor.json"),
    "language": load_vocab("eu-language.json"),
    "format": load_vocab("eu-file-type.json"),
    "theme": load_vocab("eu-data-theme.json"),
    "frequency": load_vocab("eu-frequency.json"),
    "availability": load_vocab("eu-planned-availability.json"),
    "checksum": load_vocab("checksum-algorithm.json"),
    "level": load_vocab("political-geocoding-level.json"),
    "region": load_vocab("german-region.json"),
}


def classify(value, vocab):
    """Short tag for how ``value`` relates to the vocabulary ``vocab``."""
    uris, aliases, spaces = VOCAB[vocab]
    if isinstance(value, BNode):
        return "blank node"
    s = str(value)
    if isinstance(value, Literal):
        if s in uris:
            return "literal holding a vocabulary IRI"
        if s in aliases or s.lower() in aliases:
            return "literal alias/code"
        return "literal"
    if s.startswith(BASE):
        return "relative IRI"
    if s in uris:
        return "ok"
    tags = []
    n = s.strip()
    if n != s:
        tags.append("whitespace")
    if n.startswith("https://"):
        n = "http://" + n[len("https://"):]
        tags.append("https")
    if "://www." in n:
        n = n.replace("://www.", "://", 1)
        tags.append("www.")
    if n.endswith("/") and n.rstrip("/") in uris:
        n = n.rstrip("/")
        tags.append("trailing slash")
    versioned = re.match(r"^(http://dcat-ap\.de/def/[^/#]+/)[^/#]*#(.+)$", n)
    if versioned:
        n = versioned.group(1) + versioned.group(2)
        tags.append("versioned list IRI (.../<date>#code)")
    if n in uris:
        return "+".join(tags)
    if s in aliases or n in aliases:
        return "+".join(tags + ["alias/old code"])
    if vocab == "license" and "dcat-ap.de/def/licenses/" in n:
        return "+".join(tags + ["unknown dcat-ap.de licence code"])
    if vocab == "language" and "id.loc.gov" in n:
        return "id.loc.gov IRI"
    if vocab == "region" and "dcat-ap.de/def/politicalGeocoding/" in n:
        return "+".join(tags + ["not in region list (" + n.split("/")[-2] + ")"])
    if vocab == "format" and "iana.org" in n:
        return "IANA media type IRI"
    if namespace(n) in spaces:
        return "+".join(tags + ["code not in the list"])
    return "+".join(tags + ["other IRI"])


def term(v):
    if isinstance(v, Literal):
        out = '"' + str(v)[:90] + '"'
        if v.language:
            out += "@" + v.language
        if v.datatype:
            out += "^^" + local(v.datatype)
        return out
    if isinstance(v, BNode):
        return "_:blank"
    s = str(v)
    if s.startswith(BASE):
        return "<" + s[len(BASE):] + "> (relative)"
    return "<" + s + ">"


def typed_subjects(g, cls):
    return set(g.subjects(RDF.type, cls))


def values(g, subjects, pred):
    out = []
    for s in subjects:
        out.extend(g.objects(s, pred))
    return out


def preds_by_local(g, name, must_contain=""):
    """Predicates whose local name ends with ``name`` (catches ``.../dcatde/1_0contributorID``)."""
    return {
        p for p in set(g.predicates()) if local(p).endswith(name) and must_contain in str(p)
    }


def tally(vals, vocab=None):
    c = collections.Counter()
    for v in vals:
        tag = classify(v, vocab) if vocab else None
        c[(term(v), tag)] += 1
    return c


def email_tag(v):
    s = str(v)
    if isinstance(v, BNode):
        return "blank node"
    if s.startswith(BASE):
        return "relative IRI (resolved against the source URL)"
    low = s.lower()
    tags = []
    if low.startswith("mailto:mailto:"):
        tags.append("double mailto:")
    elif low.startswith("mailto:"):
        tags.append("mailto: IRI" if isinstance(v, URIRef) else "mailto: literal")
    elif isinstance(v, Literal):
        tags.append("plain literal")
    else:
        tags.append("IRI without mailto:")
    if re.search(r"[\(\[\{]\s*at\s*[\)\]\}]|\s+at\s+|\(ät\)", low):
        tags.append("obfuscated")
    if "@" not in s and not re.search(r"\(at\)|\[at\]", low):
        tags.append("no @")
    return "+".join(tags)


def inventory(path):
    fmt = FORMATS.get(os.path.splitext(path)[1].lower(), "turtle")
    g = rdflib.Graph()
    handler = _Collect()
    log = logging.getLogger("rdflib")
    saved = (log.level, log.propagate)
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False
    try:
        g.parse(path, format=fmt, publicID=BASE)
        error = None
    except Exception as exc:  # a parse error is a finding, not a crash
        error = f"{type(exc).__name__}: {str(exc)[:300]}"
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]
    rep = {"file": os.path.basename(path), "serialisation": fmt, "parse_error": error}
    if error:
        return rep
    datasets = typed_subjects(g, DCAT.Dataset)
    dists = typed_subjects(g, DCAT.Distribution) | set(values(g, datasets, DCAT.distribution))
    services = typed_subjects(g, DCAT.DataService)
    catalogs = typed_subjects(g, DCAT.Catalog)
    everything = datasets | dists | services | catalogs
    rep["counts"] = {
        "triples": len(g),
        "dcat:Catalog": len(catalogs),
        "dcat:Dataset": len(datasets),
        "dcat:Distribution": len(dists),
        "dcat:DataService": len(services),
    }
    ill = [o for o in g.objects() if isinstance(o, Literal) and getattr(o, "ill_typed", False)]
    rep["ill_typed_literals"] = collections.Counter(
        f'"{o}"^^{local(o.datatype)}' for o in ill
    )
    rep["ill_typed_literals"] = ordered(rep["ill_typed_literals"])[:8]
    rep["rdflib_warnings"] = collections.Counter(
        re.sub(r" at 0x[0-9a-f]+", "", r.getMessage().splitlines()[0])[:160]
        for r in handler.records
    )

    # namespaces of the DCAT-AP.de extension as written
    dcatde = collections.Counter()
    for p in g.predicates():
        if "dcat-ap.de/def/dcatde" in str(p):
            dcatde[(namespace(p), local(p))] += 1
    rep["dcatde_terms"] = sorted(
        (ns, name, n, name in DCATDE_20_ONLY) for (ns, name), n in dcatde.items()
    )

    rep["license"] = tally(values(g, everything, DCTERMS.license), "license")
    rep["rights"] = tally(values(g, everything, DCTERMS.rights))
    contrib = set()
    for p in preds_by_local(g, "contributorID", "dcat-ap.de"):
        contrib |= {(s, o) for s, o in g.subject_objects(p)}
    rep["contributorID"] = tally([o for _, o in contrib], "contributor")
    conforms = collections.Counter()
    for cls, subjects in (
        ("Catalog", catalogs),
        ("Dataset", datasets),
        ("Distribution", dists),
        ("DataService", services),
    ):
        for o in values(g, subjects, DCTERMS.conformsTo):
            kind = "literal" if isinstance(o, Literal) else classify_iri_kind(o)
            conforms[(cls, term(o), kind)] += 1
    rep["conformsTo"] = conforms
    geo = []
    for p in preds_by_local(g, "politicalGeocodingURI", "dcat-ap.de"):
        geo.extend(g.objects(None, p))
    rep["politicalGeocodingURI"] = tally(geo, "region")
    lvl = []
    for p in preds_by_local(g, "politicalGeocodingLevelURI", "dcat-ap.de"):
        lvl.extend(g.objects(None, p))
    rep["politicalGeocodingLevelURI"] = tally(lvl, "level")
    rep["spatial"] = spatial(g, values(g, everything, DCTERMS.spatial))
    rep["language"] = tally(values(g, everything, DCTERMS.language), "language")
    rep["format"] = tally(values(g, dists | services, DCTERMS.format), "format")
    rep["mediaType"] = tally(values(g, dists, DCAT.mediaType))
    rep["wild_format_words"] = sorted(
        {
            str(o)
            for o in values(g, dists, DCTERMS.format) + values(g, dists, DCAT.mediaType)
            if (str(o).strip().upper() in WILD_FORMAT_WORDS)
            or (
                isinstance(o, URIRef)
                and local(o).upper() in WILD_FORMAT_WORDS
                and classify(o, "format") != "ok"
            )
        }
    )
    mails = []
    for p in (VCARD.hasEmail, FOAF.mbox, SCHEMA.email, VCARD.email):
        mails.extend(g.objects(None, p))
    rep["email"] = collections.Counter((term(m), email_tag(m)) for m in mails)
    rep["vcard_address"] = collections.Counter(
        local(p) for _, p, _ in g if str(p).startswith(str(VCARD)) and local(p) in VCARD_ADDRESS
    )
    rel = collections.Counter()
    for s, p, o in g:
        for node, where in ((s, "subject"), (o, "object")):
            if isinstance(node, URIRef) and str(node).startswith(BASE):
                rel[(where, local(p) if where == "object" else "-", str(node)[len(BASE):])] += 1
    rep["relative_iris"] = rel
    avail = collections.Counter()
    for p in set(g.predicates()):
        if local(p) in {"availability", "plannedAvailability"}:
            for o in g.objects(None, p):
                avail[(str(p), term(o), classify(o, "availability"))] += 1
    rep["availability"] = avail
    rep["checksum_algorithm"] = tally(list(g.objects(None, SPDX.algorithm)), "checksum")
    ident = collections.Counter()
    for o in values(g, datasets, DCTERMS.identifier):
        ident["literal" if isinstance(o, Literal) else "IRI"] += 1
    for o in values(g, datasets, ADMS.identifier):
        ident["adms:identifier " + ("literal" if isinstance(o, Literal) else "node")] += 1
    rep["identifier"] = ident
    rep["theme"] = tally(values(g, datasets, DCAT.theme), "theme")
    rep["accrualPeriodicity"] = tally(values(g, datasets, DCTERMS.accrualPeriodicity), "frequency")
    rep["endpointDescription"] = collections.Counter(
        "literal" if isinstance(o, Literal) else "IRI"
        for o in g.objects(None, DCAT.endpointDescription)
    )
    dates = collections.Counter()
    for p in (DCTERMS.issued, DCTERMS.modified):
        for o in values(g, datasets | dists | catalogs, p):
            dt = local(o.datatype) if isinstance(o, Literal) and o.datatype else "untyped"
            dates[(local(p), dt)] += 1
    rep["dates"] = dates
    rep["dist_without_dates"] = sum(
        1
        for d in dists
        if (d, DCTERMS.issued, None) not in g and (d, DCTERMS.modified, None) not in g
    )
    pubs = collections.Counter()
    for o in values(g, datasets | catalogs, DCTERMS.publisher):
        if isinstance(o, Literal):
            pubs["literal"] += 1
        elif (o, FOAF.name, None) in g:
            pubs[("blank node" if isinstance(o, BNode) else "IRI") + " with foaf:name"] += 1
        elif (o, None, None) in g:
            pubs[("blank node" if isinstance(o, BNode) else "IRI") + " without foaf:name"] += 1
        else:
            pubs["IRI not described in the document"] += 1
    rep["publisher"] = pubs
    urls = collections.Counter()
    for p in (DCAT.accessURL, DCAT.downloadURL, DCAT.landingPage, DCAT.endpointURL):
        for o in g.objects(None, p):
            kind = "literal" if isinstance(o, Literal) else classify_iri_kind(o)
            urls[(local(p), kind)] += 1
    rep["urls"] = collections.Counter({k: n for k, n in urls.items() if k[1] != "IRI"})
    gaps = collections.Counter()
    for d in datasets:
        own = set(g.objects(d, DCTERMS.license))
        parts = list(g.objects(d, DCAT.distribution))
        lic = {o for dist in parts for o in g.objects(dist, DCTERMS.license)}
        if not parts:
            gaps["dataset without distribution"] += 1
        if not own and not lic:
            gaps["dataset without any licence"] += 1
        if not own and len(lic) > 1:
            gaps["distributions disagree on the licence (no dataset licence)"] += 1
        if not any(True for _ in g.objects(d, DCAT.contactPoint)):
            gaps["dataset without contactPoint"] += 1
        if not any(True for _ in g.objects(d, DCTERMS.publisher)):
            gaps["dataset without publisher"] += 1
        if not any(True for p in preds_by_local(g, "contributorID") for _ in g.objects(d, p)):
            gaps["dataset without contributorID"] += 1
    rep["gaps"] = gaps
    rep["claims"] = claims(g)
    return rep


def classify_iri_kind(o):
    s = str(o)
    if s.startswith(BASE):
        return "relative IRI"
    if "dcat-ap.de" in s:
        return "dcat-ap.de IRI"
    return "IRI"


def claims(g):
    """DCAT-AP.de version(s) the document claims (conformsTo values, namespaces)."""
    out = set()
    for o in g.objects(None, DCTERMS.conformsTo):
        s = str(o)
        if re.search(r"dcat-?ap", s, re.I):
            out.add(("conformsTo", s))
    for p in set(g.predicates()):
        if "dcat-ap.de/def/dcatde" in str(p):
            out.add(("namespace", namespace(p)))
    return sorted(out)


def spatial(g, objs):
    c = collections.Counter()
    for o in objs:
        if isinstance(o, Literal):
            c[("literal", term(o))] += 1
        elif isinstance(o, URIRef):
            tag = classify(o, "region")
            if tag == "other IRI":
                host = re.sub(r"^https?://([^/]+)/.*$", r"\1", str(o))
                c[("IRI " + host, "")] += 1
            else:
                c[("IRI " + tag, term(o))] += 1
        if isinstance(o, (BNode, URIRef)):
            props = sorted(
                local(p) + ("=" + term(v) if not isinstance(v, BNode) and len(v) <= 90 else "")
                for p, v in g.predicate_objects(o)
                if p != RDF.type
            )
            if props:
                c[("node with", ", ".join(props))] += 1
    return c


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


TOP = 12


def ordered(c):
    """Counter items, most frequent first, ties in a stable order."""
    return sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0])))


def fmt_counter(c, top=TOP):
    items = ordered(c)
    lines = []
    for key, n in items[:top]:
        if isinstance(key, tuple):
            shown = " — ".join(str(k) for k in key if k not in (None, ""))
        else:
            shown = str(key)
        lines.append(f"  - {shown} ×{n}")
    if len(items) > top:
        lines.append(f"  - … {len(items) - top} more distinct values")
    return lines


SECTIONS = [
    ("license", "Licence (dct:license)"),
    ("rights", "dct:rights"),
    ("contributorID", "dcatde:contributorID"),
    ("conformsTo", "dct:conformsTo (class — value — kind)"),
    ("politicalGeocodingURI", "dcatde:politicalGeocodingURI"),
    ("politicalGeocodingLevelURI", "dcatde:politicalGeocodingLevelURI"),
    ("spatial", "dct:spatial"),
    ("language", "dct:language"),
    ("format", "dct:format"),
    ("mediaType", "dcat:mediaType"),
    ("email", "E-mail (vcard:hasEmail, foaf:mbox, schema:email)"),
    ("relative_iris", "Relative IRIs (position — predicate — as written)"),
    ("availability", "Availability"),
    ("checksum_algorithm", "spdx:algorithm"),
    ("gaps", "Gaps (mandatory or conventional values missing)"),
    ("identifier", "Dataset identifiers"),
    ("publisher", "dct:publisher (datasets and catalogues)"),
    ("urls", "URLs that are not plain IRIs (property, kind)"),
    ("theme", "dcat:theme"),
    ("accrualPeriodicity", "dct:accrualPeriodicity"),
    ("endpointDescription", "dcat:endpointDescription"),
    ("dates", "Dates (property, datatype)"),
]


def markdown(rep):
    out = [f"### {rep['file']}", ""]
    if rep["parse_error"]:
        out += [f"- **Does not parse** ({rep['serialisation']}): `{rep['parse_error']}`", ""]
        return "\n".join(out)
    c = rep["counts"]
    out.append(
        f"- Parsed as {rep['serialisation']}: {c['triples']} triples, "
        f"{c['dcat:Catalog']} catalogues, {c['dcat:Dataset']} datasets, "
        f"{c['dcat:Distribution']} distributions, "
        f"{c['dcat:DataService']} data services."
    )
    if rep["claims"]:
        out.append("- Version claims: " + "; ".join(f"{k} `{v}`" for k, v in rep["claims"]))
    if rep["ill_typed_literals"]:
        ill = ", ".join(f"`{v}` ×{n}" for v, n in rep["ill_typed_literals"])
        out.append(f"- Ill-typed literals: {ill}")
    if rep["rdflib_warnings"]:
        warn = "; ".join(f"`{m}` ×{n}" for m, n in ordered(rep["rdflib_warnings"])[:3])
        out.append(f"- rdflib warnings while parsing: {warn}")
    if rep["dcatde_terms"]:
        terms = ", ".join(
            f"`{name}`{' (2.0-only)' if old else ''} ×{n} [{ns}]"
            for ns, name, n, old in rep["dcatde_terms"]
        )
        out.append(f"- dcatde terms [namespace as written]: {terms}")
    if rep["wild_format_words"]:
        out.append("- Format words: " + ", ".join(f"`{w}`" for w in rep["wild_format_words"]))
    if rep["vcard_address"]:
        props = ", ".join(f"`vcard:{k}` ×{n}" for k, n in ordered(rep["vcard_address"]))
        out.append(f"- vCard address/URL/phone properties: {props}")
    if rep["dist_without_dates"]:
        out.append(f"- Distributions without dct:issued/dct:modified: {rep['dist_without_dates']}")
    for key, title in SECTIONS:
        if rep[key]:
            out.append(f"- {title}:")
            out += fmt_counter(rep[key])
    out.append("")
    return "\n".join(out)


def findings(rep):
    """Wild spellings of one document: {finding: number of occurrences}."""
    out = collections.Counter()
    if rep["parse_error"]:
        out["does not parse"] += 1
        return out

    def by_tag(key, label, pred=None):
        for k, n in rep[key].items():
            tag = k[1] if isinstance(k, tuple) else k
            if tag and tag != "ok" and (pred is None or pred(k)):
                out[f"{label}: {tag}"] += n

    by_tag("license", "licence")
    by_tag("contributorID", "contributorID")
    by_tag("politicalGeocodingURI", "politicalGeocodingURI")
    by_tag("politicalGeocodingLevelURI", "politicalGeocodingLevelURI")
    by_tag("language", "language")
    by_tag("format", "format")
    by_tag("theme", "theme")
    by_tag("accrualPeriodicity", "accrualPeriodicity")
    by_tag("checksum_algorithm", "checksum algorithm")
    for (_cls, _value, kind), n in rep["conformsTo"].items():
        out[f"conformsTo: {kind}"] += n
    for (pred, _value, tag), n in rep["availability"].items():
        name = "dcatde:plannedAvailability" if "dcat-ap.de" in pred else pred
        if tag != "ok" or name != "http://data.europa.eu/r5r/availability":
            out[f"availability via {name}: {tag}"] += n
    for (_term, tag), n in rep["email"].items():
        if tag != "mailto: IRI":
            out[f"e-mail: {tag}"] += n
    for (term_, _tag), n in rep["mediaType"].items():
        if term_.startswith('"'):
            out["mediaType: literal"] += n
        elif "iana.org/assignments/media-types/" not in term_:
            out["mediaType: IRI that is not an IANA media type"] += n
    for k, n in rep["spatial"].items():
        if k[0] == "node with":
            if "politicalGeocoding" in k[1]:
                out["dct:spatial: Location node naming a dcat-ap.de region (locn:adminUnitL2)"] += n
            elif "geometry" in k[1] or "bbox" in k[1]:
                out["dct:spatial: geometry/bbox only"] += n
        elif k[0].startswith("IRI") and "other" not in k[0]:
            only = "" if rep["politicalGeocodingURI"] else " (no politicalGeocodingURI at all)"
            out["dct:spatial: dcat-ap.de region IRI" + only] += n
        elif k[0].startswith("IRI"):
            out["dct:spatial: other IRI (" + k[0][4:] + ")"] += n
    for ns, name, n, old in rep["dcatde_terms"]:
        if old:
            out[f"DCAT-AP.de 2.0-only term dcatde:{name}"] += n
        if ns != "http://dcat-ap.de/def/dcatde/":
            out[f"dcatde namespace {ns}"] += n
        if not name[:1].isalpha():
            out[f"dcatde term glued to a version ({name})"] += n
    for word in rep["wild_format_words"]:
        out[f"format word {local(word).upper()}"] += 1
    rel = sum(rep["relative_iris"].values())
    if rel:
        out["relative IRIs (any position)"] += rel
    for gap, n in rep["gaps"].items():
        out[gap] += n
    for kind, n in rep["publisher"].items():
        if kind != "IRI with foaf:name":
            out[f"publisher: {kind}"] += n
    for (prop, kind), n in rep["urls"].items():
        out[f"dcat:{prop} as {kind}"] += n
    if rep["identifier"].get("IRI"):
        out["dct:identifier as IRI"] += rep["identifier"]["IRI"]
    for (prop, dt), n in rep["dates"].items():
        if dt == "untyped":
            out[f"dct:{prop} untyped literal"] += n
    if rep["rdflib_warnings"]:
        out["rdflib parse warning (e.g. IRI with spaces)"] += sum(rep["rdflib_warnings"].values())
    if rep["ill_typed_literals"]:
        out["ill-typed date literal"] += sum(n for _, n in rep["ill_typed_literals"])
    if rep["dist_without_dates"]:
        out["distribution without dct:issued/dct:modified"] += rep["dist_without_dates"]
    if rep["endpointDescription"].get("literal"):
        out["endpointDescription as literal"] += rep["endpointDescription"]["literal"]
    for prop, n in rep["vcard_address"].items():
        out[f"contact: vcard:{prop}"] += n
    return out


def summary(reps):
    docs = collections.defaultdict(list)
    total = collections.Counter()
    for rep in reps:
        for finding, n in findings(rep).items():
            docs[finding].append(rep["file"])
            total[finding] += n
    lines = ["| Spelling | Documents | Occurrences | In |", "|---|---|---|---|"]
    for finding in sorted(docs, key=lambda f: (-len(docs[f]), -total[f], f)):
        names = ", ".join(d.rsplit(".", 1)[0] for d in docs[finding])
        lines.append(f"| {finding} | {len(docs[finding])} | {total[finding]} | {names} |")
    return "\n".join(lines)


def main(argv):
    as_json = "--json" in argv
    if "--summary" in argv:
        paths = [a for a in argv if not a.startswith("--")] or sorted(
            p
            for p in glob.glob(os.path.join(HERE, "*"))
            if os.path.splitext(p)[1].lower() in FORMATS
        )
        print(summary([inventory(p) for p in paths]))
        return
    paths = [a for a in argv if not a.startswith("--")] or sorted(
        p
        for p in glob.glob(os.path.join(HERE, "*"))
        if os.path.splitext(p)[1].lower() in FORMATS
    )
    reps = [inventory(p) for p in paths]
    if as_json:

        def plain(o):
            if isinstance(o, collections.Counter):
                return [[list(k) if isinstance(k, tuple) else k, n] for k, n in ordered(o)]
            if isinstance(o, dict):
                return {k: plain(v) for k, v in o.items()}
            return o

        json.dump([plain(r) for r in reps], sys.stdout, default=str, ensure_ascii=False, indent=1)
        return
    for rep in reps:
        print(markdown(rep))


if __name__ == "__main__":
    logging.basicConfig(level=logging.ERROR)
    main(sys.argv[1:])
