"""The side-by-side search benchmark (issue 17, scripts/bench_backends.py)
cannot rot: a tiny run, the way ``make bench`` runs it, against PostgreSQL,
a real Solr standalone and a real SolrCloud (started and stopped by the
script on its own ports, docs/solr.md), writing into a temporary file.

Two sizes, so both indexing paths run: CKAN's indexer up to the first size,
the built documents added in batches beyond it. The database the script
makes is dropped even when it fails."""
from __future__ import annotations

import contextlib
import os
import re

import pytest

from tests.test_benchmarks import ROOT, _psql, run_bench

DATABASE = "ckan_smartcity_bench_backends_smoke"
SIZES = (20, 40)
BACKENDS = ("PostgreSQL (`smartcity_search`)", "Solr standalone", "SolrCloud (2 nodes, 2x2)")


@pytest.fixture(scope="module")
def section(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench_backends") / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Other\n\nkept\n", encoding="utf-8")
    ckan_ini = os.path.abspath(request.config.getoption("ckan_ini"))
    try:
        return run_bench("bench_backends.py", out, "--ckan-ini", ckan_ini,
                         "--sizes", ",".join(map(str, SIZES)), "--repeat", "2",
                         "--database", DATABASE)
    finally:
        _psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(ROOT, "var", f"{DATABASE}.ini"))


def numbers(row: str) -> list[float]:
    return [float(cell.replace(",", "")) for cell in re.findall(r"\| ([\d,.]+)(?= )", row)]


def test_three_backends_side_by_side(section):
    assert section.startswith("# Benchmarks\n\n## Other\n\nkept\n\n"
                              "## Search backends side by side\n")
    for size in SIZES:
        for backend in BACKENDS:
            for query in ("a", "b", "c"):
                row = next((line for line in section.splitlines()
                            if line.startswith(f"| {size} | ({query}) | {backend} |")), None)
                assert row, f"no row for ({query}) on {backend} at {size}"
                hits, p50, p95 = numbers(row)[1:]
                assert hits > 0 and 0 < p50 <= p95, row
            # *:* sees every dataset, the synthetic ones too
            assert f"| {size} | (c) | {backend} | {size} |" in section


def test_throughput_and_memory_are_positive(section):
    lines = section.splitlines()
    for size in SIZES:
        for backend in BACKENDS:
            rows = [line for line in lines if line.startswith(f"| {size} | {backend} |")]
            assert len(rows) == 2, rows  # throughput, memory
            throughput, memory = rows
            rates = numbers(throughput)[2:]
            assert rates and all(rate > 0 for rate in rates), throughput
            sizes = [int(value.replace(",", "")) for value in re.findall(r"([\d,]+) MiB", memory)]
            assert sizes[0] > 0 and sizes[-1] > 0, memory  # server and CKAN process RSS
    assert "### When to switch to Solr" in section
