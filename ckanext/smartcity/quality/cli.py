"""``ckan smartcity quality``: the quality report as CSV or JSON."""
from __future__ import annotations

import json
import sys

import click

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.smartcity.quality import assessment, reachability
from ckanext.smartcity.quality import report as report_csv


@click.command(name="quality")
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
    if assess:
        ids = [row[0] for row in model.Session.query(model.Package.id).filter_by(
            state="active", type="dataset")]
        failed = 0
        for number, package_id in enumerate(ids, 1):
            try:
                with model.Session.begin_nested():
                    assessment.assess(package_id)
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
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
        return
    report_csv.write(report, sys.stdout)


def get_commands() -> list[click.Command]:
    return [quality_report]
