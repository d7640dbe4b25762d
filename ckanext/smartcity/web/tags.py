"""CKAN's tag actions, answered from the permission-filtered search index
(docs/security.md F16).

Core ``tag_list``, ``tag_autocomplete``, ``tag_search`` and ``tag_show``
read the tag table, which holds the tags of every dataset: an anonymous
visitor saw a tag used only by another organisation's private dataset
("Fusion-Geheimprojekt"). These chained actions take the free tags from a
``package_search`` facet with the caller's context and
``include_private=True``, so the caller sees the tags of exactly the
datasets they may see (their organisations' private ones included), on the
PostgreSQL search backend and on Solr alike. Vocabulary tags (a
``vocabulary_id`` is given) are public definitions, not dataset data, and
stay with core. The result shapes are core's.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.dictization import model_dictize, table_dictize


def _search_context(context: dict) -> dict:
    """A fresh context for package_search with the caller's identity (an
    action may change the context it is given)."""
    keep = ("user", "auth_user_obj", "ignore_auth")
    return {key: context[key] for key in keep if key in context}


def visible_tags(context: dict, fq: str = "") -> list[str]:
    """Names of the free tags of the active datasets the caller may see."""
    result = tk.get_action("package_search")(_search_context(context), {
        "q": "*:*", "fq": fq, "rows": 0, "include_private": True,
        "facet": "true", "facet.field": ["tags"], "facet.limit": -1, "facet.mincount": 1})
    items = result.get("search_facets", {}).get("tags", {}).get("items", [])
    return sorted((item["name"] for item in items), key=lambda name: (name.lower(), name))


def _terms(data_dict: dict) -> list[str]:
    """The search terms as core reads them: ``query`` or ``q`` (a string or
    a list), plus the deprecated ``fields`` ``tag``/``tags``."""
    terms = data_dict.get("query") or data_dict.get("q") or []
    terms = [terms] if isinstance(terms, str) else list(terms)
    fields = data_dict.get("fields")
    if isinstance(fields, dict):
        terms += [value for key, value in fields.items() if key in ("tag", "tags")]
    return [term.strip() for term in terms if isinstance(term, str) and term.strip()]


def _matching(names: list[str], terms: list[str]) -> list[str]:
    """The names containing every term (case-insensitive, as core's ILIKE),
    those starting with the first term first."""
    lowered = [term.lower() for term in terms]
    found = [name for name in names if all(term in name.lower() for term in lowered)]
    return sorted(found, key=lambda name: not name.lower().startswith(lowered[0]))


def whole_number(data_dict: Any, name: str) -> int | None:
    """``limit`` or ``offset`` as core's SQL took it (a 500 for ``abc``):
    None when absent, else a whole number up to a million, or a
    ValidationError naming the parameter."""
    value = data_dict.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0 or number > 1_000_000:
        raise tk.ValidationError({name: [
            tk._("Enter a whole number from 0 to %(maximum)s.") % {"maximum": "1.000.000"}]})
    return number


def _page(names: list[str], data_dict: dict) -> list[str]:
    offset = whole_number(data_dict, "offset") or 0
    limit = whole_number(data_dict, "limit")
    return names[offset:] if limit is None else names[offset:offset + limit]


def _tag_objects(names: list[str]) -> list[model.Tag]:
    if not names:
        return []
    tags = {tag.name: tag for tag in model.Session.query(model.Tag).filter(
        model.Tag.name.in_(names), model.Tag.vocabulary_id.is_(None))}
    return [tags[name] for name in names if name in tags]


@tk.chained_action
@tk.side_effect_free
def tag_list(original_action, context, data_dict):
    """Core ``tag_list``: names (or, with ``all_fields``, tag dicts) of the
    free tags the caller may see; ``query``/``q`` narrows them."""
    if data_dict.get("vocabulary_id"):
        return original_action(context, data_dict)
    tk.check_access("tag_list", context, data_dict)
    names = visible_tags(context)
    if terms := _terms(data_dict):
        names = sorted(_matching(names, terms), key=lambda name: (name.lower(), name))
    if tk.asbool(data_dict.get("all_fields")):
        return model_dictize.tag_list_dictize(_tag_objects(names), context)
    return names


@tk.chained_action
@tk.side_effect_free
def tag_autocomplete(original_action, context, data_dict):
    """Core ``tag_autocomplete``: names of the visible free tags containing
    ``q``, at most ``limit`` (from ``offset``)."""
    if data_dict.get("vocabulary_id"):
        return original_action(context, data_dict)
    tk.check_access("tag_autocomplete", context, data_dict)
    terms = _terms(data_dict)
    if not terms:
        return []
    return _page(_matching(visible_tags(context), terms), data_dict)


@tk.chained_action
@tk.side_effect_free
def tag_search(original_action, context, data_dict):
    """Core ``tag_search``: ``{"count", "results"}`` of the visible free tags
    containing the ``query`` terms."""
    if data_dict.get("vocabulary_id"):
        return original_action(context, data_dict)
    tk.check_access("tag_search", context, data_dict)
    terms = _terms(data_dict)
    names = _matching(visible_tags(context), terms) if terms else []
    names.sort(key=lambda name: (name.lower(), name))
    return {"count": len(names),
            "results": [table_dictize(tag, context)
                        for tag in _tag_objects(_page(names, data_dict))]}


@tk.chained_action
@tk.side_effect_free
def tag_show(original_action, context, data_dict):
    """Core ``tag_show``; a free tag no dataset the caller may see carries
    is not found (its name would tell that a private dataset uses it)."""
    result = original_action(context, data_dict)
    if result.get("vocabulary_id"):
        return result
    name = result["name"].replace("\\", "\\\\").replace('"', '\\"')
    if result["name"] not in visible_tags(context, fq=f'+tags:"{name}"'):
        raise tk.ObjectNotFound(tk._("Tag not found"))
    return result


def get_actions() -> dict[str, Any]:
    return {"tag_list": tag_list, "tag_autocomplete": tag_autocomplete,
            "tag_search": tag_search, "tag_show": tag_show}
