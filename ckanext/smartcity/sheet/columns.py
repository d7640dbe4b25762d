"""The sheet's columns, derived from the scheming schema (``schemas/dataset.yaml``).

One column per dataset field (sheet "Datensätze") and per distribution field
(sheet "Distributionen"); a repeating field (publisher, contact, temporal
coverage...) is carried as the columns of its FIRST entry ("Veröffentlichende
Stelle: Name"). Headers are the schema's labels; cells hold what a steward
reads: vocabulary labels (from the vocabulary files through
:mod:`ckanext.smartcity.schema.vocab`, the one source of the labels), list
values joined by "; ", dates as stored (``2024-12-31``).

:func:`cell` turns a stored value into cell text, :func:`parse` turns cell
text back into the stored form (labels, codes and IRIs alike; German dates);
:func:`protect` / :func:`unprotect` keep a spreadsheet app from evaluating a
text as a formula (docs/bulk-onboarding.md, "Formula protection").
"""
from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.values import values

SEPARATOR = "; "
# what a cell of several values is split at on import ("," too for keywords,
# which cannot contain one)
SPLIT = r"\s*;\s*"
SPLIT_TAGS = r"\s*[;,]\s*"
# a text beginning with one of these is a formula to Excel, LibreOffice and
# Google Sheets (OWASP "CSV injection"); docs/security.md
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PROTECT = "'"
DATASET_KEY = "dataset"   # the distribution sheet's link to its dataset
RESOURCE_ID = "id"        # the distribution sheet's key of a stored distribution
GERMAN_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
TRAILING_CODE = re.compile(r"\(([^()]+)\)\s*$")


@dataclasses.dataclass(frozen=True)
class Column:
    """One column: ``key`` is the field name, ``parent.sub`` for the first
    entry of a repeating field; ``kind`` says how cells are read and written."""

    key: str
    kind: str  # name, org, tags, text, date, list, vocab, vocab_list, dataset, id
    labels: dict[str, str]
    help: dict[str, str]
    required: bool = False
    vocabulary: str | None = None
    vocabulary_key: str = "uri"
    parent: str | None = None
    sub: str | None = None

    def header(self, lang: str = "de") -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.key

    def help_text(self, lang: str = "de") -> str:
        return self.help.get(lang) or self.help.get("en") or ""


def _texts(value: Any, fallback: str) -> dict[str, str]:
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items()}
    if value:
        return {"de": str(value), "en": str(value)}
    return {"de": fallback, "en": fallback}


def _kind(field: dict[str, Any]) -> str:
    validators = field.get("validators", "")
    if field.get("vocabulary"):
        multiple = ("multiple" in validators
                    or "multiple" in field.get("output_validators", ""))
        return "vocab_list" if multiple else "vocab"
    if "_list" in validators:
        return "list"
    if "xsd_date" in validators:
        return "date"
    return "text"


def _column(field: dict[str, Any], kind: str | None = None, parent: dict | None = None) -> Column:
    labels = _texts(field.get("label"), field["field_name"])
    help_texts = _texts(field.get("help_text"), "")
    if parent is not None:
        parent_labels = _texts(parent.get("label"), parent["field_name"])
        labels = {lang: f"{parent_labels.get(lang, parent_labels['en'])}: {text}"
                  for lang, text in labels.items()}
    return Column(
        key=f"{parent['field_name']}.{field['field_name']}" if parent else field["field_name"],
        kind=kind or _kind(field), labels=labels, help=help_texts,
        required=bool(field.get("required")) and parent is None,
        vocabulary=field.get("vocabulary"),
        vocabulary_key=field.get("vocabulary_key", "uri"),
        parent=parent["field_name"] if parent else None,
        sub=field["field_name"] if parent else None)


SPECIAL = {"name": "name", "owner_org": "org", "tag_string": "tags"}


def _columns(fields: list[dict[str, Any]], dataset: bool) -> list[Column]:
    result = []
    for field in fields:
        if "repeating_subfields" in field:
            result += [_column(sub, parent=field) for sub in field["repeating_subfields"]]
        else:
            special = SPECIAL.get(field["field_name"]) if dataset else None
            result.append(_column(field, special))
    return result


def _schema() -> dict[str, Any]:
    return scheming_get_dataset_schema("dataset") or {}


def dataset_columns() -> list[Column]:
    """The columns of the sheet "Datensätze", in the schema's order."""
    return _columns(_schema().get("dataset_fields", []), dataset=True)


def distribution_columns() -> list[Column]:
    """The columns of the sheet "Distributionen": the dataset's URL name and
    the distribution's ID (the keys), then the schema's resource fields."""
    keys = [
        Column(DATASET_KEY, "dataset", {"de": "Datensatz (URL)", "en": "Dataset (URL)"},
               {"de": "URL-Name des Datensatzes, zu dem die Distribution gehört "
                      "(Spalte URL der Tabelle Datensätze).",
                "en": "URL name of the dataset the distribution belongs to "
                      "(column URL of the sheet Datasets)."}, required=True),
        Column(RESOURCE_ID, "id", {"de": "ID", "en": "ID"},
               {"de": "Kennung der gespeicherten Distribution; für neue leer lassen.",
                "en": "Identifier of the stored distribution; leave empty for new ones."}),
    ]
    return keys + _columns(_schema().get("resource_fields", []), dataset=False)


