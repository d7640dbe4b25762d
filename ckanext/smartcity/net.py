"""Hardened HTTP for everything the portal fetches from elsewhere: harvest
sources (:mod:`ckanext.smartcity.harvest.fetch`) and the URL checks of the
quality report (:mod:`ckanext.smartcity.quality.reachability`); see
docs/security.md (H5-H8).

- only ``http``/``https``;
- every address a host name resolves to must be public, unless it lies in
  an allow-listed network (``ckanext.smartcity.harvest.allowed_networks``);
  checked before connecting and on every redirect, and the connection goes
  to the address that was checked, so a second DNS answer cannot point it
  elsewhere (DNS rebinding);
- connect and read timeouts, an overall deadline, a size cap; no compressed
  transfer is asked for, so there is nothing to inflate.

Errors are :class:`FetchError` with a message that names the problem and the
URL, never the response's content.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit


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
    def from_config(cls, config) -> Policy:
        """The site's policy; the defaults of the options are declared in
        config_declaration.yaml (those above serve policies built in code)."""
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in
                         config.get("ckanext.smartcity.harvest.allowed_networks").split())
        return cls(allowed_networks=networks,
                   max_bytes=int(config.get("ckanext.smartcity.harvest.max_bytes")),
                   deadline=float(config.get("ckanext.smartcity.harvest.deadline")))


@dataclass
class Response:
    url: str
    media_type: str
    body: bytes = field(repr=False)


_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4,
    Teredo, IPv4-compatible), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in network for network in _NAT64) or ip in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def public_or_allowed(address: str, policy: Policy) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
        elif ip.is_site_local:
            return False
    if any(ip in network for network in policy.allowed_networks):
        return True
    return ip.is_global and not ip.is_multicast


_resolvers: dict[int, concurrent.futures.ThreadPoolExecutor] = {}


def _resolver() -> concurrent.futures.ThreadPoolExecutor:
    """One pool per process: a forked child (RQ worker, gunicorn) inherits the
    parent's pool object but not its threads, and would wait forever."""
    pid = os.getpid()
    if pid not in _resolvers:
        _resolvers[pid] = concurrent.futures.ThreadPoolExecutor(
            max_workers=4, thread_name_prefix="resolve")
    return _resolvers[pid]


def _resolve(host: str, port: int, timeout: float):
    """getaddrinfo with a time limit (the C resolver has none of its own: a
    source whose name server never answers would hold the harvest)."""
    future = _resolver().submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise FetchError(f"no DNS answer for {host!r} within {timeout:g} s") from None
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"host not found: {host!r}") from None


