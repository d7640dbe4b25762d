"""A large confirmed sheet is written by the background worker.

Writing costs about 170 ms per dataset (docs/benchmarks.md, "Spreadsheet
import"): 500 rows take well over a minute, longer than a web request may
run. A confirmation with more than ``INLINE_WRITES`` rows to write is
therefore queued (CKAN's RQ jobs, ``ckan jobs worker``); the page then shows
"läuft" and, once done, the same report as an inline import. When the queue
cannot be reached the import runs in the request as before."""
from __future__ import annotations

import io
import logging
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.smartcity.sheet import importer, uploads

log = logging.getLogger(__name__)

INLINE_WRITES = 25


def report_dict(report: importer.Report) -> dict[str, Any]:
    """The report as plain data (stored as JSON; the result page renders
    it with the same template as a live report)."""
    return {"counts": dict(report.counts), "warnings": list(report.warnings),
            "rows": [{"sheet": row.sheet, "row": row.row, "name": row.name,
                      "title": row.title, "status": row.status,
                      "changes": [list(change) for change in row.changes],
                      "errors": [list(error) for error in row.errors]}
                     for row in report.rows]}


def queue(data: bytes, filename: str, user: Any, org: dict[str, Any], lang: str) -> str | None:
    """Queue the import of a checked upload; its result token, or None when
    the queue is down (the caller imports inline)."""
    token = uploads.keep(data, filename, user.id, org["id"])
    try:
        tk.enqueue_job(run, [token, user.name, user.id, org["id"], org["name"], lang],
                       title=f"Tabellen-Import {org['name']}", rq_kwargs={"timeout": 3600})
    except Exception as exc:  # Redis down: never lose the steward's confirmation
        log.warning("sheet import not queued (%s); importing inline", type(exc).__name__)
        uploads.take(token, user.id, org["id"])
        return None
    uploads.put_result(token, user.id, org["id"], {"state": "running"})
    return token


def run(token: str, user_name: str, user_id: str, org_id: str, org_name: str,
        lang: str) -> None:
    """The job: read the kept upload, write it as the user, store the report."""
    from ckan.config.middleware import make_app  # the worker has no Flask app

    kept = uploads.take(token, user_id, org_id)
    if kept is None:
        uploads.put_result(token, user_id, org_id, {"state": "failed"})
        return
    data, filename = kept
    app = make_app(tk.config)._wsgi_app
    with importer.language(app, lang):
        try:
            sheet = importer.read_sheet(io.BytesIO(data), filename)
            report = importer.apply({"user": user_name}, sheet, org_name, lang=lang)
        except Exception:
            log.exception("sheet import %s failed", token)
            uploads.put_result(token, user_id, org_id, {"state": "failed"})
            raise
    uploads.put_result(token, user_id, org_id, {"state": "done", **report_dict(report)})
