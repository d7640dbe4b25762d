"""One side of the differential search test (docs/search.md, "Compared with
Solr"), in a process of its own: CKAN loads its plugins once per process, so
the PostgreSQL side (with ``smartcity_search``) and the Solr side (without)
never share one.

``python tests/solr/differential.py INI load`` loads the corpus
through CKAN: the demo town (``demo.town.load``, as ``ckan smartcity
demo-load`` does) and the generated datasets of tests/solr/corpus.py, with
``package_create`` as the sysadmin (private ones, drafts, and a few deleted
afterwards), then writes each dataset's metadata dates into the database
(tests/solr/corpus.py ``dates``). The caller then rebuilds the indexes with
``ckan search-index rebuild``, which reads those dates.

``python tests/solr/differential.py INI query QUERIES.json OUT.json`` runs
every query of QUERIES.json (a list of ``{"id", "user", "params"}``) through
``package_search`` and writes, per id, the count, the names of the returned
datasets and the facet counts, or the error.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

import ckan.model as model
from ckan.cli import load_config
from ckan.config.middleware import make_app
from ckan.plugins import toolkit as tk

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402  (a sibling module, not a package import: run as a script)

from ckanext.smartcity.demo import town  # noqa: E402
from ckanext.smartcity.quality import events as quality_events  # noqa: E402

RESULT = "DIFFERENTIAL-RESULT "
ADMIN = "diffadmin"
COMMIT_EVERY = 100
DELETED = 10  # generated datasets deleted after creation (every 97th)


def emit(result: dict[str, Any]) -> None:
    """One line the caller finds among CKAN's log lines."""
    print(RESULT + json.dumps(result), flush=True)


@contextlib.contextmanager
def fast_creation() -> Iterator[None]:
    """package_create without what the search comparison does not need: the
    quality assessment on save (a SHACL run, half of each create) and the
    index update (``defer_commit``: the caller rebuilds both indexes after
    the dates are set anyway)."""
    saved = quality_events.on_save
    quality_events.on_save = lambda package_id: None
    try:
        yield
    finally:
        quality_events.on_save = saved


def load() -> dict[str, Any]:
    started = time.monotonic()
    town.ensure_sysadmin(ADMIN, "diffadmin@example.org", "differential-Test-1")
    demo = town.load(ADMIN)
    context = {"user": ADMIN, "ignore_auth": True}
    for org in corpus.ORGANIZATIONS:
        if model.Group.get(org["name"]) is None:
            tk.get_action("organization_create")(dict(context), dict(org))
    demo_seconds = time.monotonic() - started
    generated = corpus.datasets()
    with fast_creation():
        for number, data in enumerate(generated, 1):
            tk.get_action("package_create")(dict(context, defer_commit=True), dict(data))
            if number % COMMIT_EVERY == 0:
                model.repo.commit()
        model.repo.commit()
    deleted = [d["name"] for d in generated[::97][:DELETED]]
    for name in deleted:
        tk.get_action("package_delete")(dict(context), {"id": name})
    names = [row[0] for row in model.Session.execute(sa.text("SELECT name FROM package"))]
    for name, (created, modified) in corpus.dates(names).items():
        model.Session.execute(
            sa.text("UPDATE package SET metadata_created = :c, metadata_modified = :m "
                    "WHERE name = :n"), {"c": created, "m": modified, "n": name})
    model.Session.commit()
    return {"demo_datasets": demo["datasets"], "generated": len(generated),
            "deleted": len(deleted), "packages": len(names),
            "demo_seconds": round(demo_seconds, 1),
            "seconds": round(time.monotonic() - started, 1)}


def answer(context: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    try:
        result = tk.get_action("package_search")(dict(context), dict(params))
    except Exception as error:  # every refusal is an answer to compare
        model.Session.rollback()
        return {"error": type(error).__name__, "message": str(error)[:300]}
    return {"count": result["count"], "names": [d["name"] for d in result["results"]],
            "facets": result.get("facets", {})}


def query(queries_path: str, out_path: str) -> dict[str, Any]:
    with open(queries_path, encoding="utf-8") as fh:
        queries = json.load(fh)
    contexts = {"anonymous": {"user": None}, "sysadmin": {"user": ADMIN}}
    started = time.monotonic()
    answers = {q["id"]: answer(contexts[q["user"]], q["params"]) for q in queries}
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(answers, fh)
    return {"queries": len(answers), "seconds": round(time.monotonic() - started, 1),
            "plugins": tk.config.get("ckan.plugins"), "solr_url": tk.config.get("solr_url")}


def main(ini: str, command: str, *args: str) -> None:
    app = make_app(load_config(ini))
    # a request context, so what CKAN names in the site's language is German
    with app._wsgi_app.test_request_context():
        emit(load() if command == "load" else query(*args))


if __name__ == "__main__":
    main(*sys.argv[1:])
