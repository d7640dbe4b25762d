"""Blueprint: the region search the dataset form's autocomplete calls."""
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


def get_blueprints():
    return [smartcity]
