"""The ``smartcity_preview`` plugin: the ``smartcity_map`` resource view for
GeoJSON (Leaflet from the portal's own assets, no base map unless a town
configures its tile server) and the compact previews on the dataset page
(docs/previews.md)."""
from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk

from ckanext.smartcity.preview import geojson, helpers


class SmartcityMapViewPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IResourceView, inherit=True)
    plugins.implements(plugins.ITemplateHelpers)

    # IConfigurer: the assets (Leaflet and the view's script) are this
    # package's own library. The templates live with the extension's others
    # (templates/smartcity/preview/), registered by the ``smartcity`` plugin,
    # which must be enabled too: adding the directory here again would move
    # it ahead of plugins listed between the two.
    def update_config(self, config):
        tk.add_resource("assets", "smartcity_preview")

    # IResourceView
    def info(self) -> dict[str, Any]:
        return {
            "name": helpers.MAP_VIEW,
            "title": tk._("Map"),
            "default_title": tk._("Map"),
            "icon": "map",
            "iframed": True,
            "always_available": False,
            "preview_enabled": True,
            "full_page_edit": False,
            "schema": {},
        }

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        """GeoJSON the portal serves itself; an external link gets no map
        view by default (the view would only show the link)."""
        resource = data_dict["resource"]
        return geojson.is_geojson(resource) and geojson.is_local(resource)

    def setup_template_variables(self, context, data_dict: dict[str, Any]) -> dict[str, Any]:
        return {"map": helpers.smartcity_map_settings(data_dict["resource"])}

    def view_template(self, context, data_dict: dict[str, Any]) -> str:
        return "smartcity/preview/map_view.html"

    def form_template(self, context, data_dict: dict[str, Any]) -> None:
        return None

    # ITemplateHelpers
    def get_helpers(self):
        return helpers.get_helpers()
