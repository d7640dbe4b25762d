"""The fast path for catalogue RDF (``/catalog.*``, ``/dataset/<id>.*`` and
``ckan smartcity export``).

The triples of a dataset are what the configured profiles make of its dict
(``dcat_ap_de`` on top of ckanext-dcat's EU DCAT-AP 3 profile): nothing here
builds triples of its own. What is fast:

- each dataset's triples are made once, as sorted N-Triples, and kept in Redis
  under a fingerprint of everything the profiles read: the dataset dict as the
  search index returns it, the RDF options of the site config, the Smart City
  category scheme in use and the versions of this extension and ckanext-dcat.
  A changed input is a new key, so an entry is never stale; unused entries
  expire (``ckanext.smartcity.rdf.cache_ttl``). Without Redis every page is
  built directly, as before;
- pages and exports are written by pyoxigraph (Rust) instead of rdflib's
  serialisers (Turtle 2.4 s vs 0.03 s for 80k triples, docs/architecture.md);
- the catalogue node, the ``dcat:dataset`` links and the hydra paging come
  from the same profiles for every page.

A test proves every page and the export carry the same triples as the plain
profiles (tests/rdf/test_fast_path.py).
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import IO

import pyoxigraph as ox
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from ckanext.dcat.processors import RDF_PROFILES_CONFIG_OPTION, RDFSerializer
from ckanext.dcat.profiles.base import namespaces as DCAT_NAMESPACES
from ckanext.dcat.utils import catalog_uri, dataset_uri

from ckanext.smartcity import schemas  # the scheming YAML (a package of its own when installed)
from ckanext.smartcity.categories import scheme as categories
from ckanext.smartcity.rdf import formats
from ckanext.smartcity.rdf.profile import NAMESPACES as PROFILE_NAMESPACES

log = logging.getLogger(__name__)

KEY_PREFIX = "smartcity:rdf:"
REDIS_RETRY = 30  # seconds without the cache after a Redis error
CONFIG_KEYS_PREFIXES = ("ckanext.dcat.", "ckanext.smartcity.catalog.", "ckan.site_url",
                        "ckan.site_title", "ckan.site_description", "ckan.locale_default",
                        "ckan.root_path", "ckan.site_id")

_local = threading.local()

PREFIXES = {
    **DCAT_NAMESPACES,
    **PROFILE_NAMESPACES,
    "rdfs": Namespace("http://www.w3.org/2000/01/rdf-schema#"),
    "xsd": Namespace("http://www.w3.org/2001/XMLSchema#"),
    "eli": Namespace("http://data.europa.eu/eli/ontology#"),
}


def _graph() -> Graph:
    # written as N-Triples (fast_rdf), so no prefixes to bind (6% of the time)
    return Graph(bind_namespaces="none")


class GraphBuilder:
    """Builds one small graph per call through the configured profiles. The
    profiles are looked up once (ckanext-dcat reads the entry points on every
    ``RDFSerializer()``, 8 ms each)."""

    def __init__(self, profiles: list[str] | None = None):
        self.serializer = RDFSerializer(profiles=profiles)
        self.catalog_ref: URIRef | None = None

    def catalogue(self) -> Graph:
        self.serializer.g = _graph()
        self.catalog_ref = self.serializer.graph_from_catalog({})
        return self.serializer.g

    def dataset(self, dataset: dict) -> Graph:
        if self.catalog_ref is None:
            self.catalogue()
        self.serializer.g = _graph()
        ref = self.serializer.graph_from_dataset(dataset)
        self.serializer.g.add((self.catalog_ref, DCAT.dataset, ref))
        return self.serializer.g


def enabled() -> bool:
    return tk.asbool(tk.config.get("ckanext.smartcity.rdf.fast_path"))


@functools.cache  # installed versions do not change while the process runs
def _versions() -> str:
    parts = []
    for package in ("ckanext-smartcity", "ckanext-dcat", "rdflib"):
        try:
            parts.append(f"{package}={version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package}=?")
    return ",".join(parts)


def site_fingerprint(profiles: list[str] | None = None) -> str:
    """What, besides the dataset dict, the profiles' output depends on."""
    scheme = categories.current()
    scheme_digest = scheme.cache.get("digest")
    if scheme_digest is None:
        lines = sorted(f"{s} {p} {o!r}" for s, p, o in scheme.graph)
        scheme_digest = scheme.cache["digest"] = hashlib.sha256(
            "\n".join(lines).encode()).hexdigest()
    options = sorted((key, str(value)) for key, value in tk.config.items()
                     if key.startswith(CONFIG_KEYS_PREFIXES))
    return hashlib.sha256(json.dumps(
        [options, profiles, scheme_digest, _versions(), _code_digest()]).encode()).hexdigest()


_code = {}


