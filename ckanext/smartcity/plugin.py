"""Plugin wiring only: each package (docs/architecture.md) brings its own
actions, auth functions, helpers, validators, blueprints and commands."""
from __future__ import annotations

import os

import ckan.plugins as plugins
from ckan.plugins import toolkit

from ckanext.smartcity import cli
from ckanext.smartcity.categories import actions as category_actions
from ckanext.smartcity.categories import auth as category_auth
from ckanext.smartcity.categories import helpers as category_helpers
from ckanext.smartcity.categories import index as category_index
from ckanext.smartcity.categories import pages as category_pages
from ckanext.smartcity.categories import scheme as categories
from ckanext.smartcity.dataservice import pages as dataservice_pages
from ckanext.smartcity.quality import actions as quality_actions
from ckanext.smartcity.quality import auth as quality_auth
from ckanext.smartcity.quality import events as quality_events
from ckanext.smartcity.quality import helpers as quality_helpers
from ckanext.smartcity.quality import pages as quality_pages
from ckanext.smartcity.rdf import builder as rdf_builder
from ckanext.smartcity.rdf import catalogue
from ckanext.smartcity.rdf import profile as rdf_profile
from ckanext.smartcity.schema import auth as schema_auth
from ckanext.smartcity.schema import drafts
from ckanext.smartcity.schema import guards, licenses, regions, validators
from ckanext.smartcity.schema import helpers as schema_helpers
from ckanext.smartcity.search import backend
from ckanext.smartcity.search import connection as search_connection
from ckanext.smartcity.search import suggest as search_suggest
from ckanext.smartcity.search import synonyms as search_synonyms
from ckanext.smartcity.sheet import auth as sheet_auth
from ckanext.smartcity.sheet import pages as sheet_pages
from ckanext.smartcity.steward import auth as steward_auth
from ckanext.smartcity.steward import pages as steward_pages
from ckanext.smartcity.web import helpers as web_helpers
from ckanext.smartcity.web import js_i18n
from ckanext.smartcity.web import search_params as param_checks
from ckanext.smartcity.web import suggestions as web_suggestions
from ckanext.smartcity.web import tags as web_tags
from ckanext.smartcity.web import views


@toolkit.blanket.config_declarations
class SmartcityPlugin(plugins.SingletonPlugin):
    """The Smart City catalogue: DCAT-AP.de schema support (validators,
    vocabulary choices, organisation defaults), categories, RDF, quality,
    templates, translations, CLI. The schemas themselves are loaded by
    ckanext-scheming (see README)."""

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
    plugins.implements(plugins.IMiddleware, inherit=True)

    # ITranslation: catalogue in ckanext/smartcity/i18n, domain ckanext-smartcity
    def i18n_directory(self):
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
        rdf_profile.clamp_catalogue_page_size(config)
        catalogue.register_content_types()
        # freshly indexed datasets get their catalogue triples built (PostgreSQL search)
        search_connection.on_indexed(rdf_builder.warm)
        search_connection.on_indexed(search_suggest.remember)  # "Meinten Sie …?" words
        # category labels and their council words find each other in search
        search_synonyms.register(category_index.synonym_groups, category_index.synonym_version)

    # IMiddleware: called once when the web application is made
    def make_middleware(self, app, config):
        js_i18n.ensure_built()  # German JavaScript texts under gunicorn, as `ckan run` does
        return app

    def get_blueprint(self):
        # the sheet's upload limit must run before web.views' CSRF check
        # (request hooks run in blueprint order)
        return (sheet_pages.get_blueprints() + regions.get_blueprints() + views.get_blueprints()
                + param_checks.get_blueprints() + category_pages.get_blueprints()
                + quality_pages.get_blueprints() + drafts.get_blueprints()
                + steward_pages.get_blueprints() + [dataservice_pages.blueprint()])

    # IPackageController: categories (with ancestors) and EU themes in the index
    def before_dataset_index(self, pkg_dict):
        return category_index.index_fields(pkg_dict)

    def after_dataset_search(self, search_results, search_params):
        return category_index.label_facets(search_results)

    # metadata quality: offline checks on save, URL checks as a background job
    def after_dataset_create(self, context, pkg_dict):
        if pkg_dict.get("id") and pkg_dict.get("type", "dataset") == "dataset":
            quality_events.on_save(pkg_dict["id"])

    def after_dataset_update(self, context, pkg_dict):
        if pkg_dict.get("id") and pkg_dict.get("type", "dataset") == "dataset":
            quality_events.on_save(pkg_dict["id"])

    def after_dataset_delete(self, context, pkg_dict):
        if pkg_dict.get("id"):
            quality_events.on_delete(pkg_dict["id"])

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return category_index.facet_titles(facets_dict)

    def get_commands(self):
        return cli.get_commands()

    def get_validators(self):
        return validators.get_validators()

    def get_helpers(self):
        return {**schema_helpers.get_helpers(), **category_helpers.get_helpers(),
                **quality_helpers.get_helpers(), **web_helpers.get_helpers(),
                **web_suggestions.get_helpers(), **drafts.get_helpers()}

    def get_actions(self):
        return {**guards.get_actions(), **regions.get_actions(),
                **category_actions.get_actions(), **catalogue.get_actions(),
                **quality_actions.get_actions(), **web_tags.get_actions(),
                **param_checks.get_actions()}

    def get_auth_functions(self):
        return {**schema_auth.get_auth_functions(), **category_auth.get_auth_functions(),
                **quality_auth.get_auth_functions(), **sheet_auth.get_auth_functions(),
                **steward_auth.get_auth_functions()}


@toolkit.blanket.config_declarations("search/config_declaration.yaml")
class SmartcitySearchPlugin(plugins.SingletonPlugin):
    """Answers CKAN's search calls from PostgreSQL instead of Solr.

    Sites with Solr do not enable this plugin.
    """

    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IConfigurable)

    def update_config(self, config):
        # Runs before CKAN checks the Solr schema at start-up.
        backend.install()

    def configure(self, config):
        search_connection.warm_up()
