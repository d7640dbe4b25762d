#!/usr/bin/env python3
"""Fault benchmark (``make bench``, issue 8): clients load the demo portal
(``make demo``, gunicorn) while PostgreSQL is restarted, then while Redis is
stopped for a while. Per fault: requests, failed answers by status, the
window in which answers failed, the time until every kind of page answered
200 again, and whether a failed answer showed a stack trace or a database
message. Needs root (pg_ctlcluster) and the project's own Redis on 6379.

--pg-cluster, --redis-port and --var name another PostgreSQL cluster and
Redis to disrupt: the smoke run of the test suite (tests/test_benchmarks.py)
serves a portal on a cluster and a Redis of its own and really restarts
those (``--clients 2 --redis-down 1 --before 1 --after 4``), so nothing else
on the machine is disturbed.

The tests prove the behaviour (tests/browser/test_faults.py,
tests/test_redis_down.py); this script measures it."""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import glob
import http.client
import math
import os
import random
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_load  # noqa: E402
import bench_report  # noqa: E402

LEAKS = ("Traceback", "psycopg", "sqlalchemy", "OperationalError", "redis.exceptions")


def main_cluster() -> str:
    """The newest installed PostgreSQL's ``main`` cluster, as ``VERSION/NAME``."""
    versions = sorted(glob.glob("/usr/lib/postgresql/*"),
                      key=lambda p: [int(x) for x in p.rsplit("/", 1)[1].split(".")])
    return versions[-1].rsplit("/", 1)[1] + "/main"


def restart_postgresql(cluster: str):
    def action() -> None:
        version, name = cluster.split("/", 1)
        subprocess.run(["pg_ctlcluster", version, name, "restart", "-m", "fast"],
                       check=True, capture_output=True)
    return action


def redis_server(port: int, var: str) -> list[str]:
    """The command that starts Redis as scripts/bootstrap.sh does."""
    return ["redis-server", "--bind", "127.0.0.1", "--port", str(port),
            "--daemonize", "yes", "--pidfile", f"{var}/redis.pid",
            "--dir", f"{var}/redis", "--save", "", "--appendonly", "no",
            "--logfile", f"{var}/redis.log"]


