#!/usr/bin/env python3
"""Quality benchmark (``make bench``): SHACL validation and MQA scoring of
one dataset (median of --repeat runs) and of --count datasets in a row, in
one process with the shapes loaded once (copies of the demo dataset
"Fahrradzählstellen", scripts/bench_data/rdf_dataset.json; no database:
the URL check results are empty). Appends the figures to docs/benchmarks.md
(--out). Targets (issue): ≤ 300 ms median per dataset, 1,000 datasets ≤ 5
minutes. Smoke run (tests/test_benchmarks.py): ``--count 3 --repeat 2``."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_report  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from bench_rdf import copies
    app = make_app(load_config(args.ckan_ini))
    template_file = os.path.join(ROOT, "scripts", "bench_data", "rdf_dataset.json")
    with open(template_file, encoding="utf-8") as handle:
        template = json.load(handle)
    with app._wsgi_app.test_request_context():
        from ckanext.smartcity.quality import assessment as quality
        from ckanext.smartcity.quality import mqa, shacl
        started = time.perf_counter()
        shacl.shapes()
        mqa._lists()
        load = time.perf_counter() - started
        quality.url_checks = lambda urls: {}   # no database in this benchmark
        [one] = copies(template, 1)
        quality.evaluate(one)
        singles = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = quality.evaluate(one)
            singles.append(time.perf_counter() - started)
        many = copies(template, args.count)
        started = time.perf_counter()
        for dataset in many:
            quality.evaluate(dataset)
        total = time.perf_counter() - started
    machine = bench_report.machine()
    text = ["", f"## Metadata quality ({dt.date.today().isoformat()})", "",
            f"Command: `.venv/bin/python scripts/bench_quality.py --count {args.count} "
            f"--repeat {args.repeat}` on {machine}. One evaluation = the dataset's RDF through "
            "the profiles, DCAT-AP.de 3.0 SHACL (pyshacl, GovData shapes + EU 3.0.0 base), "
            f"MQA score (the dataset scores {result['score']}, "
            f"{result['shacl']['violations']} violations).", "",
            "| measurement | target | this extension |", "|---|---|---|",
            f"| shapes and lists loaded (once per process) | – | {load:.2f} s |",
            f"| one dataset, median of {args.repeat} | ≤ 300 ms | "
            f"{statistics.median(singles) * 1000:.0f} ms (p95 "
            f"{sorted(singles)[max(0, math.ceil(len(singles) * 0.95) - 1)] * 1000:.0f} ms) |",
            f"| {args.count} datasets in a row | ≤ {args.count * 0.3:g} s | {total:.1f} s "
            f"({args.count / total:.0f} datasets/s) |", ""]
    bench_report.publish(text, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
