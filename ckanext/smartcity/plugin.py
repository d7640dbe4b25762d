"""Plugin wiring only; the logic lives in one module per concern."""
from __future__ import annotations

import ckan.plugins as plugins
from ckan.plugins import toolkit

from . import (categories, category_pages, cli, facets, helpers, licenses, profiles,
               quality, quality_pages, validators, views)
from .logic import action, auth, catalogue
from .search import backend


@toolkit.blanket.config_declarations
class SmartcityPlugin(plugins.SingletonPlugin):
    """The Smart City catalogue: DCAT-AP.de schema support (validators,
    vocabulary choices, organisation defaults), templates, translations, CLI.
    The schemas themselves are loaded by ckanext-scheming (see README)."""

    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IConfigurable)
    plugins.implements(plugins.IValidators)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.ITranslation)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IPackageController, inherit=True)
    plugins.implements(plugins.IFacets, inherit=True)

    # ITranslation: catalogue in ckanext/smartcity/i18n, domain ckanext-smartcity
    def i18n_directory(self):
        import os
        return os.path.join(os.path.dirname(__file__), "i18n")

    def i18n_locales(self):
        return ["de"]

    def i18n_domain(self):
        return "ckanext-smartcity"

    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "smartcity")

    def configure(self, config):
        licenses.install(config)
        categories.current()  # validate the category files at start-up (errors are logged)
        profiles.clamp_catalogue_page_size(config)
        catalogue.register_content_types()

    def get_blueprint(self):
        return (views.get_blueprints() + category_pages.get_blueprints()
                + quality_pages.get_blueprints())

    # IPackageController: categories (with ancestors) and EU themes in the index
    def before_dataset_index(self, pkg_dict):
        return facets.index_fields(pkg_dict)

    def after_dataset_search(self, search_results, search_params):
        return facets.label_facets(search_results)

    # metadata quality: offline checks on save, URL checks as a background job
    def after_dataset_create(self, context, pkg_dict):
        if pkg_dict.get("id") and pkg_dict.get("type", "dataset") == "dataset":
            quality.on_save(pkg_dict["id"])

    def after_dataset_update(self, context, pkg_dict):
        if pkg_dict.get("id") and pkg_dict.get("type", "dataset") == "dataset":
            quality.on_save(pkg_dict["id"])

    def after_dataset_delete(self, context, pkg_dict):
        if pkg_dict.get("id"):
            quality.on_delete(pkg_dict["id"])

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return facets.facet_titles(facets_dict)

    def get_commands(self):
        return cli.get_commands()

    def get_validators(self):
        return validators.get_validators()

    def get_helpers(self):
        return helpers.get_helpers()

    def get_actions(self):
        return action.get_actions()

    def get_auth_functions(self):
        return auth.get_auth_functions()


@toolkit.blanket.config_declarations("search/config_declaration.yaml")
class SmartcitySearchPlugin(plugins.SingletonPlugin):
    """Answers CKAN's search calls from PostgreSQL instead of Solr.

    Sites with Solr do not enable this plugin.
    """

    plugins.implements(plugins.IConfigurer)

    def update_config(self, config):
        # Runs before CKAN checks the Solr schema at start-up.
        backend.install()
