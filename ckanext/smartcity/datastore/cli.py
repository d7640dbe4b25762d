"""``ckan smartcity datastore-token``: the API token ckanext-xloader's jobs
use (``ckanext.xloader.api_token``), for the site user."""
from __future__ import annotations

import click
import ckan.plugins.toolkit as tk
from ckan import model

TOKEN_NAME = "xloader"


def site_user_token() -> str:
    """A new API token for the site user named ``xloader``; the older
    tokens of that name are revoked, so running it again rotates it."""
    context = {"ignore_auth": True}
    site_user = tk.get_action("get_site_user")(dict(context), {})
    for token in model.Session.query(model.ApiToken).filter_by(
            user_id=site_user["id"], name=TOKEN_NAME):
        tk.get_action("api_token_revoke")(dict(context, user=site_user["name"]),
                                          {"jti": token.id})
    created = tk.get_action("api_token_create")(
        dict(context, user=site_user["name"]), {"user": site_user["name"], "name": TOKEN_NAME})
    return created["token"]


@click.command(name="datastore-token")
def datastore_token():
    """Print a fresh API token for ckanext-xloader (revokes the previous one)."""
    click.echo(site_user_token())


def get_commands() -> list[click.Command]:
    return [datastore_token]
