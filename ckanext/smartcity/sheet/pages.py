"""The sheet in the browser, for an organisation's editors
(docs/bulk-onboarding.md): download the organisation's sheet or an empty
template, upload a filled one, read the dry-run report, confirm.

``/organization/<id>/tabelle``                  the page (download, upload)
``/organization/<id>/tabelle.<xlsx|csv>``       the organisation's datasets
``/organization/<id>/tabelle/vorlage.xlsx``     the empty template
``/organization/<id>/tabelle/pruefen``  (POST)  upload -> dry-run report
``/organization/<id>/tabelle/uebernehmen`` (POST) confirm -> written
``/organization/<id>/tabelle/ergebnis/<token>`` a queued import (jobs.py)

Between the check and the confirmation the upload waits in the file store
under a random token bound to the user and the organisation
(``uploads.py``); confirming plans again against the datasets as they are
then, so nothing is written from a stale report."""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import Blueprint, Response, request

import ckan.plugins.toolkit as tk

from ckanext.smartcity.sheet import export, importer, jobs, uploads

blueprint = Blueprint("smartcity_sheet", __name__)
FORM_OVERHEAD = 64_000  # the multipart framing and the CSRF field around the file

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _context() -> dict[str, Any]:
    return {"user": tk.current_user.name}


def _organisation(id: str) -> dict[str, Any] | Response:
    """The organisation when the current user may use its sheet, else the
    answer to send (login, 403, 404)."""
    if not tk.current_user.is_authenticated:
        came_from = request.full_path if request.method == "GET" else \
            tk.h.url_for("smartcity_sheet.index", id=id)
        return tk.redirect_to("user.login", came_from=came_from)
    try:
        group_dict = tk.get_action("organization_show")(
            _context(), {"id": id, "include_datasets": False, "include_users": False,
                         "include_extras": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Organisation not found"))
    try:
        tk.check_access("smartcity_sheet_import", _context(), {"id": group_dict["id"]})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of the organisation may use its sheet"))
    return group_dict


def _lang() -> str:
    return "en" if tk.h.lang() == "en" else "de"


def _render(template: str, group_dict: dict[str, Any], **extra: Any) -> str:
    return tk.render(template, {"group_dict": group_dict, "group_type": "organization",
                                "am_following": False, **extra})


def index(id: str):
    group_dict = _organisation(id)
    if not isinstance(group_dict, dict):
        return group_dict
    return _render("smartcity/sheet/index.html", group_dict,
                   max_mb=_megabytes(),
                   recent=_recent(group_dict))


def _recent(group_dict: dict[str, Any]) -> list[dict[str, Any]]:
    found = uploads.recent(tk.current_user.id, group_dict["id"])
    for item in found:
        item["state"] = jobs.state(item)
        item["when"] = dt.datetime.fromtimestamp(item["time"], dt.timezone.utc)
    return found


def _attachment(data: bytes, fmt: str, filename: str) -> Response:
    return Response(data, content_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f"attachment; filename={filename}",
        "Cache-Control": "private, no-store"})


def download(id: str, fmt: str):
    group_dict = _organisation(id)
    if not isinstance(group_dict, dict):
        return group_dict
    datasets = export.organisation_datasets(_context(), group_dict["name"])
    out = io.BytesIO()
    export.write_sheet(datasets, out, fmt=fmt, lang=_lang())
    return _attachment(out.getvalue(), fmt, f"{group_dict['name']}-datensaetze.{fmt}")


def template(id: str):
    group_dict = _organisation(id)
    if not isinstance(group_dict, dict):
        return group_dict
    out = io.BytesIO()
    export.write_sheet([], out, fmt="xlsx", lang=_lang())
    return _attachment(out.getvalue(), "xlsx", "vorlage-datensaetze.xlsx")


def _refuse(group_dict: dict[str, Any], message: str, status: int = 400):
    return _render("smartcity/sheet/index.html", group_dict, upload_error=message,
                   max_mb=_megabytes(),
                   recent=_recent(group_dict)), status


def _megabytes() -> int:
    return importer.max_bytes() // (1024 * 1024)


@blueprint.before_app_request
def limit_upload():
    """Refuse an oversized upload before anything reads its body
    (docs/security.md F24). Registered before the CSRF checks (plugin.py
    lists this blueprint first), which parse the form and so would spool
    the whole body to disk; a body without a length is cut at the limit by
    Werkzeug (413)."""
    if request.endpoint != "smartcity_sheet.check":
        return None
    request.max_content_length = importer.max_bytes() + FORM_OVERHEAD
    if (request.content_length or 0) <= request.max_content_length:
        return None
    group_dict = _organisation((request.view_args or {}).get("id", ""))
    if not isinstance(group_dict, dict):
        return group_dict
    return _refuse(group_dict, tk._("The file is larger than %(mb)s MB.")
                   % {"mb": _megabytes()}, 413)


def check(id: str):
    group_dict = _organisation(id)
    if not isinstance(group_dict, dict):
        return group_dict
    limit = importer.max_bytes()
    upload = request.files.get("sheet")
    if upload is None or not upload.filename:
        return _refuse(group_dict, tk._("Please choose a spreadsheet file (XLSX or CSV)."))
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        return _refuse(group_dict, tk._("The file is larger than %(mb)s MB.")
                       % {"mb": _megabytes()}, 413)
    try:
        sheet = importer.read_sheet(io.BytesIO(data), upload.filename)
    except importer.SheetError as error:
        return _refuse(group_dict, str(error))
    if jobs.rows(sheet) > jobs.INLINE_ROWS:
        kept = uploads.keep(data, upload.filename, tk.current_user.id, group_dict["id"])
        queued = jobs.queue("check", kept, upload.filename, tk.current_user, group_dict,
                            _lang())
        if queued:
            return tk.redirect_to("smartcity_sheet.result", id=group_dict["name"],
                                  token=queued)
        uploads.take(kept, tk.current_user.id, group_dict["id"])
    report = importer.plan(_context(), sheet, group_dict["name"], lang=_lang())
    token = None
    if _writes(report):
        token = uploads.keep(data, upload.filename, tk.current_user.id, group_dict["id"],
                             writes=_writes(report))
    return _render("smartcity/sheet/report.html", group_dict, report=report, token=token,
                   filename=upload.filename, applied=False)


def confirm(id: str):
    group_dict = _organisation(id)
    if not isinstance(group_dict, dict):
        return group_dict
    token = request.form.get("token", "")
    kept = uploads.peek(token, tk.current_user.id, group_dict["id"])
    if kept is None:
        return _refuse(group_dict, tk._("This check has expired or was already applied. "
                                        "Please upload the file again."), 409)
    data, filename = kept
    writes = uploads.planned_writes(token, tk.current_user.id, group_dict["id"])
    try:
        sheet = importer.read_sheet(io.BytesIO(data), filename)
    except importer.SheetError as error:
        return _refuse(group_dict, str(error))
    # the check's token is used up here, once, whether the import then runs
    # here or on the worker (a second confirmation gets 409)
    if uploads.take(token, tk.current_user.id, group_dict["id"]) is None:
        return _refuse(group_dict, tk._("This check has expired or was already applied. "
                                        "Please upload the file again."), 409)
    if writes > jobs.INLINE_WRITES or jobs.rows(sheet) > jobs.INLINE_ROWS:
        kept = uploads.keep(data, filename, tk.current_user.id, group_dict["id"],
                            for_job=True)
        queued = jobs.queue("apply", kept, filename, tk.current_user, group_dict, _lang())
        if queued:
            return tk.redirect_to("smartcity_sheet.result", id=group_dict["name"],
                                  token=queued)
        uploads.take(kept, tk.current_user.id, group_dict["id"], for_job=True)
    report = importer.apply(_context(), sheet, group_dict["name"], lang=_lang())
    return _render("smartcity/sheet/report.html", group_dict, report=report, token=None,
                   filename=filename, applied=True)


def _writes(report: importer.Report) -> int:
    return report.counts.get("create", 0) + report.counts.get("update", 0)


def result(id: str, token: str):
    """A queued import: "running" (the page reloads itself), or its report."""
    group_dict = _organisation(id)
    if not isinstance(group_dict, dict):
        return group_dict
    stored = uploads.result(token, tk.current_user.id, group_dict["id"])
    if stored is None:
        return tk.abort(404, tk._("This import is unknown or has expired."))
    state = jobs.state(stored)
    if state != "done":
        return _render("smartcity/sheet/running.html", group_dict, failed=state == "failed",
                       kind=stored.get("kind"))
    return _render("smartcity/sheet/report.html", group_dict, report=stored,
                   token=stored.get("confirm"), filename=stored.get("filename") or "",
                   applied=stored.get("kind") == "apply")


blueprint.add_url_rule("/organization/<id>/tabelle", view_func=index)
blueprint.add_url_rule("/organization/<id>/tabelle.<any(xlsx, csv):fmt>", view_func=download)
blueprint.add_url_rule("/organization/<id>/tabelle/vorlage.xlsx", view_func=template)
blueprint.add_url_rule("/organization/<id>/tabelle/pruefen", view_func=check,
                       methods=["POST"])
blueprint.add_url_rule("/organization/<id>/tabelle/uebernehmen", view_func=confirm,
                       methods=["POST"])
blueprint.add_url_rule("/organization/<id>/tabelle/ergebnis/<token>", view_func=result)


def get_blueprints():
    return [blueprint]
