"""The OpenAPI 3.0.3 document of one DataStore table (docs/dataservices.md).

It describes the portal's own ``datastore_search`` action as the API of one
table: ``resource_id`` fixed to the table, the query parameters CKAN's
DataStore accepts, and the answer with ``result.records`` typed by the
table's columns. Built from what the caller already has (the resource, its
dataset and the DataStore's field list), so it costs no query of the rows.
Texts go through gettext: German on the portal, English at ``/en/``.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.smartcity.dataservice import urls

OPENAPI_VERSION = "3.0.3"
SEARCH_PATH = "/api/3/action/datastore_search"
# CKAN's DataStore defaults (ckan.datastore.search.rows_default / rows_max)
ROWS_DEFAULT = 100
ROWS_MAX = 32000

# DataStore column types (PostgreSQL type names, as datastore_info reports
# them) -> JSON Schema; anything else is described as a string.
_INTEGER = {"int2": "int32", "int4": "int32", "int": "int32", "int8": "int64",
            "bigint": "int64", "integer": "int32", "smallint": "int32"}
_NUMBER = {"float4": "float", "float8": "double", "numeric": None,
           "real": "float", "double precision": "double"}
_BOOLEAN = {"bool", "boolean"}
_ANY = {"json", "jsonb", "nested"}
_DATE_TIME = {"timestamp", "timestamptz", "date", "time", "timetz", "interval"}


def column_schema(datastore_type: str) -> dict[str, Any]:
    """The JSON Schema of one column's values (every column may be empty).

    Timestamps stay plain strings: the DataStore writes them as ISO 8601
    without a time zone, which OpenAPI's ``date-time`` (RFC 3339) forbids.
    An array type (``_text``) is an array of its element type."""
    kind = (datastore_type or "text").strip().lower()
    if kind.startswith("_"):
        schema: dict[str, Any] = {"type": "array", "items": column_schema(kind[1:])}
    elif kind in _INTEGER:
        schema = {"type": "integer", "format": _INTEGER[kind]}
    elif kind in _NUMBER:
        schema = {"type": "number"}
        if _NUMBER[kind]:
            schema["format"] = _NUMBER[kind]
    elif kind in _BOOLEAN:
        schema = {"type": "boolean"}
    elif kind in _ANY:
        schema = {}
    else:
        schema = {"type": "string"}
        if kind in _DATE_TIME:
            schema["description"] = tk._("ISO 8601 date or time, without time zone")
    schema["nullable"] = True
    schema["x-datastore-type"] = kind
    return schema


def _field_schema(field: dict[str, Any]) -> dict[str, Any]:
    """A column's schema with the data dictionary's label and notes."""
    schema = column_schema(str(field.get("type") or "text"))
    info = field.get("info") if isinstance(field.get("info"), dict) else {}
    label, notes = str(info.get("label") or "").strip(), str(info.get("notes") or "").strip()
    if label:
        schema["title"] = label
    if notes:
        schema["description"] = notes
    return schema


def columns(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table's own columns (not ``_id`` and CKAN's other internal ones)."""
    return [f for f in fields if isinstance(f.get("id"), str) and not f["id"].startswith("_")]


def _text(value: Any) -> str:
    """A title or description as text (a translated field is a language map)."""
    if isinstance(value, dict):
        lang = tk.h.lang() or "de"
        return str(value.get(lang) or value.get("de") or next(iter(value.values()), ""))
    return str(value or "").strip()


def _info(resource: dict[str, Any], dataset: dict[str, Any]) -> dict[str, Any]:
    name = _text(resource.get("name")) or resource["id"]
    dataset_title = _text(dataset.get("title")) or dataset.get("name", "")
    intro = tk._("Rows of the table “%(table)s” of the dataset “%(dataset)s”, "
                 "through the portal's DataStore API (CKAN datastore_search).") % {
        "table": name, "dataset": dataset_title}
    parts = [intro, _text(resource.get("description")), _text(dataset.get("notes"))]
    info: dict[str, Any] = {
        "title": tk._("API: %(table)s") % {"table": name},
        "description": "\n\n".join(p for p in parts if p),
        "version": str(resource.get("last_modified") or resource.get("metadata_modified")
                       or resource.get("created") or "1"),
    }
    if dataset.get("license_title"):
        info["license"] = {"name": str(dataset["license_title"])}
        if str(dataset.get("license_url") or "").startswith(("http://", "https://")):
            info["license"]["url"] = dataset["license_url"]
    contact = _contact(dataset)
    if contact:
        info["contact"] = contact
    return info


def _contact(dataset: dict[str, Any]) -> dict[str, str]:
    """The dataset's first contact point (DCAT-AP.de ``contact``), else the maintainer."""
    for entry in dataset.get("contact") or []:
        if isinstance(entry, dict) and any(entry.get(k) for k in ("name", "email", "url")):
            return _contact_fields(entry.get("name"), entry.get("email"), entry.get("url"))
    return _contact_fields(dataset.get("maintainer"), dataset.get("maintainer_email"), None)


def _contact_fields(name: Any, email: Any, url: Any) -> dict[str, str]:
    contact = {}
    if name:
        contact["name"] = str(name)
    if email and "@" in str(email):
        contact["email"] = str(email).removeprefix("mailto:")
    if url and str(url).startswith(("http://", "https://")):
        contact["url"] = str(url)
    return contact


