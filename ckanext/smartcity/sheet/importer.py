"""Read an uploaded sheet and plan or apply it: per row "create", "update",
"unchanged" or "refused", with the field errors in the report language.

Reading is defensive (docs/bulk-onboarding.md, "Limits"; docs/security.md):
the file size, the unpacked size of an XLSX, rows, columns and cell length
are capped; XLSX is opened read-only by openpyxl, which parses its XML
through defusedxml. Anything unreadable is a :class:`SheetError` with a
steward-readable message.

Rows are matched to datasets by the URL column; a row whose dataset changed
after the sheet's "Stand" column still plans, with a warning; a dataset and its
distribution rows are one write (package_create / package_update, the
form's validators, as the context's user). Only the columns present in the
sheet are changed: everything else of a stored dataset is kept.

A new row that lacks only mandatory values (description, licence, a
distribution …) but has no invalid value is created as a draft (docs/drafts.md)
with a warning naming what publication still needs; the dry run and the write
decide this by the same validation (:func:`_check`).
"""
from __future__ import annotations

import contextlib
import copy
import csv
import dataclasses
import datetime
import io
import logging
import zipfile
from collections.abc import Iterator
from typing import Any, BinaryIO

import ckan.plugins.toolkit as tk
import flask
from ckan import model
from ckan.lib import plugins as lib_plugins
from ckan.lib.munge import munge_title_to_name
from openpyxl import load_workbook

from ckanext.smartcity.schema import defaults, drafts
from ckanext.smartcity.schema import validators as schema_validators
from ckanext.smartcity.sheet import columns as cols
from ckanext.smartcity.sheet.export import SHEET_NAMES

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 200
MAX_CELL = 100_000  # the longest text the schema stores (schema/validators.py)
MAX_UNPACKED = 100 * 1024 * 1024  # an XLSX's XML, unpacked (zip bombs)
MAX_MEMBERS = 500
STATUSES = ("create", "update", "unchanged", "refused")
MAX_SHOWN = 200  # characters of an old or new value in the report
OLE2 = b"\xd0\xcf\x11\xe0"  # the legacy Excel (.xls) container
OPENDOCUMENT = b"application/vnd.oasis.opendocument"  # the ODS zip's "mimetype"
UNSUPPORTED = (".xls", ".xlt", ".ods", ".ots", ".fods")
DATE_SHOWN = {"de": "%d.%m.%Y %H:%M", "en": "%Y-%m-%d %H:%M"}
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss",
                         "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


class SheetError(ValueError):
    """A file that cannot be read as a sheet (message translated)."""


@dataclasses.dataclass
class Cell:
    text: str
    formula: bool = False


@dataclasses.dataclass
class Table:
    """One sheet: its name, the known columns found, the non-empty rows
    (1-based row number as the spreadsheet app shows it, cells by column key)."""

    name: str
    columns: list[cols.Column]
    rows: list[tuple[int, dict[str, Cell]]]


@dataclasses.dataclass
class Sheet:
    datasets: Table
    distributions: Table | None
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def row_count(self) -> int:
        """The data rows of both sheets (dataset rows + distribution rows)."""
        return len(self.datasets.rows) + len(self.distributions.rows if self.distributions
                                              else [])


@dataclasses.dataclass
class RowResult:
    sheet: str
    row: int
    name: str = ""
    title: str = ""
    status: str = "unchanged"
    changes: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    errors: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Report:
    rows: list[RowResult] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    applied: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts


def max_rows() -> int:
    return tk.asint(tk.config.get("ckanext.smartcity.sheet.max_rows", MAX_ROWS))


def max_bytes() -> int:
    return tk.asint(tk.config.get("ckanext.smartcity.sheet.max_bytes", MAX_BYTES))


@contextlib.contextmanager
def language(flask_app: Any, lang: str) -> Iterator[None]:
    """A request context in ``lang`` for commands and tests (validators and
    ``tk._`` translate in the request's language); inside a request, that
    request's language is used."""
    if flask.has_request_context():
        yield
        return
    with flask_app.test_request_context(environ_overrides={"CKAN_LANG": lang}):
        yield


# ------------------------------------------------------------------ reading

