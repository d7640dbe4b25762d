#!/usr/bin/env python3
"""RDF benchmark (``make bench``): stock ckanext-dcat against this extension.

Serialises N copies of a real demo dataset (``scripts/bench_data/rdf_dataset.json``,
a package_show of "Fahrradzählstellen" with two distributions, new ids per
copy) in the same process, side by side:

  (a) one catalogue page of --page (100) datasets as Turtle: stock ``euro_dcat_ap_3``
      profile (one graph, as ckanext-dcat's /catalog endpoint builds it) vs
      this extension's ``dcat_ap_de`` profile the same way ("plain"), and vs
      the fast path that now serves /catalog.* (``fast_rdf``: the same
      profiles per dataset, pyoxigraph writing), with the Redis cache cold
      (every dataset built) and warm (every dataset cached);
  (b) the whole catalogue as Turtle: stock (one graph, ckanext-dcat's
      ``serialize_catalog``) vs ``ckan smartcity export`` (fast path, pages of
      1,000, cold and warm), for each size in --sizes (stock only up to
      --stock-max, it is quadratic);
  (c) memory growth (max RSS) over the runs;
  (d) docs/security.md O4: one page of 100 datasets with --distributions
      (50) distributions each, stock vs fast path cold and warm, and the SQL
      statements the fast path runs for it (none per dataset: no N+1 look-ups).

Dataset dicts are built in memory: the search backend is measured by
bench_search.py; here only RDF building and serialisation count. Appends the
figures with the command and the machine to docs/benchmarks.md (--out).
The cache keys it fills are flushed again at the end. Smoke run (the test
suite, tests/test_benchmarks.py): ``--sizes 20,40 --stock-max 20 --page 10
--distributions 3 --repeat 1``.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import io
import json
import os
import resource
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_report  # noqa: E402


def copies(template: dict, n: int) -> list[dict]:
    out = []
    for i in range(n):
        d = copy.deepcopy(template)
        d["id"] = str(uuid.UUID(int=i + 1))
        d["name"] = f"datensatz-{i}"
        d["title"] = f"{template['title']} {i}"
        for j, res in enumerate(d["resources"]):
            res["id"] = str(uuid.UUID(int=(i + 1) * 10 + j))
            res["package_id"] = d["id"]
        out.append(d)
    return out


def with_distributions(template: dict, k: int) -> dict:
    """The template with ``k`` distributions (copies of its own, new URLs)."""
    d = copy.deepcopy(template)
    base = d["resources"]
    d["resources"] = []
    for j in range(k):
        res = copy.deepcopy(base[j % len(base)])
        res["url"] = f"{res['url'].rstrip('/')}?teil={j}"
        res["name"] = f"{res.get('name') or 'Teil'} {j}"
        d["resources"].append(res)
    return d


def count_statements(fn) -> tuple[float, int]:
    from sqlalchemy import event
    from ckan import model
    seen = []

    def before(*_args):
        seen.append(1)
    event.listen(model.meta.engine, "before_cursor_execute", before)
    try:
        elapsed = fn()
    finally:
        event.remove(model.meta.engine, "before_cursor_execute", before)
    return elapsed, len(seen)


def one_graph_turtle(dicts: list[dict], profiles: list[str]) -> float:
    from ckanext.dcat.processors import RDFSerializer
    start = time.perf_counter()
    RDFSerializer(profiles=profiles).serialize_catalog({}, dicts, _format="turtle")
    return time.perf_counter() - start


def flush_cache() -> None:
    from ckanext.smartcity.rdf import builder as fast_rdf
    client = fast_rdf._redis()
    keys = list(client.scan_iter(fast_rdf.KEY_PREFIX + "*", count=10000))
    for i in range(0, len(keys), 10000):
        client.delete(*keys[i:i + 10000])


def fast_page(dicts: list[dict]) -> float:
    from ckanext.smartcity.rdf import builder as fast_rdf
    start = time.perf_counter()
    fast_rdf.catalogue_page(dicts, "ttl")
    return time.perf_counter() - start


def fast_export(dicts: list[dict]) -> float:
    from ckanext.smartcity.rdf import builder as fast_rdf
    start = time.perf_counter()
    pages = (dicts[i:i + 1000] for i in range(0, len(dicts), 1000))
    fast_rdf.write_catalogue(io.BytesIO(), "ttl", pages)
    return time.perf_counter() - start


def best(fn, repeat: int) -> float:
    return min(fn() for _ in range(repeat))


def wide_page_lines(template: dict, page: int, distributions: int, repeat: int) -> list[str]:
    """(d): one page of ``page`` datasets with ``distributions`` each."""
    wide = copies(with_distributions(template, distributions), page)
    stock_wide = best(lambda: one_graph_turtle(wide, ["euro_dcat_ap_3"]), repeat)
    flush_cache()
    cold_wide, statements = count_statements(lambda: fast_page(wide))
    warm_wide = best(lambda: fast_page(wide), repeat)
    return [
        f"| (d) one page of {page} datasets × {distributions} distributions, Turtle, fast "
        f"path cache cold ({statements} SQL statements for the page) | stock euro_dcat_ap_3 "
        f"{stock_wide:.2f} s | {cold_wide:.2f} s | {stock_wide / cold_wide:.2f}× |",
        f"| (d) same page, cache warm | stock {stock_wide:.2f} s | {warm_wide:.3f} s | "
        f"{stock_wide / warm_wide:.1f}× |"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--sizes", default="1000,2000,5000,10000")
    parser.add_argument("--stock-max", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page", type=int, default=100,
                        help="datasets on one catalogue page for (a) and (d)")
    parser.add_argument("--distributions", type=int, default=50,
                        help="distributions per dataset for (d)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(args.ckan_ini))
    template_file = os.path.join(ROOT, "scripts", "bench_data", "rdf_dataset.json")
    with open(template_file, encoding="utf-8") as handle:
        template = json.load(handle)
    lines = []
    with app._wsgi_app.test_request_context():
        page = copies(template, args.page)
        stock_page = best(lambda: one_graph_turtle(page, ["euro_dcat_ap_3"]), args.repeat)
        ours_page = best(lambda: one_graph_turtle(page, ["dcat_ap_de"]), args.repeat)
        fast_page(page)  # profiles loaded, fingerprints computed once
        cold_page = best(lambda: flush_cache() or fast_page(page), args.repeat)
        warm_page = best(lambda: fast_page(page), args.repeat)
        lines += [
            f"| (a) one page of {args.page} datasets, Turtle, plain profiles | "
            "stock euro_dcat_ap_3 "
            f"{stock_page:.3f} s | dcat_ap_de {ours_page:.3f} s | {stock_page / ours_page:.2f}× |",
            f"| (a) same page, fast path, cache cold | stock {stock_page:.3f} s | "
            f"{cold_page:.3f} s | {stock_page / cold_page:.2f}× |",
            f"| (a) same page, fast path, cache warm (what /catalog.ttl serves) | stock "
            f"{stock_page:.3f} s | {warm_page:.3f} s | {stock_page / warm_page:.1f}× |"]
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cold_times, warm_times = {}, {}
        for n in sizes:
            dicts = copies(template, n)
            flush_cache()
            cold = cold_times[n] = fast_export(dicts)
            warm = warm_times[n] = fast_export(dicts)
            stock = one_graph_turtle(dicts, ["euro_dcat_ap_3"]) if n <= args.stock_max else None
            stock_text = f"{stock:.1f} s" if stock is not None else "not run (quadratic)"
            lines.append(f"| (b) whole catalogue, {n} datasets, Turtle | stock one graph "
                         f"{stock_text} | export cold {cold:.1f} s ({n / cold:.0f}/s), "
                         f"warm {warm:.2f} s ({n / warm:.0f}/s) | "
                         + (f"{stock / cold:.1f}× cold, {stock / warm:.0f}× warm |"
                            if stock is not None else "– |"))
            del dicts
        flush_cache()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        lines += wide_page_lines(template, args.page, args.distributions, args.repeat)
        flush_cache()
        if len(sizes) > 1:
            first, last = sizes[0], sizes[-1]
            lines.append(f"| growth {first}→{last} (×{last // first} data) | | "
                         f"cold ×{cold_times[last] / cold_times[first]:.1f}, "
                         f"warm ×{warm_times[last] / warm_times[first]:.1f} | |")
        lines.append(f"| (c) max RSS growth over the runs | | "
                     f"{(rss_after - rss_before) / 1024:.0f} MB "
                     "(includes the in-memory dataset dicts) | |")

    machine = bench_report.machine()
    text = ["", f"## RDF ({dt.date.today().isoformat()})", "",
            f"Command: `.venv/bin/python scripts/bench_rdf.py --sizes {args.sizes} "
            f"--stock-max {args.stock_max} --page {args.page} --distributions "
            f"{args.distributions}` on {machine}; best of {args.repeat} for (a), "
            "single runs for (b); Redis on 127.0.0.1 (cache keys flushed for \"cold\").", "",
            "| measurement | peer | this extension | ratio |", "|---|---|---|---|", *lines, ""]
    bench_report.publish(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