def _parameters(resource_id: str, names: list[str]) -> list[dict[str, Any]]:
    listed = ", ".join(names)
    return [
        {"name": "resource_id", "in": "query", "required": True,
         "description": tk._("The table: always this resource's id."),
         "schema": {"type": "string", "enum": [resource_id], "default": resource_id}},
        {"name": "q", "in": "query", "required": False,
         "description": tk._("Full-text search over all columns."),
         "schema": {"type": "string"}},
        {"name": "filters", "in": "query", "required": False,
         "description": tk._("Exact matches as a JSON object, column name to value or "
                             "list of values, e.g. {\"%(column)s\": \"…\"}.")
         % {"column": names[0] if names else "column"},
         "content": {"application/json": {"schema": {
             "type": "object",
             "properties": {name: {} for name in ["_id", *names]},
             "additionalProperties": False}}}},
        {"name": "limit", "in": "query", "required": False,
         "description": tk._("Maximum number of rows to return."),
         "schema": {"type": "integer", "minimum": 0, "maximum": rows_max(),
                    "default": ROWS_DEFAULT}},
        {"name": "offset", "in": "query", "required": False,
         "description": tk._("Number of rows to skip (paging)."),
         "schema": {"type": "integer", "minimum": 0, "default": 0}},
        {"name": "fields", "in": "query", "required": False,
         "description": tk._("Columns to return, comma-separated: %(columns)s.")
         % {"columns": listed},
         "schema": {"type": "string"}},
        {"name": "sort", "in": "query", "required": False,
         "description": tk._("Sort order, comma-separated column names each followed by "
                             "asc or desc, e.g. “%(column)s desc”.")
         % {"column": names[0] if names else "_id"},
         "schema": {"type": "string"}},
        {"name": "distinct", "in": "query", "required": False,
         "description": tk._("Return only distinct rows."),
         "schema": {"type": "boolean", "default": False}},
        {"name": "include_total", "in": "query", "required": False,
         "description": tk._("Count the matching rows (total)."),
         "schema": {"type": "boolean", "default": True}},
    ]


def rows_max() -> int:
    """Most rows one ``datastore_search`` returns (CKAN's ``ckan.datastore.search.rows_max``)."""
    try:
        return int(tk.config.get("ckan.datastore.search.rows_max") or ROWS_MAX)
    except (TypeError, ValueError):
        return ROWS_MAX


def _responses() -> dict[str, Any]:
    error = {"description": "", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "200": {"description": tk._("The matching rows."), "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/SearchResponse"}}}},
        "400": {**error, "description": tk._("Invalid request.")},
        "403": {**error, "description": tk._("Not allowed.")},
        "404": {**error, "description": tk._("The table does not exist.")},
        "409": {**error, "description": tk._("Invalid parameters, e.g. an unknown column.")},
    }


def _components(fields: list[dict[str, Any]]) -> dict[str, Any]:
    record = {"_id": {"type": "integer", "description": tk._("Row number in the DataStore.")}}
    record.update({f["id"]: _field_schema(f) for f in fields})
    return {"schemas": {
        "Record": {"type": "object", "properties": record},
        "Field": {"type": "object", "required": ["id", "type"], "properties": {
            "id": {"type": "string"}, "type": {"type": "string"},
            "info": {"type": "object", "additionalProperties": True}}},
        "SearchResponse": {
            "type": "object", "required": ["success", "result"],
            "properties": {
                "help": {"type": "string"},
                "success": {"type": "boolean", "enum": [True]},
                "result": {"type": "object", "properties": {
                    "resource_id": {"type": "string"},
                    "fields": {"type": "array",
                               "items": {"$ref": "#/components/schemas/Field"}},
                    "records": {"type": "array",
                                "items": {"$ref": "#/components/schemas/Record"}},
                    "total": {"type": "integer"},
                    "total_was_estimated": {"type": "boolean"},
                    "limit": {"type": "integer"},
                    "offset": {"type": "integer"},
                    "_links": {"type": "object", "properties": {
                        "start": {"type": "string"}, "next": {"type": "string"}}},
                }},
            }},
        "Error": {
            "type": "object", "required": ["success", "error"],
            "properties": {
                "help": {"type": "string"},
                "success": {"type": "boolean", "enum": [False]},
                "error": {"type": "object", "additionalProperties": True, "properties": {
                    "message": {"type": "string"}, "__type": {"type": "string"}}},
            }},
    }}


def document(resource: dict[str, Any], dataset: dict[str, Any],
             fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The OpenAPI document of the DataStore table ``resource``.

    ``fields`` are the DataStore's fields (``datastore_info`` or
    ``datastore_search`` with ``limit=0``: ``id``, ``type``, optionally the
    data dictionary's ``info``); internal columns are left out."""
    own = columns(fields)
    resource_id = resource["id"]
    site = tk.config.get("ckan.site_url", "").rstrip("/")
    return {
        "openapi": OPENAPI_VERSION,
        "info": _info(resource, dataset),
        "externalDocs": {
            "description": tk._("The dataset in the portal"),
            "url": f"{site}/dataset/{dataset.get('name') or dataset['id']}"},
        "servers": [{"url": site or "/"}],
        "paths": {SEARCH_PATH: {"get": {
            "operationId": "datastore_search",
            "summary": tk._("Search the table's rows"),
            "description": tk._("Example: %(url)s") % {
                "url": f"{urls.endpoint_url(resource_id)}&limit=5"},
            "parameters": _parameters(resource_id, [f["id"] for f in own]),
            "responses": _responses(),
        }}},
        "components": _components(own),
    }
