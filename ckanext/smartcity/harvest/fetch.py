"""Reading remote DCAT-AP.de catalogues safely (docs/security.md H1-H10);
the HTTP itself (addresses, redirects, timeouts, size caps) is
:mod:`ckanext.smartcity.net`.

- the format is pinned per source: a response of another media type is an
  error (H4);
- RDF/XML with a DOCTYPE or ENTITY declaration is refused before any parser
  sees it (H1, H2); JSON-LD with a remote ``@context`` is refused, nothing is
  fetched for it (H3); invalid UTF-8 and over-deep nesting are clean errors
  (H10);
- pages are followed through ``hydra:next``/``hydra:nextPage`` with a
  visited set, a page cap, and on the same origin only (H9);
- relative IRIs are parsed against :data:`SENTINEL`, not against the URL:
  ``<info@example.de>`` or ``<berlin>`` written as a value must not become
  a URL of the source. :func:`ckanext.smartcity.harvest.mend.mend_graph`
  reads such values for what they are and resolves the rest (node
  identities, relative URLs) against the page URL, kept as ``graph.base``.

Errors are :class:`FetchError` with a message that names the problem and the
URL, never the document's content.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from urllib.parse import urljoin, urlsplit

from rdflib import Graph, URIRef
from rdflib.plugins.shared.jsonld import context as jsonld_context

from ckanext.smartcity import net
from ckanext.smartcity.net import FetchError, Policy, Response
from ckanext.smartcity.rdf.formats import FORMATS  # the pinnable formats

HYDRA = "http://www.w3.org/ns/hydra/core#"
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
MAX_JSON_DEPTH = 100
MAX_LINE_BYTES = 256 * 1024
# The parsers' base for relative IRIs: ".invalid" is reserved (RFC 2606),
# no real IRI starts with it.
SENTINEL = "http://relative.invalid/"


def fetch(url: str, fmt: str, policy: Policy) -> Response:
    """GET ``url`` expecting the pinned format ``fmt`` (:func:`net.get`)."""
    if fmt not in FORMATS:
        raise FetchError(f"unknown source format {fmt!r}")
    return net.get(url, FORMATS[fmt].media_types, policy, fmt)


def _json_depth_ok(value, depth=0) -> bool:
    if depth > MAX_JSON_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_json_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_json_depth_ok(v, depth + 1) for v in value)
    return True


def _has_string(value) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return any(_has_string(item) for item in value)
    return False


def _remote_contexts(value) -> bool:
    """Any context given by reference (a string at any list depth) or any
    ``@import`` (JSON-LD 1.1), anywhere in the document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context" and _has_string(item):
                return True
            if key == "@import":
                return True
            if _remote_contexts(item):
                return True
    elif isinstance(value, list):
        return any(_remote_contexts(item) for item in value)
    return False


def _never_fetch(self, source: str, base: str | None = None,
                 referenced_contexts: set[str] | None = None):
    """Stands in for rdflib's ``Context._fetch_context`` (same parameters)."""
    raise FetchError("remote JSON-LD contexts are not fetched")


# Belt and braces: whatever the check above misses, rdflib fetches no context.
# No public way exists; tests/test_internals.py fails if rdflib moves it.
jsonld_context.Context._fetch_context = _never_fetch


def _check_lengths(body: bytes, url: str) -> None:
    """rdflib's Turtle/N-Triples parsers are quadratic in the length of a
    literal (a 4 MB line takes a minute): refuse over-long lines and
    triple-quoted literals before parsing."""
    longest = max((len(line) for line in body.split(b"\n")), default=0)
    if longest > MAX_LINE_BYTES:
        raise FetchError(f"{url} has a line longer than {MAX_LINE_BYTES} bytes")
    for quote_mark in (b'"""', b"'''"):
        parts = body.split(quote_mark)
        # odd-numbered parts are inside a long literal
        if any(len(inside) > MAX_LINE_BYTES for inside in parts[1::2]):
            raise FetchError(f"{url} has a literal longer than {MAX_LINE_BYTES} bytes")


def parse(response: Response, fmt: str) -> Graph:
    """The document as a graph, after the checks parsers must not be left to;
    relative IRIs under :data:`SENTINEL`, the document's URL in ``graph.base``."""
    body = response.body
    if fmt in ("rdf", "jsonld", "ttl", "nt"):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FetchError(f"{response.url} is not valid UTF-8") from None
    if fmt == "rdf" and _DOCTYPE.search(body):
        raise FetchError(f"{response.url}: XML with a DOCTYPE or ENTITY declaration is refused")
    if fmt == "jsonld":
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            raise FetchError(f"{response.url} is not valid JSON") from None
        if not isinstance(document, (dict, list)) or not _json_depth_ok(document):
            raise FetchError(f"{response.url} is not a JSON-LD document (or nested too deep)")
        if _remote_contexts(document):
            raise FetchError(f"{response.url}: remote JSON-LD contexts are not fetched")
    if fmt in ("ttl", "nt"):
        _check_lengths(body, response.url)
    graph = Graph()
    try:
        graph.parse(data=text, format=FORMATS[fmt].rdflib_parser, publicID=SENTINEL)
    except RecursionError:
        raise FetchError(f"{response.url} is nested too deep") from None
    except Exception as exc:  # rdflib raises parser-specific types
        raise FetchError(f"{response.url} could not be parsed as {fmt} "
                         f"({type(exc).__name__})") from None
    graph.base = response.url
    return graph


def absolute(iri: str, base: str) -> str:
    """``iri`` as parsed by :func:`parse`, resolved against ``base`` when
    it was relative."""
    if iri.startswith(SENTINEL):
        return urljoin(base, iri[len(SENTINEL):])
    return iri


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return (parts.scheme, (parts.hostname or "").lower(),
            parts.port or (443 if parts.scheme == "https" else 80))


def _text(response: Response) -> str:
    try:
        return response.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FetchError(f"{response.url} is not valid UTF-8") from None


def pages(url: str, fmt: str, policy: Policy,
          before_download: Callable[[str], str] | None = None,
          after_download: Callable[[str], str] | None = None) -> Iterator[Graph]:
    """The catalogue's pages, following hydra next links on the same origin,
    each URL once, at most ``policy.max_pages``.

    ``before_download`` may change the URL of each page before it is fetched
    (still under the rules of :func:`net.get`), ``after_download`` the
    downloaded text before it is checked and parsed (the checks see what is
    parsed); the harvester passes ckanext-dcat's IDCATRDFHarvester hooks."""
    origin = None
    visited: set[str] = set()
    while url:
        if url in visited:
            raise FetchError(f"page loop: {url} was already fetched")
        if len(visited) >= policy.max_pages:
            raise FetchError(f"more than {policy.max_pages} pages")
        visited.add(url)
        response = fetch(before_download(url) if before_download else url, fmt, policy)
        if origin is None:  # where the source really is, after its redirects
            origin = _origin(response.url)
        if after_download:
            response = Response(response.url, response.media_type,
                                after_download(_text(response)).encode("utf-8"))
        graph = parse(response, fmt)
        yield graph
        following = [absolute(str(o), response.url) for p in ("next", "nextPage")
                     for o in graph.objects(None, URIRef(HYDRA + p))]
        url = following[0] if following else None
        if url and _origin(url) != origin:
            raise FetchError(f"next page {url} is on another origin than the source")
