"""Benchmarks that cannot rot (issue 14): every ``scripts/bench_*.py`` runs
at a tiny size, the way ``make bench`` runs it, writing into a temporary
file; the script must exit 0 and write its section.

Nothing the smoke runs create outlives them: the search benchmark builds and
drops a database of its own, the RDF and quality benchmarks only read (the
RDF one flushes the cache keys it filled), and the load and fault benchmarks
run against a portal served from a PostgreSQL cluster and a Redis of their
own, which the fault benchmark really restarts and stops without touching
the services every other test uses."""
import contextlib
import glob
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests import local_portal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts")
SEARCH_DB = "ckan_smartcity_bench_smoke"
PORTAL_DB = "ckan_smartcity_bench_portal"
CLUSTER_PREFIX = "smartcitybench"
DB_USER = "ckan_smartcity"
TIMEOUT = 900  # seconds per script; the tiny runs take well under a minute


@pytest.fixture
def ckan_ini(request):
    return os.path.abspath(request.config.getoption("ckan_ini"))


def run_bench(script, out, *args):
    """Run a benchmark script with this interpreter; its report as text."""
    result = subprocess.run([sys.executable, os.path.join(SCRIPTS, script), *args,
                             "--out", str(out)],
                            capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    assert result.returncode == 0, (
        f"{script} exited {result.returncode}:\n{result.stdout[-3000:]}\n"
        f"{result.stderr[-5000:]}")
    assert out.exists(), f"{script} wrote nothing to {out}"
    return out.read_text(encoding="utf-8")


def _psql(sql, port=5432):
    return subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-p", str(port),
                           "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql],
                          check=True, capture_output=True, text=True, timeout=120).stdout.strip()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_bench_search(ckan_ini, tmp_path):
    out = tmp_path / "benchmarks.md"
    try:
        text = run_bench("bench_search.py", out, "--ckan-ini", ckan_ini,
                         "--database", SEARCH_DB, "--sizes", "40,80", "--real", "6",
                         "--repeat", "2")
    finally:
        _psql(f"DROP DATABASE IF EXISTS {SEARCH_DB} WITH (FORCE)")
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(ROOT, "var", f"{SEARCH_DB}.ini"))
    assert "## Search (PostgreSQL backend" in text
    for size in (40, 80):
        for query in ("a", "b", "c"):
            assert f"| {size} | ({query}) |" in text, f"no row for ({query}) at {size}"
    assert "Index update per dataset" in text


def test_bench_rdf(ckan_ini, tmp_path):
    out = tmp_path / "benchmarks.md"
    text = run_bench("bench_rdf.py", out, "--ckan-ini", ckan_ini, "--sizes", "20,40",
                     "--stock-max", "20", "--page", "10", "--distributions", "3",
                     "--repeat", "1")
    assert "## RDF (" in text
    assert "| (a) one page of 10 datasets" in text
    assert "| (b) whole catalogue, 40 datasets" in text
    assert "| (d) one page of 10 datasets × 3 distributions" in text


def test_bench_quality(ckan_ini, tmp_path):
    out = tmp_path / "benchmarks.md"
    text = run_bench("bench_quality.py", out, "--ckan-ini", ckan_ini, "--count", "3",
                     "--repeat", "2")
    assert "## Metadata quality (" in text
    assert "| 3 datasets in a row |" in text


