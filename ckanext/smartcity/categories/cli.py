"""``ckan smartcity check-categories``."""
from __future__ import annotations

import click

from ckanext.smartcity.categories import scheme as categories


@click.command(name="check-categories")
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


def get_commands() -> list[click.Command]:
    return [check_categories]