def read_sheet(stream: BinaryIO, filename: str) -> Sheet:
    """The sheet in ``stream``: XLSX, or CSV (by the name ``*.csv`` or by
    content, also under an ``.xlsx`` name); ODS and XLS are refused with a
    hint to save as XLSX."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise SheetError(tk._("The file is larger than %(size)s MB.")
                         % {"size": limit // (1024 * 1024)})
    if not data:
        raise SheetError(tk._("The file is empty."))
    if _file_kind(data, filename) == "csv":
        tables = {"datasets": _csv_rows(data)}
    else:
        tables = _xlsx_tables(data)
    warnings: list[str] = []
    datasets = _table(tables.get("datasets"), "datasets", cols.dataset_columns(), warnings)
    if not datasets.columns:
        raise SheetError(tk._("The sheet has no known column headers in its first row."))
    distributions = None
    if tables.get("distributions") is not None:
        distributions = _table(tables["distributions"], "distributions",
                               cols.distribution_columns(), warnings)
    return Sheet(datasets, distributions, warnings)


def _unsupported() -> SheetError:
    return SheetError(tk._("ODS and XLS files are not supported – please save the file as "
                           ".xlsx in LibreOffice or Excel (File › Save as)."))


def _file_kind(data: bytes, filename: str) -> str:
    """``xlsx`` or ``csv``, by content first (a CSV saved under an .xlsx
    name is still a CSV), then by name."""
    name = filename.lower()
    if data.startswith(OLE2) or (data.startswith(b"PK") and _is_opendocument(data)):
        raise _unsupported()
    if data.startswith(b"PK"):
        return "xlsx"
    if name.endswith(UNSUPPORTED):
        raise _unsupported()
    if name.endswith(".csv") or _looks_like_csv(data):
        return "csv"
    raise SheetError(tk._("The file is neither an Excel workbook (.xlsx) nor a CSV file."))


def _is_opendocument(data: bytes) -> bool:
    """An OpenDocument zip: its first member is "mimetype", stored as is."""
    return data[30:38] == b"mimetype" and data[38:38 + len(OPENDOCUMENT)] == OPENDOCUMENT


def _looks_like_csv(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return False
    first = head.split(b"\n", 1)[0]
    return any(delimiter in first for delimiter in (b";", b",", b"\t"))


def _csv_rows(data: bytes) -> tuple[str, list[list[Cell]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" in Germany
    if "\x00" in text:
        raise SheetError(tk._("The file is neither an Excel workbook (.xlsx) nor a CSV file."))
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    csv.field_size_limit(MAX_CELL + 1)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            _check_size(len(rows) + 1, len(row))
            rows.append([Cell(cols.cell_text(value), formula=value.startswith("="))
                         for value in row])
    except csv.Error:
        raise SheetError(tk._("The CSV file cannot be read.")) from None
    return ("CSV", rows)


def _check_size(row: int, width: int) -> None:
    if row > max_rows() + 1:
        raise SheetError(tk._("The sheet has more than %(count)s rows.") % {"count": max_rows()})
    if width > MAX_COLUMNS:
        raise SheetError(tk._("The sheet has more than %(count)s columns.")
                         % {"count": MAX_COLUMNS})


def _xlsx_tables(data: bytes) -> dict[str, tuple[str, list[list[Cell]]]]:
    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for broken files
        raise SheetError(tk._("The file is not a readable Excel workbook (.xlsx).")) from None
    try:
        return _workbook_tables(book)
    except SheetError:
        raise
    except Exception:
        raise SheetError(tk._("The file is not a readable Excel workbook (.xlsx).")) from None
    finally:
        book.close()


def _check_zip(data: bytes) -> None:
    """Refuse an XLSX that unpacks to far more than a sheet needs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            opendocument = any(m.filename == "mimetype" and m.file_size < 100
                               for m in members) and archive.read("mimetype").startswith(
                                   OPENDOCUMENT)
    except (zipfile.BadZipFile, ValueError):
        raise SheetError(tk._("The file is not a readable Excel workbook (.xlsx).")) from None
    if opendocument:  # an ODS whose "mimetype" is not its first member
        raise _unsupported()
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise SheetError(tk._("The workbook unpacks to more data than a sheet may hold."))


def _normal(text: str) -> str:
    return " ".join(str(text).replace("*", " ").split()).casefold()


