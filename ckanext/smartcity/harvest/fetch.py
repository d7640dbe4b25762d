"""Hardened fetching of remote DCAT-AP.de catalogues (SECURITY-CASES H1-H10).

- only ``http``/``https`` (H7, H8);
- every address a host name resolves to must be public, unless it lies in
  an allow-listed network (``ckanext.smartcity.harvest.allowed_networks``);
  checked before connecting, on every redirect and every ``hydra:next``,
  and the connection goes to the address that was checked, so a second DNS
  answer cannot point it elsewhere (DNS rebinding) (H7);
- connect and read timeouts, an overall deadline, a size cap; no compressed
  transfer is asked for, so there is nothing to inflate (H5, H6);
- the format is pinned per source: a response of another media type is an
  error (H4);
- RDF/XML with a DOCTYPE or ENTITY declaration is refused before any parser
  sees it (H1, H2); JSON-LD with a remote ``@context`` is refused, nothing is
  fetched for it (H3); invalid UTF-8 and over-deep nesting are clean errors
  (H10);
- pages are followed through ``hydra:next``/``hydra:nextPage`` with a
  visited set, a page cap, and on the same origin only (H9).

Errors are :class:`FetchError` with a message that names the problem and the
URL, never the document's content.
"""
from __future__ import annotations

import http.client
import ipaddress
import json
import re
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Iterator
from urllib.parse import urljoin, urlsplit

from rdflib import Graph, URIRef

FORMATS = {  # pinned format -> (accepted media types, rdflib parser)
    "ttl": (("text/turtle", "application/x-turtle"), "turtle"),
    "rdf": (("application/rdf+xml", "application/xml", "text/xml"), "xml"),
    "jsonld": (("application/ld+json", "application/json"), "json-ld"),
    "nt": (("application/n-triples", "text/plain"), "nt"),
}
HYDRA = "http://www.w3.org/ns/hydra/core#"
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
MAX_JSON_DEPTH = 100


class FetchError(Exception):
    """A source that cannot be fetched or parsed safely."""


@dataclass(frozen=True)
class Policy:
    allowed_networks: tuple = ()          # ip_network objects exempt from the public-only rule
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 120.0               # whole fetch, redirects included
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    max_pages: int = 500

    @classmethod
    def from_config(cls, config) -> "Policy":
        networks = tuple(ipaddress.ip_network(n.strip(), strict=False) for n in
                         (config.get("ckanext.smartcity.harvest.allowed_networks") or "").split()
                         if n.strip())
        return cls(allowed_networks=networks,
                   max_bytes=int(config.get("ckanext.smartcity.harvest.max_bytes")
                                 or cls.max_bytes),
                   deadline=float(config.get("ckanext.smartcity.harvest.deadline")
                                  or cls.deadline))


@dataclass
class Response:
    url: str
    media_type: str
    body: bytes = field(repr=False)


def _public_or_allowed(address: str, policy: Policy) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in policy.allowed_networks):
        return True
    return ip.is_global and not ip.is_multicast


