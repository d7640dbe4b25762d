"""The bulk onboarding sheet: export and import round trip of the demo town,
one changed cell, a sheet with deliberate errors, formula injection both
ways, hostile files, the help sheet and the command line. Exported files are
read with openpyxl directly (not only through our own importer)."""
import csv
import io
import os
import re
import zipfile

import openpyxl
import pytest

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.tests import factories, helpers

from ckanext.smartcity.demo import town as demo
from ckanext.smartcity.schema import vocab
from ckanext.smartcity.sheet import columns as cols
from ckanext.smartcity.sheet import export, importer

pytestmark = pytest.mark.usefixtures("clean_db")

EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def admin():
    user = factories.Sysadmin()
    return {"user": user["name"]}


@pytest.fixture
def german(app):
    with importer.language(app.flask_app, "de"):
        yield


def _town(admin, count=None):
    demo.load(admin["user"], count)
    return export.organisation_datasets(dict(admin), None)


def _xlsx(datasets, **kwargs) -> bytes:
    out = io.BytesIO()
    export.write_sheet(datasets, out, **kwargs)
    return out.getvalue()


def _read(data: bytes, name: str = "sheet.xlsx") -> importer.Sheet:
    return importer.read_sheet(io.BytesIO(data), name)


def _edit(data: bytes, edit) -> bytes:
    """The workbook after ``edit(book, headers)`` (headers: sheet -> {header: column})."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    headers = {ws.title: {c.value: c.column for c in ws[1]} for ws in book.worksheets}
    edit(book, headers)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row_of(book, name: str) -> int:
    sheet = book["Datensätze"]
    url = [c.value for c in sheet[1]].index("URL") + 1
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, url).value == name)


def test_round_trip_of_the_whole_demo_town_is_unchanged(admin, german):
    datasets = _town(admin)
    assert len(datasets) == len(demo.demo_data()["datasets"])
    resources = sum(len(ds["resources"]) for ds in datasets)
    data = _xlsx(datasets)
    book = openpyxl.load_workbook(io.BytesIO(data))  # third-party reading
    assert book.sheetnames == ["Datensätze", "Distributionen", "Hilfe"]
    assert book["Datensätze"].max_row == len(datasets) + 1
    assert book["Distributionen"].max_row == resources + 1
    headers = [c.value for c in book["Datensätze"][1]]
    assert {"Titel", "URL", "Lizenz", "Smart-City-Kategorie",
            "Veröffentlichende Stelle: Name"} <= set(headers)
    # labels, not IRIs
    licence = book["Datensätze"].cell(2, headers.index("Lizenz") + 1).value
    assert licence and not licence.startswith("http")
    report = importer.plan(dict(admin), _read(data), None)
    assert report.counts == {"create": 0, "update": 0, "refused": 0,
                             "unchanged": len(datasets) + resources}
    out = io.BytesIO()
    export.write_sheet(datasets, out, fmt="csv")
    text = out.getvalue()
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Titel", "URL"] and len(rows) == len(datasets) + 1
    report = importer.plan(dict(admin), _read(text, "sheet.csv"), None)
    assert report.counts == {"create": 0, "update": 0, "refused": 0,
                             "unchanged": len(datasets)}


def test_one_changed_cell_reports_exactly_that_dataset_and_field(admin, german):
    datasets = _town(admin, 6)
    target = datasets[2]["name"]
    code, label = (("WEEKLY", "Wöchentlich") if datasets[2].get("frequency", "").endswith("MONTHLY")
                   else ("MONTHLY", "Monatlich"))

    def edit(book, headers):
        sheet = book["Datensätze"]
        sheet.cell(_row_of(book, target), headers["Datensätze"]["Aktualisierungsintervall"],
                   label)  # a label, in other case

    data = _edit(_xlsx(datasets), edit)
    report = importer.plan(dict(admin), _read(data), None)
    changed = [row for row in report.rows if row.status != "unchanged"]
    assert [(row.name, row.status) for row in changed] == [(target, "update")]
    assert [change[0] for change in changed[0].changes] == ["Aktualisierungsintervall"]
    assert changed[0].changes[0][2] == label.lower()
    assert helpers.call_action("package_show", id=target)["frequency"] != EU + "frequency/" + code
    report = importer.apply(dict(admin), _read(data), None)
    assert report.counts["update"] == 1 and report.counts["refused"] == 0
    stored = helpers.call_action("package_show", id=target)
    assert stored["frequency"] == EU + "frequency/" + code
    # what the sheet does not carry is kept (the resources, their uploads)
    assert len(stored["resources"]) == len(datasets[2]["resources"])
    assert importer.plan(dict(admin), _read(data), None).counts["update"] == 0


def test_a_sheet_with_errors_reports_per_row_and_field_and_stores_only_valid_rows(admin, german):
    datasets = _town(admin, 6)
    names = [ds["name"] for ds in datasets]

    def edit(book, headers):
        ds, dist = book["Datensätze"], book["Distributionen"]
        head = headers["Datensätze"]
        ds.cell(_row_of(book, names[0]), head["Lizenz"], "Keine echte Lizenz")
        ds.cell(_row_of(book, names[1]), head["Titel"]).value = None
        ds.cell(_row_of(book, names[2]), head["Letzte Änderung"], "31.02.2024")
        ds.cell(_row_of(book, names[4]), head["Beschreibung"], "Neu beschrieben.")
        ds.cell(_row_of(book, names[5]), head["Letzte Änderung"], "15.01.2025")  # German date
        new = ds.max_row + 1
        for header, value in (("Titel", "Öffentliche Brunnen"), ("Beschreibung", "Alle Brunnen."),
                              ("Organisation", "stadt-dinslaken"),
                              ("Lizenz", "Datenlizenz Deutschland – Zero – Version 2.0"),
                              ("Schlagworte", "Wasser; Brunnen")):
            ds.cell(new, head[header], value)
        dhead = headers["Distributionen"]
        link = dhead["Datensatz (URL)"]
        row = next(r for r in range(2, dist.max_row + 1) if dist.cell(r, link).value == names[3])
        dist.cell(row, dhead["Zugangs-URL"], "kein Link")
        new = dist.max_row + 1
        dist.cell(new, link, "oeffentliche-brunnen")
        dist.cell(new, dhead["Zugangs-URL"], "https://example.org/brunnen.csv")
        dist.cell(new, dhead["Format"], "CSV")

    data = _edit(_xlsx(datasets), edit)
    before = {name: helpers.call_action("package_show", id=name) for name in names}
    report = importer.plan(dict(admin), _read(data), None)
    by_name = {(row.sheet, row.name): row for row in report.rows}

    def errors(sheet, name):
        return {label for row in report.rows if (row.sheet, row.name) == (sheet, name)
                for label, _ in row.errors}

    assert errors("Datensätze", names[0]) == {"Lizenz"}
    assert errors("Datensätze", names[1]) == {"Titel"}
    assert errors("Datensätze", names[2]) == {"Letzte Änderung"}
    assert "Zugangs-URL" in errors("Distributionen", names[3])
    url_error = next(message for row in report.rows if row.name == names[3]
                     for label, message in row.errors if label == "Zugangs-URL")
    assert "http:// oder https://" in url_error  # the form's validator, in German
    assert by_name[("Datensätze", names[4])].status == "update"
    assert by_name[("Datensätze", names[5])].changes == [
        ("Letzte Änderung", before[names[5]]["modified"], "2025-01-15")]
    assert by_name[("Datensätze", "oeffentliche-brunnen")].status == "create"
    assert by_name[("Distributionen", "oeffentliche-brunnen")].status == "create"
    assert report.counts["refused"] == 4

    report = importer.apply(dict(admin), _read(data), None)
    assert report.counts["refused"] == 4 and report.counts["create"] == 2
    for name in names[:4]:  # refused: untouched
        after = helpers.call_action("package_show", id=name)
        assert after["metadata_modified"] == before[name]["metadata_modified"]
    assert helpers.call_action("package_show", id=names[4])["notes"] == "Neu beschrieben."
    created = helpers.call_action("package_show", id="oeffentliche-brunnen")
    assert created["license_id"] == "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"
    assert sorted(t["name"] for t in created["tags"]) == ["Brunnen", "Wasser"]
    assert [r["url"] for r in created["resources"]] == ["https://example.org/brunnen.csv"]
    assert created["publisher"][0]["name"] == "Stadt Dinslaken"  # organisation defaults
    # a second upload of the same sheet creates nothing twice
    again = importer.plan(dict(admin), _read(data), None)
    assert again.counts["create"] == 0


def test_a_row_of_another_organisation_is_refused(admin, german):
    datasets = _town(admin, 6)
    other = next(ds for ds in datasets if ds["organization"]["name"] != "stadt-dinslaken")
    report = importer.plan(dict(admin), _read(_xlsx(datasets)), "stadt-dinslaken")
    row = next(r for r in report.rows if r.name == other["name"] and r.sheet == "Datensätze")
    assert row.status == "refused" and row.errors[0][0] == "URL"


def test_formula_injection_is_defused_on_export_and_refused_on_import(admin, german):
    demo.load(admin["user"], 1)
    org = model.Group.get("stadt-dinslaken")
    helpers.call_action("package_create", context=dict(admin), name="formeln", owner_org=org.id,
                        title="=HYPERLINK(\"https://evil.example\")", notes="@SUM(1+1)",
                        license_id="http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
                        contact=[{"name": "Hotline", "phone": "+49 2064 66-0"}],
                        version="-1")
    datasets = export.organisation_datasets(dict(admin), None)
    data = _xlsx(datasets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(cols.FORMULA_START), cell.coordinate
    sheet = book["Datensätze"]
    values = {c.value for row in sheet.iter_rows() for c in row}
    assert "'=HYPERLINK(\"https://evil.example\")" in values and "'+49 2064 66-0" in values
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # no <f> element anywhere
        assert all(b"<f>" not in archive.read(n) for n in archive.namelist())
    out = io.BytesIO()
    export.write_sheet(datasets, out, fmt="csv")
    assert ";'@SUM(1+1);" in out.getvalue().decode("utf-8-sig")
    # the protection is undone on import: nothing changed
    assert importer.plan(dict(admin), _read(data), None).counts["update"] == 0
    assert importer.plan(dict(admin), _read(out.getvalue(), "s.csv"), None).counts["update"] == 0

    def formula(book, headers):
        book["Datensätze"].cell(_row_of(book, "formeln"), headers["Datensätze"]["Version"],
                                "=1+1")

    report = importer.plan(dict(admin), _read(_edit(data, formula)), None)
    row = next(r for r in report.rows if r.name == "formeln" and r.sheet == "Datensätze")
    assert row.status == "refused" and [e[0] for e in row.errors] == ["Version"]


def test_hostile_files_are_refused_readably(admin, german, ckan_config, monkeypatch):
    for data, name in ((os.urandom(4096), "sheet.xlsx"), (b"PK" + os.urandom(4096), "x.xlsx"),
                       (b"", "leer.xlsx"), (b"%PDF-1.4 hello", "sheet.pdf")):
        with pytest.raises(importer.SheetError):
            _read(data, name)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))
    monkeypatch.setattr(importer, "MAX_UNPACKED", 1024 * 1024)
    with pytest.raises(importer.SheetError, match="entpackt sich"):
        _read(archive.getvalue())
    ckan_config["ckanext.smartcity.sheet.max_bytes"] = "1000"
    with pytest.raises(importer.SheetError):
        _read(_xlsx([]))
    ckan_config["ckanext.smartcity.sheet.max_bytes"] = str(importer.MAX_BYTES)
    ckan_config["ckanext.smartcity.sheet.max_rows"] = "10"
    many = "Titel;URL\n" + "".join(f"T{i};t{i}\n" for i in range(20))
    with pytest.raises(importer.SheetError, match="10"):
        _read(many.encode(), "viele.csv")
    with pytest.raises(importer.SheetError):
        _read(b"Foo;Bar\n1;2\n", "unbekannt.csv")


def test_tolerant_headers_labels_and_dates(admin, german):
    datasets = _town(admin, 2)
    name = datasets[0]["name"]
    text = ("  title ;url;LICENCE;Modification Date;Extra\n"
            f"{datasets[0]['title']};{name};datenlizenz deutschland – zero – version 2.0;"
            f"{datasets[0]['modified']};egal\n")
    sheet = _read(text.encode("cp1252", errors="replace"), "s.csv")
    assert len(sheet.warnings) == 1 and "Extra" in sheet.warnings[0]
    report = importer.plan(dict(admin), sheet, None)
    row = report.rows[0]
    licence = vocab.label("dcatde-license", datasets[0]["license_id"])
    assert row.status in ("unchanged", "update"), row.errors
    if datasets[0]["license_id"].endswith("dl-zero-de/2.0"):
        assert row.status == "unchanged"
    else:
        assert row.changes[0][:2] == ("Lizenz", licence)


def test_the_help_sheet_lists_the_licence_labels_of_the_vocabulary(german):
    book = openpyxl.load_workbook(io.BytesIO(_xlsx([])))
    assert book["Datensätze"].max_row == 1 and book["Distributionen"].max_row == 1
    rows = list(book["Hilfe"].iter_rows(values_only=True))
    licence = next(r for r in rows if r[0] == "Datensätze" and r[1] == "Lizenz")
    allowed = licence[4].split("\n")
    for concept in vocab.concepts("dcatde-license"):
        assert concept["labels"]["de"] in allowed
    assert licence[2].startswith("Gilt für jede Distribution")


def test_cli_exports_and_imports_with_exit_codes(cli, app, admin, tmp_path):
    from ckan.cli.cli import ckan
    demo.load(admin["user"], 4)
    target = tmp_path / "stadt.xlsx"
    result = cli.invoke(ckan, ["smartcity", "sheet", "export", "--org", "stadt-dinslaken",
                               str(target)])
    assert result.exit_code == 0, result.output
    result = cli.invoke(ckan, ["smartcity", "sheet", "import", str(target),
                               "--org", "stadt-dinslaken"])
    assert result.exit_code == 0, result.output
    # the summary in the report language (German by default), no nested brackets
    with importer.language(app.flask_app, "de"):
        dry_run = tk._("Dry run: nothing was saved; use --apply to save.")
    summary = result.output.strip().splitlines()[-1]
    assert summary.endswith(dry_run) and "(" not in summary

    def bad(book, headers):
        book["Datensätze"].cell(2, headers["Datensätze"]["Lizenz"], "Keine Lizenz")

    broken = tmp_path / "kaputt.xlsx"
    broken.write_bytes(_edit(target.read_bytes(), bad))
    result = cli.invoke(ckan, ["smartcity", "sheet", "import", str(broken), "--apply",
                               "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "REFUSED" in result.output and "Licence" in result.output
    assert "1 refused." in result.output and "Changes saved." in result.output
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(os.urandom(100))
    result = cli.invoke(ckan, ["smartcity", "sheet", "import", str(junk)])
    assert result.exit_code == 2


def _with_sheet_xml(data: bytes, sheet_xml: str) -> bytes:
    """The workbook ``data`` with its first sheet's XML replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = sheet_xml.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_xml_entity_expansion_in_an_upload_is_refused(german):
    """A workbook whose sheet XML declares entities (billion laughs) is
    refused before anything expands (defusedxml under openpyxl,
    docs/security.md F24); the same sheet without the DOCTYPE is read."""
    body = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row>'
            '</sheetData></worksheet>')
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    laughs = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol0 "lol">'
              + entities + "]>" + body.format("&lol9;"))
    template = _xlsx([])
    plain = _read(_with_sheet_xml(template, body.format("Titel")))
    assert plain is not None
    with pytest.raises(importer.SheetError):
        _read(_with_sheet_xml(template, laughs))


