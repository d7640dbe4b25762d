#!/usr/bin/env python3
"""RDF benchmark (``make bench``): stock ckanext-dcat against this extension.

Serialises N copies of a real demo dataset (``scripts/bench_data/rdf_dataset.json``,
a package_show of "Fahrradzählstellen" with two distributions, new ids per
copy) in the same process, side by side:

  (a) one catalogue page of 100 datasets as Turtle: stock ``euro_dcat_ap_3``
      profile vs this extension's ``dcat_ap_de`` profile (one graph each, as
      ckanext-dcat's /catalog endpoint builds it);
  (b) the whole catalogue as Turtle: stock (one graph, ckanext-dcat's
      ``serialize_catalog``) vs ``ckan smartcity export``'s streamed path
      (one graph per dataset), for each size in --sizes (stock only up to
      --stock-max, it is quadratic);
  (c) memory growth (max RSS) of the streamed export.

Dataset dicts are built in memory: the search backend is measured by
bench_search.py; here only RDF building and serialisation count. Appends the
figures with the command and the machine to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import io
import json
import os
import platform
import resource
import statistics
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def one_graph_turtle(dicts: list[dict], profiles: list[str]) -> float:
    from ckanext.dcat.processors import RDFSerializer
    start = time.perf_counter()
    RDFSerializer(profiles=profiles).serialize_catalog({}, dicts, _format="turtle")
    return time.perf_counter() - start


def streamed_turtle(dicts: list[dict]) -> float:
    from ckanext.smartcity import export
    start = time.perf_counter()
    out = io.StringIO()
    builder = export.Builder()
    out.write(export._turtle_body(builder.catalogue()))
    for d in dicts:
        out.write(export._turtle_body(builder.dataset(d)))
    return time.perf_counter() - start


def best(fn, repeat: int) -> float:
    return min(fn() for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--sizes", default="1000,2000,5000,10000")
    parser.add_argument("--stock-max", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(args.ckan_ini))
    with open(os.path.join(ROOT, "scripts", "bench_data", "rdf_dataset.json"), encoding="utf-8") as h:
        template = json.load(h)
    lines = []
    with app._wsgi_app.test_request_context():
        page = copies(template, 100)
        stock_page = best(lambda: one_graph_turtle(page, ["euro_dcat_ap_3"]), args.repeat)
        ours_page = best(lambda: one_graph_turtle(page, ["dcat_ap_de"]), args.repeat)
        lines.append(f"| (a) one page of 100 datasets, Turtle | stock euro_dcat_ap_3 "
                     f"{stock_page:.2f} s | dcat_ap_de {ours_page:.2f} s | "
                     f"{stock_page / ours_page:.2f}× |")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stream_times = {}
        for n in sizes:
            dicts = copies(template, n)
            stream = streamed_turtle(dicts)
            stream_times[n] = stream
            stock = one_graph_turtle(dicts, ["euro_dcat_ap_3"]) if n <= args.stock_max else None
            stock_text = f"{stock:.1f} s" if stock is not None else "not run (quadratic)"
            ratio = f"{stock / stream:.1f}×" if stock is not None else "–"
            lines.append(f"| (b) whole catalogue, {n} datasets, Turtle | stock one graph "
                         f"{stock_text} | streamed export {stream:.1f} s "
                         f"({n / stream:.0f} datasets/s) | {ratio} |")
            del dicts
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if len(sizes) > 1:
            lines.append(f"| growth {sizes[0]}→{sizes[-1]} (×{sizes[-1] // sizes[0]} data) | | "
                         f"streamed ×{stream_times[sizes[-1]] / stream_times[sizes[0]]:.1f} | |")
        lines.append(f"| (c) max RSS growth over the runs | | {(rss_after - rss_before) / 1024:.0f} MB "
                     "(includes the in-memory dataset dicts) | |")

    machine = f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"
    text = ["", f"## RDF ({dt.date.today().isoformat()})", "",
            f"Command: `.venv/bin/python scripts/bench_rdf.py --sizes {args.sizes} "
            f"--stock-max {args.stock_max}` on {machine}; best of {args.repeat} for (a), "
            "single runs for (b).", "",
            "| measurement | peer | this extension | ratio |", "|---|---|---|---|", *lines, ""]
    print("\n".join(text))
    if args.out:
        with open(os.path.join(ROOT, args.out), "a", encoding="utf-8") as handle:
            handle.write("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
