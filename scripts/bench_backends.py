#!/usr/bin/env python3
"""PostgreSQL search against Solr standalone and SolrCloud, side by side
(issue 17, ``make bench``; docs/solr.md, docs/search.md).

Three backends on the same machine, the same database and the same datasets:

- ``postgresql``: CKAN with ``smartcity_search`` (the plugins of --ckan-ini);
- ``solr``: stock CKAN search (the plugins minus ``smartcity_search``) on Solr
  9 standalone, core ``ckan``, port --solr-port;
- ``solrcloud``: the same on SolrCloud, 2 nodes in one JVM with an embedded
  ZooKeeper, collection ``ckan`` of 2 shards x 2 replicas, ports --cloud-port
  and +1.

Solr is started and stopped by ``scripts/solr.sh`` (SOLR_PORT /
SOLRCLOUD_PORT), one kind at a time, so the two never share the CPU. CKAN
loads its plugins once per process: every backend is measured by a worker
process of its own (this script with ``--worker``), the Solr ones with an
overlay ini (``solr_url`` = that Solr), as tests/solr/test_solr_backend.py
does.

Each worker indexes one template dataset made through ``package_create``
and synthetic datasets (the word lists and distributions of
scripts/bench_search.py, seed 42, so every backend gets the same datasets)
up to each size of --sizes, in batches of 500, then times the three query
shapes of bench_search.py through ``package_search`` as an anonymous
visitor. Indexing:

- PostgreSQL, every size: CKAN's own indexer,
  ``PackageSearchIndex.index_package`` on each (default schema, custom
  schema) dataset dict, builds the index documents (timed apart:
  ``make_connection`` hands it a collector), then the backend's own ``add``
  takes the batch, as bench_search.py grows its index;
- Solr, up to the first size: the same ``index_package`` per dataset with
  ``defer_commit=True`` and one commit per batch: what ``ckan search-index
  rebuild`` does (one Solr add per dataset, deferred commit), committing per
  batch instead of once at the end;
- Solr, beyond the first size: the documents PostgreSQL's worker built
  (written to a file; the very same documents) are sent 500 per add, with a
  commit per batch. Building them again through ``index_package`` would
  cost each Solr worker as much CPU as it cost PostgreSQL's, and the full
  run must fit in CI's time on a 2-core machine.

Synthetic datasets exist only in the index; a wrapper around the connection
gives them the permission label ``public`` (CKAN's indexer gives a dataset
missing from the database no label, which would hide it from visitors).
Memory: VmRSS/VmHWM of the Solr JVM (from /proc), on-disk size of the Solr
data directory, the size of the ``smartcity_search*`` tables, their indexes
and TOAST, and the RSS of the PostgreSQL server process that served the
worker, plus the RSS of each CKAN worker process.

Runs in a database of its own (--database, dropped first and at the end).
Replaces the section "## Search backends side by side" of
docs/benchmarks.md (--out). Smoke run (tests/test_bench_backends.py):
``--sizes 30 --repeat 2 --database ckan_smartcity_bench_backends_smoke``.
"""
from __future__ import annotations

import argparse
import configparser
import contextlib
import copy
import datetime as dt
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_report  # noqa: E402
import bench_search  # noqa: E402

BENCH_DB = "ckan_smartcity_bench_backends"
BENCH_SITE_ID = "smartcity-bench-backends"
HEADING = "## Search backends side by side"
SOLR_SH = os.path.join(ROOT, "scripts", "solr.sh")
VAR = os.path.join(ROOT, "var")
RESULT = "BENCH-BACKENDS-RESULT "
BATCH = 500
ORGS = 20
GROUPS = 8
TEMPLATE = "bench-backends-template"
BACKENDS = ("postgresql", "solr", "solrcloud")
LABELS = {"postgresql": "PostgreSQL (`smartcity_search`)",
          "solr": "Solr standalone", "solrcloud": "SolrCloud (2 nodes, 2x2)"}
WORKER_TIMEOUT = 3600
TARGET_MS = 100  # issue 2's target for the p95 of query (b), docs/benchmarks.md


class BenchError(Exception):
    """A step of the benchmark failed (the reason is in the message)."""


# --- the orchestrating process (no CKAN loaded) ----------------------------