def _role(title: str) -> str | None:
    for key, names in SHEET_NAMES.items():
        if _normal(title) in {_normal(name) for name in names.values()}:
            return key
    return None


def _workbook_tables(book) -> dict[str, tuple[str, list[list[Cell]]]]:
    tables: dict[str, tuple[str, list[list[Cell]]]] = {}
    others = []
    for sheet in book.worksheets:
        role = _role(sheet.title)
        if role == "help":
            continue
        if role in tables or role is None:
            others.append(sheet)
            continue
        tables[role] = (sheet.title, _sheet_rows(sheet))
    if "datasets" not in tables and others:
        tables["datasets"] = (others[0].title, _sheet_rows(others[0]))
    return tables


def _sheet_rows(sheet) -> list[list[Cell]]:
    """The rows of one worksheet, read up to the row limit only: openpyxl
    yields every gap row up to the last used one, so a 5 KB file with one
    cell in row 1,000,000 would cost minutes (docs/security.md F24)."""
    last = max_rows() + 2  # the header, the allowed rows, one more to detect "too many"
    declared = getattr(sheet, "max_row", None) or 0
    if declared > last:
        raise SheetError(tk._("The sheet reaches down to row %(row)s; at most %(count)s rows "
                              "are read. Please delete empty rows at its end.")
                         % {"row": declared, "count": max_rows()})
    rows = []
    for number, row in enumerate(sheet.iter_rows(max_row=last, max_col=MAX_COLUMNS + 1),
                                 start=1):
        cells = [_xlsx_cell(cell) for cell in row]
        while cells and not cells[-1].text:
            cells.pop()
        _check_size(number if cells else 0, len(cells))
        rows.append(cells)
    return rows


def _xlsx_cell(cell) -> Cell:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return Cell(str(value), formula=True)
    if isinstance(value, str) and len(value) > MAX_CELL:
        raise SheetError(tk._("Cell %(cell)s holds more than %(count)s characters.")
                         % {"cell": cell.coordinate, "count": MAX_CELL})
    if isinstance(value, str):
        value = cols.decode_xlsx(value)
    return Cell(cols.cell_text(value))


def _table(found: tuple[str, list[list[Cell]]] | None, role: str,
           columns: list[cols.Column], warnings: list[str]) -> Table:
    if not found or not found[1]:
        return Table(SHEET_NAMES[role]["de"], [], [])
    title, rows = found
    by_header: dict[str, cols.Column] = {}
    for column in columns:
        for text in (*column.labels.values(), column.key):
            by_header.setdefault(_normal(text), column)
    known: list[tuple[int, cols.Column]] = []
    unknown = []
    for index, header in enumerate(rows[0]):
        column = by_header.get(_normal(header.text))
        if column is None or any(c is column for _, c in known):
            if header.text:
                unknown.append(header.text)
            continue
        known.append((index, column))
    if unknown:
        warnings.append(tk._('Sheet "%(sheet)s": columns ignored (unknown or repeated): '
                             '%(columns)s') % {"sheet": title, "columns": ", ".join(unknown)})
    table_rows = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {c.key: row[i] for i, c in known if i < len(row)}
        if any(cell.text for cell in cells.values()):
            table_rows.append((number, cells))
    return Table(title, [c for _, c in known], table_rows)


# ----------------------------------------------------------------- planning

@dataclasses.dataclass
class Unit:
    """One dataset's write: its row, its distribution rows, the target dict."""

    name: str
    existing: dict[str, Any] | None
    row: RowResult | None = None
    # the dataset's last change when it is later than the sheet's "Stand"
    stale: str = ""
    # the dataset is not the user's to edit here: its one error says why
    blocked: bool = False
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    resources: list[tuple[RowResult, dict[str, Any]]] = dataclasses.field(default_factory=list)
    # a new dataset that lacks mandatory values: created in state "draft"
    draft: bool = False

    @property
    def stored_draft(self) -> bool:
        return self.existing is not None and drafts.is_draft(self.existing)

    def results(self) -> list[RowResult]:
        return ([self.row] if self.row else []) + [r for r, _ in self.resources]