def _code_digest() -> str:
    """This extension's code, schemas and vocabularies as installed, so a
    new release never serves triples an older one built."""
    if "digest" not in _code:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        digest = hashlib.sha256()
        walks = [*os.walk(root), *os.walk(os.path.dirname(os.path.abspath(schemas.__file__)))]
        for folder, _dirs, files in sorted(walks):
            for name in sorted(files):  # code and data; templates/assets make no triples
                if name.endswith((".py", ".json", ".ttl", ".yaml", ".csv")):
                    path = os.path.join(folder, name)
                    digest.update(os.path.relpath(path, root).encode())
                    with open(path, "rb") as handle:
                        digest.update(handle.read())
        _code["digest"] = digest.hexdigest()
    return _code["digest"]


def _redis():
    try:
        return connect_to_redis()
    except Exception:  # no Redis configured
        return None


class Builder:
    """Per thread: the profiles (looked up once) and the cache."""

    def __init__(self, profiles: list[str] | None = None, site: str | None = None):
        self.graphs = GraphBuilder(profiles)
        self.profiles = profiles
        self.site = site or site_fingerprint(profiles)
        self.ttl = tk.asint(tk.config.get("ckanext.smartcity.rdf.cache_ttl"))
        self.redis = self._client = _redis() if self.ttl > 0 else None
        self._retry_at = 0.0

    def catalogue(self, pagination_info: dict | None = None) -> bytes:
        graph = self.graphs.catalogue()
        if pagination_info:
            self.graphs.serializer._add_pagination_triples(pagination_info)
        return _sorted_nt(graph)

    def _key(self, dataset: dict) -> str:
        text = json.dumps(dataset, sort_keys=True, ensure_ascii=False, default=str)
        return KEY_PREFIX + hashlib.sha256((self.site + text).encode()).hexdigest()

    def build(self, dataset: dict) -> bytes:
        return _sorted_nt(self.graphs.dataset(dataset))

    def datasets(self, datasets: list[dict], pool=None) -> list[bytes]:
        """Sorted N-Triples of each dataset (with its ``dcat:dataset`` link);
        misses are built in ``pool`` (worker processes) when one is given."""
        keys = [self._key(d) for d in datasets]
        cached: list = [None] * len(datasets)
        if self.redis is None and self._retry_at and time.monotonic() >= self._retry_at:
            self.redis, self._retry_at = self._client, 0.0
        if self.redis is not None and keys:
            try:
                cached = self.redis.mget(keys)
            except Exception as exc:
                self._redis_failed(exc)
        chunks: list = [None] * len(datasets)
        for index, hit in enumerate(cached):
            if hit is not None:
                with contextlib.suppress(zlib.error):  # a damaged entry is rebuilt
                    chunks[index] = zlib.decompress(hit)
        missing = [i for i, chunk in enumerate(chunks) if chunk is None]
        if pool is not None and len(missing) >= POOL_MINIMUM:
            built = pool.map(_build_in_worker, [datasets[i] for i in missing], chunksize=25)
        else:
            built = [self.build(datasets[i]) for i in missing]
        for index, chunk in zip(missing, built, strict=True):
            chunks[index] = chunk
        if self.redis is not None:
            try:
                pipe = self.redis.pipeline(transaction=False)
                for index, chunk in zip(missing, built, strict=True):
                    pipe.setex(keys[index], self.ttl, zlib.compress(chunk, 1))
                for index in set(range(len(keys))) - set(missing):
                    pipe.expire(keys[index], self.ttl)  # in use: keep it
                pipe.execute()
            except Exception as exc:
                self._redis_failed(exc)
        return chunks

    def _redis_failed(self, exc: Exception) -> None:
        """Build directly for a while, then try Redis again (it may be back)."""
        log.warning("RDF cache unavailable (%s); building directly for %d s",
                    type(exc).__name__, REDIS_RETRY)
        self.redis, self._retry_at = None, time.monotonic() + REDIS_RETRY


MAX_SEEN = 200_000
POOL_MINIMUM = 50  # misses in a page worth sending to worker processes


def _build_in_worker(dataset: dict) -> bytes:
    """In a forked export worker: the parent's builder, without Redis or the
    database (both stay with the parent)."""
    return _worker_builder.build(dataset)


_worker_builder: Builder | None = None
# in a forked worker: what it inherited from the parent and must not close
_inherited: list = []


def _worker_start() -> None:
    """A forked worker must not use the parent's database or Redis
    connections: forget them (a stray query opens its own connection)."""
    # a handler the parent installed (an RQ worker's graceful SIGTERM, say)
    # must not keep Pool.terminate() from ending this worker
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    registry = model.Session.registry
    if registry.has():
        # kept, never finalised here: dropping the inherited session let its
        # checked-out connection be reset (a ROLLBACK sent over the parent's
        # socket), which broke the parent's next query now and then
        _inherited.append(registry())
    registry.clear()
    model.meta.engine.dispose(close=False)
    if _worker_builder is not None:
        _worker_builder.redis = _worker_builder._client = None


def configured(profiles: list[str] | None) -> bool:
    """Whether ``profiles`` (a request's choice, a name given twice counts
    once) are the site's own; other choices take the plain path (no builder
    or cache entries per variant)."""
    if not profiles:
        return True
    site = (tk.config.get(RDF_PROFILES_CONFIG_OPTION) or "").split()
    return list(dict.fromkeys(profiles)) == list(dict.fromkeys(site))


