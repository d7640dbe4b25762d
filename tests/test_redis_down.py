"""Redis down (issue 8, "Faults"): a real redis-server on its own port is
stopped while stewards work. Creating and editing datasets, the dataset
page and the catalogue keep working; when Redis is back, the URL checks
that could not be queued are done (the scheduled re-check) and new jobs run
on the queue again."""
import shutil
import socket
import subprocess
import time

import pytest
from redis import ConnectionPool

import ckan.lib.redis as ckan_redis
from ckan.lib import jobs
from ckan.tests import helpers

from ckanext.smartcity.rdf import builder as fast_rdf
from ckanext.smartcity.quality import assessment as quality
from ckanext.smartcity.quality import reachability
from tests.harvest.local_server import Source
from tests.schema.test_dataset_api import full_dataset, org, steward  # noqa: F401 (fixtures)

pytestmark = pytest.mark.usefixtures("clean_db")
PORT = 6391


def free(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


class RedisServer:
    def __init__(self, workdir):
        self.workdir = workdir
        self.process = None

    def start(self):
        assert free(PORT), f"port {PORT} is taken"
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--bind", "127.0.0.1", "--port", str(PORT),
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if not free(PORT):
                return
            time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def stop(self):
        self.process.kill()
        self.process.wait()
        assert free(PORT)


@pytest.fixture
def redis_server(tmp_path, monkeypatch):
    server = RedisServer(tmp_path)
    server.start()
    # CKAN's connections (jobs, the RDF cache) go to this server
    monkeypatch.setattr(ckan_redis, "_connection_pool",
                        ConnectionPool.from_url(f"redis://127.0.0.1:{PORT}/0"))
    fast_rdf._local.__dict__.clear()
    yield server
    if server.process.poll() is None:
        server.stop()
    fast_rdf._local.__dict__.clear()


@pytest.fixture
def links():
    server = Source()
    server.add("/ok.csv", b"a,b\n1,2\n", media="text/csv")
    yield server
    server.server.shutdown()


def test_redis_down_then_back(app, steward, org, redis_server, links):
    redis_server.stop()
    token = {"Authorization": steward["token"]}
    data = full_dataset(org)
    data["resources"] = [{"url": links.base + "/ok.csv", "name": "Daten"}]
    created = app.post("/api/3/action/package_create", json=data, headers=token)
    assert created.status_code == 200, created.body[:300]
    dataset = created.json["result"]
    edited = app.post("/api/3/action/package_patch", headers=token,
                      json={"id": dataset["id"], "title": "Ladesäulen (neu)"})
    assert edited.status_code == 200
    assert "Ladesäulen (neu)" in app.get("/dataset/ladesaeulen").body
    catalogue = app.get("/catalog.ttl")
    assert catalogue.status_code == 200 and "Ladesäulen (neu)" in catalogue.body
    # the URL check could not be queued: no result yet
    assert quality.stored(dataset["id"])["urls"][links.base + "/ok.csv"] is None

    redis_server.start()
    # the scheduled re-check (ckan smartcity quality --recheck-older-than)
    # catches up on what was missed ...
    assert reachability.recheck(3600) == 1
    assert quality.stored(dataset["id"])["urls"][links.base + "/ok.csv"]["ok"] is True
    # ... and jobs run on the queue again
    jobs.get_queue().empty()
    assert reachability.enqueue(dataset["id"]) is True
    assert jobs.get_queue().count == 1
    jobs.Worker(["default"]).work(burst=True)
    assert jobs.get_queue().count == 0
    assert helpers.call_action("package_show", id=dataset["id"])["title"] == "Ladesäulen (neu)"
