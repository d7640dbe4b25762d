"""``ckan smartcity check-categories``."""
from __future__ import annotations

import click

from ckanext.smartcity.categories import scheme as categories
from ckanext.smartcity.i18n_text import bilingual


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
        click.echo(f"{error.source}: " + bilingual("cannot be used"), err=True)
        for problem in error.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1) from None
    click.echo((path or bilingual("shipped scheme")) + ": "
               + bilingual("OK, %(count)s categories, %(top)s top categories",
                           count=len(scheme.concepts), top=len(scheme.top)))


def get_commands() -> list[click.Command]:
    return [check_categories]
