"""The harvest tests' sources and a harvest run through ckanext-harvest's real
Redis queues (gather queue -> gather consumer -> fetch queue -> fetch
consumer -> job finished), as the `ckan harvester gather-consumer` and
`fetch-consumer` processes run them."""
import os

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from tests import local_portal

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE_INI = os.path.join(ROOT, "tests", "harvest", "source-portal.ini")
SOURCE_URL = "http://127.0.0.1:58231"
SOURCE_DATASETS = 9  # of the demo town: three catalogue pages of 4


@pytest.fixture(scope="session")
def source_portal(tmp_path_factory):
    """A second portal (own database, 9 of the demo datasets, 4 per
    catalogue page) served by gunicorn on 127.0.0.1:58231."""
    with local_portal.serve(SOURCE_INI, 58231, tmp_path_factory.mktemp("source"),
                            "source-admin-password", sample=SOURCE_DATASETS) as url:
        assert url == SOURCE_URL
        yield url


def run_harvest(source_id):
    """One harvest job through the Redis queues; returns the job's report."""
    from ckanext.harvest import queue
    sysadmin = {"ignore_auth": True, "user": helpers.call_action("get_site_user")["name"]}
    job = tk.get_action("harvest_job_create")(dict(sysadmin),
                                              {"source_id": source_id, "run": True})
    gather = queue.get_gather_consumer()
    method, header, body = gather.basic_get(queue="ckan.harvest.gather")
    assert body, "the job was not queued for gathering"
    queue.gather_callback(gather, method, header, body)
    fetch = queue.get_fetch_consumer()
    while True:
        method, header, body = fetch.basic_get(queue="ckan.harvest.fetch")
        if body is None:
            break
        queue.fetch_callback(fetch, method, header, body)
    tk.get_action("harvest_jobs_run")(dict(sysadmin), {"source_id": source_id})
    return tk.get_action("harvest_job_report")(dict(sysadmin), {"id": job["id"]})


@pytest.fixture
def harvest_queues():
    """Empty harvest queues before and after (Redis db 1 is the tests')."""
    from ckanext.harvest import queue
    queue.purge_queues()
    yield
    queue.purge_queues()
