"""``ckan smartcity ...``: one command group; each package brings its commands."""
from __future__ import annotations

import click

from ckanext.smartcity.categories import cli as categories_cli
from ckanext.smartcity.datastore import cli as datastore_cli
from ckanext.smartcity.demo import cli as demo_cli
from ckanext.smartcity.quality import cli as quality_cli
from ckanext.smartcity.rdf import cli as rdf_cli
from ckanext.smartcity.schema import cli as schema_cli
from ckanext.smartcity.sheet import cli as sheet_cli


@click.group(name="smartcity", short_help="Smart City catalogue commands")
def smartcity():
    """Commands of ckanext-smartcity."""


for module in (demo_cli, schema_cli, categories_cli, rdf_cli, quality_cli, sheet_cli,
               datastore_cli):
    for command in module.get_commands():
        smartcity.add_command(command)


def get_commands():
    return [smartcity]
