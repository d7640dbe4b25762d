"""The sheet in the browser (placeholder until the flow lands)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

blueprint = Blueprint("smartcity_sheet", __name__)


def index(id: str):
    return tk.abort(404)


blueprint.add_url_rule("/organization/<id>/tabelle", view_func=index)


def get_blueprints():
    return [blueprint]
