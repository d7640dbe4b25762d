"""``ckan smartcity migrate``: core-schema datasets to DCAT-AP.de."""
from __future__ import annotations

import click

from ckanext.smartcity.schema import migrate as migration


def _short(value, limit=80):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


@click.command(name="migrate")
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


def get_commands() -> list[click.Command]:
    return [migrate]
