"""Large sheets are checked and written by the background worker.

Checking costs about 15 ms and writing about 170 ms per dataset
(docs/benchmarks.md, "Spreadsheet import"): a sheet of thousands of rows
takes minutes, longer than a web request may run (gunicorn's timeout). A
sheet with more than ``INLINE_ROWS`` rows (datasets and distributions) is
therefore checked, and a confirmation that writes more than
``INLINE_WRITES`` rows is written, as a job on CKAN's RQ queue (``ckan jobs
worker``); its page says "läuft" and reloads itself until the report is
there. When the queue cannot be reached the work runs in the
request as before."""
from __future__ import annotations

import io
import logging
import time
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib import jobs as ckan_jobs

from ckanext.smartcity.sheet import importer, uploads

log = logging.getLogger(__name__)

INLINE_ROWS = 1000  # a check: ~6 ms per row
INLINE_WRITES = 25  # an import: ~170 ms per dataset written
JOB_TIMEOUT = 3600  # seconds; RQ stops a job that runs longer


def rows(sheet: importer.Sheet) -> int:
    """Data rows of both sheets."""
    distributions = sheet.distributions.rows if sheet.distributions else []
    return len(sheet.datasets.rows) + len(distributions)


def report_dict(report: importer.Report) -> dict[str, Any]:
    """The report as plain data (stored as JSON; the result page renders
    it with the same template as a live report)."""
    return {"counts": dict(report.counts), "warnings": list(report.warnings),
            "rows": [{"sheet": row.sheet, "row": row.row, "name": row.name,
                      "title": row.title, "status": row.status,
                      "changes": [list(change) for change in row.changes],
                      "errors": [list(error) for error in row.errors],
                      "warnings": list(getattr(row, "warnings", []) or [])}
                     for row in report.rows]}


def queue(kind: str, upload: str, filename: str, user: Any, org: dict[str, Any],
          lang: str) -> str | None:
    """Queue a check (``kind`` "check": the upload stays for its
    confirmation) or an import ("apply": the upload is used up) of the upload
    kept under ``upload``; the result's token, or None when the queue is
    down (the caller works inline)."""
    token = uploads.new_token()
    job_id = f"smartcity-sheet-{token}"
    # written before the job can run, so the job's own result is never overwritten
    uploads.put_result(token, user.id, org["id"], {
        "state": "running", "kind": kind, "filename": filename, "queued": time.time(),
        "job": job_id})
    try:
        tk.enqueue_job(run, [kind, token, upload, user.name, user.id, org["id"],
                             org["name"], lang],
                       title=f"Tabelle {kind} {org['name']}",
                       rq_kwargs={"timeout": JOB_TIMEOUT, "job_id": job_id})
    except Exception as exc:  # Redis down: never lose the steward's upload
        log.warning("sheet %s not queued (%s); working inline", kind, type(exc).__name__)
        uploads.drop_result(token)
        return None
    return token


def run(kind: str, token: str, upload: str, user_name: str, user_id: str, org_id: str,
        org_name: str, lang: str) -> None:
    """The job: read the kept upload, check or write it as the user, store
    the report (or "failed")."""
    from ckan.config.middleware import make_app  # the worker has no Flask app

    kept = uploads.peek(upload, user_id, org_id) if kind == "check" else \
        uploads.take(upload, user_id, org_id, for_job=True)
    base = {"kind": kind, "filename": kept[1] if kept else ""}
    if kept is None:
        uploads.put_result(token, user_id, org_id, {**base, "state": "failed"})
        return
    try:
        with importer.language(make_app(tk.config)._wsgi_app, lang):
            sheet = importer.read_sheet(io.BytesIO(kept[0]), kept[1])
            action = importer.plan if kind == "check" else importer.apply
            report = action({"user": user_name}, sheet, org_name, lang=lang)
    except Exception:
        log.exception("sheet %s %s failed", kind, token)
        uploads.put_result(token, user_id, org_id, {**base, "state": "failed"})
        raise
    done = {**base, "state": "done", **report_dict(report)}
    writes = report.counts.get("create", 0) + report.counts.get("update", 0)
    if kind == "check":
        done["confirm"] = upload if writes else None
        uploads.set_writes(upload, user_id, org_id, writes)
    uploads.put_result(token, user_id, org_id, done)


def state(stored: dict[str, Any]) -> str:
    """"done", "failed" or "running"; a job the worker lost (killed, timed
    out, expired from the queue) counts as failed, so the page stops
    waiting."""
    if stored.get("state") in ("done", "failed"):
        return stored["state"]
    if time.time() - float(stored.get("queued") or 0) > JOB_TIMEOUT + 300:
        return "failed"
    job_id = stored.get("job")
    if job_id:
        try:
            status = ckan_jobs.job_from_id(job_id).get_status()
        except KeyError:
            return "failed"  # gone from Redis without a result
        except Exception:  # Redis down: keep waiting
            return "running"
        if str(getattr(status, "value", status)) in ("failed", "stopped", "canceled"):
            return "failed"
    return "running"
