#!/usr/bin/env python3
"""Relevance benchmark (issue 20): does the search find what citizens type?

Builds a database of its own (--database, dropped first), loads the demo
town into it (the loader of ``ckan smartcity demo-load``), and runs every
query of the judged set (tests/data/relevance/queries.yaml, written as
described in its README) through ``package_search`` as an anonymous visitor,
with the parameters the dataset search page ``/dataset/`` sends for a typed
query (``q``, the dataset type filter, the page's facets, 20 rows, CKAN's
default sort by score).

Figures, per query kind and overall:

- success@5: share of queries with a wanted dataset among the first 5 hits;
- MRR: mean of 1/rank of the first wanted dataset (0 when it is not among
  the 20 hits of the first page);
- hit 1: share of queries whose wanted dataset is the first hit (the target
  applies to ``exact`` queries, a dataset's full title);
- zero results: queries answered with an empty page (refused queries, a
  search error on the page, included);
- median latency of one ``package_search`` call.

Replaces the section "## Relevance (search quality)" of docs/benchmarks.md
(--out), or appends it; other sections are left as they are. Targets of the
issue: success@5 >= 95 %, MRR >= 0.8, every exact-title query at place 1.
Smoke run (tests/search/test_relevance_bench.py): ``--limit 10 --database
ckan_smartcity_bench_relevance_smoke``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import contextlib
import json
import os
import secrets
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_report  # noqa: E402

BENCH_DB = "ckan_smartcity_bench_relevance"
BENCH_SITE_ID = "smartcity-bench-relevance"
QUERIES = os.path.join("tests", "data", "relevance", "queries.yaml")
HEADING = "## Relevance (search quality)"
KINDS = ("exact", "word", "compound", "synonym", "variant", "two_words")
SUCCESS_AT = 5
TARGETS = {"success_at_5": 0.95, "mrr": 0.8, "exact_hit_1": 1.0}
ADMIN = "relevance-bench-admin"

Search = Callable[[str], dict[str, Any]]


def load_queries(path: str, limit: int | None = None) -> list[dict[str, Any]]:
    """The judged queries (q, kind, want), the first ``limit`` of them."""
    with open(path, encoding="utf-8") as handle:
        queries = yaml.safe_load(handle)
    return queries[:limit] if limit else queries


def create_database(name: str, ckan_ini: str) -> str:
    """A database, a file store and a site id of the benchmark's own (the
    demo files are uploaded, its background jobs queued under that site
    id); returns the ini that points at them."""
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                f"CREATE DATABASE {name} OWNER ckan_smartcity TEMPLATE template0 "
                "ENCODING 'UTF8'"):
        subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qtAX", "-c", sql],
                       check=True)
    var = os.path.join(ROOT, "var")
    os.makedirs(var, exist_ok=True)
    ini = os.path.join(var, f"{name}.ini")
    with open(ini, "w", encoding="utf-8") as handle:
        handle.write(f"[app:main]\nuse = config:{os.path.abspath(ckan_ini)}\n"
                     f"sqlalchemy.url = postgresql://ckan_smartcity:ckan_smartcity@127.0.0.1/"
                     f"{name}\nckan.site_id = {BENCH_SITE_ID}\n"
                     f"ckan.storage_path = {os.path.join(var, name + '-storage')}\n")
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    subprocess.run([ckan, "-c", ini, "db", "upgrade"], check=True, capture_output=True)
    return ini


def load_town() -> int:
    """The demo town as ``ckan smartcity demo-load`` creates it; returns
    the number of datasets created."""
    from ckanext.smartcity.demo import town
    town.ensure_sysadmin(ADMIN, "relevance-bench@example.org", secrets.token_urlsafe(16))
    return town.load(ADMIN)["datasets"]


def page_params(q: str) -> dict[str, Any]:
    """What the dataset search page sends for ``/dataset/?q=...``
    (ckan/views/dataset.py ``search``): no filter but the dataset type, the
    page's facets, the first page, CKAN's default sort."""
    from ckan import plugins
    from ckan.plugins import toolkit
    facets: dict[str, str] = {name: name for name in toolkit.h.facets()}
    for plugin in plugins.PluginImplementations(plugins.IFacets):
        facets = plugin.dataset_facets(facets, "dataset")
    return {"q": q, "fq": "+dataset_type:dataset", "facet.field": list(facets),
            "rows": toolkit.config.get("ckan.datasets_per_page"), "start": 0,
            "sort": None, "extras": {},
            "include_private": toolkit.config.get("ckan.search.default_include_private")}


def anonymous_search(q: str) -> dict[str, Any]:
    """As the dataset search page asks: the page (not the API) may retry an
    empty search relaxed (docs/search.md, "Relaxed second search")."""
    from ckan.logic import get_action
    from ckanext.smartcity.search.connection import relaxed_search
    with relaxed_search():
        return get_action("package_search")(
            {"user": "", "auth_user_obj": None, "for_view": True}, page_params(q))


def judge(query: dict[str, Any], search: Search) -> dict[str, Any]:
    """One query through the search: the rank of the first wanted dataset
    (None if it is not on the first page), the hits, the top 3 titles."""
    from ckan.lib.search import SearchError
    from ckan.plugins import toolkit
    start = time.perf_counter()
    error = None
    try:
        result = search(query["q"])
    except (SearchError, toolkit.ValidationError) as exc:
        result, error = {"count": 0, "results": []}, type(exc).__name__
    ms = (time.perf_counter() - start) * 1000
    names = [hit["name"] for hit in result["results"]]
    rank = next((i for i, name in enumerate(names, 1) if name in query["want"]), None)
    return {"q": query["q"], "kind": query["kind"], "want": query["want"], "rank": rank,
            "count": result["count"], "ms": ms, "error": error,
            "top": [hit.get("title") or hit["name"] for hit in result["results"][:3]]}


def summarise(judged: list[dict[str, Any]]) -> dict[str, Any]:
    """success@5, MRR, hit-1 share, zero-result count and median latency."""
    if not judged:
        return {"queries": 0}
    ranks = [j["rank"] for j in judged]
    return {
        "queries": len(judged),
        "success_at_5": sum(1 for r in ranks if r and r <= SUCCESS_AT) / len(judged),
        "mrr": sum(1 / r for r in ranks if r) / len(judged),
        "hit_1": sum(1 for r in ranks if r == 1) / len(judged),
        "zero_results": sum(1 for j in judged if j["count"] == 0),
        "refused": sum(1 for j in judged if j["error"]),
        "median_ms": statistics.median(j["ms"] for j in judged),
        # precision proxy: how many datasets (of the town's 60) a query returns
        "median_hits": statistics.median(j["count"] for j in judged),
    }


def figures(judged: list[dict[str, Any]]) -> dict[str, Any]:
    kinds = {kind: summarise([j for j in judged if j["kind"] == kind]) for kind in KINDS}
    overall = summarise(judged)
    exact = kinds["exact"]
    return {"overall": overall, "kinds": kinds,
            "exact_hit_1": exact.get("hit_1") if exact["queries"] else None,
            "targets_met": {
                "success_at_5": overall["success_at_5"] >= TARGETS["success_at_5"],
                "mrr": overall["mrr"] >= TARGETS["mrr"],
                "exact_hit_1": not exact["queries"] or exact["hit_1"] >= TARGETS["exact_hit_1"],
            }}


def failures(judged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Queries that miss their target: no wanted dataset among the first 5,
    or an exact title whose dataset is not the first hit."""
    return [j for j in judged
            if not j["rank"] or j["rank"] > SUCCESS_AT or (j["kind"] == "exact" and j["rank"] != 1)]


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.1f} %"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report(args: argparse.Namespace, judged: list[dict[str, Any]],
           result: dict[str, Any], datasets: int) -> list[str]:
    """The section for docs/benchmarks.md."""
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "scripts/bench_relevance.py",
                                                *sys.argv[1:]])
    overall, met = result["overall"], result["targets_met"]
    lines = [
        args.heading, "",
        f"- Date: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Command: `{command}`",
        f"- Machine: {bench_report.machine()}",
        f"- Data: the demo town ({datasets} datasets, `ckan smartcity demo-load`) in a "
        "database of its own.",
        f"- Queries: {overall['queries']} judged queries from `{args.queries}` (how they were "
        "written: the README next to it), each with the dataset(s) a person obviously wants.",
        "- Each query: one `package_search` as an anonymous visitor with the parameters of the "
        "search page `/dataset/?q=...` (dataset type filter, the page's facets, 20 rows, "
        "default sort).",
        f"- success@{SUCCESS_AT}: a wanted dataset among the first {SUCCESS_AT} hits; MRR: mean "
        "of 1/rank of the first wanted dataset (0 when not among the 20 hits); hit 1: the "
        "wanted dataset is the first hit; zero results: an empty page (a refused query "
        "counts); median hits: datasets a query returns (of the town's), a check that "
        "synonyms and compound parts do not drown precision.",
        "",
        f"| kind | queries | success@{SUCCESS_AT} | MRR | hit 1 | zero results | median hits "
        "| median ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, row in [*result["kinds"].items(), ("**all**", overall)]:
        if row["queries"]:
            lines.append(f"| {kind} | {row['queries']} | {_pct(row['success_at_5'])} | "
                         f"{row['mrr']:.3f} | {_pct(row['hit_1'])} | {row['zero_results']} | "
                         f"{row['median_hits']:g} | {row['median_ms']:.1f} |")
    lines += [
        "", "Targets (issue 20):", "",
        f"- success@{SUCCESS_AT} ≥ 95 %: {_pct(overall['success_at_5'])} "
        f"({'met' if met['success_at_5'] else 'not met'})",
        f"- MRR ≥ 0.8: {overall['mrr']:.3f} ({'met' if met['mrr'] else 'not met'})",
        f"- no exact-title query below first place: {_pct(result['exact_hit_1'])} at place 1 "
        f"({'met' if met['exact_hit_1'] else 'not met'})",
    ]
    failed = failures(judged)
    lines += ["", f"Failing queries ({len(failed)}; rank of the first wanted dataset, "
              "\"none\" when not among the 20 hits):", ""]
    if failed:
        lines += ["| q | kind | wanted | rank | hits | top 3 |", "|---|---|---|---:|---:|---|"]
        for j in sorted(failed, key=lambda j: KINDS.index(j["kind"])):
            rank = str(j["rank"]) if j["rank"] else "none"
            hits = j["error"] or str(j["count"])
            top = "; ".join(_cell(t) for t in j["top"]) or "–"
            lines.append(f"| `{_cell(j['q'])}` | {j['kind']} | {', '.join(j['want'])} | "
                         f"{rank} | {hits} | {top} |")
    else:
        lines.append("None.")
    return lines + [""]


def run(ini: str, queries: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """Load the town into the database of ``ini`` and judge every query."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context():
        from ckan.lib import jobs
        cached = rdf_cache_keys()
        datasets = load_town()
        anonymous_search(queries[0]["q"])  # warm-up
        judged = [judge(query, anonymous_search) for query in queries]
        # the URL checks package_create queued: no worker runs them here
        jobs.get_queue().empty()
        forget_rdf_cache(rdf_cache_keys() - cached)
    return datasets, judged


def rdf_cache_keys() -> set[bytes]:
    """The RDF cache entries in the Redis of the ini (saving a dataset
    renders its RDF)."""
    from ckan.lib.redis import connect_to_redis
    from ckanext.smartcity.rdf.builder import KEY_PREFIX
    return set(connect_to_redis().scan_iter(KEY_PREFIX + "*", count=10000))


def forget_rdf_cache(keys: set[bytes]) -> None:
    """Remove the entries the benchmark's datasets added (they would stay
    for days in a Redis the test suite shares)."""
    from ckan.lib.redis import connect_to_redis
    client, keys = connect_to_redis(), list(keys)
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--database", default=BENCH_DB,
                        help="PostgreSQL database created (dropped first) for the benchmark")
    parser.add_argument("--queries", default=QUERIES)
    parser.add_argument("--heading", default=HEADING,
                        help="section of --out to replace (the held-out set has its own)")
    parser.add_argument("--limit", type=int, default=None,
                        help="only the first N queries (smoke runs)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    queries = load_queries(os.path.join(ROOT, args.queries), args.limit)
    ini = create_database(args.database, args.ckan_ini)
    # test.ini logs to stdout: its handler is made while stdout points at
    # stderr, so stdout carries only the report (or --json)
    with contextlib.redirect_stdout(sys.stderr):
        datasets, judged = run(ini, queries)
    result = figures(judged)
    lines = report(args, judged, result, datasets)
    out = os.path.join(ROOT, args.out)
    bench_report.write_section(out, args.heading, lines)
    if args.json:
        print(json.dumps({**result, "failures": failures(judged)}, ensure_ascii=False))
    else:
        print("\n".join(lines))
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
