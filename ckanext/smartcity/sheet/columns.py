"""The sheet's columns, derived from the scheming schema (``schemas/dataset.yaml``).

One column per dataset field (sheet "Datensätze") and per distribution field
(sheet "Distributionen"); a repeating field (publisher, contact, temporal
coverage...) is carried as the columns of its FIRST entry ("Veröffentlichende
Stelle: Name"). Headers are the schema's labels; cells hold what a steward
reads: vocabulary labels (from the vocabulary files through
:mod:`ckanext.smartcity.schema.vocab`, the one source of the labels), list
values joined by "; ", dates as stored (``2024-12-31``). The last column
of "Datensätze" is the dataset's ``metadata_modified`` at export ("Stand"):
the import warns when a dataset changed after it (a stale sheet).

:func:`cell` turns a stored value into cell text, :func:`parse` turns cell
text back into the stored form (labels, codes and IRIs alike; German dates);
:func:`protect` / :func:`unprotect` keep a spreadsheet app from evaluating a
text as a formula (docs/bulk-onboarding.md, "Formula protection").
"""
from __future__ import annotations

import dataclasses
import datetime
import difflib
import re
import unicodedata
from typing import Any

import ckan.plugins.toolkit as tk
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.values import values

SEPARATOR = "; "
# what a cell of several values is split at on import: "; " or a line break
# (Alt+Enter in Excel); "," too for keywords, which cannot contain one
SPLIT = r"\s*(?:;|\n)\s*"
SPLIT_TAGS = r"\s*[;,\n]\s*"
# a text beginning with one of these is a formula to Excel, LibreOffice and
# Google Sheets (OWASP "CSV injection"); docs/security.md
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PROTECT = "'"
DATASET_KEY = "dataset"   # the distribution sheet's link to its dataset
RESOURCE_ID = "id"        # the distribution sheet's key of a stored distribution
STAMP = "metadata_modified"  # the dataset's last change at export (stale sheets)
GERMAN_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
TRAILING_CODE = re.compile(r"\(([^()]+)\)\s*$")
# OOXML writes a character XML cannot carry as _xHHHH_ (Excel: a line break
# "\r\n" as "_x000D_\n"); "_x005F_" is the escaped underscore itself
XLSX_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212-]")
# what a steward writes for a format that no code or label names: the one
# spreadsheet format the sheet itself is read in (tolerant in)
FALLBACK = {"eu-file-type": {"excel": "XLSX"}}


@dataclasses.dataclass(frozen=True)
class Column:
    """One column: ``key`` is the field name, ``parent.sub`` for the first
    entry of a repeating field; ``kind`` says how cells are read and written."""

    key: str
    kind: str  # name, org, tags, text, date, list, vocab, vocab_list, dataset, id, stamp
    labels: dict[str, str]
    help: dict[str, str]
    required: bool = False
    vocabulary: str | None = None
    vocabulary_key: str = "uri"
    parent: str | None = None
    sub: str | None = None
    # a subfield the schema requires once its entry is given (publisher name)
    required_in_entry: bool = False

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
        sub=field["field_name"] if parent else None,
        required_in_entry=bool(field.get("required")) and parent is not None)


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


STAMP_COLUMN = Column(
    STAMP, "stamp", {"de": "Stand (nicht ändern)", "en": "Last changed (do not edit)"},
    {"de": "Wann der Datensatz zuletzt gespeichert wurde, als die Tabelle erstellt wurde. "
           "Nicht ändern: Beim Hochladen wird damit geprüft, ob jemand den Datensatz "
           "seitdem geändert hat. Für neue Datensätze leer lassen.",
     "en": "When the dataset was last saved at the time the sheet was made. Do not edit: "
           "the upload uses it to check whether someone changed the dataset since. "
           "Leave empty for new datasets."})


def dataset_columns() -> list[Column]:
    """The columns of the sheet "Datensätze", in the schema's order, then
    the stamp of the dataset's last change (:data:`STAMP_COLUMN`)."""
    return [*_columns(_schema().get("dataset_fields", []), dataset=True), STAMP_COLUMN]


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


def escape_xlsx(text: str) -> str:
    """A text whose ``_xHHHH_`` stays literal in XLSX (its underscore escaped
    as ``_x005F_``), so :func:`decode_xlsx` gives it back unchanged."""
    return XLSX_ESCAPE.sub(r"_x005F_x\1_", text)


def decode_xlsx(text: str) -> str:
    """The text of an XLSX string cell: ``_xHHHH_`` escapes decoded (left to
    right, so ``_x005F_x000D_`` stays the literal ``_x000D_``)."""
    if "_x" not in text:
        return text
    return XLSX_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def lines(text: str) -> str:
    """Line breaks as "\\n" (Windows and Excel write "\\r\\n")."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    return unprotect(lines(str(value)).strip())


def loose(text: str) -> str:
    """A text as matched against a vocabulary: case, dashes of any kind
    (– — ‐ -), spaces and the two between them ignored
    ("Datenlizenz Deutschland - zero - version 2.0")."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(DASHES.sub(" ", text).split())


