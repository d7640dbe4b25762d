"""Shared fixtures. CKAN's pytest plugin (shipped in its wheel) provides app,
clean_db, clean_index, migrate_db_for, cli, ...; ``make test`` passes
``--ckan-ini=test.ini``."""
import pytest
from ckan.tests import factories

LICENSE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"


class DcatApDeDataset(factories.Dataset):
    """CKAN's dataset factory, plus what the DCAT-AP.de schema makes
    mandatory (description is already filled by CKAN's factory)."""

    license_id = LICENSE


# Tests call factories.Dataset(...): make it create valid DCAT-AP.de datasets.
factories.Dataset = DcatApDeDataset


@pytest.fixture(autouse=True)
def _load_plugins(with_plugins):
    """Every test runs with the plugins of test.ini, as the portal does."""
    yield


@pytest.fixture
def clean_db(reset_db, migrate_db_for, reset_index, with_plugins):
    """A fresh database and an empty search index. CKAN's reset may drop
    every table; plugin tables (activity, the search index) come back through
    the plugins' own migrations."""
    reset_db()
    for plugin in ("activity", "smartcity_search", "smartcity", "harvest"):
        migrate_db_for(plugin)
    reset_index()
