"""Write datasets as a spreadsheet: XLSX with the sheets "Datensätze",
"Distributionen" and "Hilfe", or CSV (the datasets only).

Every text cell goes through :func:`columns.protect` and is stored as a
string, never as a formula (docs/bulk-onboarding.md, "Formula protection").
The help sheet states the rules the import applies (separators, mandatory
subfields, no uploads): where a schema help text speaks of the form, the
sheet's rule replaces it.
"""
from __future__ import annotations

import csv
import io
from typing import Any, BinaryIO

import ckan.plugins.toolkit as tk
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ckanext.smartcity.schema import vocab
from ckanext.smartcity.sheet import columns as cols

SHEET_NAMES = {
    "datasets": {"de": "Datensätze", "en": "Datasets"},
    "distributions": {"de": "Distributionen", "en": "Distributions"},
    "help": {"de": "Hilfe", "en": "Help"},
}
CSV_DELIMITER = ";"  # what German Excel expects
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8
PAGE = 1000
# at most this many allowed values are listed in the help sheet (regions: 11,000)
MAX_LISTED = 300


def sheet_name(key: str, lang: str) -> str:
    return SHEET_NAMES[key].get(lang) or SHEET_NAMES[key]["en"]


def dataset_rows(datasets: list[dict[str, Any]], lang: str) -> list[list[str]]:
    columns = cols.dataset_columns()
    return [[cols.cell(c, ds, lang) for c in columns] for ds in datasets]


def distribution_rows(datasets: list[dict[str, Any]], lang: str) -> list[list[str]]:
    columns = cols.distribution_columns()
    rows = []
    for ds in datasets:
        for res in ds.get("resources") or []:
            link = dict(res, **{cols.DATASET_KEY: ds.get("name")})
            rows.append([cols.cell(c, link, lang) for c in columns])
    return rows


def _put(sheet, header: list[str], rows: list[list[str]]) -> None:
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None] * len(row))
        for index, text in enumerate(row, start=1):
            if not text:
                continue
            target = sheet.cell(row=sheet.max_row, column=index)
            # control characters cannot be stored in XLSX (the schema refuses them anyway)
            text = cols.escape_xlsx(ILLEGAL_CHARACTERS_RE.sub("", text))
            target.value = cols.protect(text)
            # openpyxl takes a text beginning with "=" for a formula: never
            target.data_type = TYPE_STRING
    sheet.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(title), 12) + 2, 50)


def _several() -> str:
    return tk._('Several values separated by "; " or line breaks')


def _allowed(column: cols.Column, lang: str) -> str:
    if column.vocabulary:
        concepts = vocab.concepts(column.vocabulary)
        if len(concepts) > MAX_LISTED:
            return tk._("%(count)s values; type a name or key") % {"count": len(concepts)}
        shown = sorted({cols.render(column, c[column.vocabulary_key], lang) for c in concepts},
                       key=str.lower)
        return "\n".join(shown)
    hints = {
        "list": _several(),
        "tags": tk._('Several values separated by "; ", commas or line breaks'),
        "date": tk._("YYYY-MM-DD, YYYY-MM, YYYY or DD.MM.YYYY"),
        "name": tk._("Lower-case letters, digits, - and _; empty: made from the title"),
        "org": tk._("Name or URL name of the organisation"),
        "stamp": tk._("Written by the export; do not change"),
    }
    return hints.get(column.kind, "")


def _meaning(key: str, column: cols.Column, lang: str) -> str:
    """The column's help text; where the schema's text describes the form,
    the sheet's own rule instead."""
    if column.kind == "tags":
        return tk._('Words citizens search for; separate several with "; " (a comma '
                    'works too).')
    if key == "distributions" and column.key == "url":
        return tk._("Address where the data can be reached. Files cannot be uploaded "
                    "through the sheet: upload them in the form; the address of an "
                    "uploaded file is shown here and kept.")
    return column.help_text(lang)


def _mandatory(column: cols.Column) -> str:
    if column.required:
        return tk._("yes")
    if column.required_in_entry:
        return tk._("yes, when another column of this entry is filled")
    return tk._("no")


def help_rows(lang: str) -> list[list[str]]:
    """One row per column of both sheets: sheet, header, meaning, mandatory,
    allowed values (vocabulary labels)."""
    rows = []
    for key, columns in (("datasets", cols.dataset_columns()),
                         ("distributions", cols.distribution_columns())):
        for column in columns:
            allowed = _allowed(column, lang)
            if column.kind == "vocab_list":
                allowed = _several() + ":\n" + allowed
            rows.append([sheet_name(key, lang), column.header(lang),
                         _meaning(key, column, lang), _mandatory(column), allowed])
    return rows


def _help_sheet(sheet, lang: str) -> None:
    header = [tk._("Sheet"), tk._("Column"), tk._("Meaning"), tk._("Mandatory field"),
              tk._("Allowed values")]
    _put(sheet, header, help_rows(lang))
    for letter, width in zip("ABCDE", (16, 36, 60, 10, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_sheet(datasets: list[dict[str, Any]], out: BinaryIO, fmt: str = "xlsx",
                lang: str = "de") -> None:
    """Write ``datasets`` (package_show dicts) to ``out``; ``[]`` writes the
    empty template (headers and help)."""
    if fmt == "csv":
        _write_csv(datasets, out, lang)
        return
    book = Workbook()
    first = book.active
    first.title = sheet_name("datasets", lang)
    _put(first, [c.header(lang) for c in cols.dataset_columns()], dataset_rows(datasets, lang))
    _put(book.create_sheet(sheet_name("distributions", lang)),
         [c.header(lang) for c in cols.distribution_columns()], distribution_rows(datasets, lang))
    _help_sheet(book.create_sheet(sheet_name("help", lang)), lang)
    book.save(out)


def _write_csv(datasets: list[dict[str, Any]], out: BinaryIO, lang: str) -> None:
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([c.header(lang) for c in cols.dataset_columns()])
    for row in dataset_rows(datasets, lang):
        writer.writerow([cols.protect(value) for value in row])
    out.write(text.getvalue().encode(CSV_ENCODING))


def organisation_datasets(context: dict[str, Any], org: str | None) -> list[dict[str, Any]]:
    """The active datasets (public and private; no drafts, nothing deleted)
    of ``org`` (name or id; all organisations when None) that the context's
    user may see, as package_show dicts, by URL name."""
    search = {"q": "*:*", "rows": PAGE, "sort": "name asc", "include_private": True,
              "fl": "id"}
    if org:
        shown = tk.get_action("organization_show")(
            dict(context), {"id": org, "include_datasets": False})
        search["fq"] = f'owner_org:"{shown["id"]}"'
    ids: list[str] = []
    start = 0
    while True:
        found = tk.get_action("package_search")(dict(context), dict(search, start=start))
        ids += [item["id"] for item in found["results"] if item["id"] not in ids]
        start += PAGE
        if not found["results"] or start >= found["count"]:
            break
    datasets = [tk.get_action("package_show")(dict(context), {"id": ident}) for ident in ids]
    return [ds for ds in datasets if ds.get("state") == "active"]
