"""Blueprint: the region search the dataset form's autocomplete calls, and
the cache rule for every response of a signed-in user."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

import ckan.plugins.toolkit as tk

smartcity = Blueprint("smartcity", __name__)


@smartcity.route("/smartcity/regions/autocomplete")
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


@smartcity.before_app_request
def no_shared_cache_for_users():
    """A response to a signed-in user (cookie or API token) may hold private
    datasets: never "Cache-Control: public". CKAN marks only responses
    rendered from templates; RDF, CSV and JSON answers (the catalogue, a
    private dataset's .ttl, the quality exports) were cacheable by proxies
    (SECURITY-CASES F14)."""
    if request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") \
            or tk.current_user.is_authenticated:
        request.environ["__no_cache__"] = True
        request.environ["__limit_cache_by_cookie__"] = True


def get_blueprints():
    return [smartcity]
