#!/usr/bin/env python3
"""Hostile-request benchmark (``make bench``, issue 16): replays the worst
request of each class a visitor or an editor can send against a served
portal (default the demo portal of ``make demo``) and reports status and
time of each, against the budget: anonymous at most 1 s, a signed-in editor
at most 2 s.

The classes are every finding of issue 16 (repeated ``profiles``, the RDF of
a dataset with 900 distributions, multi-word ``q`` on the catalogue, 1,500
dashes, NUL and lone surrogates, 2,000 sort keys, 50,000 facet names, the
URL-check oracle, private tags, a 5 MB extras value, ``came_from``) and the
request cases of docs/security.md (F4, F5, F6, F12, F13, O4).

Time is measured in this process (``time.perf_counter`` from sending to the
last byte, one request at a time); each request is sent ``--repeat`` times
(median and max reported; the max of a cached page is its cold answer).

The script sets up what it needs through the action API with a sysadmin
token (``--api-token``, or one made with ``ckan user token add`` through
``--ckan-ini``): two organisations, an editor of the first, a private
dataset of the second with a tag and a distribution URL of its own, and a
dataset with 900 distributions (50 with ``--quick``). Datasets the timed
requests create are purged at the end. Exit status 1 when any answer is a
5xx or no answer came (a hostile request must never break the portal);
time over budget is reported, not an error."""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.cookiejar
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_report  # noqa: E402

DEMO_URL = "http://127.0.0.1:5000"
BUDGET = {"anonymous": 1.0, "editor": 2.0}  # seconds, issue 16
PREFIX = "bench-hostile"
PRIVATE_TAG = "bench-hostile-geheim"
SECRET_URL = "https://example.org/bench-hostile/geheime-liste.csv"
LICENCE = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
TIMEOUT = 300  # seconds per request


# --- HTTP ----------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to report, not to follow


@dataclasses.dataclass
class Answer:
    status: int | str
    body: bytes
    headers: dict[str, str]
    seconds: float


