"""Previews of a dataset's data (docs/previews.md): the ``smartcity_map``
resource view draws GeoJSON files with Leaflet served by the portal itself,
and the dataset page embeds the first map or table previews compactly."""
