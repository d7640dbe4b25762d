"""The region search of the dataset form: German states, districts and
municipalities from the official key lists (vocabulary ``german-region``),
as an action (``smartcity_region_autocomplete``) and the JSON view the
form's autocomplete calls."""
from __future__ import annotations

import bisect
import functools
from typing import Any

from flask import Blueprint, jsonify, request

import ckan.plugins.toolkit as tk

from ckanext.smartcity.schema import vocab

MAX_REGION_RESULTS = 50
MIN_REGION_QUERY = 2
MAX_REGION_QUERY = 100


@functools.lru_cache(maxsize=4)
def _region_index(lang: str) -> tuple[list[tuple], list[tuple[str, int]]]:
    """Built once per language: the regions in display order (states,
    districts, municipalities; then by name) as (order, lowered name, words,
    name, concept), and every word and key sorted with the region's position,
    so a prefix is found by bisection instead of scanning 11,000 names."""
    order = {"state": 0, "administrativeDistrict": 1, "municipality": 2}
    entries = []
    for concept in vocab.concepts("german-region"):
        name = concept["labels"].get(lang) or concept["labels"]["de"]
        lowered = name.lower()
        words = tuple(lowered.replace("-", " ").replace(",", " ").split())
        entries.append((order[concept["level"].rsplit("/", 1)[1]], lowered, words, name, concept))
    entries.sort(key=lambda item: item[:2])
    tokens = sorted({(word, position) for position, entry in enumerate(entries)
                     for word in (*entry[2], entry[4]["code"])})
    return entries, tokens


@tk.side_effect_free
def smartcity_region_autocomplete(context, data_dict):
    """German states, districts and municipalities whose name (or one of its
    words) or key starts with ``q`` (2 to 100 characters); at most ``limit``
    (default from config, max 50).

    Returns [{"uri", "key", "label", "context"}]: names starting with ``q``
    first, then word matches; states before districts before municipalities,
    each alphabetically.
    """
    tk.check_access("smartcity_region_autocomplete", context, data_dict)
    query = str(data_dict.get("q") or "").strip().lower()
    try:
        limit = int(data_dict.get("limit") or
                    tk.config.get("ckanext.smartcity.region_autocomplete_limit"))
    except (TypeError, ValueError) as err:
        raise tk.ValidationError({"limit": [tk._("Enter a whole number.")]}) from err
    limit = min(max(limit, 1), MAX_REGION_RESULTS)
    if len(query) > MAX_REGION_QUERY:
        raise tk.ValidationError({"q": [tk._("At most %(count)s characters are allowed.")
                                        % {"count": MAX_REGION_QUERY}]})
    if len(query) < MIN_REGION_QUERY:
        return []
    lang = tk.h.lang() if tk.request else "de"
    entries, tokens = _region_index(lang)
    terms = query.replace("-", " ").replace(",", " ").split()
    # candidates: regions with a word (or key) starting with the first term
    candidates = set()
    for word, position in tokens[bisect.bisect_left(tokens, (terms[0], -1)):]:
        if not word.startswith(terms[0]):
            break
        candidates.add(position)
    found = []
    for position in candidates:
        _order, lowered, words, name, concept = entries[position]
        if lowered.startswith(query) or concept["code"].startswith(query):
            found.append((0, position))
        elif all(any(word.startswith(term) for word in words) for term in terms):
            # every typed word starts a word of the name: "kreis wesel"
            found.append((1, position))
    found.sort()
    return [{"uri": c["uri"], "key": c["code"], "label": name,
             "context": c["context"].get(lang) or c["context"]["de"]}
            for name, c in ((entries[p][3], entries[p][4]) for _rank, p in found[:limit])]



# the blueprint keeps the name "smartcity": templates link "smartcity.region_autocomplete"
blueprint = Blueprint("smartcity", __name__)


@blueprint.route("/smartcity/regions/autocomplete")
def region_autocomplete():
    """CKAN's autocomplete module format: {"ResultSet": {"Result": [...]}}
    with ``uri`` (stored) and ``text`` (shown)."""
    try:
        regions = tk.get_action("smartcity_region_autocomplete")(
            {"user": tk.current_user.name if tk.current_user else None},
            {"q": request.args.get("q", ""), "limit": request.args.get("limit")})
    except tk.ValidationError as error:
        return jsonify({"error": error.error_dict}), 400
    # "Name": CKAN's client de-duplicates completions by it
    results = []
    for region in regions:
        text = f"{region['label']} ({region['context']})"
        results.append({"uri": region["uri"], "text": text, "Name": text})
    return jsonify({"ResultSet": {"Result": results}})


def get_actions() -> dict[str, Any]:
    return {"smartcity_region_autocomplete": smartcity_region_autocomplete}


def get_blueprints() -> list[Blueprint]:
    return [blueprint]
