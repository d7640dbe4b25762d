"""The relevance benchmark of issue 20: the judged query set is sound on its
own (every wanted dataset exists in the demo town, every kind is known, an
exact query is its dataset's title), and ``scripts/bench_relevance.py``
runs, the way tests/test_benchmarks.py smoke-runs the other benchmarks: on a
database of its own, dropped afterwards."""
import collections
import contextlib
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUERIES = os.path.join(ROOT, "tests", "data", "relevance", "queries.yaml")
# written by someone who saw neither queries.yaml nor the synonym list
HOLDOUT = os.path.join(ROOT, "tests", "data", "relevance", "holdout.yaml")
# (file, fewest queries, fewest of each kind)
SETS = {"tuned": (QUERIES, 150, 20), "held-out": (HOLDOUT, 120, 15)}
TOWN = os.path.join(ROOT, "ckanext", "smartcity", "demo", "data", "town.yaml")
SCRIPT = os.path.join(ROOT, "scripts", "bench_relevance.py")
SMOKE_DB = "ckan_smartcity_bench_relevance_smoke"
KINDS = {"exact", "word", "compound", "synonym", "variant", "two_words"}
HEADING = "## Relevance (search quality)"
TIMEOUT = 900


def _yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module", params=sorted(SETS))
def query_set(request):
    path, fewest, fewest_per_kind = SETS[request.param]
    return _yaml(path), fewest, fewest_per_kind


@pytest.fixture(scope="module")
def queries(query_set):
    return query_set[0]


@pytest.fixture(scope="module")
def titles():
    return {dataset["name"]: dataset["title"] for dataset in _yaml(TOWN)["datasets"]}


def test_queries_are_many_and_of_known_kinds(query_set):
    queries, fewest, fewest_per_kind = query_set
    assert len(queries) >= fewest
    for query in queries:
        assert set(query) == {"q", "kind", "want"}, query
        assert query["kind"] in KINDS, query
        assert isinstance(query["q"], str) and query["q"].strip() == query["q"] != "", query
    counts = collections.Counter(query["kind"] for query in queries)
    assert all(counts[kind] >= fewest_per_kind for kind in KINDS), counts


def test_queries_want_datasets_of_the_demo_town(queries, titles):
    for query in queries:
        assert query["want"] and isinstance(query["want"], list), query
        unknown = set(query["want"]) - set(titles)
        assert not unknown, f"{query['q']!r} wants {unknown}, not in town.yaml"
    wanted = {name for query in queries for name in query["want"]}
    assert wanted == set(titles), f"never wanted: {sorted(set(titles) - wanted)}"


def test_no_query_twice(queries):
    # lower(), not casefold(): "Strassensperrungen" is meant besides "Straßensperrungen"
    counts = collections.Counter(query["q"].lower() for query in queries)
    assert [q for q, n in counts.items() if n > 1] == []


def test_exact_queries_are_titles(queries, titles):
    for query in queries:
        if query["kind"] == "exact":
            assert len(query["want"]) == 1, query
            assert query["q"] == titles[query["want"][0]], query


def _drop_smoke_database():
    subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qtAX", "-c",
                    f"DROP DATABASE IF EXISTS {SMOKE_DB} WITH (FORCE)"],
                   check=True, capture_output=True, timeout=120)
    with contextlib.suppress(FileNotFoundError):
        os.remove(os.path.join(ROOT, "var", f"{SMOKE_DB}.ini"))
    shutil.rmtree(os.path.join(ROOT, "var", f"{SMOKE_DB}-storage"), ignore_errors=True)


def test_bench_relevance_smoke(request, tmp_path):
    """Ten queries against the whole demo town: exit 0, sane figures, and the
    section replaced in place while the other sections stay."""
    ckan_ini = os.path.abspath(request.config.getoption("ckan_ini"))
    out = tmp_path / "benchmarks.md"
    out.write_text(f"# Benchmarks\n\n## Search (x)\n\nkept above\n\n{HEADING}\n\nstale figures\n\n"
                   "## RDF (x)\n\nkept below\n", encoding="utf-8")
    try:
        result = subprocess.run(
            [sys.executable, SCRIPT, "--ckan-ini", ckan_ini, "--database", SMOKE_DB,
             "--limit", "10", "--json", "--out", str(out)],
            capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    finally:
        _drop_smoke_database()
    assert result.returncode == 0, (
        f"exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    figures = json.loads(result.stdout)
    overall = figures["overall"]
    assert overall["queries"] == 10
    assert 0 <= overall["success_at_5"] <= 1 and 0 <= overall["mrr"] <= 1
    assert overall["mrr"] <= overall["success_at_5"] + 1 / 6  # a rank beyond 5 adds at most 1/6
    assert 0 <= overall["zero_results"] <= 10 and overall["median_ms"] > 0
    assert sum(kind["queries"] for kind in figures["kinds"].values()) == 10
    assert set(figures["targets_met"]) == {"success_at_5", "mrr", "exact_hit_1"}
    text = out.read_text(encoding="utf-8")
    assert text.count(HEADING) == 1 and "stale figures" not in text
    assert "kept above" in text and "kept below" in text
    assert text.index("kept above") < text.index(HEADING) < text.index("kept below")
    assert "| **all** | 10 |" in text and "Failing queries (" in text
