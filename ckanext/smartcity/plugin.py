"""Plugin wiring only; the logic lives in one module per concern."""
from __future__ import annotations

import ckan.plugins as plugins
from ckan.plugins import toolkit

from . import cli
from .search import backend


class SmartcityPlugin(plugins.SingletonPlugin):
    """The Smart City catalogue. Its dataset schema is loaded by
    ckanext-scheming (``scheming.dataset_schemas =
    ckanext.smartcity.schemas:dataset.yaml``); templates, vocabularies and
    the DCAT-AP.de profile are wired here as they arrive."""

    plugins.implements(plugins.IClick)

    def get_commands(self):
        return cli.get_commands()


@toolkit.blanket.config_declarations("search/config_declaration.yaml")
class SmartcitySearchPlugin(plugins.SingletonPlugin):
    """Answers CKAN's search calls from PostgreSQL instead of Solr.

    Sites with Solr do not enable this plugin.
    """

    plugins.implements(plugins.IConfigurer)

    def update_config(self, config):
        # Runs before CKAN checks the Solr schema at start-up.
        backend.install()
