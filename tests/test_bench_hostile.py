"""The hostile-request benchmark cannot rot (issue 16): ``scripts/bench_hostile.py
--quick`` against a served portal on a PostgreSQL cluster and a Redis of its
own (the bench portal of tests/test_benchmarks.py) must exit 0 (no answer
was a 5xx) and write its section with a row for every finding of the issue.

The budget (anonymous ≤ 1 s, editor ≤ 2 s) is measured by ``make bench``,
not asserted here: tests do not time."""
import pytest

from tests.test_benchmarks import bench_portal, run_bench  # noqa: F401 (fixture)


@pytest.mark.xdist_group("bench-portal")
def test_bench_hostile(bench_portal, tmp_path):  # noqa: F811 (the imported fixture)
    out = tmp_path / "benchmarks.md"
    ini = bench_portal["var"].parent / "portal.ini"  # written by the fixture
    text = run_bench("bench_hostile.py", out, "--url", bench_portal["url"],
                     "--ckan-ini", str(ini), "--quick")
    assert "## Hostile requests (" in text
    assert "Server errors (5xx or no answer): 0." in text
    for finding in range(1, 9):
        assert f"| issue 16 #{finding} |" in text, f"no row for finding {finding}"
    for case in ("F4", "F5", "F6", "F12", "F13", "O4"):
        assert f"| {case} |" in text, f"no row for {case}"
    assert "| `/dataset/NAME.ttl`, 50 distributions |" in text
