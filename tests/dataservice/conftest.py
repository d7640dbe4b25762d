"""Fixtures of the data service tests: DataStore tables made with
``datastore_create`` (no xloader job)."""
import pytest

import ckan.plugins as plugins
from ckan.tests import helpers

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
def datastore():
    """The DataStore must be there: test.ini loads it (scripts/bootstrap.sh
    test creates its database); without it these tests fail, they never skip."""
    if not plugins.plugin_loaded("datastore"):
        pytest.fail("the datastore plugin is not loaded: run scripts/bootstrap.sh test "
                    "and use test.ini")


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
