"""Swap CKAN's Solr connection for the PostgreSQL one, and back."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

import ckan.lib.search as search
import ckan.lib.search.common as search_common
import ckan.lib.search.index as search_index
import ckan.lib.search.query as search_query
import ckan.model as model

from .connection import TABLE, PostgresSearchConnection

log = logging.getLogger(__name__)

# Modules that did "from .common import make_connection". CKAN offers no
# public way to replace its Solr connection; tests/test_internals.py checks
# that these names still exist with the signature used here.
_CONNECTION_USERS = (search_common, search_index, search_query, search)
_originals: dict[tuple[Any, str], Callable[..., Any]] = {}


def make_connection(decode_dates: bool = True) -> PostgresSearchConnection:
    return PostgresSearchConnection(decode_dates=decode_dates)


def check_index_table(schema_file: str | None = None) -> bool:
    """Replaces CKAN's start-up check of the Solr schema version: warns when
    the index table is missing (run ``ckan db upgrade -p smartcity_search``)."""
    try:
        engine = model.meta.engine
        if engine is None:
            return False
        if not sa.inspect(engine).has_table(TABLE):
            log.warning("Search index table %s is missing: run "
                        "'ckan db upgrade -p smartcity_search'", TABLE)
            return False
    except sa.exc.SQLAlchemyError as exc:
        log.warning("Could not check the search index table: %s", exc)
        return False
    return True


def _clear_and_commit(package_reference: str) -> None:
    """``ckan search-index clear <dataset>`` has no transaction of its own to
    ride on: commit the removal."""
    _originals[(search, "clear")](package_reference)
    model.Session.commit()


def _patch(module: Any, name: str, replacement: Callable[..., Any]) -> None:
    _originals.setdefault((module, name), getattr(module, name))
    setattr(module, name, replacement)


def original(module: Any, name: str) -> Callable[..., Any]:
    """CKAN's own ``module.name``, also while it is patched (for the guard in
    tests/test_internals.py that fails when CKAN moves or changes it)."""
    return _originals.get((module, name), getattr(module, name))


def install() -> None:
    for module in _CONNECTION_USERS:
        _patch(module, "make_connection", make_connection)
    _patch(search, "check_solr_schema_version", check_index_table)
    _patch(search, "clear", _clear_and_commit)


def uninstall() -> None:
    for (module, name), original in _originals.items():
        setattr(module, name, original)
    _originals.clear()


def installed() -> bool:
    return search_common.make_connection is make_connection
