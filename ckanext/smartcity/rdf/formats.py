"""The RDF formats, one table for every module that reads or writes RDF.

Each format has a suffix (``/catalog.ttl``, ``/kategorien.ttl``,
``ckan smartcity export --format ttl``, a harvest source's ``rdf_format``),
the media types it is served as (the first) and accepted as (all, for a
harvest source's response), the rdflib parser and serialiser names and the
pyoxigraph format. Users of the table:

- ``harvest.fetch``: accepted media types and rdflib parser per pinned format;
- ``categories.pages``: served media type, rdflib serialiser and label;
- ``rdf.export`` / ``rdf.builder``: the suffixes and pyoxigraph formats;
- ``rdf.catalogue``: the media types ckanext-dcat's views answer with.

Imports nothing from ckanext.smartcity, so every package can use it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    suffix: str
    label: str
    media_types: tuple[str, ...]  # the first is the one served
    rdflib_parser: str
    rdflib_serializer: str
    oxigraph: ox.RdfFormat
    aliases: tuple[str, ...] = ()  # other names a request may give (rdflib's, ckanext-dcat's)

    @property
    def media_type(self) -> str:
        return self.media_types[0]


# The formats this extension serves, exports and harvests, in the order
# pages list them.
FORMATS: dict[str, RdfFormat] = {f.suffix: f for f in (
    RdfFormat("ttl", "Turtle", ("text/turtle", "application/x-turtle"),
              "turtle", "turtle", ox.RdfFormat.TURTLE, ("turtle",)),
    RdfFormat("rdf", "RDF/XML", ("application/rdf+xml", "application/xml", "text/xml"),
              "xml", "pretty-xml", ox.RdfFormat.RDF_XML, ("xml", "pretty-xml")),
    RdfFormat("jsonld", "JSON-LD", ("application/ld+json", "application/json"),
              "json-ld", "json-ld", ox.RdfFormat.JSON_LD, ("json-ld",)),
    RdfFormat("nt", "N-Triples", ("application/n-triples", "text/plain"),
              "nt", "nt11", ox.RdfFormat.N_TRIPLES, ("nt11",)),
)}
# Only ckanext-dcat's catalogue offers N3 (/catalog.n3); not harvested, not exported.
N3 = RdfFormat("n3", "N3", ("text/n3",), "n3", "n3", ox.RdfFormat.N3)

_BY_NAME = {name: fmt for fmt in (*FORMATS.values(), N3)
            for name in (fmt.suffix, *fmt.aliases)}


def get(name: str) -> RdfFormat:
    """The format a suffix or alias names (case-insensitive); KeyError if none."""
    return _BY_NAME[name.lower()]
