"""Which GeoJSON resources the map view may draw, and from where.

The browser never fetches anything outside the portal (docs/security.md,
docs/previews.md): a file in the portal's own file store (``url_type``
``upload``) is read through the portal's download route, a link to the
portal itself through its path; any other address gets a notice with the
link instead of a request. Options are read at call time.
"""
from __future__ import annotations

import logging
from typing import Any, Literal
from urllib.parse import urlsplit

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

GEOJSON_FORMATS = frozenset({"geojson"})
GEOJSON_MIMETYPES = frozenset({"application/geo+json", "application/vnd.geo+json"})
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

Status = Literal["ok", "external", "too_large", "missing"]


def is_geojson(resource: dict[str, Any]) -> bool:
    """A GeoJSON resource by its format code (the schema stores ``GEOJSON``),
    its media type, or, without either, its file name."""
    fmt = (resource.get("format") or "").strip().lower()
    if fmt:
        return fmt in GEOJSON_FORMATS
    mimetype = (resource.get("mimetype") or "").strip().lower()
    if mimetype:
        return mimetype in GEOJSON_MIMETYPES
    path = urlsplit(resource.get("url") or "").path.lower()
    return path.endswith(".geojson")


def max_bytes() -> int:
    """``ckanext.smartcity.map.max_bytes``: the largest file the map loads
    (a value that is no positive number means the default, 5 MiB)."""
    try:
        value = int(tk.config.get("ckanext.smartcity.map.max_bytes", DEFAULT_MAX_BYTES))
    except (TypeError, ValueError):
        return DEFAULT_MAX_BYTES
    return value if value > 0 else DEFAULT_MAX_BYTES


def _same_origin_path(url: str) -> str | None:
    """The path (and query) of ``url`` if it points at this portal
    (``ckan.site_url``, same scheme, host and port), else None."""
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        # relative to the portal; "//host/x" has a netloc and is external
        return url if url.startswith("/") else None
    site = urlsplit(tk.config.get("ckan.site_url", ""))
    if (parts.scheme.lower(), parts.netloc.lower()) != (site.scheme.lower(), site.netloc.lower()):
        return None
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def data_path(resource: dict[str, Any]) -> str | None:
    """Where the browser reads the file: a path on this portal, or None
    when the file lives elsewhere (no request is made then)."""
    url = resource.get("url") or ""
    if resource.get("url_type") == "upload":
        filename = urlsplit(url).path.rsplit("/", 1)[-1]
        if not filename or not resource.get("id") or not resource.get("package_id"):
            return None
        return tk.h.url_for("resource.download", id=resource["package_id"],
                            resource_id=resource["id"], filename=filename)
    return _same_origin_path(url) if url else None


def is_local(resource: dict[str, Any]) -> bool:
    """True if the file is in the portal's file store or on the portal."""
    url = resource.get("url") or ""
    if resource.get("url_type") == "upload":
        return bool(url)
    return bool(url) and _same_origin_path(url) is not None


def status(resource: dict[str, Any]) -> Status:
    """``ok`` (the map may fetch it), ``external`` (a link elsewhere),
    ``too_large`` (its recorded size exceeds the cap) or ``missing`` (no
    address at all)."""
    if not resource.get("url"):
        return "missing"
    if not is_local(resource):
        return "external"
    try:
        size = int(resource.get("size") or 0)
    except (TypeError, ValueError):
        size = 0
    return "too_large" if size > max_bytes() else "ok"


def tile_settings() -> dict[str, str]:
    """The base map: ``ckanext.smartcity.map.tile_url`` (a ``{z}/{x}/{y}``
    template; empty means no base map, a plain background) and
    ``ckanext.smartcity.map.attribution`` (plain text)."""
    tile_url = (tk.config.get("ckanext.smartcity.map.tile_url") or "").strip()
    if tile_url and not all(part in tile_url for part in ("{z}", "{x}", "{y}")):
        log.warning("ckanext.smartcity.map.tile_url lacks {z}, {x} or {y}; no base map")
        tile_url = ""
    attribution = (tk.config.get("ckanext.smartcity.map.attribution") or "").strip()
    return {"tile_url": tile_url, "attribution": attribution}