def builder(profiles: list[str] | None = None) -> Builder:
    """This thread's builder; a new one when the site's inputs changed."""
    site = site_fingerprint(profiles)
    current = getattr(_local, "builders", {}).get(tuple(profiles or ()))
    if current is None or current.site != site:
        current = Builder(profiles, site)
        _local.__dict__.setdefault("builders", {})[tuple(profiles or ())] = current
    return current


def warm(datasets: list[dict]) -> None:
    """Build and cache the triples of ``datasets`` (called when they are indexed)."""
    build = builder()
    if enabled() and build.redis is not None:
        build.datasets(datasets)


def _sorted_nt(graph) -> bytes:
    """N-Triples, one statement per line, grouped by subject."""
    text = graph.serialize(format=formats.FORMATS["nt"].rdflib_serializer, encoding="utf-8")
    return b"\n".join(sorted(line for line in text.split(b"\n") if line)) + b"\n"


def _unique_lines(chunks: Iterable[bytes], seen: set[bytes], shared) -> Iterator[bytes]:
    """The chunks' statements; a statement about a shared node (licence,
    format, concept...) only the first time."""
    for chunk in chunks:
        for line in chunk.split(b"\n"):
            if not line:
                continue
            if shared(line):
                if line in seen:
                    continue
                if len(seen) >= MAX_SEEN:  # bounded memory; a repeat is only a repeat
                    seen.clear()
                seen.add(line)
            yield line


def _prefixes() -> dict[str, str]:
    return {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


def _triples(lines: Iterable[bytes]):
    """Triples from N-Triples lines, parsed in batches."""
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= 20000:
            yield from ox.parse(b"\n".join(batch) + b"\n", format=ox.RdfFormat.N_TRIPLES,
                                lenient=True)
            batch = []
    if batch:
        yield from ox.parse(b"\n".join(batch) + b"\n", format=ox.RdfFormat.N_TRIPLES,
                                lenient=True)


def _shared_test():
    """Statements about nodes several datasets may share (licences, formats,
    concepts, publishers): not blank nodes, not this catalogue's datasets and
    distributions (their URIs start like the catalogue's)."""
    local = ("<" + catalog_uri().rstrip("/")).encode()
    return lambda line: not line.startswith(b"_:") and not line.startswith(local)


def catalogue_page(datasets: list[dict], fmt: str | None,
                   pagination_info: dict | None = None,
                   profiles: list[str] | None = None) -> str:
    """One catalogue page (what ckanext-dcat's ``serialize_catalog`` gives)."""
    target = formats.get(fmt or "xml").oxigraph
    build = builder(profiles)
    chunks = [build.catalogue(pagination_info), *build.datasets(datasets)]
    lines = _unique_lines(chunks, set(), lambda line: True)
    return ox.serialize(_triples(lines), format=target,
                        prefixes=_prefixes() if target != ox.RdfFormat.N_TRIPLES else None
                        ).decode("utf-8")


def dataset_document(dataset: dict, fmt: str | None) -> str:
    """One dataset (what ckanext-dcat's ``serialize_dataset`` gives): its
    cached catalogue triples without the catalogue's ``dcat:dataset`` link."""
    target = formats.get(fmt or "xml").oxigraph
    [chunk] = builder().datasets([dataset])
    link = _graph()
    link.add((URIRef(catalog_uri()), DCAT.dataset, URIRef(dataset_uri(dataset))))
    without = set(_sorted_nt(link).split(b"\n"))
    lines = [line for line in chunk.split(b"\n") if line not in without]
    return ox.serialize(_triples(lines), format=target,
                        prefixes=_prefixes() if target != ox.RdfFormat.N_TRIPLES else None
                        ).decode("utf-8")


def write_catalogue(out: IO[bytes], fmt: str, pages: Iterable[list[dict]],
                    profiles: list[str] | None = None, workers: int | None = None) -> int:
    """The whole catalogue, streamed page by page; returns the dataset count."""
    target = formats.get(fmt).oxigraph
    build = builder(profiles)
    count = 0
    pool = _pool(build, workers)

    def chunks():
        nonlocal count
        yield build.catalogue()
        for page in pages:
            count += len(page)
            yield from build.datasets(page, pool)
    try:
        lines = _unique_lines(chunks(), set(), _shared_test())
        ox.serialize(_triples(lines), out, format=target,
                     prefixes=_prefixes() if target != ox.RdfFormat.N_TRIPLES else None)
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    if pool is not None:
        pool.close()  # the workers finish and exit; no signals needed
        pool.join()
    return count


def _pool(build: Builder, workers: int | None):
    """Forked workers that build missing datasets in parallel (the profiles
    are CPU-bound Python; one process per core). They inherit the loaded
    profiles and only turn dataset dicts into N-Triples."""
    global _worker_builder
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 2:
        return None
    _worker_builder = build
    build.catalogue()  # the catalogue node exists before forking: workers never search
    try:
        return multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    except (OSError, ValueError) as exc:
        log.warning("export runs in one process (%s)", exc)
        return None
