"""``ckan smartcity ...`` commands."""
from __future__ import annotations

import click

from . import demo


@click.group(name="smartcity", short_help="Smart City catalogue commands")
def smartcity():
    """Commands of ckanext-smartcity."""


@smartcity.command(name="demo-load")
@click.option("--admin", default="admin", show_default=True, help="Sysadmin user name")
@click.option("--admin-email", default="admin@example.org", show_default=True)
@click.option("--admin-password-file", type=click.Path(dir_okay=False), required=True,
              help="File holding the sysadmin's password (created by make demo)")
def demo_load(admin: str, admin_email: str, admin_password_file: str):
    """Create the demo sysadmin, organisations and datasets (idempotent)."""
    with open(admin_password_file, encoding="utf-8") as handle:
        password = handle.read().strip()
    if demo.ensure_sysadmin(admin, admin_email, password):
        click.echo(f"Created sysadmin {admin}")
    created = demo.load(admin)
    click.echo(f"Demo data: {created['organizations']} organisations and "
               f"{created['datasets']} datasets created")


def get_commands():
    return [smartcity]
