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
    return jsonify({"ResultSet": {"Result": [
        {"uri": r["uri"], "text": f"{r['label']} ({r['context']})"} for r in regions]}})


def get_blueprints():
    return [smartcity]