# The spreadsheet import benchmark (issue 19) builds and drops a database of
# its own; the round trip (export, then plan) must leave every row unchanged.
def test_bench_sheet(ckan_ini, tmp_path):
    database = "ckan_smartcity_bench_sheet_smoke"
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Other\n\nkept\n", encoding="utf-8")
    try:
        text = run_bench("bench_sheet.py", out, "--ckan-ini", ckan_ini, "--sizes", "5",
                         "--database", database)
        again = run_bench("bench_sheet.py", out, "--ckan-ini", ckan_ini, "--sizes", "5",
                          "--database", database)
    finally:
        _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    assert text.startswith("# Benchmarks\n\n## Other\n\nkept\n\n## Spreadsheet import\n")
    assert again.startswith("# Benchmarks\n\n## Other\n\nkept\n\n## Spreadsheet import\n")
    assert again.count("## Spreadsheet import") == 1, "the section was appended twice"
    assert "| 5 | apply (creates) |" in text
    assert "| 5 | peer: package_create one by one |" in text
    assert ("Round trip at N = 5 (export, then plan): 15 rows unchanged (5 datasets, "
            "10 distributions), 0 would create, 0 would update, 0 refused.") in text
    assert "One changed cell in 5 rows at N = 5: 5 would update, 10 unchanged." in text


# The DataStore load benchmark (issue 18): a real xloader job on the RQ
# worker loads a small CSV from the portal served on 127.0.0.1.
def test_bench_datastore(ckan_ini, tmp_path):
    database = "ckan_smartcity_bench_datastore_smoke"
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\n## Other\n\nkept\n", encoding="utf-8")
    try:
        text = run_bench("bench_datastore.py", out, "--ckan-ini", ckan_ini, "--rows", "100",
                         "--database", database)
    finally:
        _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    assert text.startswith("# Benchmarks\n\n## Other\n\nkept\n\n## DataStore load\n")
    assert "| 100 |" in text


# --- a served portal on services of its own -------------------------------

def _newest_postgresql():
    versions = glob.glob("/usr/lib/postgresql/*")
    return max((os.path.basename(v) for v in versions), key=lambda v: [int(x) for x in
                                                                      v.split(".")])


def _drop_stale_clusters(version):
    """Clusters left by a run that was killed (its pid is gone)."""
    for path in glob.glob(f"/etc/postgresql/{version}/{CLUSTER_PREFIX}*"):
        owner = os.path.basename(path)[len(CLUSTER_PREFIX):]
        if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            subprocess.run(["pg_dropcluster", "--stop", version, os.path.basename(path)],
                           capture_output=True, timeout=120)


@contextlib.contextmanager
def own_postgresql():
    """A PostgreSQL cluster of this process, with the project's role; yields
    ``(version/name, port)`` and drops the cluster afterwards."""
    version = _newest_postgresql()
    _drop_stale_clusters(version)
    name, port = f"{CLUSTER_PREFIX}{os.getpid()}", _free_port()
    subprocess.run(["pg_createcluster", "--start-conf", "manual", "--locale", "C.UTF-8",
                    "-p", str(port), version, name], check=True, capture_output=True,
                   timeout=300)
    try:
        subprocess.run(["pg_ctlcluster", version, name, "start"], check=True,
                       capture_output=True, timeout=300)
        _psql(f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{DB_USER}'", port)
        _psql(f"CREATE DATABASE {PORTAL_DB} OWNER {DB_USER} ENCODING 'UTF8' "
              "TEMPLATE template0", port)
        yield f"{version}/{name}", port
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True,
                       timeout=300)


def _redis(port, *args):
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
                          capture_output=True, text=True, timeout=30)


def _redis_run_id(port):
    info = _redis(port, "info", "server").stdout
    return next(line.split(":", 1)[1].strip() for line in info.splitlines()
                if line.startswith("run_id:"))


@contextlib.contextmanager
def own_redis(var):
    """A Redis of this test on a free port, started as scripts/bootstrap.sh
    starts the project's (bench_faults.py restarts it the same way)."""
    port = _free_port()
    (var / "redis").mkdir(parents=True, exist_ok=True)
    subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", str(port),
                    "--daemonize", "yes", "--pidfile", f"{var}/redis.pid",
                    "--dir", f"{var}/redis", "--save", "", "--appendonly", "no",
                    "--logfile", f"{var}/redis.log"], check=True, timeout=60)
    try:
        for _ in range(100):
            if _redis(port, "ping").returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"Redis on port {port} did not start")
        yield port
    finally:
        # the process this test started, or the one bench_faults.py restarted
        with contextlib.suppress(OSError, ValueError):
            os.kill(int((var / "redis.pid").read_text().strip()), signal.SIGTERM)


