"""The to-do list page of an organisation, ``/organization/<id>/aufgaben``
(HTML, a tab of the organisation page) and ``/organization/<id>/aufgaben.json``
(the same items, for scripts): for the organisation's editors and admins
and sysadmins (docs/steward-todo.md)."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

import ckan.plugins.toolkit as tk

from ckanext.smartcity.steward import todo as todo_list

blueprint = Blueprint("smartcity_steward", __name__)


def _organisation(id: str) -> dict[str, Any]:
    """The organisation (404 for an unknown one or a group)."""
    try:
        org = tk.get_action("organization_show")(
            {"user": tk.current_user.name if tk.current_user.is_authenticated else ""},
            {"id": id, "include_datasets": False, "include_users": False,
             "include_extras": True})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Organisation not found"))
    if not org.get("is_organization"):
        return tk.abort(404, tk._("Organisation not found"))
    return org


def _items(id: str) -> tuple[dict[str, Any], dict[str, Any]] | Any:
    """(organisation, to-do list), or the answer for a visitor who may not
    see it: anonymous to the login, others 403."""
    org = _organisation(id)
    if not tk.current_user.is_authenticated:
        return tk.redirect_to("user.login", came_from=request.full_path)
    context = {"user": tk.current_user.name}
    try:
        tk.check_access("smartcity_steward_todo", dict(context), {"id": org["id"]})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of the organisation may see its to-do list"))
    lang = "en" if tk.h.lang() == "en" else "de"
    return org, todo_list.collect(org["id"], context, lang)


def todo(id: str):
    found = _items(id)
    if not isinstance(found, tuple):
        return found
    org, items = found
    return tk.render("smartcity/steward/todo.html", {
        "group_dict": org, "group_type": "organization", "todo": items,
        "sections": todo_list.SECTIONS, "cap": todo_list.CAP})


def todo_json(id: str):
    found = _items(id)
    if not isinstance(found, tuple):
        return found
    org, items = found
    return Response(json.dumps({"organization": org["name"], **items}, ensure_ascii=False,
                               indent=1), mimetype="application/json")


blueprint.add_url_rule("/organization/<id>/aufgaben", view_func=todo)
blueprint.add_url_rule("/organization/<id>/aufgaben.json", view_func=todo_json)


def get_blueprints():
    return [blueprint]