def _notations(concept: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Every way the vocabulary writes a concept: code, aliases, labels, the
    abbreviation in a label's brackets ("CC BY 4.0"), the homepage and its
    path (the official short id of the Datenlizenz Deutschland,
    ``dl-de/by-2-0``, is the path of its homepage); second, weaker, a label
    without its brackets."""
    texts = [concept.get("code") or "", *concept.get("aliases", ())]
    weaker = []
    for label in concept.get("labels", {}).values():
        texts.append(label)
        code = TRAILING_CODE.search(label)
        if code:
            texts.append(code.group(1))
            weaker.append(label[:code.start()])
    homepage = concept.get("homepage") or ""
    if "://" in homepage:
        texts.append(homepage)
        path = homepage.split("://", 1)[1].partition("/")[2].strip("/")
        if path:
            texts.append(path)
    return [text for text in texts if text], [text for text in weaker if text.strip()]


def _unique(pairs: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any] | None]:
    """Concepts by key; None where a key names two concepts."""
    index: dict[str, dict[str, Any] | None] = {}
    for key, concept in pairs:
        if key in index and (index[key] or {}).get("uri") != concept.get("uri"):
            index[key] = None
        else:
            index[key] = concept
    return index


_loose_index: dict[str, tuple[object, dict[str, dict[str, Any] | None]]] = {}


def _loose_concepts(name: str) -> dict[str, dict[str, Any] | None]:
    """Concepts of vocabulary ``name`` by :func:`loose` notation (None where
    a notation names two concepts; a weaker notation never hides a stronger
    one); rebuilt when the vocabulary's list is a new one (the categories
    are reloadable)."""
    current = vocab.concepts(name)
    cached = _loose_index.get(name)
    if cached is not None and cached[0] is current:
        return cached[1]
    strong, weak = [], []
    for concept in current:
        texts, weaker = _notations(concept)
        strong += [(loose(text), concept) for text in texts]
        weak += [(loose(text), concept) for text in weaker]
    index = _unique(strong)
    for key, concept in _unique(weak).items():
        index.setdefault(key, concept)
    _loose_index[name] = (current, index)
    return index


def _concept(column: Column, text: str) -> dict[str, Any] | None:
    """The concept a steward's text names: IRI, code, alias or label
    (:func:`vocab.resolve`), ``Label (code)``, then loosely (:func:`loose`)
    a label, the abbreviation in its brackets, a code, alias or homepage;
    last a word of :data:`FALLBACK` ("Excel")."""
    concept = vocab.resolve(column.vocabulary, text)
    if concept is not None:
        return concept
    code = TRAILING_CODE.search(text)
    if code and column.vocabulary in vocab.NO_LABEL_LOOKUP:
        return vocab.find(column.vocabulary, code.group(1).strip())
    if column.vocabulary in vocab.NO_LABEL_LOOKUP:
        return None
    index = _loose_concepts(column.vocabulary)
    concept = index.get(loose(text))
    if concept is None and code:
        concept = vocab.find(column.vocabulary, code.group(1).strip())
    if concept is None:
        fallback = FALLBACK.get(column.vocabulary, {}).get(loose(text))
        concept = vocab.find(column.vocabulary, fallback) if fallback else None
    return concept


def suggestion(column: Column, text: str, lang: str = "de") -> str | None:
    """The label most like ``text`` or like the abbreviation in a label's
    brackets (difflib), for "Did you mean …?"."""
    if column.vocabulary in vocab.NO_LABEL_LOOKUP:
        return None
    labels: dict[str, str] = {}
    for concept in vocab.concepts(column.vocabulary):
        shown = render(column, concept[column.vocabulary_key], lang)
        for label in concept.get("labels", {}).values():
            labels.setdefault(loose(label), shown)
            code = TRAILING_CODE.search(label)
            if code:  # "CC BY 4" is near "CC BY 4.0"
                labels.setdefault(loose(code.group(1)), shown)
    close = difflib.get_close_matches(loose(text), list(labels), n=1, cutoff=0.6)
    return labels[close[0]] if close else None


def _vocab_value(column: Column, text: str, lang: str = "de") -> str:
    concept = _concept(column, text)
    if concept is None:
        message = tk._('"%(value)s" is not in the list of allowed values '
                       '(see the sheet "Help").') % {"value": text}
        similar = suggestion(column, text, lang)
        if similar:
            message += " " + tk._('Did you mean "%(label)s"?') % {"label": similar}
        raise CellError(message)
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


def parse(column: Column, text: str, lang: str = "de") -> Any:
    """The stored form of cell text (``text`` as given by :func:`cell_text`);
    raises :class:`CellError` for a value the column cannot hold (with a
    suggestion in ``lang`` for a vocabulary value)."""
    if column.kind == "tags":
        return [part for part in re.split(SPLIT_TAGS, text) if part]
    if column.kind in ("list", "vocab_list"):
        items = [part for part in re.split(SPLIT, text) if part]
        if column.kind == "vocab_list":
            return list(dict.fromkeys(_vocab_value(column, item, lang) for item in items))
        return items
    if not text:
        return ""
    if column.kind == "vocab":
        return _vocab_value(column, text, lang)
    if column.kind == "date":
        return _date(text)
    return text


def same(column: Column, old: Any, new: Any, lang: str = "de") -> bool:
    """Whether a parsed value equals the stored one, as the sheet shows them
    (line breaks alike however written)."""
    return lines(render(column, old, lang)) == lines(render(column, new, lang))
