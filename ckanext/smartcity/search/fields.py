"""Field types of the search index, read from CKAN's own Solr schema.

CKAN ships the Solr schema it builds its index documents for
(``ckan/config/solr/schema.xml``). The PostgreSQL backend reads the same file
so that a field behaves here as it would on Solr: ``string`` fields match
exactly, ``text`` fields are tokenised and stemmed, ``date`` and numeric
fields compare by value in range queries. There is no second list of field
types in this extension.
"""
from __future__ import annotations

import fnmatch
import functools
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import ckan

TEXT = "text"
STRING = "string"
DATE = "date"
NUMBER = "number"
BOOLEAN = "boolean"

_KIND_BY_CLASS = {
    "solr.TextField": TEXT,
    "solr.StrField": STRING,
    "solr.BoolField": BOOLEAN,
    "solr.DatePointField": DATE,
    "solr.IntPointField": NUMBER,
    "solr.FloatPointField": NUMBER,
    "solr.LongPointField": NUMBER,
    "solr.DoublePointField": NUMBER,
}


@dataclass(frozen=True)
class FieldInfo:
    """How one index field is stored and queried."""

    name: str
    kind: str
    multi_valued: bool
    stored: bool
    indexed: bool


def solr_schema_path() -> str:
    """Path of the Solr schema shipped inside the installed CKAN package."""
    return os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml")


@dataclass(frozen=True)
class SolrSchema:
    fields: dict[str, FieldInfo]
    dynamic: tuple[FieldInfo, ...]
    unique_key: str

    def field(self, name: str) -> FieldInfo:
        """Field info for ``name``; dynamic fields are matched like Solr does,
        longest pattern first, ``*`` last."""
        if name in self.fields:
            return self.fields[name]
        for pattern in self.dynamic:
            if fnmatch.fnmatchcase(name, pattern.name):
                return FieldInfo(name, pattern.kind, pattern.multi_valued,
                                 pattern.stored, pattern.indexed)
        return FieldInfo(name, STRING, False, False, True)


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() == "true"


@functools.lru_cache(maxsize=1)
def load_schema(path: str | None = None) -> SolrSchema:
    """Parse CKAN's Solr schema (a trusted file inside the CKAN package)."""
    root = ET.parse(path or solr_schema_path()).getroot()
    types: dict[str, tuple[str, bool]] = {}
    for ft in root.iter("fieldType"):
        kind = _KIND_BY_CLASS.get(ft.get("class", ""), STRING)
        types[ft.get("name", "")] = (kind, _bool(ft.get("multiValued"), False))

    def info(el: ET.Element) -> FieldInfo:
        kind, type_multi = types.get(el.get("type", ""), (STRING, False))
        return FieldInfo(
            name=el.get("name", ""),
            kind=kind,
            multi_valued=_bool(el.get("multiValued"), type_multi),
            stored=_bool(el.get("stored"), True),
            indexed=_bool(el.get("indexed"), True),
        )

    fields = {el.get("name", ""): info(el) for el in root.iter("field")}
    # Solr tries dynamic fields longest pattern first.
    dynamic = tuple(sorted((info(el) for el in root.iter("dynamicField")),
                           key=lambda f: -len(f.name)))
    key_el = root.find("uniqueKey")
    unique_key = (key_el.text or "index_id").strip() if key_el is not None else "index_id"
    return SolrSchema(fields, dynamic, unique_key)
