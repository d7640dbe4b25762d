"""A second CKAN portal for the tests, in its own database, with (part of)
the demo town, served by gunicorn on 127.0.0.1 — the harvest source
(tests/harvest/) and the portal the browser tests drive (tests/browser/)."""
import contextlib
import os
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def answers(url):
    try:
        with urllib.request.urlopen(url + "/api/3/action/status_show", timeout=2):
            return True
    except OSError:
        return False


def _datastore_ini(ini, workdir, url, token):
    """An ini on top of ``ini`` that lets xloader's jobs load from the portal
    at ``url`` as the site user (docs/datastore.md)."""
    path = workdir / "portal-datastore.ini"
    with open(ini, encoding="utf-8") as base:
        logging_sections = base.read().partition("\n[loggers]")[2]  # deploy/wsgi.py reads them
    path.write_text("[DEFAULT]\ndebug = false\n\n[app:main]\n"
                    f"use = config:{ini}\n"
                    f"ckanext.xloader.api_token = {token}\n"
                    f"ckanext.xloader.site_url = {url}\n"
                    + ("\n[loggers]" + logging_sections if logging_sections else ""))
    return str(path)


@contextlib.contextmanager
def serve(ini, port, workdir, admin_password, sample=None, workers=1, datastore=False):
    """Empty the ini's database, migrate it, load the demo town (``sample``
    datasets of it, or all), serve it; yields the base URL. With
    ``datastore``, the demo's tables are queued for the DataStore once the
    portal answers, and a job worker loads them while the portal runs."""
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CKAN_INI=ini)
    password = workdir / "password"
    password.write_text(admin_password + "\n")

    def ckan(*args):
        done = subprocess.run([os.path.join(BIN, "ckan"), "-c", env["CKAN_INI"], *args],
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, (f"ckan {' '.join(args)} failed for {ini}:\n"
                                      f"{done.stderr[-3000:]}")
        return done.stdout
    ckan("db", "clean", "--yes")
    ckan("db", "upgrade")
    ckan("smartcity", "demo-load", "--admin", "admin", "--admin-password-file", str(password),
         *(["--sample", str(sample)] if sample else []))
    if datastore:
        token = ckan("smartcity", "datastore-token").strip().splitlines()[-1]
        env["CKAN_INI"] = _datastore_ini(ini, workdir, url, token)
    worker = None
    assert not answers(url), f"port {port} is taken by another process"
    with open(workdir / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(
            [os.path.join(BIN, "gunicorn"), "--chdir", ROOT, "deploy.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(120):
                if answers(url):
                    break
                assert server.poll() is None, f"the portal of {ini} did not start"
                time.sleep(0.5)
            else:
                raise AssertionError(f"the portal of {ini} did not answer")
            if datastore:
                ckan("xloader", "submit", "all")
                with open(workdir / "worker.log", "wb") as worker_log:
                    worker = subprocess.Popen(
                        [os.path.join(BIN, "ckan"), "-c", env["CKAN_INI"], "jobs", "worker"],
                        env=env, stdout=worker_log, stderr=subprocess.STDOUT)
            yield url
        finally:
            for process in (worker, server):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=20)
