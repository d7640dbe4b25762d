#!/usr/bin/env python3
"""Load benchmark (``make bench``, issue 8): N concurrent clients for D
seconds against the demo portal served by gunicorn (``make demo``), mixing
search, dataset pages, category pages and catalogue RDF pages; every answer
must be 200. Reports requests/s, p50/p95/max latency per kind and errors.

Clients are threads in this process (no extra tool); on the 2-core machine
they compete with the server for CPU, so the figures are a floor. --url
points at any served portal with datasets (the smoke run of the test suite,
tests/test_benchmarks.py, serves one of its own: ``--clients 2 --seconds 3``)."""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.request
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_report  # noqa: E402


DEMO_URL = "http://127.0.0.1:5000"


def portal(url: str) -> str:
    """How a report names the portal it measured."""
    return "`make demo` (gunicorn, 2 sync workers)" if url == DEMO_URL else f"<{url}>"


def targets(base: str) -> dict[str, list[str]]:
    with urllib.request.urlopen(base + "/api/3/action/package_search?rows=100") as answer:
        names = [d["name"] for d in json.load(answer)["result"]["results"]]
    categories_url = base + "/api/3/action/smartcity_category_list?top_only=true"
    with urllib.request.urlopen(categories_url) as answer:
        categories = [c["id"] for c in json.load(answer)["result"]["categories"]]
    return {
        "search": ["/dataset/", "/dataset/?q=Verkehr", "/dataset/?q=Energie&sort=title_string+asc",
                   "/api/3/action/package_search?q=Bäume&rows=10".replace("ä", "%C3%A4")],
        "dataset": [f"/dataset/{n}" for n in names],
        "category": ["/kategorien"] + [f"/kategorien/{c}" for c in categories],
        "catalogue": ["/catalog.ttl", "/catalog.rdf", "/catalog.jsonld", "/catalog.ttl?page=1"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEMO_URL)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--out", default="docs/benchmarks.md")
    args = parser.parse_args()
    paths = targets(args.url)
    parts = urlsplit(args.url)
    results: dict[str, list[float]] = {kind: [] for kind in paths}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def client(seed: int):
        rng = random.Random(seed)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while time.monotonic() < deadline:
            kind = rng.choice(list(paths))
            path = rng.choice(paths[kind])
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                answer = connection.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    results[kind].append(elapsed)
                else:
                    errors.append(f"{path}: {status}")
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    total = sum(len(v) for v in results.values())
    every = sorted(t for v in results.values() for t in v)

    def p(values, q):
        return sorted(values)[max(0, int(len(values) * q) - 1)] * 1000 if values else 0

    lines = [f"| all | {total} | {total / wall:.1f} | {p(every, 0.5):.0f} | {p(every, 0.95):.0f} | "
             f"{max(every) * 1000 if every else 0:.0f} |"]
    for kind, values in results.items():
        lines.append(f"| {kind} | {len(values)} | {len(values) / wall:.1f} | "
                     f"{p(values, 0.5):.0f} | {p(values, 0.95):.0f} | "
                     f"{max(values) * 1000 if values else 0:.0f} |")
    text = ["", f"## Load ({dt.date.today().isoformat()})", "",
            f"Command: `.venv/bin/python scripts/bench_load.py --clients {args.clients} "
            f"--seconds {args.seconds}` against {portal(args.url)} on "
            f"{bench_report.machine()}; clients in the same machine. "
            f"**Errors: {len(errors)}** (non-200 answers or broken connections)"
            + (f", e.g. {errors[:3]}" if errors else "") + ".", "",
            "| kind | requests | per second | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|---|---|",
            *lines, ""]
    bench_report.publish(text, args.out)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