class Planner:
    """Turns the sheet's rows into units (datasets to write) and row results."""

    def __init__(self, context: dict[str, Any], sheet: Sheet, org: str | None, lang: str):
        self.context = context
        self.sheet = sheet
        self.lang = lang
        self.org = _organization(context, org) if org else None
        self.units: dict[str, Unit] = {}
        self.order: list[RowResult] = []

    def run(self) -> list[Unit]:
        for number, cells in self.sheet.datasets.rows:
            self._dataset_row(number, cells)
        if self.sheet.distributions is not None:
            for number, cells in self.sheet.distributions.rows:
                self._distribution_row(number, cells)
        return list(self.units.values())

    # datasets ---------------------------------------------------------
    def _dataset_row(self, number: int, cells: dict[str, Cell]) -> None:
        result = RowResult(self.sheet.datasets.name, number)
        self.order.append(result)
        name = self._name(result, _text(cells.get("name")), _text(cells.get("title")))
        if not name or self._twin(result, name):
            return
        existing = self._existing(result, name)
        unit = self.units.setdefault(name, Unit(name, existing))
        unit.row = result
        if existing is not None:
            result.title = result.title or existing.get("title", "")
            if result.errors:  # not this organisation's or not editable: that one error
                unit.data, unit.blocked = copy.deepcopy(existing), True
                return
            unit.stale = _later(existing.get("metadata_modified"), _text(cells.get(cols.STAMP)))
        unit.data = copy.deepcopy(existing) if existing else {"name": name, "type": "dataset"}
        self._organisation(unit, cells, result)
        if result.errors:
            unit.blocked = True
            return  # a new row of another organisation: that one error
        columns = [c for c in self.sheet.datasets.columns
                   if c.kind not in ("name", "org", "stamp")]
        _apply_cells(columns, cells, existing or {}, unit.data, result, self.lang,
                     draft=unit.stored_draft)
        result.status = "update" if existing else "create"

    def _name(self, result: RowResult, name: str, title: str) -> str:
        """The row's URL name: given, or made from the title for a new dataset."""
        result.title = title
        if name:
            result.name = name
            return name
        name = _derived_name(title)
        if not name:
            _error(result, _label("title", self.lang),
                   tk._("Without a title no URL can be made for a new dataset."))
            return ""
        if name not in self.units and _exists(name):
            _error(result, _label("name", self.lang),
                   tk._('A dataset with the URL "%(name)s" exists already; enter '
                        'the URL to update it.') % {"name": name})
            return ""
        result.name = name
        return name

    def _twin(self, result: RowResult, name: str) -> bool:
        """Whether an earlier dataset row has the same URL (both are flagged)."""
        twin = self.units.get(name)
        if twin is None or twin.row is None:
            return False
        label = _label("name", self.lang)
        if twin.existing is None:
            message = tk._("Same URL as row %(row)s – please enter a URL of its own.")
        else:
            message = tk._("The dataset appears twice in the sheet (row %(row)s).")
        _error(result, label, message % {"row": twin.row.row})
        _error(twin.row, label, message % {"row": result.row})
        return True

    def _existing(self, result: RowResult, name: str) -> dict[str, Any] | None:
        try:
            found = tk.get_action("package_show")(dict(self.context), {"id": name})
        except tk.ObjectNotFound:
            return None
        except tk.NotAuthorized:
            _error(result, _label("name", self.lang),
                   tk._("You may not edit this dataset."))
            return None
        if found.get("name") != name:
            return None  # the URL column names datasets, not ids
        if found.get("state") == "deleted":
            _error(result, _label("name", self.lang),
                   tk._('The dataset "%(name)s" was deleted. A sysadmin can restore it, or '
                        'purge it to free its URL.') % {"name": name})
            return None
        if self.org and found.get("owner_org") != self.org["id"]:
            _error(result, _label("name", self.lang),
                   tk._('The dataset belongs to the organisation "%(other)s", not to '
                        '"%(org)s": import this row on that organisation\'s page.')
                   % {"other": (found.get("organization") or {}).get("title")
                      or found.get("owner_org"), "org": self.org["title"] or self.org["name"]})
        elif not _may(self.context, "package_update", {"id": found["id"]}):
            _error(result, _label("name", self.lang), tk._("You may not edit this dataset."))
        return found

    def _organisation(self, unit: Unit, cells: dict[str, Cell], result: RowResult) -> None:
        """The row's organisation: named by id, URL name or title (any case)."""
        given = _text(cells.get("owner_org"))
        label = _label("owner_org", self.lang)
        if unit.existing is not None:
            if given and not _names(unit.existing.get("organization")
                                    or {"id": unit.existing.get("owner_org")}, given):
                _error(result, label, tk._("A dataset cannot be moved to another "
                                           "organisation by the sheet."))
            return
        org = self.org
        if given and (org is None or not _names(org, given)):
            if org is not None:
                _error(result, label, tk._('The row names the organisation "%(given)s"; the '
                                           'sheet is imported for "%(org)s".')
                       % {"given": given, "org": org["title"] or org["name"]})
                return
            org = _organization(self.context, given, quiet=True) or self._by_title(given)
        if org is None:
            _error(result, label, tk._("Name the organisation of the new dataset."))
            return
        if not _may(self.context, "package_create", {"owner_org": org["id"]}):
            _error(result, label, tk._("You may not create datasets in this organisation."))
            return
        unit.data["owner_org"] = org["id"]

    def _by_title(self, given: str) -> dict | None:
        """The organisation whose title is ``given`` (any case), if one only."""
        wanted = given.casefold().strip()
        found = [group for group in model.Session.query(model.Group).filter(
            model.Group.is_organization.is_(True), model.Group.state == "active")
            if (group.title or "").casefold().strip() == wanted]
        if len(found) != 1:
            return None
        return _organization(self.context, found[0].id, quiet=True)

    # distributions ----------------------------------------------------
    def _distribution_row(self, number: int, cells: dict[str, Cell]) -> None:
        result = RowResult(self.sheet.distributions.name, number)
        self.order.append(result)
        name = _text(cells.get(cols.DATASET_KEY))
        result.name = name
        result.title = _text(cells.get("name"))
        columns = [c for c in self.sheet.distributions.columns
                   if c.kind not in ("dataset", "id")]
        unit = self._unit_of(result, name)
        if unit is None:
            return
        stored = self._resource(unit, result, _text(cells.get(cols.RESOURCE_ID)),
                                _text(cells.get("url")))
        target = copy.deepcopy(stored) if stored else {}
        _apply_cells(columns, cells, stored or {}, target, result, self.lang)
        if stored and stored.get("url_type") == "upload" and target.get("url") != stored["url"]:
            target["url_type"] = ""  # a new access URL replaces the uploaded file by a link
        result.status = "update" if stored else "create"
        unit.resources.append((result, target))

    def _unit_of(self, result: RowResult, name: str) -> Unit | None:
        label = cols.distribution_columns()[0].header(self.lang)
        if not name:
            _error(result, label, tk._("Name the dataset (its URL) the distribution belongs to."))
            return None
        if name not in self.units:
            existing = self._existing(result, name)
            if existing is None and not result.errors:
                _error(result, label, tk._('There is no dataset "%(name)s", neither in the '
                                           'sheet nor in the portal.') % {"name": name})
            if result.errors:
                return None
            self.units[name] = Unit(name, existing, data=copy.deepcopy(existing))
        return self.units[name]

    def _resource(self, unit: Unit, result: RowResult, ident: str, url: str) -> dict | None:
        stored = (unit.existing or {}).get("resources") or []
        taken = {res.get("id") for _, res in unit.resources}
        if ident:
            for res in stored:
                if res.get("id") == ident and ident not in taken:
                    return res
            _error(result, cols.distribution_columns()[1].header(self.lang),
                   tk._("This distribution ID does not belong to the dataset "
                        "(or appears twice); leave it empty for a new distribution."))
            return None
        for res in stored:  # a re-uploaded new row: the same access URL
            if url and res.get("url") == url and res.get("id") not in taken:
                return res
        return None


