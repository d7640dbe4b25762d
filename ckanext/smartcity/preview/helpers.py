"""Template helpers of the previews: what the map view needs, and which
previews the dataset page embeds (docs/previews.md)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.smartcity.preview import geojson

MAP_VIEW = "smartcity_map"
TABLE_VIEW = "datatables_view"
COMPACT_LIMIT = 2


def smartcity_map_settings(resource: dict[str, Any]) -> dict[str, Any]:
    """What the map view template renders: the status (see
    :func:`geojson.status`), the path the browser fetches (only when it may),
    the size cap and the base map."""
    state = geojson.status(resource)
    return {
        "status": state,
        "data_path": geojson.data_path(resource) if state == "ok" else None,
        "max_bytes": geojson.max_bytes(),
        **geojson.tile_settings(),
    }


def _previewable(view: dict[str, Any], resource: dict[str, Any]) -> bool:
    """A view that shows something in a small frame: a map of a file the
    portal serves, a table that is in the DataStore."""
    if view.get("view_type") == MAP_VIEW:
        return geojson.is_geojson(resource) and geojson.status(resource) == "ok"
    if view.get("view_type") == TABLE_VIEW:
        return bool(resource.get("datastore_active"))
    return False


def smartcity_compact_previews(pkg: dict[str, Any],
                               limit: int = COMPACT_LIMIT) -> list[dict[str, Any]]:
    """The first ``limit`` resources of ``pkg`` with a map or table view, as
    ``{"resource": ..., "view": ...}`` (the first fitting view of each), for
    the dataset page. Views are read with the current user's rights."""
    previews: list[dict[str, Any]] = []
    for resource in pkg.get("resources") or []:
        if len(previews) >= limit:
            break
        try:
            views = tk.get_action("resource_view_list")({}, {"id": resource["id"]})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        view = next((v for v in views if _previewable(v, resource)), None)
        if view is not None:
            previews.append({"resource": resource, "view": view})
    return previews


def get_helpers() -> dict[str, Any]:
    return {
        "smartcity_map_settings": smartcity_map_settings,
        "smartcity_compact_previews": smartcity_compact_previews,
    }
