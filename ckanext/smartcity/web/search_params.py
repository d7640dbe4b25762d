"""Search parameters CKAN 2.12's own checks let through as server errors
(found by tests/test_fuzz.py; docs/security.md F19): ``package_search``
with an empty ``rows``/``start``, a list or object for a number, or an
``include_private`` that is not a truth value; the dataset search page with
an empty key in ``sort`` (``?sort=,``). Each is a 409 (API) or 400 (page)
naming the parameter. Works with any search backend: nothing here talks to
the index. Also marks the dataset search pages, where the PostgreSQL
backend may retry an empty search relaxed."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, request

import ckan.plugins.toolkit as tk

from ckanext.smartcity.search import connection as search_connection

NUMBERS = ("rows", "start", "facet.limit", "facet.mincount")
FLAGS = ("include_private", "include_drafts", "include_deleted")
TRUTH = {"true", "false", "1", "0", "yes", "no", "on", "off", "t", "f", "y", "n", ""}


def _number_problem(value: Any) -> str | None:
    if isinstance(value, (bool, list, dict)):
        return tk._("Enter a whole number.")
    if isinstance(value, str) and not value.strip():
        return tk._("Enter a whole number.")
    return None


def _flag_problem(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and value in (0, 1):
        return None
    if isinstance(value, str) and value.strip().lower() in TRUTH:
        return None
    return tk._("Enter true or false.")


def problems(data_dict: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors of the parameters CKAN would answer with a 500."""
    errors = {}
    for name in NUMBERS:
        if name in data_dict and (problem := _number_problem(data_dict[name])):
            errors[name] = [problem]
    for name in FLAGS:
        if name in data_dict and (problem := _flag_problem(data_dict[name])):
            errors[name] = [problem]
    return errors


@tk.chained_action
@tk.side_effect_free
def package_search(original_action, context, data_dict):
    """package_search, refusing parameters CKAN's schema would crash on."""
    if errors := problems(data_dict):
        raise tk.ValidationError(errors)
    return original_action(context, data_dict)


blueprint = Blueprint("smartcity_search_params", __name__)


@blueprint.before_app_request
def refuse_empty_sort_keys():
    """CKAN's search pages (datasets of every type, organisations, groups)
    split ``sort`` on commas and take each part's first word: an empty part
    was an IndexError (500)."""
    endpoint = request.endpoint or ""
    if not endpoint.endswith((".search", ".read")):  # every dataset and group type
        return None
    sort = request.args.get("sort")
    if sort and any(not part.split() for part in sort.split(",")):
        return tk.abort(400, tk._("sort: every sort key needs a field name."))
    return None


@blueprint.before_app_request
def allow_relaxed_search():
    """On a dataset search page a free-text search that finds nothing is
    retried relaxed (PostgreSQL backend; docs/search.md, "Relaxed second
    search"); API calls keep the strict answer."""
    search_connection.RELAXED_ANSWER.set(False)
    if (request.endpoint or "").endswith(".search"):
        search_connection.RELAXED_SEARCH.set(True)


@blueprint.teardown_app_request
def end_relaxed_search(_exc=None):
    # a worker thread serves the next request with clean flags
    search_connection.RELAXED_SEARCH.set(False)
    search_connection.RELAXED_ANSWER.set(False)


def smartcity_search_was_relaxed() -> bool:
    """Whether this page's search found nothing for all words and shows
    what matches part of them (the page says so)."""
    return search_connection.RELAXED_ANSWER.get()


def get_actions() -> dict[str, Any]:
    return {"package_search": package_search}


def get_blueprints() -> list[Blueprint]:
    return [blueprint]