def solr_sh(command: str, env: dict[str, str]) -> None:
    done = subprocess.run([SOLR_SH, command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)
    print(done.stdout + done.stderr, file=sys.stderr)
    if done.returncode != 0:
        raise BenchError(f"scripts/solr.sh {command} failed ({done.returncode})")


@contextlib.contextmanager
def running_solr(kind: str, solr_port: int, cloud_port: int) -> Iterator[dict[str, str]]:
    """Solr of ``kind`` started on our ports, stopped afterwards; yields its
    ``solr_url``, pid file and data directory."""
    env = {**os.environ, "SOLR_PORT": str(solr_port), "SOLRCLOUD_PORT": str(cloud_port)}
    name = f"solr-{solr_port}" if kind == "solr" else f"solrcloud-{cloud_port}"
    try:
        solr_sh("up" if kind == "solr" else "cloud-up", env)
        if kind == "solr":
            url = f"http://127.0.0.1:{solr_port}/solr/ckan"
        else:
            with open(os.path.join(VAR, f"{name}.urls"), encoding="utf-8") as handle:
                url = handle.read().split()[0] + "/ckan"
        yield {"solr_url": url, "pid_file": os.path.join(VAR, f"{name}.pid"),
               "data_dir": os.path.join(VAR, name)}
    finally:
        solr_sh("down", env)


def overlay_ini(directory: str, ckan_ini: str, solr_url: str) -> str:
    """``ckan_ini`` with CKAN's own Solr search instead of ours."""
    plugins = plugin_list(ckan_ini)
    path = os.path.join(directory, "solr.ini")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[DEFAULT]\ndebug = false\n\n[app:main]\n"
                     f"use = config:{os.path.abspath(ckan_ini)}\n"
                     "ckan.plugins = " + " ".join(p for p in plugins if p != "smartcity_search")
                     + f"\nsolr_url = {solr_url}\n")
    return path


def plugin_list(ini: str) -> list[str]:
    """``ckan.plugins`` of ``ini`` (following ``use = config:`` chains)."""
    path, plugins = ini, None
    while path and plugins is None:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.read(path, encoding="utf-8")
        section = parser["app:main"] if parser.has_section("app:main") else {}
        plugins = section.get("ckan.plugins")
        use = section.get("use", "")
        path = (os.path.join(os.path.dirname(path), use[len("config:"):])
                if plugins is None and use.startswith("config:") else None)
    if not plugins:
        raise BenchError(f"no ckan.plugins in {ini}")
    return plugins.split()


