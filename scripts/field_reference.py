#!/usr/bin/env python3
"""Write the schema's field reference into README.md (``make field-reference``).

Reads schemas/dataset.yaml and schemas/organization.yaml and replaces the
text between the ``field-reference`` markers in README.md, so the README
cannot drift from the schema (a test compares them).
"""
from __future__ import annotations

import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START, END = "<!-- field-reference:start -->", "<!-- field-reference:end -->"
GROUPS = {"mandatory": "Pflicht", "recommended": "Empfohlen", "optional": "Optional"}
VOCAB_DIR = os.path.join(ROOT, "ckanext", "smartcity", "vocabularies")


def _load(name: str) -> dict:
    with open(os.path.join(ROOT, "schemas", name), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _values(field: dict) -> str:
    if field.get("repeating_subfields"):
        return "list of objects"
    if field.get("vocabulary") == "smartcity-category":
        return ("Smart City categories (SKOS, see below), stored as concept URIs (list); "
                "implies EU themes")
    if "vocabulary" in field:
        with open(os.path.join(VOCAB_DIR, f"{field['vocabulary']}.json"), encoding="utf-8") as h:
            count = len(json.load(h)["concepts"])
        stored = "code" if field.get("vocabulary_key") == "code" else "URI"
        many = " (list)" if "multiple" in field.get("preset", "") or "region" in field.get(
            "preset", "") else ""
        return f"`{field['vocabulary']}` ({count}), stored as {stored}{many}"
    validators = f"{field.get('preset', '')} {field.get('validators', '')}"
    for needle, text in (("smartcity_url_list", "http(s) URLs (list)"),
                         ("smartcity_text_list", "texts (list)"),
                         ("smartcity_upload_or_http_url", "http(s) URL or upload"),
                         ("smartcity_url", "http(s) URL"), ("smartcity_http_url", "http(s) URL"),
                         ("smartcity_email", "email"), ("smartcity_xsd_date", "xsd date"),
                         ("smartcity_date", "xsd date"),
                         ("smartcity_non_negative_integer", "integer ≥ 0"),
                         ("smartcity_media_type", "IANA media type"),
                         ("smartcity_duration", "xsd:duration"),
                         ("smartcity_checksum", "hex digest"),
                         ("tag_string", "comma-separated tags"), ("dataset_slug", "URL name"),
                         ("dataset_organization", "organisation")):
        if needle in validators:
            return text
    return "text"


def _rows(fields: list[dict], with_group: bool) -> list[str]:
    rows = []
    for field in fields:
        items = [(field["field_name"], field)] + [
            (f"{field['field_name']}.{sub['field_name']}", sub)
            for sub in field.get("repeating_subfields", [])]
        for name, item in items:
            label = item["label"]
            help_text = item.get("help_text", {}).get("en", "").replace("|", "\\|")
            cells = [f"`{name}`", f"{label['de']} / {label['en']}"]
            if with_group:
                top = item is field
                group = GROUPS.get(field.get("form_group", ""), "") if top else ""
                mark = " ✔" if item.get("govdata") else ""
                required = " (required)" if item.get("required") else ""
                cells += [f"`{item['dcat']}`" if item.get("dcat") else "",
                          f"{group}{required}{mark}"]
            cells += [_values(item), help_text]
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def render() -> str:
    dataset = _load("dataset.yaml")
    org = _load("organization.yaml")
    head = "| field | label (de / en) | DCAT-AP.de | group (✔ = GovData needs it) | values | help |"
    sep = "|---|---|---|---|---|---|"
    parts = [
        "Generated from `schemas/` by `make field-reference`; do not edit by hand.",
        "Repeating fields (publisher, contact, ...) are lists of objects; `a.b` is",
        "subfield `b` of each. Vocabulary values may be given as URI, code or alias,",
        "as a spelling of `ckanext/smartcity/harvest/aliases.json` (`WMS` for",
        "`WMS_SRVC`), as a German or English label naming one value, or (formats)",
        "as a media type (case-insensitive); they are stored in the canonical form shown.",
        "",
        "### Dataset (`dataset_fields`)", "", head, sep, *_rows(dataset["dataset_fields"], True),
        "", "### Distribution (`resource_fields`)", "", head, sep,
        *_rows(dataset["resource_fields"], True),
        "", "### Organisation (`schemas/organization.yaml`)", "",
        "| field | label (de / en) | values | help |", "|---|---|---|---|",
        *_rows(org["fields"], False),
    ]
    return "\n".join(parts)


def updated_readme(text: str) -> str:
    before, rest = text.split(START, 1)
    _old, after = rest.split(END, 1)
    return f"{before}{START}\n{render()}\n{END}{after}"


def main() -> int:
    path = os.path.join(ROOT, "README.md")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    new = updated_readme(text)
    if new != text:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(new)
        print("README.md: field reference updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
