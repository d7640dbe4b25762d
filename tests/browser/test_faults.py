"""PostgreSQL restarted while the portal serves requests (issue 8,
"Faults"): requests caught in the restart get the portal's own error page
(no stack trace, no database message), every request gets an HTTP answer,
and the portal recovers by itself: once a page answers again, every later
request for it succeeds. Runs against the served demo town of the browser
tests (gunicorn, ``sqlalchemy.pool_pre_ping`` as tests/browser/portal.ini
sets it)."""
from __future__ import annotations

import glob
import subprocess
import threading
import time
import traceback
import urllib.error
import urllib.request
from dataclasses import dataclass

from ckan import model

LEAKS = ("Traceback", "psycopg", "sqlalchemy", "OperationalError", "SELECT ")
ERROR_PAGE = "Das Portal kann gerade nicht antworten"
RECOVERY_LIMIT = 30   # seconds the portal may take to answer again after the restart
STABLE = 3            # seconds of load after the recovery, every request of which must succeed


@dataclass
class Answer:
    """One request of a client: its URL, when it ran, and the HTTP status
    and page, or ``status`` None and the exception that came instead."""

    url: str
    started: float
    finished: float
    status: int | None
    body: str


def fetch(url: str) -> tuple[int, str]:
    """Status and page of a GET; an HTTP error status is an answer too."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


class Client(threading.Thread):
    """Requests the URLs in turn until stopped. Every request is recorded,
    also one that ends in an exception instead of an HTTP answer (refused or
    reset connection, timeout); anything that ends the thread itself is kept
    in ``crash``, so no client dies unnoticed."""

    def __init__(self, urls: list[str], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.urls, self.stop = urls, stop
        self.answers: list[Answer] = []
        self.crash: str | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                for url in self.urls:
                    self.answers.append(self.request(url))
        except BaseException:  # noqa: B036 (recorded, and the test fails on it)
            self.crash = traceback.format_exc()

    @staticmethod
    def request(url: str) -> Answer:
        started = time.monotonic()
        try:
            status, body = fetch(url)
        except Exception as exc:  # every exception is an outcome the test checks
            status, body = None, f"{type(exc).__name__}: {exc}"
        return Answer(url, started, time.monotonic(), status, body)


def restart_postgresql():
    version = sorted(glob.glob("/usr/lib/postgresql/*"),
                     key=lambda p: [int(x) for x in p.rsplit("/", 1)[1].split(".")])[-1]
    subprocess.run(["pg_ctlcluster", version.rsplit("/", 1)[1], "main", "restart", "-m", "fast"],
                   check=True, capture_output=True)


def all_answers(clients: list[Client]) -> list[Answer]:
    return sorted((a for c in clients for a in list(c.answers)), key=lambda a: a.started)


def first_success_after(clients: list[Client], urls: list[str], moment: float,
                        limit: float) -> dict[str, float]:
    """When each URL first answered 200 to a request started after
    ``moment``, waiting up to ``limit`` seconds for the clients to get there."""
    deadline = time.monotonic() + limit
    while True:
        firsts: dict[str, float] = {}
        for answer in all_answers(clients):
            if answer.started >= moment and answer.status == 200:
                firsts.setdefault(answer.url, answer.started)
        if len(firsts) == len(urls):
            return firsts
        crashes = [c.crash for c in clients if c.crash]
        assert not crashes, f"a client thread died: {crashes[0]}"
        if time.monotonic() > deadline:
            raise AssertionError(f"no 200 within {limit} s for "
                                 f"{sorted(set(urls) - set(firsts))}")
        time.sleep(0.2)


def test_postgresql_restart_fails_cleanly_and_the_portal_recovers(portal):
    urls = [portal + "/dataset/", portal + "/dataset/baumkataster-dinslaken",
            portal + "/kategorien", portal + "/catalog.ttl"]
    stop = threading.Event()
    clients = [Client(urls, stop) for _ in range(3)]
    for client in clients:
        client.start()
    try:
        first_success_after(clients, urls, 0, RECOVERY_LIMIT)   # every page served first
        restart_started = time.monotonic()
        restart_postgresql()
        restart_done = time.monotonic()
        recovered = first_success_after(clients, urls, restart_done, RECOVERY_LIMIT)
        time.sleep(STABLE)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
        # this test process's own pooled connections died too
        model.Session.remove()
        model.meta.engine.dispose()

    # the clients ran to the end, and every request got an HTTP answer
    assert [c.crash for c in clients] == [None] * len(clients)
    assert not any(c.is_alive() for c in clients)
    answers = all_answers(clients)
    no_answer = [(a.url, a.body) for a in answers if a.status is None]
    assert no_answer == [], no_answer[:5]

    # healthy before the restart
    before = [a for a in answers if a.finished < restart_started]
    assert before and [a for a in before if a.status != 200] == []

    # the restart was felt: requests running while PostgreSQL restarted failed
    failed = [a for a in answers if a.status != 200]
    during = [a for a in failed if a.started <= restart_done and a.finished >= restart_started]
    assert during, f"no request failed during the restart ({len(answers)} requests)"
    # ... cleanly: CKAN's error handler answers the lost connection with 500
    # (no proxy in front of gunicorn that could say 502/503) and the portal's
    # own page, never internals
    for answer in failed:
        assert answer.status == 500, (answer.url, answer.status)
        for leak in LEAKS:
            assert leak not in answer.body, (answer.url, leak)
        if not answer.url.endswith(".ttl"):
            assert ERROR_PAGE in answer.body, (answer.url, answer.body[:300])

    # recovered by itself (no restart of the portal): once a page answered
    # again, every later request for it succeeded, for STABLE seconds of load
    for url in urls:
        later = [a for a in answers if a.url == url and a.started >= recovered[url]]
        assert len(later) >= 2, (url, len(later))
        assert [(a.status, a.body[:200]) for a in later if a.status != 200] == [], url
