"""The data service of each DataStore table (docs/dataservices.md).

``/schnittstelle/<resource_id>``               the data service's IRI: a short
                                               page on the table's API (HTML);
                                               RDF clients are sent to the
                                               dataset's RDF, OpenAPI clients
                                               to the document
``/schnittstelle/<resource_id>/openapi.json``  its OpenAPI 3.0.3 document
                                               (``dcat:endpointDescription``)

The caller sees what ``resource_show`` shows them: an unknown, deleted or
draft resource, one of a dataset they may not see, or one that is not in
the DataStore is a 404. Any id that cannot be a resource id (too long, odd
characters) is a 404 before any query (docs/security.md). Reading the
columns costs one catalogue query (``datastore_info`` without its row count),
never a scan of the rows.
"""
from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

from flask import Blueprint, Response, make_response, redirect, request

import ckan.plugins.toolkit as tk

from ckanext.smartcity.dataservice import openapi, urls
from ckanext.smartcity.rdf.formats import FORMATS

# CKAN's resource ids are UUIDs; ids given on creation are shorter than 100
RESOURCE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
OPENAPI_MEDIA_TYPE = "application/vnd.oai.openapi+json"
_RDF_BY_MEDIA_TYPE = {fmt.media_type: suffix for suffix, fmt in FORMATS.items()}
_OFFERED = ["text/html", "application/xhtml+xml", OPENAPI_MEDIA_TYPE, "application/json",
            *_RDF_BY_MEDIA_TYPE]

_blueprint = Blueprint("smartcity_dataservice", __name__)


class Table(NamedTuple):
    resource: dict[str, Any]
    dataset: dict[str, Any]
    fields: list[dict[str, Any]]

    @property
    def public(self) -> bool:
        return not self.dataset.get("private")


class NoService(Exception):
    """No data service to show: the message says why (for the 404)."""


def _context() -> dict[str, Any]:
    user = tk.current_user
    return {"user": user.name if user and user.is_authenticated else None}


def _not_found() -> NoService:
    return NoService(tk._("Resource not found"))


def table(resource_id: str) -> Table:
    """The DataStore table ``resource_id`` as the caller may see it, or NoService."""
    if not RESOURCE_ID.fullmatch(resource_id):
        raise _not_found()
    try:
        resource = tk.get_action("resource_show")(_context(), {"id": resource_id})
        dataset = tk.get_action("package_show")(_context(), {"id": resource["package_id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        raise _not_found() from None
    if dataset.get("state") != "active" or resource.get("state", "active") != "active":
        raise _not_found()
    if not urls.in_datastore(resource):
        raise NoService(tk._("This resource is not in the DataStore, so it has no API. "
                             "Its file can be downloaded from the resource page."))
    return Table(resource, dataset, _fields(resource["id"]))


def _fields(resource_id: str) -> list[dict[str, Any]]:
    """The table's columns: names, types and data dictionary (no row count)."""
    try:
        info = tk.get_action("datastore_info")(
            _context(), {"resource_id": resource_id, "include_meta": False,
                         "include_fields_schema": False})
    except KeyError:  # the datastore plugin is not loaded
        raise NoService(tk._("This portal has no DataStore.")) from None
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        raise NoService(tk._("This resource is not in the DataStore, so it has no API. "
                             "Its file can be downloaded from the resource page.")) from None
    return openapi.columns(info.get("fields") or [])


def _cors(response: Response, found: Table) -> Response:
    """Public metadata may be read from any web page; a private table's may not
    be cached or shared."""
    if found.public:
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def openapi_json(resource_id: str) -> Response:
    try:
        found = table(resource_id)
    except NoService as missing:
        return Response(json.dumps({"error": str(missing)}, ensure_ascii=False), status=404,
                        mimetype="application/json")
    body = json.dumps(openapi.document(*found), ensure_ascii=False, indent=1)
    wanted = request.accept_mimetypes.best_match([OPENAPI_MEDIA_TYPE, "application/json"],
                                                 default="application/json")
    mimetype = OPENAPI_MEDIA_TYPE if wanted == OPENAPI_MEDIA_TYPE else "application/json"
    response = Response(body, mimetype=mimetype)
    response.vary.add("Accept")
    return _cors(response, found)


def service(resource_id: str) -> Response | str:
    try:
        found = table(resource_id)
    except NoService as missing:
        return tk.abort(404, str(missing))
    wanted = request.accept_mimetypes.best_match(_OFFERED, default="text/html")
    if wanted in (OPENAPI_MEDIA_TYPE, "application/json"):
        response = redirect(urls.description_url(found.resource["id"]), code=303)
    elif wanted in _RDF_BY_MEDIA_TYPE:
        page = tk.url_for("dataset.read", id=found.dataset["name"], qualified=True)
        response = redirect(f"{page}.{_RDF_BY_MEDIA_TYPE[wanted]}", code=303)
    else:
        response = make_response(tk.render("smartcity/dataservice/read.html", _page_vars(found)))
    response.vary.add("Accept")
    return _cors(response, found)


def _page_vars(found: Table) -> dict[str, Any]:
    resource_id = found.resource["id"]
    columns = []
    for field in found.fields:
        info = field.get("info") if isinstance(field.get("info"), dict) else {}
        columns.append({"id": field["id"], "type": field.get("type") or "text",
                        "label": str(info.get("label") or ""),
                        "notes": str(info.get("notes") or "")})
    return {
        "resource": found.resource, "pkg_dict": found.dataset, "columns": columns,
        "endpoint_url": urls.endpoint_url(resource_id),
        "sample_url": f"{urls.endpoint_url(resource_id)}&limit=5",
        "openapi_url": urls.description_url(resource_id),
        "service_iri": urls.service_iri(resource_id),
        "rows_max": openapi.rows_max(),
    }


_blueprint.add_url_rule("/schnittstelle/<resource_id>", view_func=service)
_blueprint.add_url_rule("/schnittstelle/<resource_id>/openapi.json", view_func=openapi_json)


def blueprint() -> Blueprint:
    """The blueprint of the data service pages (plugin.py adds it to ``get_blueprint``)."""
    return _blueprint
