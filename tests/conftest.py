"""Shared fixtures. CKAN's pytest plugin (shipped in its wheel) provides app,
clean_db, clean_index, migrate_db_for, cli, ...; ``make test`` passes
``--ckan-ini=test.ini``.

``make test`` runs the suite in two pytest-xdist workers. Each worker has a
database, a Redis database and a file store of its own
(``var/test-gw<N>.ini``, written and migrated by ``scripts/bootstrap.sh
test``). The tests of one file run in one worker (``--dist loadfile``), and
so do all the files under tests/browser (the scheduler below), so a portal
started on a fixed port (the harvest source portal on 58231 in
test_harvest.py, the browser portal on 58232 shared by every file under
tests/browser, the bench portal, the private redis-server on 6391) never
starts twice at the same time, nor empties the database of a portal another
worker serves. Tests marked ``serial`` restart PostgreSQL and run alone
afterwards, outside the parallel run."""
import os

import pytest
from ckan.tests import factories

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# tests that restart PostgreSQL: every other test's connections would break
SERIAL = ("tests/browser/test_faults.py",)
# directories whose files share one session fixture on a fixed port: one worker
SHARED_PORTAL = ("tests/browser/",)
# Files whose tests touch search and must pass on every backend: our
# PostgreSQL search, and stock CKAN search on Solr standalone and SolrCloud
# (make test runs them again through scripts/test_on_solr.sh). Tests in them
# that hold what only our search does (German stemming, synonyms, the index
# table) carry the postgresql_only mark; tests/solr/test_differential.py and
# docs/search.md "Compared with Solr" list those differences.
EVERY_BACKEND = (
    "tests/search/test_package_search.py",
    "tests/schema/test_drafts.py",
    "tests/rdf/test_catalogue_paging.py",
    "tests/rdf/test_export.py",
    "tests/categories/test_category_search.py",
    "tests/categories/test_category_pages.py",
    "tests/web/test_portal_pages.py",
    "tests/quality/test_quality.py",
    "tests/harvest/test_harvest.py",
)
BACKENDS = ("postgresql", "solr", "solrcloud")


def pytest_addoption(parser):
    parser.addoption("--search-backend", choices=BACKENDS, default="postgresql",
                     help="run the tests of every backend on stock CKAN search with "
                          "Solr (var/test-<backend>-gwN.ini; scripts/test_on_solr.sh)")


def pytest_configure(config):
    """An xdist worker uses its own configuration (database, Redis, files);
    CKAN's pytest plugin reads ``--ckan-ini`` only after this hook."""
    config.addinivalue_line("markers", "serial: restarts shared services; run alone "
                                       "(make test runs these after the parallel run)")
    config.addinivalue_line("markers", "every_backend: touches search; runs on PostgreSQL, "
                                       "Solr and SolrCloud (EVERY_BACKEND)")
    config.addinivalue_line("markers", "postgresql_only: what only smartcity_search does "
                                       "(German stemming, synonyms, its index table)")
    backend = config.getoption("search_backend")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    given = config.option.ckan_ini
    if backend != "postgresql" and given:
        if os.path.abspath(given) != os.path.join(ROOT, "test.ini"):
            return  # a Solr configuration of the caller's own
        # one configuration per worker; without xdist the first one
        name = f"test-{backend}-{worker or 'gw0'}.ini"
    elif worker and config.option.ckan_ini:
        name = f"test-{worker}.ini"
    else:
        name = None
    if name:
        ini = os.path.join(ROOT, "var", name)
        if not os.path.exists(ini):
            raise pytest.UsageError(f"{ini} is missing: run scripts/bootstrap.sh test "
                                    "(it creates one database per worker)")
        config.option.ckan_ini = ini


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the files of a SHARED_PORTAL directory as one
    unit. (xdist's own ``loadgroup`` marks do not group under pytest 9.2:
    they rename ``item._nodeid``, which pytest no longer reads.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class SharedPortalScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid):
            path = super()._split_scope(nodeid)
            return next((shared for shared in SHARED_PORTAL if path.startswith(shared)), path)

    return SharedPortalScheduling(config, log)


def pytest_itemcollected(item):
    """The serial and every_backend marks by path, set as each test is
    collected (before -m selects by them)."""
    path = os.path.relpath(str(item.path), ROOT)
    if path.startswith(SERIAL):
        item.add_marker(pytest.mark.serial)
    if path.startswith(EVERY_BACKEND):
        item.add_marker(pytest.mark.every_backend)


def pytest_collection_modifyitems(config, items):
    """On Solr, only the tests of every backend run (the rest test what
    stock CKAN search has no part in, or what only ours does)."""
    if config.getoption("search_backend") == "postgresql":
        return
    keep, drop = [], []
    for item in items:
        runs = (item.get_closest_marker("every_backend")
                and not item.get_closest_marker("postgresql_only"))
        (keep if runs else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


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
    from ckan import plugins

    reset_db()
    for plugin in ("activity", "smartcity_search", "smartcity", "harvest"):
        # smartcity_search is left out on Solr (--search-backend)
        if plugins.plugin_loaded(plugin):
            migrate_db_for(plugin)
    reset_index()