# ------------------------------------------------- the steward's review (issue 19)

def _delete_column(data: bytes, header: str) -> bytes:
    def edit(book, headers):
        book["Datensätze"].delete_cols(headers["Datensätze"][header])
    return _edit(data, edit)


def test_a_stale_sheet_warns_before_it_undoes_later_edits(admin, german):
    datasets = _town(admin, 3)
    target, other = datasets[0], datasets[1]
    data = _xlsx(datasets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    headers = [c.value for c in book["Datensätze"][1]]
    assert headers[-1] == "Stand (nicht ändern)"
    stamp = book["Datensätze"].cell(_row_of(book, target["name"]), len(headers)).value
    assert stamp == target["metadata_modified"]
    # someone edits the dataset after the export; the steward then changes
    # another dataset and the target's version in the old sheet
    later = helpers.call_action("package_patch", context=dict(admin), id=target["name"],
                                notes="Neu von Kollegin.")

    def edit(book, head):
        sheet = book["Datensätze"]
        sheet.cell(_row_of(book, target["name"]), head["Datensätze"]["Version"], "9.9")
        sheet.cell(_row_of(book, other["name"]), head["Datensätze"]["Version"], "2.0")

    stale = _edit(data, edit)
    report = importer.plan(dict(admin), _read(stale), None)
    rows = {r.name: r for r in report.rows if r.sheet == "Datensätze"}
    row = rows[target["name"]]
    assert row.status == "update" and len(row.warnings) == 1
    when = tk.h.render_datetime(later["metadata_modified"], date_format="%d.%m.%Y %H:%M")
    assert when in row.warnings[0]
    # the sheet's old description would undo the colleague's edit: reported as a change
    assert {c[0] for c in row.changes} == {"Beschreibung", "Version"}
    assert rows[other["name"]].status == "update" and rows[other["name"]].warnings == []
    assert all(not r.warnings for r in report.rows if r.name != target["name"])
    # the stamp itself is never a change; a sheet without it works as before
    plain = importer.plan(dict(admin), _read(_delete_column(stale, "Stand (nicht ändern)")),
                          None)
    assert not any(r.warnings for r in plain.rows)
    assert [r.status for r in plain.rows if r.name == target["name"]][0] == "update"
    fresh = export.organisation_datasets(dict(admin), None)
    assert importer.plan(dict(admin), _read(_xlsx(fresh)), None).counts["update"] == 0
    help_rows = export.help_rows("de")
    assert any(r[1] == "Stand (nicht ändern)" and "Nicht ändern" in r[2] for r in help_rows)


def _new_rows(lines: list[str]) -> importer.Sheet:
    text = "Titel;Beschreibung;Organisation;Lizenz\n" + "\n".join(lines) + "\n"
    return _read(text.encode("utf-8"), "neu.csv")


def test_licences_match_tolerantly_and_an_unknown_one_gets_one_message(admin, german):
    demo.load(admin["user"], 1)
    sheet = _new_rows([
        "Eins;Text;stadt-dinslaken;CC BY 4.0",
        "Zwei;Text;stadt-dinslaken;dl-de/by-2-0",
        "Drei;Text;stadt-dinslaken;datenlizenz deutschland - zero -  version 2.0",
        "Vier;Text;stadt-dinslaken;Creative Commons Namensnennung - 4.0 International",
        "Fünf;Text;stadt-dinslaken;Datenlizenz Deutschlnad Zero Version 2.0",
    ])
    report = importer.plan(dict(admin), sheet, "stadt-dinslaken")
    rows = report.rows
    assert [r.status for r in rows[:4]] == ["create"] * 4, [r.errors for r in rows]
    # one message, not also "Fehlender Wert", with the most similar label
    assert [label for label, _ in rows[4].errors] == ["Lizenz"]
    assert "Datenlizenz Deutschland – Zero – Version 2.0" in rows[4].errors[0][1]
    column = next(c for c in cols.dataset_columns() if c.key == "license_id")
    assert cols.parse(column, "CC BY 4.0") == "http://dcat-ap.de/def/licenses/cc-by/4.0"
    assert cols.parse(column, "dl-de/by-2-0") == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert cols.parse(column, "CC-BY-SA 4.0") == "http://dcat-ap.de/def/licenses/cc-by-sa/4.0"


def test_excel_line_breaks_are_decoded_and_literal_escapes_kept(admin, german):
    demo.load(admin["user"], 1)
    org = model.Group.get("stadt-dinslaken")
    notes = "Erste Zeile\r\nZweite Zeile mit _x000D_ als Text"
    helpers.call_action("package_create", context=dict(admin), name="zeilen", owner_org=org.id,
                        title="Zeilen", notes=notes,
                        license_id="http://dcat-ap.de/def/licenses/dl-zero-de/2.0")
    datasets = export.organisation_datasets(dict(admin), None)
    data = _xlsx(datasets)
    assert importer.plan(dict(admin), _read(data), None).counts["update"] == 0

    def excel(book, headers):  # what Excel writes for Alt+Enter, as openpyxl reads it
        book["Datensätze"].cell(_row_of(book, "zeilen"), headers["Datensätze"]["Beschreibung"],
                                "Erste Zeile_x000D_\nNeue Zeile")

    report = importer.plan(dict(admin), _read(_edit(data, excel)), None)
    row = next(r for r in report.rows if r.name == "zeilen" and r.sheet == "Datensätze")
    assert row.changes[0][2] == "Erste Zeile\nNeue Zeile"
    assert cols.decode_xlsx("a_x005F_x000D_b") == "a_x000D_b"
    assert cols.decode_xlsx(cols.escape_xlsx("a_x000D_b")) == "a_x000D_b"
    # line breaks separate the values of a list cell, like "; "
    keywords = next(c for c in cols.dataset_columns() if c.kind == "tags")
    assert cols.parse(keywords, "Wasser\nBrunnen; Park") == ["Wasser", "Brunnen", "Park"]


def test_ods_and_xls_get_a_clear_message_and_a_csv_named_xlsx_is_read(german):
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    for data, name in ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "alt.xls"),
                       (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000), "umbenannt.xlsx"),
                       (ods.getvalue(), "tabelle.ods"), (ods.getvalue(), "tabelle.xlsx"),
                       (b"<html>", "tabelle.ods")):
        with pytest.raises(importer.SheetError) as error:
            _read(data, name)
        assert "ODS" in str(error.value) and ".xlsx" in str(error.value), name
    sheet = _read(b"Titel;URL\nBrunnen;brunnen\n", "tabelle.xlsx")
    assert sheet.datasets.rows[0][1]["title"].text == "Brunnen"
    assert sheet.row_count == 1