def check_url(url: str, policy: Policy) -> tuple[str, str, int, list[str]]:
    """(scheme, host, port, checked addresses) of ``url``; FetchError when it
    is not http(s) or any address of its host is private."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(f"not a valid URL: {url[:200]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"only http(s) URLs are fetched: {url[:200]!r}")
    port = port or (443 if parts.scheme == "https" else 80)
    infos = _resolve(parts.hostname, port, policy.connect_timeout)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))  # resolver's order
    for address in addresses:
        if not public_or_allowed(address, policy):
            raise FetchError(f"{parts.hostname!r} resolves to a private or local address; "
                             "not fetched (allow-list it in "
                             "ckanext.smartcity.harvest.allowed_networks)")
    return parts.scheme, parts.hostname, port, addresses


def _connect_checked(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A socket to the first checked address that answers (resolver order)."""
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    raise error or OSError("no address")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked addresses only (a second DNS answer is never used)."""

    def __init__(self, addresses, hostname, port, timeout):
        super().__init__(hostname, port, timeout=timeout)
        self._addresses = addresses

    def connect(self):
        self.sock = _connect_checked(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked addresses, certificate checked for the host name."""

    def __init__(self, addresses, hostname, port, timeout):
        super().__init__(hostname, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self):
        sock = _connect_checked(self._addresses, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connection(scheme, host, port, addresses, policy):
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return cls(addresses, host, port, policy.connect_timeout)


def _request_target(parts) -> str:
    """Path and query as ASCII (an IRI's non-ASCII characters percent-encoded)."""
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/%:@!$&'()*+,;=-._~?") if parts.query else ""
    return path + (f"?{query}" if query else "")


class _Hop:
    """One checked request target: the connection pinned to the checked
    addresses, the request path and Host header, and a watchdog that cuts the
    socket when the overall deadline passes (also against a server trickling
    headers or endless chunk trailers, where no single read times out). As a
    context manager it closes both and reports network failures as FetchError
    ("could not be <verb>")."""

    def __init__(self, url: str, policy: Policy, started: float, verb: str = "fetched"):
        self.url, self.deadline, self.verb = url, policy.deadline, verb
        scheme, host, port, addresses = check_url(url, policy)
        parts = urlsplit(url)
        try:
            self.path = _request_target(parts)
            ascii_host = host.encode("idna").decode("ascii")
        except (UnicodeError, ValueError):
            raise FetchError(f"not a valid URL: {url[:200]!r}") from None
        self.host = ascii_host if parts.port is None else f"{ascii_host}:{parts.port}"
        if ":" in ascii_host:  # IPv6 literal
            self.host = f"[{ascii_host}]" + (f":{parts.port}" if parts.port else "")
        self.connection = _connection(scheme, ascii_host, port, addresses, policy)
        self.expired = threading.Event()
        remaining = policy.deadline - (time.monotonic() - started)
        self._watchdog = threading.Timer(max(remaining, 0.01), self._cut)
        self._watchdog.daemon = True
        self._watchdog.start()

    def _cut(self):
        self.expired.set()
        if self.connection.sock is not None:
            with contextlib.suppress(OSError):
                self.connection.sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Hop:
        return self

    def __exit__(self, kind, exc, _traceback) -> None:
        """Close, and turn network failures into FetchError (a FetchError
        raised inside passes unchanged)."""
        self._watchdog.cancel()
        self.connection.close()
        if kind is None or issubclass(kind, FetchError):
            return
        if issubclass(kind, (socket.timeout, TimeoutError)):
            raise FetchError(f"{self.url} did not answer in time") from None
        if issubclass(kind, (OSError, http.client.HTTPException, ValueError)):
            if self.expired.is_set():
                raise FetchError(f"{self.url} took longer than {self.deadline:.0f} s") from None
            raise FetchError(f"{self.url} could not be {self.verb} "
                             f"({kind.__name__})") from None


def probe(url: str, policy: Policy) -> int:
    """The HTTP status ``url`` finally answers with (HEAD, or GET of one byte
    where HEAD is not allowed), redirects followed and each hop checked like
    a harvest source; nothing of the body is kept. Raises FetchError."""
    started = time.monotonic()
    method = "HEAD"
    for _hop in range(policy.max_redirects + 2):
        if time.monotonic() - started > policy.deadline:
            raise FetchError(f"{url} took longer than {policy.deadline:.0f} s")
        with _Hop(url, policy, started, verb="reached") as hop:
            connection, expired = hop.connection, hop.expired
            headers = {"Host": hop.host, "User-Agent": "ckanext-smartcity-linkcheck",
                       "Accept-Encoding": "identity"}
            if method == "GET":
                headers["Range"] = "bytes=0-0"
            connection.request(method, hop.path, headers=headers)
            if connection.sock is not None:
                connection.sock.settimeout(policy.read_timeout)
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                if not response.getheader("Location"):
                    raise FetchError(f"redirect without a target from {url}")
                url = urljoin(url, response.getheader("Location"))
                continue
            if method == "HEAD" and response.status in (403, 405, 501):
                method = "GET"  # some servers refuse HEAD only
                continue
            if expired.is_set():
                raise FetchError(f"{url} took longer than {policy.deadline:.0f} s")
            return response.status
    raise FetchError(f"more than {policy.max_redirects} redirects from {url}")


def get(url: str, media_types: tuple[str, ...], policy: Policy, label: str) -> Response:
    """GET ``url`` expecting one of ``media_types`` (the source's pinned
    format, named ``label`` in errors); follows redirects (each hop
    checked); body capped at ``policy.max_bytes``."""
    started = time.monotonic()
    for _hop in range(policy.max_redirects + 1):
        with _Hop(url, policy, started) as hop:
            connection, expired = hop.connection, hop.expired
            connection.request("GET", hop.path, headers={
                "Host": hop.host, "Accept": media_types[0],
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
                                 f"the source is set to {label} ({media_types[0]})")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > policy.max_bytes:
                raise FetchError(f"{url} is larger than {policy.max_bytes} bytes")
            chunks, size = [], 0
            while True:
                if time.monotonic() - started > policy.deadline:
                    raise FetchError(f"{url} took longer than {policy.deadline:.0f} s")
                read = response.read1 if hasattr(response, "read1") else response.read
                chunk = read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > policy.max_bytes:
                    raise FetchError(f"{url} is larger than {policy.max_bytes} bytes")
                chunks.append(chunk)
            if expired.is_set():
                raise FetchError(f"{url} took longer than {policy.deadline:.0f} s")
            if length and length.isdigit() and size != int(length):
                raise FetchError(f"{url} was cut off ({size} of {length} bytes)")
            return Response(url=url, media_type=media_type, body=b"".join(chunks))
    raise FetchError(f"more than {policy.max_redirects} redirects from {url}")


