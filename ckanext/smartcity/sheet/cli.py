"""``ckan smartcity sheet export|import``: the bulk onboarding sheet on the
command line, as the site user (docs/bulk-onboarding.md).

``import`` exits 0 when no row is refused, 1 otherwise (also on a dry run),
2 when the file cannot be read at all."""
from __future__ import annotations

import sys

import click

import ckan.plugins.toolkit as tk

from ckanext.smartcity.sheet import export, importer


def _verbs(applied: bool) -> dict[str, str]:
    """The statuses in the report language (the msgids of the report page)."""
    if applied:
        verbs = {"create": tk._("created"), "update": tk._("updated")}
    else:
        verbs = {"create": tk._("would be created"), "update": tk._("would be updated")}
    return dict(verbs, unchanged=tk._("unchanged"), refused=tk._("refused").upper())


def _context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"]}


def _app():
    return click.get_current_context().meta["flask_app"]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@click.group(name="sheet", short_help="Bulk onboarding by spreadsheet")
def sheet():
    """Export datasets to a spreadsheet and import it back (dry run by default)."""


@sheet.command(name="export")
@click.option("--org", default=None, help="Organisation (URL name); default: all")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx",
              show_default=True)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True,
              help="Language of headers and labels")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def export_command(org: str | None, fmt: str, lang: str, file: str):
    """Write the active datasets (public and private) to FILE."""
    with importer.language(_app(), lang):
        datasets = export.organisation_datasets(_context(), org)
        with open(file, "wb") as out:
            export.write_sheet(datasets, out, fmt, lang)
        resources = sum(len(ds.get("resources") or []) for ds in datasets)
        click.echo(tk._("%(file)s: %(datasets)s datasets, %(resources)s distributions")
                   % {"file": file, "datasets": len(datasets), "resources": resources})


@sheet.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", default=None, help="Organisation the sheet is for (URL name)")
@click.option("--apply", "apply_", is_flag=True,
              help="Write the changes (default: dry run, report only)")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True,
              help="Language of the report")
def import_command(file: str, org: str | None, apply_: bool, lang: str):
    """Import FILE (XLSX or CSV): report per row, write with --apply; the
    report is in --lang, its summary included."""
    with importer.language(_app(), lang):
        try:
            with open(file, "rb") as stream:
                read = importer.read_sheet(stream, file)
            run = importer.apply if apply_ else importer.plan
            report = run(_context(), read, org, lang)
        except importer.SheetError as error:
            click.echo(f"{file}: {error}", err=True)
            sys.exit(2)
        _print(report, apply_)
    sys.exit(1 if report.counts["refused"] else 0)


def _print(report: importer.Report, applied: bool) -> None:
    for warning in report.warnings:
        click.echo(f"! {warning}")
    verbs = _verbs(applied)
    for row in report.rows:
        if row.status == "unchanged":
            continue
        click.echo(f"{row.sheet} {row.row:>4}  {verbs[row.status]:<18} "
                   f"{row.name or '-'}  {_short(row.title, 40)}")
        for label, old, new in row.changes:
            click.echo(f"      {label}: {_short(old) or '∅'} -> {_short(new) or '∅'}")
        for warning in row.warnings:
            click.echo(f"      ! {warning}")
        for label, message in row.errors:
            click.echo(f"      ✗ {label + ': ' if label else ''}{message}")
    click.echo(_summary(report, applied))


def _summary(report: importer.Report, applied: bool) -> str:
    """One line: the counts, then what was done."""
    counts = dict(report.counts, rows=len(report.rows))
    line = tk._("%(rows)s rows: %(create)s new, %(update)s changed, %(unchanged)s unchanged, "
                "%(refused)s refused.") % counts
    if applied:
        return line + " " + tk._("Changes saved.")
    return line + " " + tk._("Dry run: nothing was saved; use --apply to save.")


def get_commands() -> list[click.Command]:
    return [sheet]
