"""The quality dashboard for sysadmins and organisation admins:
``/qualitaet`` (HTML), ``/qualitaet.csv`` and ``/qualitaet.json`` (the same
rows), optionally ``?org=<name>``."""
from __future__ import annotations

import io
import json

from flask import Blueprint, Response, request

import ckan.plugins.toolkit as tk

from ckanext.smartcity.quality import report as report_csv

blueprint = Blueprint("smartcity_quality", __name__)


def _report():
    if not tk.current_user.is_authenticated:
        return None
    try:
        return tk.get_action("smartcity_quality_list")(
            {"user": tk.current_user.name}, {"org": request.args.get("org") or None})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Organisation not found"))


def _login_or_403():
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=request.full_path)
    return tk.abort(403)


def dashboard():
    report = _report()
    if report is None:
        return _login_or_403()
    return tk.render("smartcity/quality/dashboard.html",
                     {"report": report, "org": request.args.get("org") or ""})


def export(fmt: str):
    report = _report()
    if report is None:
        return _login_or_403()
    if fmt == "json":
        return Response(json.dumps(report, ensure_ascii=False, indent=1),
                        mimetype="application/json")
    out = io.StringIO()
    report_csv.write(report, out)
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=metadatenqualitaet.csv"})


blueprint.add_url_rule("/qualitaet", view_func=dashboard)
blueprint.add_url_rule("/qualitaet.<any(csv, json):fmt>", view_func=export)


def get_blueprints():
    return [blueprint]
