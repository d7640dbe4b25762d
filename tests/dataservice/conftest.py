"""Fixtures of the data service tests: the test app with the data service
pages, and DataStore tables made with ``datastore_create`` (no xloader job)."""
import pytest

import ckan.plugins as plugins
from ckan.tests import helpers

from ckanext.smartcity.dataservice import pages
from tests.schema.test_dataset_api import org, steward  # noqa: F401 (fixtures)

ROWS = [
    {"Standort": "Altmarkt", "Stellplaetze": 120, "Belegung": 0.75,
     "Stand": "2025-03-01T08:00:00", "Offen": True},
    {"Standort": "Bahnhof", "Stellplaetze": 300, "Belegung": 0.5,
     "Stand": "2025-03-01T08:00:00", "Offen": False},
]
FIELDS = [
    {"id": "Standort", "type": "text", "info": {"label": "Parkhaus", "notes": "Name"}},
    {"id": "Stellplaetze", "type": "int"},
    {"id": "Belegung", "type": "numeric"},
    {"id": "Stand", "type": "timestamp"},
    {"id": "Offen", "type": "bool"},
]


@pytest.fixture
def app(make_app, monkeypatch):
    """CKAN's test app, with the data service pages also while plugin.py
    does not wire them yet."""
    smartcity = plugins.get_plugin("smartcity")
    wired = any(bp.name == "smartcity_dataservice" for bp in smartcity.get_blueprint())
    if not wired:
        original = smartcity.get_blueprint
        monkeypatch.setattr(smartcity, "get_blueprint",
                            lambda: [*original(), pages.blueprint()])
    return make_app()


@pytest.fixture
def datastore():
    """Skips only where the datastore plugin is not loaded (test.ini loads it)."""
    if not plugins.plugin_loaded("datastore"):
        pytest.skip("the datastore plugin is not loaded")


def dataset(steward, org, name="parkhaeuser", **extra):
    return helpers.call_action(
        "package_create", context=dict(steward["context"]), name=name,
        title="Belegung der Parkhäuser", owner_org=org["id"],
        notes="Freie Stellplätze in den Parkhäusern der Innenstadt.",
        license_id="dl-de-by-2.0", **extra)


def resource(steward, package, **extra):
    return helpers.call_action(
        "resource_create", context=dict(steward["context"]), package_id=package["id"],
        name="Parkhausbelegung", url="https://example.org/parkhaeuser.csv", format="CSV",
        **extra)


def table(steward, package):
    """A resource of ``package`` with its rows in the DataStore."""
    created = resource(steward, package)
    helpers.call_action("datastore_create", context=dict(steward["context"]),
                        resource_id=created["id"], fields=FIELDS, records=ROWS, force=True)
    return helpers.call_action("resource_show", id=created["id"])