def stop_redis_for(seconds: float, port: int, var: str):
    def action() -> None:
        cli = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)]
        subprocess.run([*cli, "shutdown", "nosave"], capture_output=True)
        time.sleep(seconds)
        os.makedirs(os.path.join(var, "redis"), exist_ok=True)
        subprocess.run(redis_server(port, var), check=True)
        for _ in range(50):
            if subprocess.run([*cli, "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(f"Redis on port {port} did not come back")
    return action


def phase(base: str, paths: dict, clients: int, before: float, after: float, fault):
    """Load for ``before`` s, run ``fault`` (blocking), load ``after`` s more."""
    parts = urlsplit(base)
    records: list[tuple[float, str, object, bool]] = []
    lock = threading.Lock()
    stop = threading.Event()
    origin = time.monotonic()

    def client(seed: int):
        rng = random.Random(seed)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while not stop.is_set():
            kind = rng.choice(list(paths))
            path = rng.choice(paths[kind])
            started = time.monotonic() - origin
            leaked = False
            try:
                connection.request("GET", path)
                answer = connection.getresponse()
                body = answer.read().decode("utf-8", "replace")
                status: object = answer.status
                leaked = status != 200 and any(leak in body for leak in LEAKS)
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            with lock:
                records.append((started, kind, status, leaked))
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(before)
    fault_start = time.monotonic() - origin
    fault()
    fault_end = time.monotonic() - origin
    time.sleep(after)
    stop.set()
    for thread in threads:
        thread.join()
    failed = [r for r in records if r[2] != 200]
    last_failure = max((r[0] for r in failed), default=fault_start)
    # recovered: every kind has answered 200 to a request started after the last failure
    recovered = max(min((r[0] for r in records if r[1] == kind and r[2] == 200
                         and r[0] > last_failure), default=float("nan"))
                    for kind in paths)
    return {
        "requests": len(records), "failed": len(failed),
        "statuses": dict(collections.Counter(str(r[2]) for r in failed)),
        "window": (min((r[0] for r in failed), default=0) - fault_start,
                   last_failure - fault_start) if failed else None,
        "fault_seconds": fault_end - fault_start,
        "recovered_after": (recovered - fault_start) if failed else None,
        "leaks": sum(1 for r in failed if r[3]),
        "during_fault": [r for r in records if fault_start <= r[0] <= fault_end],
    }


def worker_alive(var: str) -> str:
    try:
        with open(os.path.join(var, "worker.pid")) as handle:
            os.kill(int(handle.read().strip()), 0)
        return "running"
    except (OSError, ValueError):
        return "not running"


def row(name: str, result: dict) -> str:
    window = ("–" if result["window"] is None else
              f"{result['window'][0]:+.1f} s … {result['window'][1]:+.1f} s")
    after = result["recovered_after"]
    recovered = ("no failure" if after is None else
                 "not within the run" if math.isnan(after) else f"{after:+.1f} s")
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(result["statuses"].items())) or "–"
    return (f"| {name} | {result['fault_seconds']:.1f} s | {result['requests']} | "
            f"{result['failed']} ({statuses}) | {window} | "
            f"{recovered} | {result['leaks']} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=bench_load.DEMO_URL)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--redis-down", type=float, default=10.0)
    parser.add_argument("--before", type=float, default=5.0,
                        help="seconds of load before each fault")
    parser.add_argument("--after", type=float, default=20.0,
                        help="seconds of load after each fault")
    parser.add_argument("--pg-cluster", default=None,
                        help="PostgreSQL cluster to restart, VERSION/NAME (default: newest/main)")
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--var", default=os.path.join(ROOT, "var"),
                        help="Redis pid file, data and log directory; the RQ worker's pid file")
    parser.add_argument("--out", default="docs/benchmarks.md")
    args = parser.parse_args()
    cluster = args.pg_cluster or main_cluster()
    paths = bench_load.targets(args.url)
    postgresql = phase(args.url, paths, args.clients, args.before, args.after,
                       restart_postgresql(cluster))
    redis = phase(args.url, paths, args.clients, args.before, args.after,
                  stop_redis_for(args.redis_down, args.redis_port, args.var))
    served = sum(1 for r in redis["during_fault"] if r[2] == 200)
    text = ["", f"## Faults ({dt.date.today().isoformat()})", "",
            f"Command: `.venv/bin/python scripts/bench_faults.py --clients {args.clients} "
            f"--redis-down {args.redis_down:g}` against {bench_load.portal(args.url)} "
            f"on {bench_report.machine()}. The clients ask for the mix of the load benchmark "
            "(search, dataset, category and catalogue pages) without pause; a fault starts after "
            f"{args.before:g} s and the load goes on for {args.after:g} s after it ends. Times "
            "are relative to the start of the fault; a request is placed at the moment it was "
            "sent. Recovered: every kind of page has answered 200 to a request sent after the "
            "last failure, without a restart of the portal.", "",
            "| fault | fault took | requests | failed (status: count) | failures from … to | "
            "recovered after | answers showing a trace or DB message |",
            "|---|---|---|---|---|---|---|",
            row(f"PostgreSQL restart (`pg_ctlcluster {cluster.replace('/', ' ')} restart "
                "-m fast`)", postgresql),
            row(f"Redis stopped for {args.redis_down:g} s", redis), "",
            f"While Redis was down, {served} of {len(redis['during_fault'])} requests were "
            f"answered 200. RQ worker of the demo after the Redis fault: {worker_alive(args.var)}.",
            ""]
    bench_report.publish(text, args.out)
    return 1 if postgresql["leaks"] or redis["leaks"] else 0


if __name__ == "__main__":
    sys.exit(main())
