#!/usr/bin/env python3
"""DataStore benchmark (issue 18): how long a CSV takes to become an API.

For each size N of --rows, a CSV of N traffic counts (9 columns: station,
district, timestamp, direction, cars, lorries, bicycles, speed, note; about
80 bytes a row) is uploaded as a resource; then, timed (wall seconds):

  1. ``resource_create`` with the upload (the file store write, xloader's
     submit and the portal's limits check, :mod:`ckanext.smartcity.datastore`);
  2. the load: CKAN's RQ worker in burst mode runs xloader's job as ``ckan
     jobs worker`` would: it downloads the file from the portal over HTTP
     (the app served on 127.0.0.1, an ephemeral port), loads it with
     PostgreSQL's COPY, builds the column indexes and reports back;
  3. the first ``datastore_search`` (100 rows) and a filtered one, as an
     anonymous user through the API.

The ini (--ckan-ini) must enable ``datastore xloader smartcity_datastore``
and name the DataStore databases. Runs in a CKAN database of its own
(--database, dropped first and again at the end, its ini under var/); the
DataStore tables it creates are deleted at the end. Replaces the section
"## DataStore load" of docs/benchmarks.md (--out), or appends it.
Smoke run: ``--rows 100 --database ckan_smartcity_bench_datastore_smoke``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_report  # noqa: E402

BENCH_DB = "ckan_smartcity_bench_datastore"
BENCH_SITE_ID = "smartcity-bench-datastore"
HEADING = "## DataStore load"
STATIONS = ("Neustraße", "Duisburger Straße", "Hünxer Straße", "Wilhelm-Lantermann-Straße",
            "Voerder Straße", "Thyssenstraße")
DISTRICTS = ("Innenstadt", "Lohberg", "Hiesfeld", "Averbruch", "Bruch", "Eppinghoven")


class BenchFailure(Exception):
    pass


def create_database(name: str, ckan_ini: str) -> str:
    """A CKAN database of its own, migrated; xloader's job log in it too."""
    url = f"postgresql://ckan_smartcity:ckan_smartcity@127.0.0.1/{name}"
    return bench_report.create_database(name, ckan_ini, BENCH_SITE_ID, {
        "ckanext.xloader.jobs_db.uri": url,
        "ckan.storage_path": os.path.join(ROOT, "var", name + "-storage")})


drop_database = bench_report.drop_database


