#!/usr/bin/env python3
"""Spreadsheet import benchmark (issue 19): how long a town's bulk onboarding takes.

For each size N of --sizes, N realistic German datasets (titles, descriptions,
licence, Smart City categories, EU themes, frequency, keywords, contact, 1-2
distributions each; varied from the demo town) are typed into the empty
template as a steward fills it: ``export.write_sheet([])`` gives the headers,
openpyxl fills the cells with the labels of the help sheet (licence, category
and frequency labels, not IRIs), the URL column names each dataset so that
the sheet "Distributionen" can refer to it. Then, timed (wall seconds, ms per
dataset, peak RSS of the process as a high-water mark):

  1. ``read_sheet`` of the workbook;
  2. dry run ``plan`` (every row "would create");
  3. ``apply`` (creates the N datasets through package_create), datasets/s;
  4. export of the N datasets (``organisation_datasets`` + ``write_sheet``);
  5. round trip: read the export and ``plan`` it; every row must be
     unchanged, or the script exits 1;
  6. the export with one changed cell (the description) in 10 rows, read and
     planned: 10 would update, the rest unchanged (else exit 1);
  7. peer: the N sheet datasets purged, the same N created by calling
     ``package_create`` one by one with vocabulary codes, as a script author
     would without the sheet (the script checks that both stored the same
     first dataset); apply / peer is the sheet's overhead (parsing the cells,
     looking up each URL, checking permissions, the report).

Everything runs as the site user in a German request, in a database of its
own (--database, dropped first and dropped again at the end, with its ini
under var/) with a site id of its own (``smartcity-bench-sheet``): the
database of --ckan-ini is never touched. The jobs the creates queued and the
RDF cache entries they filled in the Redis of --ckan-ini are removed at the
end. Replaces the section "## Spreadsheet import" of docs/benchmarks.md
(--out), or appends it; every other byte of the file stays as it is.
Smoke run (tests/test_benchmarks.py): ``--sizes 5 --database
ckan_smartcity_bench_sheet_smoke``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import shlex
import sys
import time
from collections.abc import Callable
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_report  # noqa: E402

BENCH_DB = "ckan_smartcity_bench_sheet"
BENCH_SITE_ID = "smartcity-bench-sheet"
HEADING = "## Spreadsheet import"
CHANGED_ROWS = 10
DISTRICTS = ("Innenstadt", "Lohberg", "Hiesfeld", "Eppinghoven", "Bruch", "Averbruch",
             "Hagenbeck", "Oberlohberg", "Barmingholten", "Blumenviertel", "Feldmark",
             "Bärenkamp")
DOWNLOAD_BASE = "https://opendata.dinslaken.de/dateien"
LOAD_BEFORE = [0.0, 0.0, 0.0]  # os.getloadavg() when the run starts


# ------------------------------------------------------------- database

def create_database(name: str, ckan_ini: str) -> str:
    return bench_report.create_database(name, ckan_ini, BENCH_SITE_ID)


# ------------------------------------------------------------- the town

def specs(count: int, templates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``count`` datasets in neutral form (vocabulary codes), varied from the
    demo town's datasets by district and year; URL names are unique."""
    result = []
    for number in range(count):
        base = templates[number % len(templates)]
        round_, rest = divmod(number // len(templates), len(DISTRICTS))
        district, year = DISTRICTS[rest], 2024 - round_
        slug = district.lower().replace("ä", "ae")
        name = f"{base['name'][:60]}-{slug}-{year}"
        resources = [{
            "url": f"{DOWNLOAD_BASE}/{name}/{res.get('file') or f'daten-{index}.csv'}",
            "name": res.get("name") or base["title"],
            "format": res.get("format") or "CSV",
            "description": res.get("description") or "",
            "license_attribution_by_text": (res.get("license_attribution_by_text") or "")
            .replace("(2025)", f"({year})"),
        } for index, res in enumerate((base.get("resources") or [])[:2])]
        result.append({
            "name": name,
            "title": f"{base['title']} – {district} {year}",
            "notes": f"{base['notes']}\n\nStadtteil {district}, Berichtsjahr {year}.",
            "license_id": base.get("license_id") or "dl-by-de/2.0",
            "tags": sorted({*base.get("tags", []), district}),
            "smartcity_category": list(base.get("smartcity_category") or []),
            "theme": [t for t in str(base.get("theme") or "").split(",") if t],
            "frequency": base.get("frequency") or "ANNUAL",
            "language": ["DEU"],
            "contact": {"name": f"Open-Data-Team {district}",
                        "email": f"opendata+{slug}@example.org"},
            "modified": f"{year}-11-01",
            "start": f"{year}-01-01",
            "resources": resources or [{"url": f"{DOWNLOAD_BASE}/{name}/daten.csv",
                                        "name": base["title"], "format": "CSV",
                                        "description": "", "license_attribution_by_text": ""}],
        })
    return result


def steward_workbook(datasets: list[dict[str, Any]]) -> bytes:
    """The empty template filled in as a steward types it: labels, "; " lists."""
    from openpyxl import load_workbook

    from ckanext.smartcity.sheet import columns as cols
    from ckanext.smartcity.sheet import export

    template = io.BytesIO()
    export.write_sheet([], template)
    book = load_workbook(io.BytesIO(template.getvalue()))
    by_key = {c.key: c for c in cols.dataset_columns()}
    by_key["format"] = next(c for c in cols.distribution_columns() if c.key == "format")

    def label(key: str, codes: list[str] | str) -> str:
        """The label the help sheet lists for these codes."""
        column = by_key[key]
        return cols.render(column, cols.parse(column, "; ".join(values(codes))), "de")

    dataset_sheet, distribution_sheet = book.worksheets[0], book.worksheets[1]
    ds_cols = {c.value: c.column for c in dataset_sheet[1]}
    dist_cols = {c.value: c.column for c in distribution_sheet[1]}
    for row, spec in enumerate(datasets, start=2):
        cells = {
            "Titel": spec["title"], "URL": spec["name"], "Beschreibung": spec["notes"],
            "Lizenz": label("license_id", spec["license_id"]),
            "Schlagworte": "; ".join(spec["tags"]),
            "Smart-City-Kategorie": label("smartcity_category", spec["smartcity_category"]),
            "Weitere EU-Datenthemen": label("theme", spec["theme"]),
            "Aktualisierungsintervall": label("frequency", spec["frequency"]),
            "Sprache": label("language", spec["language"]),
            "Ansprechpartner: Name": spec["contact"]["name"],
            "Ansprechpartner: E-Mail": spec["contact"]["email"],
            "Letzte Änderung": spec["modified"], "Zeitlicher Bezug: Beginn": spec["start"],
        }
        for header, text in cells.items():
            dataset_sheet.cell(row, ds_cols[header], text)
    row = 2
    for spec in datasets:
        for res in spec["resources"]:
            cells = {"Datensatz (URL)": spec["name"], "Zugangs-URL": res["url"],
                     "Titel": res["name"], "Format": label("format", res["format"]),
                     "Beschreibung": res["description"],
                     "Namensnennungstext": res["license_attribution_by_text"]}
            for header, text in cells.items():
                distribution_sheet.cell(row, dist_cols[header], text)
            row += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def values(codes: list[str] | str) -> list[str]:
    return [codes] if isinstance(codes, str) else list(codes)


def package_dict(spec: dict[str, Any], org_id: str) -> dict[str, Any]:
    """What a script author passes to package_create without the sheet."""
    return {
        "name": spec["name"], "title": spec["title"], "notes": spec["notes"],
        "owner_org": org_id, "license_id": spec["license_id"],
        "tag_string": ",".join(spec["tags"]),
        "smartcity_category": spec["smartcity_category"], "theme": spec["theme"],
        "frequency": spec["frequency"], "language": spec["language"],
        "contact": [spec["contact"]], "modified": spec["modified"],
        "temporal_coverage": [{"start": spec["start"]}],
        "resources": [dict(res) for res in spec["resources"]],
    }


def changed_cells(data: bytes, rows: int) -> bytes:
    """The exported workbook with the description of ``rows`` datasets edited."""
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    column = next(c.column for c in sheet[1] if c.value == "Beschreibung")
    for row in range(2, 2 + rows):
        cell = sheet.cell(row, column)
        cell.value = f"{cell.value} Ergänzt durch die Datenverantwortliche."
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------- measuring

def peak_mib() -> float:
    """The process's peak resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(steps: list[dict[str, Any]], step: str, call: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = call()
    steps.append({"step": step, "seconds": time.perf_counter() - started,
                  "rss": peak_mib()})
    return result


class BenchFailure(AssertionError):
    """A result the sheet must never give (the run exits 1)."""


def expect(report: Any, what: str, **counts: int) -> dict[str, int]:
    found = report.counts
    wanted = {status: counts.get(status, 0) for status in found}
    if found != wanted:
        refused = [f"row {r.row} ({r.sheet}): {r.errors}" for r in report.rows if r.errors][:5]
        raise BenchFailure(f"{what}: expected {wanted}, got {found}; {refused}")
    return found


def run_size(size: int, context: dict[str, Any], templates: list[dict[str, Any]]
             ) -> dict[str, Any]:
    """All steps at one size, in an organisation of its own; its datasets are
    purged at the end."""
    import ckan.plugins.toolkit as tk

    from ckanext.smartcity.sheet import export, importer

    def action(action_name: str, **data: Any) -> Any:
        return tk.get_action(action_name)(dict(context), data)

    org = action("organization_create", name=f"bench-sheet-{size}",
                 title=f"Stadt Dinslaken (Tabellen-Benchmark, {size})")
    datasets = specs(size, templates)
    distributions = sum(len(spec["resources"]) for spec in datasets)
    rows = size + distributions
    workbook = steward_workbook(datasets)
    steps: list[dict[str, Any]] = []
    sheet = timed(steps, "read_sheet (the steward's workbook)",
                  lambda: importer.read_sheet(io.BytesIO(workbook), "onboarding.xlsx"))
    expect(timed(steps, "plan, dry run (all would create)",
                 lambda: importer.plan(context, sheet, org["name"])),
           "dry run", create=rows)
    expect(timed(steps, "apply (creates)",
                 lambda: importer.apply(context, sheet, org["name"])),
           "apply", create=rows)

    def export_all() -> bytes:
        out = io.BytesIO()
        export.write_sheet(export.organisation_datasets(context, org["name"]), out)
        return out.getvalue()

    exported = timed(steps, "export (organisation_datasets + write_sheet)", export_all)
    round_trip = expect(timed(steps, "round trip: read the export + plan", lambda: importer.plan(
        context, importer.read_sheet(io.BytesIO(exported), "export.xlsx"), org["name"])),
        "round trip", unchanged=rows)
    edited = changed_cells(exported, min(CHANGED_ROWS, size))
    changed = expect(timed(steps, f"read + plan, one changed cell in {min(CHANGED_ROWS, size)}"
                           " rows", lambda: importer.plan(
                               context, importer.read_sheet(io.BytesIO(edited), "edit.xlsx"),
                               org["name"])),
                     "changed cells", update=min(CHANGED_ROWS, size),
                     unchanged=rows - min(CHANGED_ROWS, size))
    by_sheet = essence(action("package_show", id=datasets[0]["name"]))
    purge(action, datasets)
    timed(steps, "peer: package_create one by one", lambda: [
        action("package_create", **package_dict(spec, org["id"])) for spec in datasets])
    by_peer = essence(action("package_show", id=datasets[0]["name"]))
    if by_sheet != by_peer:
        raise BenchFailure(f"the sheet and the peer stored different datasets: "
                           f"{by_sheet} != {by_peer}")
    purge(action, datasets)
    action("organization_purge", id=org["id"])
    return {"size": size, "distributions": distributions, "steps": steps,
            "round_trip": round_trip, "changed": changed, "bytes": len(workbook)}


def essence(dataset: dict[str, Any]) -> dict[str, Any]:
    """What the sheet and the peer must both have stored."""
    keys = ("title", "notes", "license_id", "smartcity_category", "theme", "frequency",
            "language", "contact", "modified", "temporal_coverage")
    return {**{key: dataset.get(key) for key in keys},
            "tags": sorted(tag["name"] for tag in dataset.get("tags") or []),
            "resources": [{key: res.get(key) for key in ("url", "name", "format",
                                                         "description")}
                          for res in dataset.get("resources") or []]}


def purge(action: Callable[..., Any], datasets: list[dict[str, Any]]) -> None:
    for spec in datasets:
        action("dataset_purge", id=spec["name"])


def warm_up(context: dict[str, Any], templates: list[dict[str, Any]]) -> None:
    """One dataset through the sheet and package_create, so the first size
    does not pay for loading vocabularies, schemas and templates."""
    run_size(1, context, templates)


def run(ini: str, sizes: list[int]) -> tuple[list[dict[str, Any]], float]:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from bench_relevance import forget_rdf_cache, rdf_cache_keys
    app = make_app(load_config(ini))
    with app._wsgi_app.test_request_context(environ_overrides={"CKAN_LANG": "de"}):
        import ckan.plugins.toolkit as tk
        from ckan import model
        from ckan.lib import jobs

        from ckanext.smartcity.demo import town
        context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
        templates = town.demo_data()["datasets"]
        cached = rdf_cache_keys()
        baseline = peak_mib()
        try:
            warm_up(context, templates)
            results = [run_size(size, context, templates) for size in sizes]
        finally:
            jobs.get_queue().empty()  # the URL checks the creates queued
            forget_rdf_cache(rdf_cache_keys() - cached)
            model.Session.remove()
            model.meta.engine.dispose()
    return results, baseline


# ------------------------------------------------------------- reporting

def report(sizes: list[dict[str, Any]], baseline: float) -> list[str]:
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "scripts/bench_sheet.py",
                                                *sys.argv[1:]])
    shared = ("; other processes shared the CPU, so the figures are on the slow side"
              if LOAD_BEFORE[0] >= (os.cpu_count() or 1) else "")
    lines = [
        HEADING, "",
        f"- Date: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Command: `{command}`",
        f"- Machine: {bench_report.machine()}; load average before the run "
        f"{LOAD_BEFORE[0]:.1f} (1 min){shared}",
        "- What: N German datasets (1-2 distributions each) typed into the empty template "
        "as a steward fills it (labels, not IRIs), imported for one organisation as the site "
        "user in a database of the benchmark's own; `apply` plans the rows again (cells "
        "parsed, each URL looked up, permissions checked) and writes each dataset through "
        "package_create. The peer creates the same N datasets by calling "
        "package_create one by one with vocabulary codes (no sheet).",
        f"- Peak RSS is the process's high-water mark after the step "
        f"({baseline:.0f} MiB after loading CKAN).", "",
        "| N | step | wall s | ms per dataset | datasets/s | peak RSS MiB |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for result in sizes:
        size = result["size"]
        for step in result["steps"]:
            lines.append(f"| {size} | {step['step']} | {step['seconds']:.2f} | "
                         f"{step['seconds'] / size * 1000:.1f} | "
                         f"{size / step['seconds']:.1f} | {step['rss']:.0f} |")
    lines.append("")
    for result in sizes:
        size, steps = result["size"], {s["step"]: s["seconds"] for s in result["steps"]}
        apply_s = steps["apply (creates)"]
        peer = steps["peer: package_create one by one"]
        lines += [
            f"- N = {size} ({result['distributions']} distributions, workbook "
            f"{result['bytes'] / 1024:.0f} KiB): apply / package_create one by one = "
            f"{apply_s / peer:.2f} (the sheet's overhead: parsing the cells, looking up each "
            f"URL, checking permissions); whole onboarding (read + plan + apply) "
            f"{sum(steps[k] for k in list(steps)[:3]):.1f} s.",
            f"- Round trip at N = {size} (export, then plan): {result['round_trip']['unchanged']}"
            f" rows unchanged ({size} datasets, {result['distributions']} distributions), "
            f"0 would create, 0 would update, 0 refused.",
            f"- One changed cell in {result['changed']['update']} rows at N = {size}: "
            f"{result['changed']['update']} would update, {result['changed']['unchanged']} "
            f"unchanged.",
        ]
    return lines + [""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ckan-ini", default="test.ini")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--sizes", default="100,500")
    parser.add_argument("--database", default=BENCH_DB,
                        help="PostgreSQL database created (dropped first) for the benchmark "
                             "and dropped at the end")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    LOAD_BEFORE[:] = os.getloadavg()
    ini = create_database(args.database, args.ckan_ini)
    measured = bench_report.in_own_database("bench_sheet", args.database, ini,
                                            lambda ini: run(ini, sizes), BenchFailure)
    if measured is None:
        return 1
    results, baseline = measured
    bench_report.publish_section(args.out, HEADING, report(results, baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