def _settle(unit: Unit, lang: str) -> None:
    """Statuses of a unit's rows: a row without changes is unchanged; when
    one row of a unit is refused, its other changed rows are refused too
    (one dataset, one write); changed rows of a dataset changed after the
    sheet's "Stand" are warned that they overwrite those changes."""
    for result in unit.results():
        if not result.errors and not result.changes and result.status != "create":
            result.status = "unchanged"
        if result.errors:
            result.status = "refused"
    refused = [r for r in unit.results() if r.status == "refused"]
    for result in unit.results():
        if refused and result.status in ("create", "update") and not result.errors:
            first = refused[0]
            _error(result, "", tk._('Not saved: row %(row)s of sheet "%(sheet)s" has errors.')
                   % {"row": first.row, "sheet": first.sheet})
    if unit.stale:
        when = tk.h.render_datetime(unit.stale, date_format=DATE_SHOWN.get(lang, "%Y-%m-%d %H:%M"))
        for result in unit.results():
            if result.status == "update":
                result.warnings.append(
                    tk._("Changed since the export (on %(date)s): your values overwrite "
                         "these changes.") % {"date": when})


def _apply_cells(columns: list[cols.Column], cells: dict[str, Cell], old: dict[str, Any],
                 target: dict[str, Any], result: RowResult, lang: str,
                 draft: bool = False) -> None:
    """Parse each cell, note and set what differs from ``old`` in ``target``
    (a stored ``draft`` may empty a mandatory column, except its title)."""
    for column in columns:
        cell = cells.get(column.key)
        if cell is None:
            continue
        label = column.header(lang)
        if cell.formula:
            _error(result, label, tk._("The cell holds a formula; formulas are not imported. "
                                       "Enter the value as text."))
            continue
        before = cols.stored(column, old)
        shown = {cols.lines(cols.render(column, before, other)) for other in ("de", "en")}
        if cell.text in shown:
            continue
        try:
            value = cols.parse(column, cell.text, lang)
        except cols.CellError as error:
            _error(result, label, str(error))
            continue
        if column.required and not value and (not draft or column.key == "title"):
            _error(result, label, tk._("This column is mandatory."))
            continue
        if cols.same(column, before, value, lang):
            continue
        result.changes.append((label, _cut(cols.render(column, before, lang)),
                               _cut(cols.render(column, value, lang))))
        _set(column, target, value)