def check_url(url: str, policy: Policy) -> tuple[str, str, int, str]:
    """(scheme, host, port, checked address) of ``url``; FetchError when it
    is not http(s) or any address of its host is private."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(f"not a valid URL: {url[:200]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"only http(s) URLs are fetched: {url[:200]!r}")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"host not found: {parts.hostname!r}") from None
    addresses = sorted({info[4][0] for info in infos})
    for address in addresses:
        if not _public_or_allowed(address, policy):
            raise FetchError(f"{parts.hostname!r} resolves to a private or local address; "
                             "not fetched (allow-list it in "
                             "ckanext.smartcity.harvest.allowed_networks)")
    return parts.scheme, parts.hostname, port, addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, certificate checked for the host name."""

    def __init__(self, address, hostname, port, timeout):
        super().__init__(hostname, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connection(scheme, host, port, address, policy):
    if scheme == "https":
        return _PinnedHTTPSConnection(address, host, port, policy.connect_timeout)
    connection = http.client.HTTPConnection(address, port, timeout=policy.connect_timeout)
    return connection


def fetch(url: str, fmt: str, policy: Policy) -> Response:
    """GET ``url`` expecting the pinned format ``fmt``; follows redirects
    (each hop checked); body capped at ``policy.max_bytes``."""
    if fmt not in FORMATS:
        raise FetchError(f"unknown source format {fmt!r}")
    media_types, _parser = FORMATS[fmt]
    started = time.monotonic()
    for _hop in range(policy.max_redirects + 1):
        scheme, host, port, address = check_url(url, policy)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = _connection(scheme, host, port, address, policy)
        try:
            connection.request("GET", path, headers={
                "Host": parts.netloc.rsplit("@", 1)[-1], "Accept": media_types[0],
                "Accept-Encoding": "identity", "User-Agent": "ckanext-smartcity-harvester"})
            if connection.sock is not None:
                connection.sock.settimeout(policy.read_timeout)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"redirect without a target from {url}")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"{url} answered HTTP {response.status}")
            if (response.getheader("Content-Encoding") or "identity").lower() != "identity":
                raise FetchError(f"{url} sent a compressed body that was not asked for")
            media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if media_type not in media_types:
                raise FetchError(f"{url} answered {media_type or 'no content type'}, "
                                 f"the source is set to {fmt} ({media_types[0]})")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > policy.max_bytes:
                raise FetchError(f"{url} is larger than {policy.max_bytes} bytes")
            chunks, size = [], 0
            while True:
                if time.monotonic() - started > policy.deadline:
                    raise FetchError(f"{url} took longer than {policy.deadline:.0f} s")
                chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > policy.max_bytes:
                    raise FetchError(f"{url} is larger than {policy.max_bytes} bytes")
                chunks.append(chunk)
            return Response(url=url, media_type=media_type, body=b"".join(chunks))
        except (socket.timeout, TimeoutError):
            raise FetchError(f"{url} did not answer in time") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"{url} could not be fetched ({type(exc).__name__})") from None
        finally:
            connection.close()
    raise FetchError(f"more than {policy.max_redirects} redirects from {url}")


def _json_depth_ok(value, depth=0) -> bool:
    if depth > MAX_JSON_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_json_depth_ok(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_json_depth_ok(v, depth + 1) for v in value)
    return True


def _remote_contexts(value) -> bool:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context" and (isinstance(item, str) or (
                    isinstance(item, list) and any(isinstance(i, str) for i in item))):
                return True
            if key == "@import":  # JSON-LD 1.1: a context that loads another one
                return True
            if _remote_contexts(item):
                return True
    elif isinstance(value, list):
        return any(_remote_contexts(item) for item in value)
    return False


def parse(response: Response, fmt: str) -> Graph:
    """The document as a graph, after the checks parsers must not be left to."""
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
    graph = Graph()
    try:
        graph.parse(data=text, format=FORMATS[fmt][1], publicID=response.url)
    except RecursionError:
        raise FetchError(f"{response.url} is nested too deep") from None
    except Exception as exc:  # rdflib raises parser-specific types
        raise FetchError(f"{response.url} could not be parsed as {fmt} "
                         f"({type(exc).__name__})") from None
    return graph


def pages(url: str, fmt: str, policy: Policy) -> Iterator[Graph]:
    """The catalogue's pages, following hydra next links on the same origin,
    each URL once, at most ``policy.max_pages``."""
    origin = urlsplit(url)[:2]
    visited: set[str] = set()
    while url:
        if url in visited:
            raise FetchError(f"page loop: {url} was already fetched")
        if len(visited) >= policy.max_pages:
            raise FetchError(f"more than {policy.max_pages} pages")
        visited.add(url)
        graph = parse(fetch(url, fmt, policy), fmt)
        yield graph
        following = [str(o) for p in ("next", "nextPage")
                     for o in graph.objects(None, URIRef(HYDRA + p))]
        url = following[0] if following else None
        if url and urlsplit(url)[:2] != origin:
            raise FetchError(f"next page {url} is on another origin than the source")