PORTAL_INI = """[DEFAULT]
debug = false

[app:main]
use = config:{ckan_ini}
sqlalchemy.url = postgresql://{user}:{user}@127.0.0.1:{pg_port}/{database}
ckan.redis.url = redis://127.0.0.1:{redis_port}/0
ckan.site_url = {url}
ckan.site_id = smartcity-bench-portal
ckan.storage_path = {storage}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s
"""


@pytest.fixture(scope="module")
def bench_portal(request, tmp_path_factory):
    """The demo town (a sample of it) served by gunicorn with two workers, as
    ``make demo`` serves it, on a PostgreSQL cluster and a Redis of its own."""
    workdir = tmp_path_factory.mktemp("bench-portal")
    ckan_ini = os.path.abspath(request.config.getoption("ckan_ini"))
    port = _free_port()
    with own_postgresql() as (cluster, pg_port), own_redis(workdir / "var") as redis_port:
        ini = workdir / "portal.ini"
        ini.write_text(PORTAL_INI.format(
            ckan_ini=ckan_ini, user=DB_USER, pg_port=pg_port, database=PORTAL_DB,
            redis_port=redis_port, url=f"http://127.0.0.1:{port}",
            storage=workdir / "storage"), encoding="utf-8")
        with local_portal.serve(str(ini), port, workdir, "bench-admin-password", sample=8,
                                workers=2) as url:
            yield {"url": url, "cluster": cluster, "pg_port": pg_port,
                   "redis_port": redis_port, "var": workdir / "var"}


# one worker serves the bench portal for both (make test runs pytest-xdist)
@pytest.mark.xdist_group("bench-portal")
def test_bench_load(bench_portal, tmp_path):
    out = tmp_path / "benchmarks.md"
    text = run_bench("bench_load.py", out, "--url", bench_portal["url"], "--clients", "2",
                     "--seconds", "3")
    assert "## Load (" in text
    assert "**Errors: 0**" in text
    for kind in ("all", "search", "dataset", "category", "catalogue"):
        assert f"| {kind} | " in text, f"no row for {kind}"


@pytest.mark.xdist_group("bench-portal")
def test_bench_faults(bench_portal, tmp_path):
    """The tiny run still really restarts PostgreSQL and stops Redis, those of
    the bench portal; exit 0 means no failed answer showed a trace."""
    port = bench_portal["pg_port"]
    started = _psql("SELECT pg_postmaster_start_time()", port)
    redis_run = _redis_run_id(bench_portal["redis_port"])
    out = tmp_path / "benchmarks.md"
    text = run_bench("bench_faults.py", out, "--url", bench_portal["url"], "--clients", "2",
                     "--redis-down", "1", "--before", "1", "--after", "4",
                     "--pg-cluster", bench_portal["cluster"],
                     "--redis-port", str(bench_portal["redis_port"]),
                     "--var", str(bench_portal["var"]))
    assert "## Faults (" in text
    assert "| PostgreSQL restart (" in text and "| Redis stopped for 1 s |" in text
    assert _psql("SELECT pg_postmaster_start_time()", port) != started, (
        "PostgreSQL was not restarted")
    assert _redis_run_id(bench_portal["redis_port"]) != redis_run, "Redis was not restarted"


# The hostile-request benchmark (issue 16): scripts/bench_hostile.py --quick
# against the same bench portal must exit 0 (no answer was a 5xx) and write
# its section with a row for every finding of the issue. The budget
# (anonymous <= 1 s, editor <= 2 s) is measured by `make bench`, not here.
@pytest.mark.xdist_group("bench-portal")
def test_bench_hostile(bench_portal, tmp_path):
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
