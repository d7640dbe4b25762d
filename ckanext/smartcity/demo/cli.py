"""``ckan smartcity demo-load``."""
from __future__ import annotations

import click

from ckanext.smartcity.demo import town as demo


@click.command(name="demo-load")
@click.option("--admin", default="admin", show_default=True, help="Sysadmin user name")
@click.option("--admin-email", default="admin@example.org", show_default=True)
@click.option("--admin-password-file", type=click.Path(dir_okay=False), required=True,
              help="File holding the sysadmin's password (created by make demo)")
@click.option("--sample", type=click.IntRange(min=1), default=None,
              help="Load only this many datasets, spread over the categories (tests)")
@click.pass_context
def demo_load(ctx: click.Context, admin: str, admin_email: str, admin_password_file: str,
              sample: int | None):
    """Create the demo sysadmin, organisations and datasets (idempotent)."""
    with open(admin_password_file, encoding="utf-8") as handle:
        password = handle.read().strip()
    if demo.ensure_sysadmin(admin, admin_email, password):
        click.echo(f"Created sysadmin {admin}")
    # in a request context, so what CKAN names in the site's language (the
    # titles of the previews it creates: "Karte", "Tabelle") is German
    with ctx.meta["flask_app"].test_request_context():
        created = demo.load(admin, sample)
    click.echo(f"Demo data: {created['organizations']} organisations and "
               f"{created['datasets']} datasets created")


def get_commands() -> list[click.Command]:
    return [demo_load]