def run_worker(backend: str, ini: str, args: argparse.Namespace, docs_file: str,
               solr: dict[str, str] | None) -> dict[str, Any]:
    command = [sys.executable, os.path.abspath(__file__), "--worker", backend,
               "--ckan-ini", ini, "--sizes", args.sizes, "--repeat", str(args.repeat),
               "--docs-file", docs_file]
    if solr:
        command += ["--jvm-pid-file", solr["pid_file"], "--solr-data", solr["data_dir"]]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                          timeout=WORKER_TIMEOUT)
    sys.stderr.write(done.stderr[-4000:])
    for line in done.stdout.splitlines():
        if line.startswith(RESULT):
            result = json.loads(line[len(RESULT):])
            result["wall_s"] = time.perf_counter() - start
            return result
    raise BenchError(f"worker {backend} exited {done.returncode} without a result:\n"
                     f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")


def measure(args: argparse.Namespace, ini: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-backends-") as directory:
        # the documents PostgreSQL's worker built after the first size, for the Solr ones
        docs_file = os.path.join(directory, "docs.jsonl")
        results = {"postgresql": run_worker("postgresql", ini, args, docs_file, None)}
        for kind in ("solr", "solrcloud"):
            with running_solr(kind, args.solr_port, args.cloud_port) as solr:
                overlay = overlay_ini(directory, ini, solr["solr_url"])
                results[kind] = run_worker(kind, overlay, args, docs_file, solr)
    return results


# --- a worker process: one backend, CKAN loaded ----------------------------

def rss_kib(pid: int | str) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB."""
    figures = {}
    with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                figures[key] = int(value.split()[0])
    return figures


def du_bytes(path: str) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):  # a segment merged away while we walked
                total += os.path.getsize(os.path.join(folder, name))
    return total


def fixtures(action: Callable[..., Any]) -> dict[str, Any]:
    """The organisations, groups and template dataset every worker shares:
    made by the first worker, found by the others."""
    def ensure(kind: str, name: str, **extra: Any) -> dict[str, Any]:
        try:
            return action(f"{kind}_show", id=name)
        except Exception:  # noqa: BLE001 - NotFound: the first worker makes it
            return action(f"{kind}_create", name=name, **extra)

    orgs = [ensure("organization", f"bench-org-{i}", title=f"Organisation {i}")
            for i in range(ORGS)]
    groups = [ensure("group", f"bench-group-{i}", title=f"Gruppe {i}") for i in range(GROUPS)]
    template = ensure("package", TEMPLATE, title="Verkehrszählung Innenstadt",
                      owner_org=orgs[0]["id"], license_id="cc-by",
                      notes=" ".join(bench_search.SENTENCES[:3]),
                      tags=[{"name": "Mobilität"}, {"name": "Verkehr"}],
                      resources=[{"url": "https://example.org/template.csv", "format": "CSV",
                                  "name": "Zählstellen (CSV)"}])
    return {"orgs": orgs, "groups": groups, "template": template}


def synthetic_pair(both: tuple[dict[str, Any], dict[str, Any]], number: int,
                   rng: random.Random, orgs: list[dict[str, Any]],
                   groups: list[dict[str, Any]]) -> dict[str, Any]:
    """One dataset as CKAN's indexer receives it (default-schema dict with
    ``with_custom_schema``), varied from the template with bench_search.py's
    word lists and weights."""
    words = bench_search
    pkg_id = str(uuid.UUID(int=rng.getrandbits(128)))
    title = f"{rng.choice(words.WORDS_TITLE)} {rng.choice(words.WORDS_QUALIFIER)}"
    name = f"synth-{number}"
    tags = sorted(set(rng.choices(words.TAGS, k=4,
                                  weights=[1 / (i + 1) for i in range(len(words.TAGS))])))
    formats = rng.choices(words.FORMATS, weights=[8, 4, 3, 3, 2, 1, 1, 1], k=rng.randint(1, 4))
    modified = (dt.datetime(2021, 1, 1)
                + dt.timedelta(seconds=rng.randint(0, 5 * 365 * 86400))).isoformat()
    org = rng.choice(orgs)
    chosen_groups = rng.sample(groups, rng.randint(0, 2))
    changes = {
        "id": pkg_id, "name": name, "title": title,
        "notes": " ".join(rng.sample(words.SENTENCES, 3)),
        "license_id": rng.choice(words.LICENSES), "owner_org": org["id"],
        "organization": {key: org.get(key) for key in ("id", "name", "title", "type",
                                                       "description", "image_url",
                                                       "created", "is_organization",
                                                       "approval_status", "state")},
        "groups": [{"id": g["id"], "name": g["name"], "title": g["title"],
                    "display_name": g["title"], "description": "", "image_display_url": ""}
                   for g in chosen_groups],
        "tags": [{"name": t, "display_name": t, "state": "active", "vocabulary_id": None}
                 for t in tags],
        "num_tags": len(tags), "num_resources": len(formats),
        "metadata_modified": modified, "metadata_created": modified,
        "private": False, "state": "active",
    }
    pair = []
    for data in both:
        resource = data["resources"][0]
        pair.append(dict(copy.deepcopy(data), **changes, resources=[
            dict(copy.deepcopy(resource), id=str(uuid.UUID(int=rng.getrandbits(128))),
                 package_id=pkg_id, position=i, format=fmt, name=f"{title} ({fmt})",
                 url=f"https://example.org/{name}.{fmt.lower()}")
            for i, fmt in enumerate(formats)]))
    return dict(pair[0], with_custom_schema=pair[1])


class Collector:
    """Stands in for the search connection while CKAN's indexer builds the
    documents of the PostgreSQL side."""

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []

    def add(self, docs: list[dict[str, Any]], **_: Any) -> None:
        self.docs.extend(docs)


class PublicLabels:
    """A search connection that gives the documents of datasets which exist
    only in the index (the synthetic ones: CKAN's indexer finds no dataset
    row and gives them no permission label) the label ``public``."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def add(self, docs: list[dict[str, Any]], **kwargs: Any) -> Any:
        for doc in docs:
            doc["permission_labels"] = doc.get("permission_labels") or ["public"]
        return self.connection.add(docs, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)


def worker(args: argparse.Namespace) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    sizes = [int(s) for s in args.sizes.split(",")]
    app = make_app(load_config(args.ckan_ini))
    with app._wsgi_app.test_request_context():
        result = measure_backend(args.worker, sizes, args)
    print(RESULT + json.dumps(result), flush=True)


def measure_backend(backend: str, sizes: list[int], args: argparse.Namespace
                    ) -> dict[str, Any]:
    import ckan.lib.search as search
    import ckan.lib.search.index as search_index
    import ckan.model as model
    import sqlalchemy as sa
    from ckan.lib import jobs
    from ckan.logic import get_action, package_show_default_and_custom_schemas

    site_user = get_action("get_site_user")({"ignore_auth": True}, {})["name"]

    def action(action_name: str, /, **data: Any) -> Any:
        return get_action(action_name)({"user": site_user, "ignore_auth": True}, data)

    is_pg = backend == "postgresql"
    shared = fixtures(action)
    index = search.index_for("Package")
    if not is_pg:
        search.clear_all()  # a standalone Solr keeps its data across restarts
        index.commit()
    template_id = shared["template"]["id"]
    both = package_show_default_and_custom_schemas({"ignore_auth": True}, template_id)
    index.index_package(dict(both[0], with_custom_schema=both[1]))
    model.Session.commit()
    rng = random.Random(42)
    real_make_connection = search_index.make_connection
    current, number, results = 1, 0, {}
    collector = PublicLabels(Collector())
    if is_pg:  # CKAN's indexer builds the documents, the batch goes to our add below
        search_index.make_connection = lambda *_, **__: collector
    else:
        search_index.make_connection = lambda *_, **__: PublicLabels(real_make_connection())

    def anonymous_search(params: dict[str, Any]) -> dict[str, Any]:
        return get_action("package_search")(
            {"user": "", "ignore_auth": False, "auth_user_obj": None}, params)

    docs_file = open(args.docs_file, "w" if is_pg else "r", encoding="utf-8")  # noqa: SIM115

    def next_batch(count: int) -> list[dict[str, Any]]:
        nonlocal number
        batch = [synthetic_pair(both, number + k, rng, shared["orgs"], shared["groups"])
                 for k in range(count)]
        number += count
        return batch

    for position, size in enumerate(sizes):
        bulk = position > 0
        times = {"build": 0.0, "add": 0.0, "total": 0.0}
        added = 0
        while current < size:
            count = min(BATCH, size - current)
            if is_pg:
                batch = next_batch(count)
                collector.connection.docs = []
                start = time.perf_counter()
                for pkg in batch:
                    index.index_package(pkg, defer_commit=True)
                built = time.perf_counter()
                if bulk:  # the Solr workers send the very same documents
                    docs_file.writelines(json.dumps(doc, default=str) + "\n"
                                         for doc in collector.connection.docs)
                sending = time.perf_counter()
                real_make_connection().add(collector.connection.docs)
                model.Session.commit()
                done = time.perf_counter()
                times["build"] += built - start
                times["add"] += done - sending
                start -= sending - built  # writing the file is not indexing
            elif bulk:
                docs = [json.loads(docs_file.readline()) for _ in range(count)]
                start = time.perf_counter()
                connection = real_make_connection()
                connection.add(docs, commit=False)
                connection.commit(waitSearcher=False)
                done = time.perf_counter()
                times["add"] += done - start
            else:
                batch = next_batch(count)
                start = time.perf_counter()
                for pkg in batch:
                    index.index_package(pkg, defer_commit=True)
                index.commit()
                done = time.perf_counter()
            model.Session.remove()  # the indexer's lookups are not kept
            times["total"] += done - start
            current += count
            added += count
        if is_pg:
            model.Session.execute(sa.text("ANALYZE smartcity_search_doc"))
        else:
            real_make_connection().commit()  # open a searcher on every document
        model.Session.commit()
        memory_loaded = memory(backend, args, model, sa)
        figures = bench_search.run_queries(anonymous_search, args.repeat)
        figures["indexed"] = added
        figures["path"] = "bulk" if bulk else "indexer"
        figures["index_s"] = times
        figures["memory_loaded"] = memory_loaded
        figures["memory_queried"] = memory(backend, args, model, sa)
        results[str(size)] = figures
        print(backend, size, json.dumps(figures), file=sys.stderr, flush=True)
        model.Session.remove()
    docs_file.close()
    jobs.get_queue().empty()  # the template's URL check: no worker runs it here
    return results


def memory(backend: str, args: argparse.Namespace, model: Any, sa: Any) -> dict[str, Any]:
    figures: dict[str, Any] = {"ckan_process": rss_kib(os.getpid())}
    if backend == "postgresql":
        row = model.Session.execute(sa.text(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0), "
            "coalesce(sum(pg_indexes_size(c.oid)), 0), "
            "coalesce(sum(pg_relation_size(c.oid)), 0), pg_backend_pid(), "
            "current_setting('shared_buffers') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() "
            "AND c.relname LIKE 'smartcity\\_search%'")).one()
        figures.update(tables_total=int(row[0]), tables_indexes=int(row[1]),
                       tables_heap=int(row[2]), server_process=rss_kib(row[3]),
                       shared_buffers=row[4])
    else:
        with open(args.jvm_pid_file, encoding="utf-8") as handle:
            figures["jvm"] = rss_kib(handle.read().strip())
        figures["solr_data"] = du_bytes(args.solr_data)
    return figures