def traffic_csv(rows: int) -> bytes:
    """``rows`` hourly counts, German as a town publishes them."""
    start = dt.datetime(2025, 1, 1)
    lines = ["zaehlstelle,stadtteil,zeitpunkt,richtung,pkw,lkw,fahrraeder,"
             "geschwindigkeit_kmh,bemerkung"]
    for number in range(rows):
        station = number % len(STATIONS)
        when = start + dt.timedelta(hours=number // len(STATIONS))
        lines.append(f"{STATIONS[station]},{DISTRICTS[station]},{when:%Y-%m-%dT%H:%M},"
                     f"{'stadteinwärts' if number % 2 else 'stadtauswärts'},"
                     f"{(number * 37) % 900},{(number * 11) % 60},{(number * 7) % 150},"
                     f"{28 + (number % 25)},{'Baustelle' if number % 97 == 0 else ''}")
    return ("\n".join(lines) + "\n").encode()


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _dispose_before_fork() -> None:
    """The worker forks: connections of this process are not shared."""
    from ckan import model
    from ckanext.datastore.backend import postgres as datastore_backend
    from ckanext.xloader import db as xloader_db
    model.meta.engine.dispose()
    if xloader_db.ENGINE is not None:
        xloader_db.ENGINE.dispose()
    for engine in datastore_backend._engines.values():
        engine.dispose()


def run(ini: str, sizes: list[int]) -> list[dict]:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(ini))
    server = make_server("127.0.0.1", 0, app, server_class=_Server, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results = []
    with app._wsgi_app.test_request_context():
        import ckan.plugins.toolkit as tk
        from ckan.lib import jobs
        from werkzeug.datastructures import FileStorage

        from ckanext.smartcity.datastore import cli as datastore_cli
        try:
            tk.get_action("xloader_submit")
        except KeyError:
            raise BenchFailure("the ini does not enable xloader (docs/datastore.md)") from None
        tk.config["ckanext.xloader.site_url"] = f"http://127.0.0.1:{server.server_address[1]}"
        tk.config["ckanext.xloader.api_token"] = datastore_cli.site_user_token()
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        context = {"user": site_user["name"], "ignore_auth": True}
        org = tk.get_action("organization_create")(dict(context), {
            "name": "bench-datastore", "title": "Stadt Dinslaken (Benchmark)",
            "publisher_uri": "https://www.dinslaken.de",
            "contributor_id": "http://dcat-ap.de/def/contributors/openNRW",
            "political_geocoding_level": "municipality", "political_geocoding": "05170008",
            "contact_name": "Open-Data-Team", "contact_email": "opendata@dinslaken.de"})
        package = tk.get_action("package_create")(dict(context), {
            "name": "verkehrszaehlungen-benchmark", "title": "Verkehrszählungen (Benchmark)",
            "owner_org": org["id"], "notes": "Stündliche Verkehrszählungen.",
            "license_id": "dl-de-by-2.0", "publisher": [{"name": "Stadt Dinslaken"}]})
        jobs.get_queue().empty()
        client = app._wsgi_app.test_client()
        for rows in sizes:
            body = traffic_csv(rows)
            started = time.perf_counter()
            resource = tk.get_action("resource_create")(dict(context), {
                "package_id": package["id"], "name": f"Zählungen {rows}", "format": "CSV",
                "url": f"zaehlungen-{rows}.csv",
                "upload": FileStorage(stream=io.BytesIO(body), filename=f"zaehlungen-{rows}.csv")})
            created = time.perf_counter() - started
            _dispose_before_fork()
            started = time.perf_counter()
            jobs.Worker(["default"]).work(burst=True)
            loaded = time.perf_counter() - started
            job_id = tk.get_action("xloader_status")(
                {"ignore_auth": True}, {"resource_id": resource["id"]})["job_id"]
            job = jobs.job_from_id(job_id)
            job_s = (job.ended_at - job.started_at).total_seconds()
            search = "/api/3/action/datastore_search"
            started = time.perf_counter()
            first = client.get(search, query_string={"resource_id": resource["id"], "limit": 100})
            first_s = time.perf_counter() - started
            started = time.perf_counter()
            filtered = client.get(search, query_string={
                "resource_id": resource["id"], "filters": '{"stadtteil": "Lohberg"}', "limit": 10})
            filtered_s = time.perf_counter() - started
            total = (first.json or {}).get("result", {}).get("total")
            if first.status_code != 200 or total != rows or filtered.status_code != 200:
                raise BenchFailure(f"{rows} rows: datastore_search answered {first.status_code} "
                                   f"with {total} rows")
            results.append({"rows": rows, "bytes": len(body), "create": created,
                            "load": loaded, "job": job_s, "first": first_s, "filtered": filtered_s})
            tk.get_action("datastore_delete")(dict(context), {"resource_id": resource["id"],
                                                              "force": True})
        jobs.get_queue().empty()
    server.shutdown()
    return results


def report(results: list[dict], load_before: tuple) -> list[str]:
    lines = [HEADING, "",
             f"Command: `.venv/bin/python scripts/bench_datastore.py --rows "
             f"{','.join(str(r['rows']) for r in results)}` ({dt.date.today().isoformat()}). "
             f"Machine: {bench_report.machine()}; load average before the run "
             f"{load_before[0]:.2f}. A CSV of hourly traffic counts (9 columns) uploaded as a "
             "resource; the load is xloader's job on CKAN's RQ worker (burst mode, as `ckan "
             "jobs worker`): download from the portal over HTTP, PostgreSQL COPY, column "
             "indexes, status reported back (\"xloader job\": the job's own start to end in "
             "RQ). \"Queue drained\": the whole burst, with the follow-up jobs the saves "
             "queue (the quality report's URL checks) and each job's process start. The "
             "searches are anonymous API calls. With the ini's "
             "`ckanext.xloader.use_type_guessing = true`, files up to 5 MB (here 10,000 "
             "rows) are typed by xloader's tabulator path, larger ones (100,000 rows) load "
             "by COPY as text; the same 10,000 rows by COPY took 1.50 s on 2026-12-05.", "",
             "| rows | file | resource_create | xloader job | rows/s | queue drained | "
             "first datastore_search (100 rows) | filtered search |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['rows']:,} | {r['bytes'] / 1_000_000:.2f} MB | {r['create']:.2f} s | "
                     f"{r['job']:.2f} s | {r['rows'] / r['job']:,.0f} | {r['load']:.2f} s | "
                     f"{r['first'] * 1000:.0f} ms | {r['filtered'] * 1000:.0f} ms |")
    return lines + [""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--rows", default="10000,100000")
    parser.add_argument("--database", default=BENCH_DB)
    args = parser.parse_args()
    sizes = [int(size) for size in args.rows.split(",")]
    load_before = os.getloadavg()
    ini = create_database(args.database, args.ckan_ini)
    results = bench_report.in_own_database("bench_datastore", args.database, ini,
                                           lambda ini: run(ini, sizes), BenchFailure)
    if results is None:
        return 1
    bench_report.publish_section(args.out, HEADING, report(results, load_before))
    return 0


if __name__ == "__main__":
    sys.exit(main())
