"""PostgreSQL restarted while the portal serves requests (issue 8,
"Faults"): the requests caught in the restart get the portal's own error
page — no stack trace, no database message — and the portal recovers by
itself. Runs against the served demo town of the browser tests (gunicorn)."""
import glob
import subprocess
import threading
import time
import urllib.error
import urllib.request

from ckan import model


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def restart_postgresql():
    version = sorted(glob.glob("/usr/lib/postgresql/*"),
                     key=lambda p: [int(x) for x in p.rsplit("/", 1)[1].split(".")])[-1]
    subprocess.run(["pg_ctlcluster", version.rsplit("/", 1)[1], "main", "restart", "-m", "fast"],
                   check=True, capture_output=True)


def test_postgresql_restart_fails_cleanly_and_the_portal_recovers(portal):
    urls = [portal + "/dataset/", portal + "/dataset/baumkataster-dinslaken",
            portal + "/kategorien", portal + "/catalog.ttl"]
    answers, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            for url in urls:
                answers.append((url, *fetch(url)))
    clients = [threading.Thread(target=load) for _ in range(3)]
    for client in clients:
        client.start()
    try:
        time.sleep(1)
        restart_postgresql()
        time.sleep(2)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
        # this test process's own pooled connections died too
        model.Session.remove()
        model.meta.engine.dispose()
    assert len(answers) > 20
    failed = [(url, status, body) for url, status, body in answers if status != 200]
    for url, status, body in failed:
        assert status in (500, 502, 503), (url, status)
        for leak in ("Traceback", "psycopg", "sqlalchemy", "OperationalError", "SELECT "):
            assert leak not in body, (url, leak)
        if not url.endswith(".ttl"):
            assert "Das Portal kann gerade nicht antworten" in body, (url, body[:300])
    # recovered by itself: every page answers again, without a restart of the portal
    for url in urls:
        for _ in range(30):
            if fetch(url)[0] == 200:
                break
            time.sleep(1)
        else:
            raise AssertionError(f"{url} did not recover")
