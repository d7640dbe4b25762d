"""``ckan smartcity ...`` commands."""
from __future__ import annotations

import click

import ckan.plugins.toolkit as tk

from . import categories, demo, export as exporter, migrate as migration


@click.group(name="smartcity", short_help="Smart City catalogue commands")
def smartcity():
    """Commands of ckanext-smartcity."""


@smartcity.command(name="demo-load")
@click.option("--admin", default="admin", show_default=True, help="Sysadmin user name")
@click.option("--admin-email", default="admin@example.org", show_default=True)
@click.option("--admin-password-file", type=click.Path(dir_okay=False), required=True,
              help="File holding the sysadmin's password (created by make demo)")
@click.option("--sample", type=click.IntRange(min=1), default=None,
              help="Load only this many datasets, spread over the categories (tests)")
def demo_load(admin: str, admin_email: str, admin_password_file: str, sample: int | None):
    """Create the demo sysadmin, organisations and datasets (idempotent)."""
    with open(admin_password_file, encoding="utf-8") as handle:
        password = handle.read().strip()
    if demo.ensure_sysadmin(admin, admin_email, password):
        click.echo(f"Created sysadmin {admin}")
    created = demo.load(admin, sample)
    click.echo(f"Demo data: {created['organizations']} organisations and "
               f"{created['datasets']} datasets created")


def _short(value, limit=80):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


@smartcity.command(name="migrate")
@click.argument("names", nargs=-1)
@click.option("--apply", "apply_", is_flag=True,
              help="Write the changes (default: dry run, report only)")
def migrate(names: tuple[str, ...], apply_: bool):
    """Convert core-schema datasets (licence, groups, extras, formats) to the
    DCAT-AP.de fields. Dry run unless --apply; safe to repeat."""
    plans = migration.run(names or None, apply=apply_)
    counts = {"change": 0, "unchanged": 0, "blocked": 0}
    for plan in plans:
        counts[plan.status] += 1
        if plan.status == "unchanged" and not plan.unmapped:
            continue
        verb = {"change": "migrated" if apply_ else "would change",
                "unchanged": "unchanged", "blocked": "BLOCKED"}[plan.status]
        click.echo(f"{plan.name}: {verb}")
        for name, (old, new) in plan.changes.items():
            click.echo(f"  {name}: {_short(old)} -> {_short(new)}")
        for item in plan.unmapped:
            click.echo(f"  cannot be mapped: {item}")
        for name, messages in plan.errors.items():
            click.echo(f"  error in {name}: {_short(messages, 200)}")
    mode = "applied" if apply_ else "dry run, nothing written (use --apply)"
    click.echo(f"{len(plans)} datasets: {counts['change']} "
               f"{'migrated' if apply_ else 'to migrate'}, {counts['unchanged']} unchanged, "
               f"{counts['blocked']} blocked ({mode})")


@smartcity.command(name="check-categories")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
def check_categories(path: str | None):
    """Validate a town's category file (default: the configured
    ckanext.smartcity.categories.extra_file) against the shipped scheme.
    Exit status 1 and every problem listed when it cannot be used."""
    path = path or categories.extra_path()
    try:
        scheme = categories.load(path)
    except categories.CategoryError as error:
        click.echo(f"{error.source}: cannot be used / nicht verwendbar", err=True)
        for problem in error.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"{path or 'shipped scheme'}: OK, {len(scheme.concepts)} categories, "
               f"{len(scheme.top)} top categories")


@smartcity.command(name="export")
@click.option("--format", "fmt", type=click.Choice(exporter.FORMATS), default="ttl",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default="-",
              help="File to write (default: standard output)")
def export(fmt: str, output: str):
    """Write the whole catalogue (public datasets) as DCAT-AP.de RDF, streamed
    dataset by dataset (linear time, flat memory)."""
    import sys
    import time
    started = time.monotonic()
    if output == "-":
        count = exporter.write(sys.stdout.buffer, fmt)
        sys.stdout.buffer.flush()
    else:
        with open(output, "wb") as handle:
            count = exporter.write(handle, fmt)
    click.echo(f"{count} datasets exported as {fmt} in {time.monotonic() - started:.1f} s",
               err=True)


@smartcity.command(name="quality")
@click.option("--org", default=None, help="Only this organisation (name or id)")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True)
@click.option("--assess", is_flag=True,
              help="Score every dataset again first (offline checks)")
@click.option("--recheck-older-than", "recheck", type=int, default=None, metavar="SECONDS",
              help="Check again the URLs of datasets whose last URL check is older "
                   "(run it from cron, e.g. daily with 604800)")
def quality_report(org: str | None, fmt: str, assess: bool, recheck: int | None):
    """Metadata quality of the catalogue (MQA score, SHACL violations) as CSV or JSON."""
    import json as json_module
    import sys
    import ckan.model as model
    from ckanext.smartcity import quality, quality_pages
    from ckanext.smartcity.quality import reachability
    if assess:
        ids = [row[0] for row in model.Session.query(model.Package.id).filter_by(
            state="active", type="dataset")]
        failed = 0
        for number, package_id in enumerate(ids, 1):
            try:
                with model.Session.begin_nested():
                    quality.assess(package_id)
            except Exception as exc:
                failed += 1
                click.echo(f"{package_id}: not assessed ({type(exc).__name__})", err=True)
            if number % 50 == 0:
                model.Session.commit()  # short transactions: editors' saves never wait long
        model.Session.commit()
        click.echo(f"{len(ids) - failed} datasets assessed, {failed} failed", err=True)
    if recheck is not None:
        click.echo(f"{reachability.recheck(recheck)} datasets' URLs checked", err=True)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    report = tk.get_action("smartcity_quality_list")({"user": site_user["name"]},
                                                      {"org": org})
    if fmt == "json":
        click.echo(json_module.dumps(report, ensure_ascii=False, indent=1))
        return
    import csv
    writer = csv.writer(sys.stdout)
    writer.writerow(quality_pages.CSV_COLUMNS)
    for row in report["datasets"]:
        writer.writerow([quality_pages._cell(row.get(c)) for c in quality_pages.CSV_COLUMNS])


def get_commands():
    return [smartcity]
