"""Actions: region search for the form, and the guards around dataset writes."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.smartcity import defaults, vocab

MAX_REGION_RESULTS = 50


def _control_character_errors(data_dict: dict) -> dict[str, list[str]]:
    """Per top-level field, an error when any text in it holds a control
    character (NUL would otherwise make PostgreSQL fail with a 500)."""
    errors: dict[str, list[str]] = {}

    def bad(value: Any) -> bool:
        if isinstance(value, str):
            return any(ord(ch) < 32 and ch not in "\t\r\n" for ch in value)
        if isinstance(value, dict):
            return any(bad(k) or bad(v) for k, v in value.items())
        if isinstance(value, list):
            return any(bad(v) for v in value)
        return False

    for key, value in data_dict.items():
        if bad(value) or bad(key):
            errors[str(key).replace("\x00", "")] = [
                tk._("The text contains control characters that are not allowed.")]
    return errors


def _guard(data_dict: dict) -> None:
    errors = _control_character_errors(data_dict)
    if errors:
        raise tk.ValidationError(errors)


@tk.chained_action
def package_create(original_action, context, data_dict):
    """Refuse control characters; fill empty fields from the organisation."""
    _guard(data_dict)
    defaults.apply_organization_defaults(context, data_dict)
    return original_action(context, data_dict)


@tk.chained_action
def package_update(original_action, context, data_dict):
    _guard(data_dict)
    return original_action(context, data_dict)


@tk.chained_action
def package_patch(original_action, context, data_dict):
    _guard(data_dict)
    return original_action(context, data_dict)


@tk.chained_action
def resource_create(original_action, context, data_dict):
    _guard(data_dict)
    return original_action(context, data_dict)


@tk.chained_action
def resource_update(original_action, context, data_dict):
    _guard(data_dict)
    return original_action(context, data_dict)


@tk.side_effect_free
def smartcity_region_autocomplete(context, data_dict):
    """German states, districts and municipalities whose name starts with
    (or whose key starts with) ``q``; at most ``limit`` (default 20, max 50).

    Returns [{"uri", "key", "label", "context"}], states first, then districts,
    then municipalities, each alphabetically.
    """
    tk.check_access("smartcity_region_autocomplete", context, data_dict)
    query = str(data_dict.get("q") or data_dict.get("incomplete") or "").strip().lower()
    try:
        limit = int(data_dict.get("limit") or
                    tk.config.get("ckanext.smartcity.region_autocomplete_limit"))
        limit = min(max(limit, 1), MAX_REGION_RESULTS)
    except (TypeError, ValueError):
        raise tk.ValidationError({"limit": [tk._("Enter a whole number.")]})
    if not query:
        return []
    lang = tk.h.lang() if tk.request else "de"
    order = {"state": 0, "administrativeDistrict": 1, "municipality": 2}
    found = []
    for concept in vocab.concepts("german-region"):
        name = concept["labels"].get(lang) or concept["labels"]["de"]
        lowered = name.lower()
        if (lowered.startswith(query) or concept["code"].startswith(query)
                or any(part.startswith(query) for part in lowered.replace("-", " ").split())):
            rank = 0 if lowered.startswith(query) or concept["code"].startswith(query) else 1
            found.append((rank, order[concept["level"].rsplit("/", 1)[1]], lowered, concept, name))
    found.sort(key=lambda item: item[:3])
    return [{"uri": c["uri"], "key": c["code"], "label": name,
             "context": c["context"].get(lang) or c["context"]["de"]}
            for _rank, _order, _lower, c, name in found[:limit]]


def get_actions() -> dict[str, Any]:
    return {
        "package_create": package_create,
        "package_update": package_update,
        "package_patch": package_patch,
        "resource_create": resource_create,
        "resource_update": resource_update,
        "smartcity_region_autocomplete": smartcity_region_autocomplete,
    }