def _set(column: cols.Column, target: dict[str, Any], value: Any) -> None:
    if column.kind == "tags":
        target.pop("tags", None)
        target["tag_string"] = ",".join(value)
    elif column.parent:
        rows = target.get(column.parent)
        if not isinstance(rows, list) or not rows:
            rows = [{}]
        rows = [dict(rows[0]), *rows[1:]]
        rows[0][column.sub] = value
        if not any(v for v in rows[0].values()):
            rows = rows[1:]  # the first entry emptied: gone (organisation defaults apply)
        target[column.parent] = rows
    else:
        target[column.key] = value


# ------------------------------------------------------------- validating

def _validate(context: dict[str, Any], unit: Unit, data: dict[str, Any]) -> dict[str, Any]:
    """The form's validation errors of the unit's write, writing nothing."""
    plugin = lib_plugins.lookup_package_plugin("dataset")
    data = copy.deepcopy(data)
    ctx = _write_context(context, unit, model=model, session=model.Session)
    if unit.existing is not None:
        ctx["package"] = model.Package.get(unit.existing["id"])
        schema = plugin.update_package_schema()
        action = "package_update"
    else:
        schema = plugin.create_package_schema()
        action = "package_create"
    _, errors = lib_plugins.plugin_validate(plugin, ctx, data, schema, action)
    model.Session.rollback()
    return errors


def _payload(context: dict[str, Any], unit: Unit) -> dict[str, Any]:
    data = copy.deepcopy(unit.data)
    stored = list(data.get("resources") or [])
    for _, resource in unit.resources:
        ident = resource.get("id")
        index = next((i for i, r in enumerate(stored) if ident and r.get("id") == ident), None)
        if index is None:
            stored.append(resource)
        else:
            stored[index] = resource
    data["resources"] = stored
    if unit.existing is None:
        defaults.apply_organization_defaults(dict(context), data)
    if unit.draft:
        data["state"] = schema_validators.DRAFT
    return data


def _write_context(context: dict[str, Any], unit: Unit, **extra: Any) -> dict[str, Any]:
    """The context of the unit's validation and write: a new draft is saved
    as a draft asks to be (schema/validators.py, is_draft_save)."""
    ctx = dict(context, **extra)
    if unit.draft:
        ctx[schema_validators.DRAFT_SAVE] = True
    return ctx


def _messages(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages(v)]
    return [str(value)] if value else []