def field_label(name: str, lang: str, resource: bool = False) -> str:
    """The schema label of a field (for errors on fields the sheet does not carry)."""
    fields = _schema().get("resource_fields" if resource else "dataset_fields", [])
    for field in fields:
        if field["field_name"] == name:
            return _texts(field.get("label"), name).get(lang) or name
    return name


# ------------------------------------------------------------------ writing

def stored(column: Column, data: dict[str, Any]) -> Any:
    """The stored value of ``column`` in a package_show (or resource) dict."""
    if column.kind == "org":
        org = data.get("organization") or {}
        return org.get("name") if isinstance(org, dict) and org else data.get("owner_org")
    if column.kind == "tags":
        return [tag["name"] for tag in data.get("tags") or [] if isinstance(tag, dict)]
    if column.parent:
        rows = data.get(column.parent) or []
        first = rows[0] if isinstance(rows, list) and rows else {}
        return first.get(column.sub) if isinstance(first, dict) else None
    return data.get(column.key)


def _vocab_label(column: Column, value: str, lang: str) -> str:
    concept = vocab.find(column.vocabulary, value)
    if concept is None:
        return value
    labels = concept.get("labels", {})
    text = labels.get(lang) or labels.get("en") or concept.get("code") or value
    if column.vocabulary in vocab.NO_LABEL_LOOKUP:  # regions share names: add the key
        return f"{text} ({concept['code']})"
    return text


def render(column: Column, value: Any, lang: str = "de") -> str:
    """Cell text of a stored value (not yet protected against formulas)."""
    if column.kind in ("vocab_list", "list", "tags"):
        items = values(value)
        if column.kind == "vocab_list":
            items = [_vocab_label(column, item, lang) for item in items]
        elif column.kind == "tags":
            items = sorted(items, key=str.lower)
        return SEPARATOR.join(items)
    if value is None:
        return ""
    text = str(value)
    if column.kind == "vocab" and text:
        return _vocab_label(column, text, lang)
    return text


def cell(column: Column, data: dict[str, Any], lang: str = "de") -> str:
    return render(column, stored(column, data), lang)


def protect(text: str) -> str:
    """The text a spreadsheet app shows as text: an apostrophe before a text
    that would start a formula (``=``, ``+``, ``-``, ``@``, tab, CR), and
    before one that already starts with apostrophes and then one of these,
    so :func:`unprotect` gives back exactly the stored text."""
    if text and text.lstrip(PROTECT).startswith(FORMULA_START):
        return PROTECT + text
    return text


def unprotect(text: str) -> str:
    if text.startswith(PROTECT) and text.lstrip(PROTECT).startswith(FORMULA_START):
        return text[1:]
    return text


# ------------------------------------------------------------------ reading

class CellError(ValueError):
    """A cell that cannot be read (message translated)."""


def cell_text(value: Any) -> str:
    """The text of an uploaded cell: strings stripped and unprotected, whole
    numbers without ``.0``, real spreadsheet dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unprotect(str(value).strip())


def _concept(column: Column, text: str) -> dict[str, Any] | None:
    """The concept a steward's text names: IRI, code, alias or label
    (:func:`vocab.resolve`), a label of a category, or ``Label (code)``."""
    concept = vocab.resolve(column.vocabulary, text)
    if concept is not None:
        return concept
    lowered = text.lower()
    named = [c for c in vocab.concepts(column.vocabulary)
             if lowered in {label.strip().lower() for label in c.get("labels", {}).values()}]
    if len(named) == 1:
        return named[0]
    code = TRAILING_CODE.search(text)
    return vocab.find(column.vocabulary, code.group(1).strip()) if code else None


def _vocab_value(column: Column, text: str) -> str:
    concept = _concept(column, text)
    if concept is None:
        raise CellError(tk._('"%(value)s" is not in the list of allowed values '
                             '(see the sheet "Help").') % {"value": text})
    return concept[column.vocabulary_key]


def _date(text: str) -> str:
    match = GERMAN_DATE.match(text)
    if not match:
        return text  # the schema's validator reads or refuses the other forms
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        raise CellError(tk._('"%(value)s" is not a date.') % {"value": text}) from None


def parse(column: Column, text: str) -> Any:
    """The stored form of cell text (``text`` as given by :func:`cell_text`);
    raises :class:`CellError` for a value the column cannot hold."""
    if column.kind == "tags":
        return [part for part in re.split(SPLIT_TAGS, text) if part]
    if column.kind in ("list", "vocab_list"):
        items = [part for part in re.split(SPLIT, text) if part]
        if column.kind == "vocab_list":
            return list(dict.fromkeys(_vocab_value(column, item) for item in items))
        return items
    if not text:
        return ""
    if column.kind == "vocab":
        return _vocab_value(column, text)
    if column.kind == "date":
        return _date(text)
    return text


def same(column: Column, old: Any, new: Any, lang: str = "de") -> bool:
    """Whether a parsed value equals the stored one, as the sheet shows them."""
    return render(column, old, lang) == render(column, new, lang)
