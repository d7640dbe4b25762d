"""Template helpers of the DCAT-AP.de form and display snippets
(registered with the ``smartcity_`` prefix)."""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.values import values
from ckanext.smartcity.schema.form_rows import flat_rows

FORM_GROUPS = ("mandatory", "recommended", "optional")


def smartcity_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Choices of the field's vocabulary (scheming ``choices_helper``)."""
    return vocab.choices(field["vocabulary"], field.get("vocabulary_key", "uri"))


def smartcity_vocabulary_labels(field: dict[str, Any], value: Any) -> list[dict[str, str]]:
    """[{"value", "label"}] for a stored single or list value, labelled in the
    page language (unknown values are shown as stored)."""
    lang = tk.h.lang() or "de"
    name = field.get("vocabulary")
    result = []
    for item in values(value):
        text = vocab.label(name, item, lang) if name else None
        result.append({"value": item, "label": text or item})
    return result


def smartcity_region_labels(items: list[dict[str, str]]) -> str:
    """JSON {uri: "name (context)"} for the region picker's stored values
    (an attribute value; the template escapes it)."""
    labels = {}
    lang = tk.h.lang() or "de"
    for item in items:
        concept = vocab.find("german-region", item["value"])
        if concept:
            context = concept["context"].get(lang) or concept["context"]["de"]
            labels[item["value"]] = f"{item['label']} ({context})"
    return json.dumps(labels, ensure_ascii=False)


def smartcity_url_values(value: Any) -> list[str]:
    return values(value)


def smartcity_form_data(data: dict, fields: list[dict[str, Any]]) -> str:
    """Put the steward's submitted rows of repeating fields back in place.

    After a refused save CKAN's edit view merges the stored dataset with the
    submitted form, whose repeating fields are still flat keys
    (``temporal_coverage-0-end``); the stored list would win and the form
    would show old values next to the error. Rebuilds the list from the flat
    keys, in place; returns "" for use in a template.
    """
    for field in fields:
        if "repeating_subfields" not in field:
            continue
        rows = {int(index): {sub: data.pop(key) for sub, key in row.items() if sub}
                for index, row in flat_rows(data, field["field_name"]).items()
                if index.isdigit()}
        if rows:
            data[field["field_name"]] = [rows[i] for i in sorted(rows)]
    return ""


def smartcity_form_groups(fields: list[dict[str, Any]]) -> list[tuple[str, list[dict]]]:
    """The form's fields grouped by ``form_group`` in the order
    Pflichtangaben, Empfohlen, Optional (fields without a group last)."""
    groups: dict[str, list[dict]] = {name: [] for name in FORM_GROUPS}
    groups[""] = []
    for field in fields:
        groups.setdefault(field.get("form_group", ""), []).append(field)
    return [(name, groups[name]) for name in (*FORM_GROUPS, "") if groups[name]]


def get_helpers() -> dict[str, Any]:
    return {name: obj for name, obj in globals().items()
            if name.startswith("smartcity_") and callable(obj)}