# --- the report --------------------------------------------------------------

def mib(kib_or_bytes: float, unit: str = "kib") -> str:
    value = kib_or_bytes / 1024 if unit == "kib" else kib_or_bytes / 2 ** 20
    return f"{value:,.0f} MiB"


def docs_per_s(figures: dict[str, Any], part: str = "total") -> float | None:
    seconds = figures["index_s"][part]
    return figures["indexed"] / seconds if figures["indexed"] and seconds else None


def rate(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def report(args: argparse.Namespace, sizes: list[int], results: dict[str, Any],
           elapsed: float) -> list[str]:
    command = ("make bench  (scripts/bench_backends.py " + " ".join(shlex.quote(a) for a in (
        "--ckan-ini", args.ckan_ini, "--sizes", args.sizes, "--repeat", str(args.repeat))) + ")")
    lines = [
        HEADING, "",
        f"- Date: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Command: `{command}`; the whole run took {elapsed / 60:.1f} min.",
        f"- Machine: {bench_search.machine()}. The machine was shared (a CI run and other "
        "jobs ran at the same time): compare the backends with each other (ratios), not the "
        "absolute figures with other sections.",
        "- Backends: PostgreSQL with `smartcity_search`; stock CKAN search (the same plugins "
        "minus `smartcity_search`) on Solr 9.10.1 standalone (core `ckan`, CKAN 2.12's "
        "`schema.xml`, heap 512 MB) and on SolrCloud (2 nodes and an embedded ZooKeeper in "
        "one JVM, heap 1 GB, collection `ckan`, 2 shards x 2 replicas), started by "
        "`scripts/solr.sh` one at a time on loopback, each measured by a CKAN process of "
        "its own (docs/solr.md).",
        f"- Data: one dataset made through `package_create` plus synthetic datasets (the "
        f"generator of scripts/bench_search.py: German titles and descriptions, "
        f"Zipf-distributed tags, {ORGS} organisations, {GROUPS} groups, 1-4 resources; seed "
        "42, so the same datasets in every backend), grown to each size. Synthetic datasets "
        "exist only in the index, with the permission label `public`.",
        "- Indexing (batches of 500): \"CKAN indexer -> backend\" is the whole path from "
        "the dataset dict: CKAN's own `PackageSearchIndex.index_package` per dataset; for "
        "Solr with `defer_commit=True` (one Solr add per dataset, as `ckan search-index "
        "rebuild` does) and a commit per batch; for PostgreSQL the same `index_package` "
        "builds the documents (collected), then the backend's `add` takes the batch, as "
        "scripts/bench_search.py grows its index. \"Backend add only\" leaves out building "
        "the documents: PostgreSQL's `add` of 500 documents, or one Solr add of 500 "
        "documents plus a commit. Solr goes through `index_package` up to the first size "
        f"({sizes[0]:,}); beyond it Solr gets the very documents PostgreSQL's worker built, "
        "500 per add (building them again per backend would not fit the run into CI's "
        "time on this machine).",
        "- Queries: those of scripts/bench_search.py, through `package_search` as an "
        f"anonymous visitor, one warm-up then {args.repeat} repeats: (a) free text; (b) free "
        "text + 2 filters + 6 facets; (c) `*:*` sorted by `metadata_modified`, page 50 "
        "(rows 20). Hits differ where the analysis differs (CKAN's Solr `text` field: "
        "English Porter stemming, no German compounds; ours: German stemming and "
        "compound parts, docs/search.md).",
        "",
        "| datasets | query | backend | hits | p50 ms | p95 ms |",
        "|---:|---|---|---:|---:|---:|",
    ]
    for size in sizes:
        for key in ("a", "b", "c"):
            for backend in BACKENDS:
                f = results[backend][str(size)][key]
                lines.append(f"| {size:,} | ({key}) | {LABELS[backend]} | {f['count']:,} | "
                             f"{f['p50']:.1f} | {f['p95']:.1f} |")
    lines += ["", "Indexing throughput (documents per second while growing to the size; "
              "\"-\": not measured on that path, see above):", "",
              "| datasets | backend | documents | CKAN indexer -> backend | "
              "backend add only |",
              "|---:|---|---:|---:|---:|"]
    for size in sizes:
        for backend in BACKENDS:
            f = results[backend][str(size)]
            pg, bulk = backend == "postgresql", f["path"] == "bulk"
            indexer = docs_per_s(f) if pg or not bulk else None
            add_only = docs_per_s(f, "add") if pg or bulk else None
            lines.append(f"| {size:,} | {LABELS[backend]} | {f['indexed']:,} | "
                         f"{rate(indexer)} | {rate(add_only)} |")
    lines += ["", "Memory after loading each size (before the queries; after them in "
              "brackets):", "",
              "| datasets | backend | server process RSS | index on disk | "
              "CKAN process RSS |", "|---:|---|---|---|---|"]
    for size in sizes:
        for backend in BACKENDS:
            loaded = results[backend][str(size)]["memory_loaded"]
            queried = results[backend][str(size)]["memory_queried"]
            server, disk = memory_cells(backend, loaded, queried)
            lines.append(f"| {size:,} | {LABELS[backend]} | {server} | {disk} | "
                         f"{mib(loaded['ckan_process']['VmRSS'])} "
                         f"({mib(queried['ckan_process']['VmRSS'])}) |")
    pg = results["postgresql"][str(sizes[-1])]["memory_loaded"]
    lines += [
        "", "What was measured: server process RSS = VmRSS of the Solr JVM (for SolrCloud "
        "the one JVM with both nodes and ZooKeeper), or of the PostgreSQL server process "
        "that served the worker's connection (it counts the pages of shared buffers it "
        f"touched; shared_buffers = {pg['shared_buffers']}); index on disk = the Solr "
        "data directory (SolrCloud: 4 replicas, so two copies of each shard, plus "
        "ZooKeeper's data), or the `smartcity_search*` tables with their indexes and TOAST "
        "(`pg_total_relation_size`; the B-tree/GIN indexes alone in brackets); CKAN process "
        "RSS = the worker process running CKAN (for PostgreSQL it also compiles and "
        "answers the query).", ""]
    lines += switch_paragraph(sizes, results)
    lines.append("")
    return lines


def memory_cells(backend: str, loaded: dict[str, Any], queried: dict[str, Any]
                 ) -> tuple[str, str]:
    if backend == "postgresql":
        return (f"{mib(loaded['server_process']['VmRSS'])} "
                f"({mib(queried['server_process']['VmRSS'])})",
                f"{mib(loaded['tables_total'], 'bytes')} "
                f"(indexes {mib(loaded['tables_indexes'], 'bytes')})")
    return (f"{mib(loaded['jvm']['VmRSS'])} ({mib(queried['jvm']['VmRSS'])})",
            mib(loaded["solr_data"], "bytes"))


def switch_paragraph(sizes: list[int], results: dict[str, Any]) -> list[str]:
    """The advice, with every figure it cites read from this run."""
    largest = str(sizes[-1])
    pg, solr, cloud = (results[b][largest] for b in BACKENDS)

    def ratio(key: str, other: dict[str, Any]) -> float:
        return pg[key]["p95"] / other[key]["p95"]

    slower = [k for k in ("a", "b", "c") if ratio(k, solr) > 1.0]
    faster = [k for k in ("a", "b", "c") if ratio(k, solr) <= 1.0]
    lines = ["### When to switch to Solr", "",
             f"At {int(largest):,} datasets the p95 of PostgreSQL against Solr standalone is "
             + ", ".join(f"({k}) {pg[k]['p95']:.0f} ms vs {solr[k]['p95']:.0f} ms "
                         f"(x{ratio(k, solr):.1f})" for k in ("a", "b", "c"))
             + "; against SolrCloud "
             + ", ".join(f"({k}) x{ratio(k, cloud):.1f}" for k in ("a", "b", "c")) + "."]
    first = str(sizes[0])
    pg_rate, solr_rate, cloud_rate = (docs_per_s(results[b][first]) for b in BACKENDS)
    if pg_rate and solr_rate and cloud_rate:
        lines[-1] += (f" Through CKAN's indexer (up to {int(first):,}) PostgreSQL takes "
                      f"{pg_rate:,.0f} documents/s, Solr standalone {solr_rate:,.0f}, "
                      f"SolrCloud {cloud_rate:,.0f}.")
    if pg["path"] == "bulk":
        lines[-1] += (f" Adding built documents (up to {int(largest):,}): PostgreSQL "
                      + ", Solr standalone ".join(rate(docs_per_s(f, "add"))
                                                  for f in (pg, solr))
                      + f", SolrCloud {rate(docs_per_s(cloud, 'add'))} documents/s.")
    lines[-1] += (
        f" Memory: the Solr JVM holds {mib(solr['memory_loaded']['jvm']['VmRSS'])} "
        f"(SolrCloud {mib(cloud['memory_loaded']['jvm']['VmRSS'])}) next to the database "
        "PostgreSQL runs anyway; our index adds "
        f"{mib(pg['memory_loaded']['tables_total'], 'bytes')} on disk to it.")
    lines[-1] += " The faceted query (b) on PostgreSQL, p95 against the 100 ms target: " + \
        ", ".join(f"{size:,} datasets {results['postgresql'][str(size)]['b']['p95']:.0f} ms "
                  + ("(met)" if results["postgresql"][str(size)]["b"]["p95"] <= TARGET_MS
                     else "(missed)") for size in sizes) + "."
    cloud_faster = [k for k in ("a", "b", "c") if cloud[k]["p95"] < solr[k]["p95"]]
    cloud_text = (
        "SolrCloud pays for its second node and ZooKeeper with memory ("
        f"{mib(cloud['memory_loaded']['jvm']['VmRSS'])} against "
        f"{mib(solr['memory_loaded']['jvm']['VmRSS'])}) and, on one machine at the "
        "largest size, was "
        + ("not faster than standalone on any query shape" if not cloud_faster else
           "faster than standalone only on " + ", ".join(f"({k})" for k in cloud_faster))
        + "; it is for availability and for catalogues beyond one machine. ")
    moving = "Moving is `ckan search-index rebuild` with the plugin list changed (docs/solr.md)."
    if slower:
        lines += ["", "Solr answers " + ", ".join(f"({k})" for k in slower)
                  + " faster at this size" + (", PostgreSQL " + ", ".join(
                      f"({k})" for k in faster) if faster else "") + ". "
                  "Stay on PostgreSQL while its p95 meets your target and a Solr to run, "
                  "watch and back up is a cost of its own; switch to Solr (standalone "
                  "first) when the faceted queries at your catalogue's size miss the "
                  "target on your hardware, when you need more than one search node, or "
                  "when you already run Solr for other applications. " + cloud_text + moving]
    else:
        lines += ["", "PostgreSQL is as fast as Solr or faster on every query shape at this "
                  "size: stay on PostgreSQL unless you need more than one search node, "
                  "already run Solr, or your catalogue grows far beyond this size. "
                  + cloud_text + moving]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database", default=BENCH_DB,
                        help="PostgreSQL database created (dropped first) for the benchmark")
    parser.add_argument("--solr-port", type=int, default=19883)
    parser.add_argument("--cloud-port", type=int, default=19885,
                        help="first SolrCloud node; the second listens on the next port")
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--jvm-pid-file", help=argparse.SUPPRESS)
    parser.add_argument("--solr-data", help=argparse.SUPPRESS)
    parser.add_argument("--docs-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    start = time.perf_counter()
    ini = bench_report.create_database(args.database, args.ckan_ini, BENCH_SITE_ID)
    results = bench_report.in_own_database("bench_backends", args.database, ini,
                                           lambda own_ini: measure(args, own_ini), BenchError)
    if results is None:
        sys.exit(1)
    with open(os.path.join(VAR, "bench_backends.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle)  # the raw figures, for a reader who wants more digits
    bench_report.publish_section(args.out, HEADING,
                                 report(args, sizes, results, time.perf_counter() - start))
    print("bench_backends: " + json.dumps({b: round(results[b]["wall_s"])
                                           for b in BACKENDS}), file=sys.stderr)


if __name__ == "__main__":
    main()
