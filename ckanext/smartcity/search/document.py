"""Turn a CKAN index document (the dict CKAN would send to Solr) into a row.

Accepted input: the flattened dataset dict built by
``ckan.lib.search.index.PackageSearchIndex.index_package`` after every
``before_dataset_index`` hook. Stored form: see the migration that creates
``smartcity_search_doc``.
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from . import dates
from .fields import BOOLEAN, DATE, NUMBER, TEXT, SolrSchema

BIG_STORED_FIELDS = ("data_dict", "validated_data_dict")
# Single-valued fields CKAN filters or sorts on in nearly every search; they
# get columns of their own (see the migration).
PROMOTED_COLUMNS = ("state", "capacity", "dataset_type", "entity_type", "organization",
                    "metadata_modified")
PROMOTED_ARRAYS = ("permission_labels",)

# Full-text weights: a hit in the title ranks above one in the tags, above
# the description, above resources and extras (issue: ranking order).
WEIGHT_A = ("title", "name")
WEIGHT_B = ("tags", "groups")
WEIGHT_B_PREFIXES = ("vocab_",)
WEIGHT_C = ("notes",)
WEIGHT_D = ("organization", "res_name", "res_description", "res_format", "author",
            "maintainer", "license", "license_id", "version", "url", "text", "urls")
WEIGHT_D_PREFIXES = ("extras_", "res_extras_")


def _clean_text(value: str) -> str:
    # PostgreSQL text and jsonb cannot hold NUL characters.
    return value.replace("\x00", "")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        return {_clean_text(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return _clean_text(str(value))


def _field_values(kind: str, value: Any) -> list[str]:
    values = value if isinstance(value, (list, tuple, set)) else [value]
    out: list[str] = []
    for item in values:
        if item is None or item == "" or isinstance(item, (dict, list)):
            continue
        if kind == DATE:
            stored = dates.normalise_stored(item)
            if stored is None:
                continue
            out.append(stored)
        elif kind == NUMBER:
            try:
                number = Decimal(str(item))
            except InvalidOperation:
                continue
            if number.is_finite():
                out.append(str(number.normalize()) if number != number.to_integral()
                           else str(int(number)))
        elif kind == BOOLEAN or isinstance(item, bool):
            out.append("true" if str(item).lower() in ("true", "1", "yes", "on") else "false")
        else:
            out.append(_clean_text(str(item)))
    return out


def _text(values: list[str]) -> str:
    return "\n".join(values)


def build_row(doc: dict[str, Any], schema: SolrSchema) -> dict[str, Any]:
    """Row values for ``smartcity_search_doc`` (without the tsv expression)."""
    fields: dict[str, list[str]] = {}
    text_fields: dict[str, list[str]] = {}
    weighted: dict[str, list[str]] = {"A": [], "B": [], "C": [], "D": []}
    for key, value in doc.items():
        if key in BIG_STORED_FIELDS:
            continue
        info = schema.field(key)
        if not info.indexed:
            continue
        values = _field_values(info.kind, value)
        if not values:
            continue
        if info.kind == TEXT:
            text_fields[key] = values
        else:
            fields[key] = values
        if key in WEIGHT_A:
            if key == "name":
                values = [v.replace("-", " ").replace("_", " ") for v in values]
            weighted["A"].extend(values)
        elif key in WEIGHT_B or key.startswith(WEIGHT_B_PREFIXES):
            weighted["B"].extend(values)
        elif key in WEIGHT_C:
            weighted["C"].extend(values)
        elif key in WEIGHT_D or key.startswith(WEIGHT_D_PREFIXES):
            weighted["D"].extend(values)
    stored = {k: _clean(v) for k, v in doc.items() if k not in BIG_STORED_FIELDS}
    promoted = {key: (fields.get(key) or [None])[0] for key in PROMOTED_COLUMNS}
    promoted.update({key: fields.get(key, []) for key in PROMOTED_ARRAYS})
    return {
        **promoted,
        # the field values, for the facet value ids (popped before the upsert)
        "field_values": fields,
        "index_id": str(doc.get(schema.unique_key) or doc.get("id")),
        "site_id": str(doc.get("site_id") or ""),
        "package_id": str(doc.get("id") or ""),
        "fields": json.dumps(fields, ensure_ascii=False),
        "text_fields": json.dumps(text_fields, ensure_ascii=False),
        "doc": json.dumps(stored, ensure_ascii=False, default=str),
        "data_dict": _clean_text(doc["data_dict"]) if doc.get("data_dict") else None,
        "validated_data_dict": (_clean_text(doc["validated_data_dict"])
                                if doc.get("validated_data_dict") else None),
        "text_a": _text(weighted["A"]),
        "text_b": _text(weighted["B"]),
        "text_c": _text(weighted["C"]),
        "text_d": _text(weighted["D"]),
    }
