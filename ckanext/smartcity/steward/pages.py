"""The to-do list page (placeholder until it lands)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

blueprint = Blueprint("smartcity_steward", __name__)


def todo(id: str):
    return tk.abort(404)


blueprint.add_url_rule("/organization/<id>/aufgaben", view_func=todo)


def get_blueprints():
    return [blueprint]