def test_the_help_sheet_says_what_the_import_accepts(german):
    rows = {(r[0], r[1]): r for r in export.help_rows("de")}
    tags = rows[("Datensätze", "Schlagworte")]
    assert "Komma trennen" not in tags[2] and "; " in tags[2]
    url = rows[("Distributionen", "Zugangs-URL")]
    assert "(oder Datei hochladen)" not in url[2]
    assert rows[("Datensätze", "Veröffentlichende Stelle: Name")][3] != tk._("no")
    assert rows[("Datensätze", "Veröffentlichende Stelle: URI")][3] == tk._("no")
    theme = next(r for key, r in rows.items() if key[0] == "Datensätze"
                 and r[4].startswith(tk._('Several values separated by "; " or line breaks')))
    assert theme


def test_organisation_by_title_and_one_error_for_another_organisation(admin, german):
    datasets = _town(admin, 6)
    own = next(ds for ds in datasets if ds["organization"]["name"] == "stadt-dinslaken")
    other = next(ds for ds in datasets if ds["organization"]["name"] != "stadt-dinslaken")

    def edit(book, headers):
        sheet, head = book["Datensätze"], headers["Datensätze"]
        sheet.cell(_row_of(book, own["name"]), head["Organisation"], "STADT DINSLAKEN")
        new = sheet.max_row + 1
        for header, value in (("Titel", "Neu mit Titel"), ("Beschreibung", "Text."),
                              ("Organisation", "Stadt Dinslaken"),
                              ("Lizenz", "CC BY 4.0")):
            sheet.cell(new, head[header], value)
        new += 1
        for header, value in (("Titel", "Fremd"), ("Beschreibung", "Text."),
                              ("Organisation", "Kreis Wesel"), ("Lizenz", "CC BY 4.0")):
            sheet.cell(new, head[header], value)

    report = importer.plan(dict(admin), _read(_edit(_xlsx(datasets), edit)), "stadt-dinslaken")
    rows = {r.name: r for r in report.rows if r.sheet == "Datensätze"}
    assert rows[own["name"]].status == "unchanged", rows[own["name"]].errors
    assert rows["neu-mit-titel"].status == "create", rows["neu-mit-titel"].errors
    assert rows["fremd"].status == "refused" and len(rows["fremd"].errors) == 1
    assert rows[other["name"]].status == "refused" and len(rows[other["name"]].errors) == 1
    assert rows[other["name"]].errors[0][0] == "URL"


