"""``ckan smartcity export``: the whole catalogue as DCAT-AP.de RDF."""
from __future__ import annotations

import sys
import time

import click

from ckanext.smartcity.rdf import export as exporter


@click.command(name="export")
@click.option("--format", "fmt", type=click.Choice(exporter.FORMATS), default="ttl",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), default="-",
              help="File to write (default: standard output)")
def export(fmt: str, output: str):
    """Write the whole catalogue (public datasets) as DCAT-AP.de RDF, streamed
    dataset by dataset (linear time, flat memory)."""
    started = time.monotonic()
    if output == "-":
        count = exporter.write(sys.stdout.buffer, fmt)
        sys.stdout.buffer.flush()
    else:
        with open(output, "wb") as handle:
            count = exporter.write(handle, fmt)
    click.echo(f"{count} datasets exported as {fmt} in {time.monotonic() - started:.1f} s",
               err=True)


def get_commands() -> list[click.Command]:
    return [export]