class Client:
    """One portal; an API token signs requests in, a cookie jar keeps a
    browser session."""

    def __init__(self, base: str, token: str | None = None):
        self.base, self.token = base.rstrip("/"), token
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            _NoRedirect, urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json") -> Answer:
        request = urllib.request.Request(self.base + path, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", self.token)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=TIMEOUT) as answer:
                data, status, headers = answer.read(), answer.status, dict(answer.headers)
        except urllib.error.HTTPError as error:
            data, status, headers = error.read(), error.code, dict(error.headers)
        except OSError as error:
            data, status, headers = b"", type(error).__name__, {}
        return Answer(status, data, headers, time.perf_counter() - started)

    def action(self, name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call an action for the set-up; its result, or SystemExit."""
        answer = self.request("POST", f"/api/3/action/{name}", json.dumps(data or {}).encode())
        try:
            reply = json.loads(answer.body)
        except ValueError:
            reply = {}
        if answer.status != 200 or not reply.get("success"):
            raise SystemExit(f"{name} answered {answer.status}: {answer.body[:600]!r}")
        return reply["result"]

    def exists(self, action: str, name: str) -> dict[str, Any] | None:
        answer = self.request("GET", f"/api/3/action/{action}?" + urlencode({"id": name}))
        return json.loads(answer.body)["result"] if answer.status == 200 else None


def query(path: str, params: dict[str, Any]) -> str:
    """Percent-encoded, with the bytes a careless client sends for a lone
    surrogate."""
    return path + "?" + urlencode(params, doseq=True, errors="surrogatepass")


def json_body(data: Any) -> bytes:
    """JSON with \\u escapes, so a lone surrogate reaches the server."""
    return json.dumps(data, ensure_ascii=True).encode("ascii")


# --- what the requests need ----------------------------------------------

def sysadmin_token(args: argparse.Namespace) -> str:
    if args.api_token:
        return args.api_token
    if not args.ckan_ini:
        raise SystemExit("--api-token or --ckan-ini is needed (a sysadmin's API token)")
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    result = subprocess.run([ckan, "-c", args.ckan_ini, "user", "token", "add", args.admin,
                             f"{PREFIX}-{int(time.time())}", "--quiet"],
                            capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, CKAN_INI=args.ckan_ini))
    if result.returncode != 0:
        raise SystemExit(f"ckan user token add failed: {result.stderr[-1500:]}")
    return result.stdout.strip().splitlines()[-1].strip()


def organisation(admin: Client, name: str, title: str) -> dict[str, Any]:
    return admin.exists("organization_show", name) or admin.action("organization_create", {
        "name": name, "title": title, "publisher_uri": f"https://example.org/{name}",
        "contributor_id": "http://dcat-ap.de/def/contributors/openNRW",
        "political_geocoding_level": "municipality", "political_geocoding": "05170008",
        "contact_name": "Open-Data-Team", "contact_email": "opendata@example.org",
        "homepage": f"https://example.org/{name}"})


def dataset_body(org: dict[str, Any], name: str, **extra: Any) -> dict[str, Any]:
    """A small valid DCAT-AP.de dataset."""
    return {"name": name, "title": f"Bench {name}", "owner_org": org["id"],
            "notes": "Datensatz des Benchmarks für feindliche Anfragen.",
            "license_id": LICENCE, "tag_string": "Benchmark",
            "contributor_id": "http://dcat-ap.de/def/contributors/openNRW",
            "publisher": [{"name": "Bench", "uri": "https://example.org/bench"}],
            "resources": [{"url": "https://example.org/bench.csv", "name": "CSV",
                           "format": "csv"}], **extra}


def distributions(count: int) -> list[dict[str, Any]]:
    return [{"url": f"https://example.org/bench-hostile/teil-{n}.csv",
             "name": f"Teil {n} (CSV)", "format": "csv",
             "description": f"Ausschnitt {n} der Haltestellenliste."} for n in range(count)]


def set_up(admin: Client, size: int) -> dict[str, Any]:
    """Organisations, an editor of A, B's private dataset, a wide dataset."""
    org_a = organisation(admin, f"{PREFIX}-a", "Bench Organisation A")
    org_b = organisation(admin, f"{PREFIX}-b", "Bench Organisation B")
    editor, password = f"{PREFIX}-editor", secrets.token_urlsafe(16)
    if admin.exists("user_show", editor):
        admin.action("user_patch", {"id": editor, "password": password})
    else:
        admin.action("user_create", {"name": editor, "email": f"{editor}@example.org",
                                     "password": password})
    admin.action("organization_member_create", {"id": org_a["id"], "username": editor,
                                                "role": "editor"})
    token = admin.action("api_token_create", {"user": editor, "name": PREFIX})["token"]
    private = f"{PREFIX}-private"
    if not admin.exists("package_show", private):
        admin.action("package_create", dataset_body(
            org_b, private, private=True, tag_string=PRIVATE_TAG,
            resources=[{"url": SECRET_URL, "name": "Geheime Liste", "format": "csv"}]))
    wide = f"{PREFIX}-wide-{size}"
    if not admin.exists("package_show", wide):
        admin.action("package_create", dataset_body(org_a, wide, resources=distributions(size)))
    return {"org_a": org_a, "editor": editor, "password": password, "token": token,
            "wide": wide}


# --- the requests ----------------------------------------------------------

@dataclasses.dataclass
class Case:
    label: str
    source: str  # the finding of issue 16 or the case of docs/security.md
    role: str  # anonymous | editor
    send: Callable[[int], Answer]  # try number -> answer
    note: Callable[[Answer], str] = lambda answer: ""
    creates: bool = False  # a dataset to purge afterwards when accepted


def created_id(answer: Answer) -> str | None:
    """The id of the dataset a package_create made, if it was accepted."""
    try:
        return json.loads(answer.body)["result"]["id"]
    except (ValueError, KeyError, TypeError):
        return None


def cases(base: str, ctx: dict[str, Any], size: int) -> list[Case]:
    anonymous, editor = Client(base), Client(base, ctx["token"])
    search = "/api/3/action/package_search"

    def get(client: Client, path: str, params: dict[str, Any] | None = None):
        return lambda n: client.request("GET", query(path, params) if params else path)

    def post(client: Client, path: str, data: Any):
        return lambda n: client.request("POST", path, json_body(data))

    def create(**extra: Any):
        return lambda n: editor.request("POST", "/api/3/action/package_create", json_body(
            dataset_body(ctx["org_a"], f"{PREFIX}-try-{secrets.token_hex(4)}-{n}", **extra)))

    def leaks(answer: Answer) -> str:
        return "private tag shown" if PRIVATE_TAG.encode() in answer.body else "private tag hidden"

    def location(answer: Answer) -> str:
        return f"Location: {answer.headers.get('Location', '–')}"

    oracle: list[str] = []

    def oracle_create(n: int) -> Answer:
        answer = create(resources=[{"url": SECRET_URL, "name": "Geratene URL",
                                    "format": "csv"}])(n)
        if created_id(answer):
            oracle.append(created_id(answer))
        return answer

    def oracle_show(n: int) -> Answer:
        if not oracle:
            return Answer("no dataset", b"", {}, 0.0)
        return editor.request("GET", query("/api/3/action/smartcity_quality_show",
                                           {"id": oracle[-1]}))

    def shows_check(answer: Answer) -> str:
        """Does the editor's new dataset show a check of B's URL at once?"""
        try:
            check = json.loads(answer.body)["result"]["urls"].get(SECRET_URL)
        except (ValueError, KeyError, TypeError, AttributeError):
            return ""
        return "guessed URL: check result shown" if check else "guessed URL: no result shown"

    def login(n: int) -> Answer:
        session = Client(base)
        page = session.request("GET", "/user/login").body.decode("utf-8", "replace")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page) or re.search(
            r'name="_csrf_token" content="([^"]+)"', page)
        form = {"login": ctx["editor"], "password": ctx["password"]}
        if token:
            form["_csrf_token"] = token.group(1)
        return session.request("POST", query("/user/login", {"came_from": "\\\\evil.example"}),
                               urlencode(form).encode(), "application/x-www-form-urlencoded")

    profiles = ",".join(["euro_dcat_ap_3"] * 20)
    five_profiles = "euro_dcat_ap,euro_dcat_ap_2,euro_dcat_ap_3,schemaorg,dcat_us_3"
    facet_names = [f"f{i}" for i in range(50_000)]
    return [
        Case("`/catalog.ttl?profiles=` euro_dcat_ap_3 ×20", "issue 16 #1", "anonymous",
             get(anonymous, "/catalog.ttl", {"profiles": profiles}),
             note=lambda a: "page with the wide dataset: over the work budget"
             if a.status == 409 else ""),
        Case("`/catalog.ttl?profiles=` five other profiles, page 2", "issue 16 #1", "anonymous",
             get(anonymous, "/catalog.ttl", {"profiles": five_profiles, "page": 2}),
             note=lambda a: "page with the wide dataset: over the work budget"
             if a.status == 409 else ""),
        Case(f"`/dataset/NAME.ttl?profiles=euro_dcat_ap_3`, {size:,} distributions",
             "issue 16 #1", "anonymous",
             get(anonymous, f"/dataset/{ctx['wide']}.ttl", {"profiles": "euro_dcat_ap_3"}),
             note=lambda a: "over the work budget" if a.status == 409 else ""),
        Case(f"`/dataset/NAME.ttl`, {size:,} distributions", "issue 16 #2", "anonymous",
             get(anonymous, f"/dataset/{ctx['wide']}.ttl")),
        Case("`/catalog.ttl?q=Verkehr Bus`", "issue 16 #3", "anonymous",
             get(anonymous, "/catalog.ttl", {"q": "Verkehr Bus"})),
        Case('`/catalog.rdf?q="Ordnung"`', "issue 16 #3", "anonymous",
             get(anonymous, "/catalog.rdf", {"q": '"Ordnung"'})),
        Case("`/catalog.ttl?q=title:[* TO *]`", "issue 16 #3", "anonymous",
             get(anonymous, "/catalog.ttl", {"q": "title:[* TO *]"})),
        Case("package_search `q` of 1,500 `-`", "issue 16 #4", "anonymous",
             get(anonymous, search, {"q": "-" * 1500})),
        Case("`/dataset/?q=` 1,500 `-`", "issue 16 #4", "anonymous",
             get(anonymous, "/dataset/", {"q": "-" * 1500})),
        Case("package_search NUL in `q`", "issue 16 #4", "anonymous",
             get(anonymous, search, {"q": "Verkehr\x00"})),
        Case("package_search NUL in `fq`", "issue 16 #4", "anonymous",
             get(anonymous, search, {"fq": "tags:Verkehr\x00"})),
        Case("package_search NUL in `facet.field`", "issue 16 #4", "anonymous",
             get(anonymous, search, {"facet.field": json.dumps(["tags\x00"])})),
        Case("package_search lone surrogate in a JSON body", "issue 16 #4", "anonymous",
             post(anonymous, search, {"q": "Verkehr\ud800"})),
        Case("package_search `sort` with 2,000 keys (JSON)", "issue 16 #4", "anonymous",
             post(anonymous, search, {"sort": ", ".join(["name asc"] * 2000)})),
        Case("package_search `facet.field` of 50,000 names (JSON)", "issue 16 #4",
             "anonymous", post(anonymous, search, {"facet.field": facet_names})),
        Case("package_create with a URL of B's private dataset", "issue 16 #5", "editor",
             oracle_create, creates=True),
        Case("smartcity_quality_show of that dataset", "issue 16 #5", "editor", oracle_show,
             shows_check),
        Case("tag_autocomplete of B's private tag", "issue 16 #6", "anonymous",
             get(anonymous, "/api/3/action/tag_autocomplete", {"query": PRIVATE_TAG[:12]}),
             leaks),
        Case("tag_list", "issue 16 #6", "anonymous", get(anonymous, "/api/3/action/tag_list"),
             leaks),
        Case("package_create with a 5 MB extras value", "issue 16 #7", "editor",
             create(extras=[{"key": "gross", "value": "x" * 5_000_000}]), creates=True),
        Case("login with `came_from=\\\\evil.example`", "issue 16 #8", "anonymous", login,
             location),
        Case("package_search `q={!xmlparser …}`", "F12", "anonymous",
             get(anonymous, search, {"q": "{!xmlparser v='<!DOCTYPE a SYSTEM "
                                          "\"file:///etc/passwd\"><a/>'}"})),
        Case("`/catalog.ttl?q={!frange l=1}views_total`", "F12", "anonymous",
             get(anonymous, "/catalog.ttl", {"q": "{!frange l=1}views_total"})),
        Case("`/catalog.ttl?page=99999999999999999999`", "F13", "anonymous",
             get(anonymous, "/catalog.ttl", {"page": "99999999999999999999"})),
        Case("`/catalog.ttl?profiles=unknown`", "F13", "anonymous",
             get(anonymous, "/catalog.ttl", {"profiles": "unknown"})),
        Case("`/catalog.xyz` (unknown format)", "F13", "anonymous",
             get(anonymous, "/catalog.xyz")),
        Case("`/catalog.ttl?modified_since=` 20 digits", "F13", "anonymous",
             get(anonymous, "/catalog.ttl", {"modified_since": "9" * 20})),
        Case("package_search `fq` of 5,000 OR terms (JSON)", "F13", "anonymous",
             post(anonymous, search, {"fq": " OR ".join(f"tags:t{i}" for i in range(5000))})),
        Case("`/catalog.ttl`, first page", "O4", "anonymous", get(anonymous, "/catalog.ttl")),
        Case("`/catalog.jsonld?page=2`", "O4", "anonymous",
             get(anonymous, "/catalog.jsonld", {"page": "2"})),
        Case("package_create with 10,000 themes", "F4", "editor",
             create(theme=["TRAN"] * 10_000), creates=True),
        Case("package_create with 10,000 contact rows", "F5", "editor",
             create(contact=[{"name": f"K{i}", "email": "k@example.org"}
                             for i in range(10_000)]), creates=True),
        Case("package_create with a 1 MB title", "F6", "editor", create(title="T" * 1_000_000),
             creates=True),
    ]


# --- measuring and reporting ----------------------------------------------

def measure(case: Case, repeat: int, created: list[str]) -> dict[str, Any]:
    answers = [case.send(n) for n in range(repeat)]
    if case.creates:
        created.extend(filter(None, map(created_id, answers)))
    times = [a.seconds for a in answers]
    statuses = sorted({str(a.status) for a in answers})
    budget = BUDGET[case.role]
    return {"case": case, "status": "/".join(statuses), "median": statistics.median(times),
            "max": max(times), "meets": max(times) <= budget,
            "failed": any(not isinstance(a.status, int) or a.status >= 500 for a in answers),
            "note": case.note(answers[-1])}


def report(rows: list[dict[str, Any]], args: argparse.Namespace, size: int) -> list[str]:
    over = [r for r in rows if not r["meets"]]
    failed = [r for r in rows if r["failed"]]
    command = ".venv/bin/python scripts/bench_hostile.py" + (" --quick" if args.quick else "")
    lines = ["", f"## Hostile requests ({dt.date.today().isoformat()})", "",
             f"Command: `{command}` against {portal(args.url)} on {bench_report.machine()}; "
             f"the client runs on the same machine and sends one request at a time. Each "
             f"request is sent {args.repeat} times; time from sending to the last byte "
             f"(median and max; the max of a cached answer is its cold one). Budget "
             f"(issue 16): anonymous ≤ 1 s, signed-in editor ≤ 2 s. The wide dataset has "
             f"{size} distributions. **Over budget: {len(over)} of {len(rows)}. "
             f"Server errors (5xx or no answer): {len(failed)}.**", "",
             "| request | case | who | status | median ms | max ms | budget | note |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        case = r["case"]
        verdict = "met" if r["meets"] else f"**over {BUDGET[case.role]:g} s**"
        status = f"**{r['status']}**" if r["failed"] else r["status"]
        lines.append(f"| {case.label} | {case.source} | {case.role} | {status} | "
                     f"{r['median'] * 1000:.0f} | {r['max'] * 1000:.0f} | {verdict} | "
                     f"{r['note']} |")
    return [*lines, ""]


def portal(url: str) -> str:
    return "`make demo` (gunicorn, 2 sync workers)" if url == DEMO_URL else f"<{url}>"


def clean_up(admin: Client, created: list[str]) -> None:
    for package_id in created:
        admin.request("POST", "/api/3/action/dataset_purge", json_body({"id": package_id}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEMO_URL)
    parser.add_argument("--api-token", help="a sysadmin's API token")
    parser.add_argument("--ckan-ini", default=os.path.join(ROOT, "var", "ckan.ini"),
                        help="ini of the portal, to make a sysadmin token when none is given")
    parser.add_argument("--admin", default="admin", help="sysadmin for the token")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--distributions", type=int, default=900)
    parser.add_argument("--quick", action="store_true",
                        help="tiny run: one try each, 50 distributions")
    parser.add_argument("--out", default="docs/benchmarks.md")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.distributions = 1, min(args.distributions, 50)
    admin = Client(args.url, sysadmin_token(args))
    ctx = set_up(admin, args.distributions)
    created: list[str] = []
    try:
        rows = []
        for case in cases(args.url, ctx, args.distributions):
            rows.append(measure(case, args.repeat, created))
            print(f"{case.label}: {rows[-1]['status']} {rows[-1]['max'] * 1000:.0f} ms",
                  file=sys.stderr)
    finally:
        clean_up(admin, created)
    bench_report.publish(report(rows, args, args.distributions), args.out)
    return 1 if any(r["failed"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