def test_two_new_rows_with_the_same_title_are_both_flagged(admin, german):
    demo.load(admin["user"], 1)
    sheet = _new_rows(["Brunnen;Text;stadt-dinslaken;CC BY 4.0",
                       "Anderes;Text;stadt-dinslaken;CC BY 4.0",
                       "Brunnen;Anderer Text;stadt-dinslaken;CC BY 4.0"])
    report = importer.plan(dict(admin), sheet, "stadt-dinslaken")
    first, middle, last = report.rows
    assert middle.status == "create"
    assert first.status == last.status == "refused"
    assert first.errors == [("URL", tk._("Same URL as row %(row)s – please enter a URL of "
                                         "its own.") % {"row": 4})]
    assert last.errors == [("URL", tk._("Same URL as row %(row)s – please enter a URL of "
                                        "its own.") % {"row": 2})]


def test_long_values_are_cut_in_the_report(admin, german):
    datasets = _town(admin, 1)
    name = datasets[0]["name"]

    def edit(book, headers):
        book["Datensätze"].cell(_row_of(book, name), headers["Datensätze"]["Beschreibung"],
                                "lang " * 1000)

    report = importer.plan(dict(admin), _read(_edit(_xlsx(datasets), edit)), None)
    change = next(r for r in report.rows if r.name == name).changes[0]
    assert len(change[2]) == importer.MAX_SHOWN and change[2].endswith("…")


