"""The harvest tests' sources and a harvest run through ckanext-harvest's real
Redis queues (gather queue -> gather consumer -> fetch queue -> fetch
consumer -> job finished), as the `ckan harvester gather-consumer` and
`fetch-consumer` processes run them."""
import os
import subprocess
import sys
import time
import urllib.request

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import helpers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE_INI = os.path.join(ROOT, "tests", "harvest", "source-portal.ini")
SOURCE_URL = "http://127.0.0.1:58231"
BIN = os.path.dirname(sys.executable)


def _answers(url):
    try:
        with urllib.request.urlopen(url + "/api/3/action/status_show", timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def source_portal(tmp_path_factory):
    """A second portal (own database, the demo datasets, 4 per catalogue
    page) served by gunicorn on 127.0.0.1:58231."""
    password = tmp_path_factory.mktemp("source") / "password"
    password.write_text("source-admin-password\n")
    env = dict(os.environ, CKAN_INI=SOURCE_INI)
    subprocess.run([os.path.join(BIN, "ckan"), "-c", SOURCE_INI, "smartcity", "demo-load",
                    "--admin", "admin", "--admin-password-file", str(password)],
                   check=True, env=env, capture_output=True)
    assert not _answers(SOURCE_URL), "port 58231 is taken by another process"
    log = open(tmp_path_factory.mktemp("source-log") / "gunicorn.log", "wb")
    server = subprocess.Popen(
        [os.path.join(BIN, "gunicorn"), "--chdir", ROOT, "deploy.wsgi:application",
         "--bind", "127.0.0.1:58231", "--workers", "1", "--timeout", "60"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            if _answers(SOURCE_URL):
                break
            assert server.poll() is None, "the source portal did not start"
            time.sleep(0.5)
        else:
            raise AssertionError("the source portal did not answer")
        yield SOURCE_URL
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


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