def _report_errors(unit: Unit, errors: dict[str, Any], data: dict[str, Any], lang: str) -> None:
    """Put validation errors on the rows and columns they belong to (not on
    a column whose cell was refused already: one message per cell)."""
    home = unit.row or unit.results()[0]
    by_key = {c.key: c for c in cols.dataset_columns()}
    for key, value in errors.items():
        if key == "resources" and isinstance(value, list):
            _resource_errors(unit, value, data, lang)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, entry in enumerate(value):
                for sub, messages in (entry or {}).items():
                    column = by_key.get(f"{key}.{sub}") if index == 0 else None
                    label = (column.header(lang) if column else
                             f"{cols.field_label(key, lang)} {index + 1}: {sub}")
                    for message in _messages(messages):
                        _validation_error(home, label, message)
        else:
            column = by_key.get(key)
            label = column.header(lang) if column else cols.field_label(key, lang)
            for message in _messages(value):
                _validation_error(home, label, message)


def _resource_errors(unit: Unit, errors: list, data: dict[str, Any], lang: str) -> None:
    by_key = {c.key: c for c in cols.distribution_columns()}
    rows = {id(target): result for result, target in unit.resources}
    home = unit.row or unit.results()[0]
    resources = data.get("resources") or []
    for index, entry in enumerate(errors):
        if not entry:
            continue
        resource = resources[index] if index < len(resources) else {}
        result = rows.get(id(resource)) or next(
            (r for r, t in unit.resources if t.get("id") and t.get("id") == resource.get("id")),
            home)
        for key, messages in entry.items():
            column = by_key.get(key)
            label = column.header(lang) if column else cols.field_label(key, lang, resource=True)
            if result is home and unit.row is not None:
                label = f"{tk._('Distribution')} {index + 1}: {label}"
            for message in _messages(messages):
                _validation_error(result, label, message)


def _validation_error(result: RowResult, label: str, message: str) -> None:
    if not any(known == label for known, _ in result.errors):
        _error(result, label, message)


# ------------------------------------------------------------- the public API

def plan(context: dict[str, Any], sheet: Sheet, org: str | None, lang: str = "de") -> Report:
    """The dry run: what importing ``sheet`` would do, writing nothing."""
    report, units = _plan(context, sheet, org, lang)
    for unit in units:
        if _changed(unit) and not unit.blocked:
            _check(context, unit, lang)
        _settle(unit, lang)
    return report


def apply(context: dict[str, Any], sheet: Sheet, org: str | None, lang: str = "de") -> Report:
    """Plan, then write each dataset with changes and without errors (the
    others are validated only, to report all their errors at once)."""
    report, units = _plan(context, sheet, org, lang)
    for unit in units:
        if _changed(unit) and not unit.blocked and (unit.existing is None
                                                    or not _writable(unit)):
            _check(context, unit, lang)  # a new dataset: active or draft, as planned
        if _writable(unit):
            _write(context, unit, lang)
        _settle(unit, lang)
    report.applied = True
    return report


def _check(context: dict[str, Any], unit: Unit, lang: str) -> None:
    """Validate the unit's write. A new dataset that fails only for missing
    mandatory values is validated again as a draft: without errors then, it
    becomes one (with a title only), and its row says what is missing."""
    data = _payload(context, unit)
    errors = _validate(context, unit, data)
    new = unit.existing is None and unit.row is not None and not _refused(unit)
    if errors and new and unit.row.title:
        unit.draft = True
        draft_data = _payload(context, unit)
        if _validate(context, unit, draft_data):
            unit.draft = False  # an invalid value: refused, with every error as before
        else:
            data, errors = draft_data, {}
    if errors:
        _report_errors(unit, errors, data, lang)
    elif new and (unit.draft or (drafts.needs_distribution() and not data.get("resources"))):
        _note_draft(context, unit, data, lang)  # valid as active: only a distribution can lack


def _refused(unit: Unit) -> bool:
    """Whether a row of the unit has an error already (a cell the sheet refused)."""
    return any(r.errors for r in unit.results())