def test_excel_as_a_format_is_xlsx(german):
    column = next(c for c in cols.distribution_columns() if c.key == "format")
    assert cols.parse(column, "Excel") == "XLSX"
    assert cols.parse(column, "excel xls") == "XLS"
    assert cols.parse(column, "CSV") == "CSV"


def test_a_new_row_lacking_only_mandatory_values_is_created_as_a_draft(admin, german):
    from ckanext.smartcity.steward import todo
    demo.load(admin["user"], 1)
    licence = "Datenlizenz Deutschland – Zero – Version 2.0"

    def edit(book, headers):
        ds, dist = book["Datensätze"], book["Distributionen"]
        head, dhead = headers["Datensätze"], headers["Distributionen"]
        complete = {"Titel": "Öffentliche Brunnen", "Beschreibung": "Alle Brunnen.",
                    "Lizenz": licence}
        for row, values in enumerate((
                complete,
                {"Titel": "Ladesäulen im Stadtgebiet", "Lizenz": licence},
                {"Titel": "Baustellen", "Letzte Änderung": "31.02.2024"}), start=2):
            for header, value in values.items():
                ds.cell(row, head[header], value)
        dist.cell(2, dhead["Datensatz (URL)"], "oeffentliche-brunnen")
        dist.cell(2, dhead["Zugangs-URL"], "https://example.org/brunnen.csv")
        dist.cell(2, dhead["Format"], "CSV")

    data = _edit(_xlsx([]), edit)
    warning = tk._("Created as a draft; publication still needs: %(fields)s")
    for run in (importer.plan, importer.apply):
        report = run(dict(admin), _read(data), "stadt-dinslaken")
        complete, draft, broken, distribution = report.rows
        assert (complete.status, complete.warnings, complete.errors) == ("create", [], [])
        assert distribution.status == "create"
        assert (draft.name, draft.status, draft.errors) == (
            "ladesaeulen-im-stadtgebiet", "create", [])
        # the publisher comes from the organisation's defaults: not missing
        assert draft.warnings == [warning % {"fields": "Beschreibung, " + tk._("Distributions")}]
        assert broken.status == "refused" and not broken.warnings
        assert "Letzte Änderung" in {label for label, _ in broken.errors}
        assert report.counts == {"create": 3, "update": 0, "unchanged": 0, "refused": 1}

    assert helpers.call_action("package_show", id="oeffentliche-brunnen")["state"] == "active"
    stored = helpers.call_action("package_show", id="ladesaeulen-im-stadtgebiet")
    assert stored["state"] == "draft" and not stored.get("notes")
    assert stored["license_id"] == "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"
    assert model.Package.get("baustellen") is None
    anonymous = tk.get_action("package_search")(
        {"user": "", "ignore_auth": False}, {"q": "*:*", "include_drafts": True, "rows": 100})
    names = {ds["name"] for ds in anonymous["results"]}
    assert "oeffentliche-brunnen" in names and "ladesaeulen-im-stadtgebiet" not in names
    org = model.Group.get("stadt-dinslaken")
    listed = todo.drafts(org.id, dict(admin))["items"]
    assert [item["name"] for item in listed] == ["ladesaeulen-im-stadtgebiet"]
    # a second run of the sheet: the draft is an existing draft, it may stay incomplete
    again = importer.plan(dict(admin), _read(data), "stadt-dinslaken")
    assert [row.status for row in again.rows[:2]] == ["refused", "refused"]  # URLs taken


def test_an_existing_draft_may_stay_incomplete_and_stays_a_draft(admin, german):
    demo.load(admin["user"], 1)
    org = model.Group.get("stadt-dinslaken")
    helpers.call_action("package_create", context=dict(admin), name="entwurf", owner_org=org.id,
                        title="Entwurf", notes="Vorläufig.", state="draft")
    active = next(ds for ds in export.organisation_datasets(dict(admin), None))
    text = ("URL;Titel;Beschreibung\n"
            "entwurf;Entwurf, neu;\n"
            f"{active['name']};{active['title']};\n")
    report = importer.apply(dict(admin), _read(text.encode(), "s.csv"), None)
    draft, published = report.rows
    assert draft.status == "update" and draft.errors == []
    assert published.status == "refused" and published.errors[0][0] == "Beschreibung"
    stored = helpers.call_action("package_show", id="entwurf")
    assert (stored["state"], stored["title"], stored.get("notes") or "") == (
        "draft", "Entwurf, neu", "")
    assert helpers.call_action("package_show", id=active["name"])["notes"] == active["notes"]


def test_a_tiny_file_reaching_down_to_row_a_million_is_refused_at_once(german):
    """5 KB, one cell in row 1,000,000: openpyxl would walk every gap row
    (over 100 s); the sheet is refused from its declared size, and a sheet
    without a declared size is read only down to the row limit."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Datensätze"
    sheet["A1"], sheet["B1"] = "Titel", "URL"
    sheet["A1000000"] = "y"
    out = io.BytesIO()
    book.save(out)
    assert len(out.getvalue()) < 10_000
    with pytest.raises(importer.SheetError, match="1000000"):
        _read(out.getvalue())
    # the same without the <dimension> element (Excel always writes one):
    # read down to the row limit only, where nothing is
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source:
        xml = source.read("xl/worksheets/sheet1.xml").decode()
    assert "<dimension" in xml
    undeclared = _with_sheet_xml(out.getvalue(), re.sub(r"<dimension[^>]*/>", "", xml))
    assert _read(undeclared).datasets.rows == []


def _retitled(data: bytes, names: list[str]) -> bytes:
    def edit(book, headers):
        for name in names:
            book["Datensätze"].cell(_row_of(book, name), headers["Datensätze"]["Titel"],
                                    f"{name} neu")
    return _edit(data, edit)


def test_a_row_of_a_deleted_dataset_is_refused_and_the_dataset_stays_deleted(admin, german):
    datasets = _town(admin, 3)
    gone, kept = datasets[0]["name"], datasets[1]["name"]
    data = _retitled(_xlsx(datasets), [gone, kept])
    helpers.call_action("package_delete", context=dict(admin), id=gone)
    report = importer.apply(dict(admin), _read(data), None)
    row = next(r for r in report.rows if r.name == gone and r.sheet == "Datensätze")
    assert row.status == "refused" and "gelöscht" in row.errors[0][1]
    assert model.Package.get(gone).state == "deleted"
    assert model.Package.get(gone).title != f"{gone} neu"
    assert helpers.call_action("package_show", id=kept)["title"] == f"{kept} neu"


def test_a_technical_error_in_one_dataset_does_not_stop_the_import(admin, german, monkeypatch):
    datasets = _town(admin, 3)
    broken, fine = datasets[0]["name"], datasets[1]["name"]
    data = _retitled(_xlsx(datasets), [broken, fine])
    real = importer._write_context

    def failing(context, unit, **extra):
        if unit.existing and unit.existing["name"] == broken:
            raise RuntimeError("index down")
        return real(context, unit, **extra)

    monkeypatch.setattr(importer, "_write_context", failing)
    report = importer.apply(dict(admin), _read(data), None)
    row = next(r for r in report.rows if r.name == broken and r.sheet == "Datensätze")
    assert row.status == "refused" and "technischen Fehlers" in row.errors[0][1]
    assert helpers.call_action("package_show", id=broken)["title"] != f"{broken} neu"
    assert helpers.call_action("package_show", id=fine)["title"] == f"{fine} neu"