def _note_draft(context: dict[str, Any], unit: Unit, data: dict[str, Any], lang: str) -> None:
    """A new dataset without everything publication needs (also a
    distribution, where CKAN's form requires one: drafts.missing_for_publication)
    is created as a draft; its row names what is missing, by the sheet's
    column labels where there is a column."""
    missing = drafts.missing_for_publication(dict(context), data)
    model.Session.rollback()
    if not missing:
        return
    unit.draft = True
    shown = list(dict.fromkeys(_missing_label(item, lang) for item in missing))
    unit.row.warnings.append(tk._("Created as a draft; publication still needs: %(fields)s")
                             % {"fields": ", ".join(shown)})


def _missing_label(item: drafts.Missing, lang: str) -> str:
    """``publisher-0-name`` -> the sheet's column "Veröffentlichende Stelle: Name"."""
    parts = item.field_name.split("-")
    key = f"{parts[0]}.{parts[2]}" if len(parts) == 3 and parts[1] == "0" else item.field_name
    column = next((c for c in cols.dataset_columns() if c.key == key), None)
    return column.header(lang) if column else item.label


def _plan(context, sheet, org, lang) -> tuple[Report, list[Unit]]:
    planner = Planner(context, sheet, org, lang)
    units = planner.run()
    return Report(rows=planner.order, warnings=list(sheet.warnings)), units


def _changed(unit: Unit) -> bool:
    return any(r.changes or r.status == "create" for r in unit.results())


def _writable(unit: Unit) -> bool:
    return _changed(unit) and not _refused(unit)


def _write(context: dict[str, Any], unit: Unit, lang: str) -> None:
    data = _payload(context, unit)
    action = "package_update" if unit.existing is not None else "package_create"
    try:
        written = tk.get_action(action)(_write_context(context, unit), copy.deepcopy(data))
    except tk.ValidationError as error:
        model.Session.rollback()
        _report_errors(unit, error.error_dict, data, lang)
    except tk.NotAuthorized:
        model.Session.rollback()
        _error(unit.results()[0], "", tk._("You may not edit this dataset."))
    except Exception:  # e.g. the index or a simultaneous save: one dataset, not the import
        log.exception("sheet row %s (%s) not written", unit.results()[0].row, action)
        model.Session.rollback()
        _error(unit.results()[0], "", tk._("This dataset could not be saved because of a "
                                           "technical error; the other rows were imported."))
    else:
        for result in unit.results():
            result.name = result.name or written["name"]


# ---------------------------------------------------------------- helpers

def _text(cell: Cell | None) -> str:
    return cell.text if cell is not None and not cell.formula else ""


def _error(result: RowResult, label: str, message: str) -> None:
    result.errors.append((label, message))
    result.status = "refused"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


def _later(stored: str | None, stamp: str) -> str:
    """``stored`` (a dataset's metadata_modified) when it is later than the
    sheet's ``stamp``; to the second when the stamp has no microseconds (a
    spreadsheet app may drop them); "" when either is missing or unreadable."""
    try:
        then = datetime.datetime.fromisoformat(stamp.strip().replace(" ", "T"))
        now = datetime.datetime.fromisoformat(stored or "")
    except ValueError:
        return ""
    then, now = then.replace(tzinfo=None), now.replace(tzinfo=None)
    if not then.microsecond:
        now = now.replace(microsecond=0)
    return stored if now > then else ""


def _names(org: dict[str, Any], given: str) -> bool:
    """Whether ``given`` names ``org``: its id, URL name or title, any case."""
    wanted = given.casefold().strip()
    return wanted in {str(org.get(key) or "").casefold().strip()
                      for key in ("id", "name", "title")} - {""}


def _label(key: str, lang: str) -> str:
    return next((c.header(lang) for c in cols.dataset_columns() if c.key == key), key)


def _derived_name(title: str) -> str:
    return munge_title_to_name(title.translate(UMLAUTS))[:100].strip("-") if title else ""


def _exists(name: str) -> bool:
    return model.Package.get(name) is not None


def _may(context: dict[str, Any], action: str, data: dict[str, Any]) -> bool:
    try:
        tk.check_access(action, dict(context), data)
    except tk.NotAuthorized:
        return False
    return True


def _organization(context: dict[str, Any], org: str, quiet: bool = False) -> dict | None:
    try:
        return tk.get_action("organization_show")(
            dict(context), {"id": org, "include_datasets": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        if quiet:
            return None
        raise SheetError(tk._('There is no organisation "%(org)s".') % {"org": org}) from None
