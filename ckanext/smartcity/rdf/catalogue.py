"""``dcat_catalog_show``/``dcat_catalog_search`` (``/catalog.*``) on the fast
path of :mod:`ckanext.smartcity.rdf.builder`: the same search, permission
checks and paging as ckanext-dcat, the same triples, written by pyoxigraph
from per-dataset triples kept in Redis."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat import utils as dcat_utils

from ckanext.smartcity.rdf import builder, formats


def _check_format(data_dict) -> str:
    """Only formats ckanext-dcat's views can label (an unknown suffix such as
    /catalog.foo was a 500 there); a clear 409 otherwise."""
    fmt = str(data_dict.get("format") or "xml").lower()
    if fmt not in dcat_utils.CONTENT_TYPES:
        raise tk.ValidationError({"format": [
            tk._("Unknown RDF format; allowed: %(formats)s")
            % {"formats": ", ".join(sorted(dcat_utils.CONTENT_TYPES))}]})
    return fmt


def register_content_types() -> None:
    """The media types of rdf/formats.py for ckanext-dcat's views: it routes
    any suffix but knows no N-Triples (/catalog.nt, /dataset/<id>.nt); the
    formats it knows keep its own entries."""
    for fmt in formats.FORMATS.values():
        dcat_utils.CONTENT_TYPES.setdefault(fmt.suffix, fmt.media_type)


MAX_PAGE = 100_000


def _check_page(data_dict) -> None:
    """A page number past any catalogue (OFFSET beyond bigint was a 500)."""
    page = data_dict.get("page")
    try:
        too_far = page is not None and int(page) > MAX_PAGE
    except (TypeError, ValueError):
        return  # ckanext-dcat answers non-numbers with its own 409
    if too_far:
        raise tk.ValidationError({"page": [
            tk._("The page number may be at most %(maximum)s.") % {"maximum": MAX_PAGE}]})


def _fast(original, context, data_dict, auth):
    """The catalogue page; a query, filter or date the search cannot run is
    a 409 naming the parameter, never a 500 (docs/security.md F12/F13). A
    database that cannot be reached is not the query's fault: the search
    raises SearchBackendError (not a SearchError), which stays a 500."""
    _check_page(data_dict)
    try:
        return _page(original, context, data_dict, auth)
    except (SearchError, OverflowError, ValueError):
        field = "modified_since" if data_dict.get("modified_since") and not (
            data_dict.get("q") or data_dict.get("fq")) else "q"
        raise tk.ValidationError({field: [
            tk._("This search cannot be run.")]}) from None


def _page(original, context, data_dict, auth):
    fmt = _check_format(data_dict)
    profiles = data_dict.get("profiles")
    if isinstance(profiles, str):
        profiles = profiles.replace(",", " ").split()
    if not builder.enabled() or not builder.configured(profiles) or tk.asbool(
            tk.config.get("ckanext.dcat.expose_subcatalogs")):
        return original(context, data_dict)
    tk.check_access(auth, context, data_dict)
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    return builder.catalogue_page(query["results"], fmt,
                                   dcat_logic._pagination_info(query, data_dict),
                                   profiles=None)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(original, context, data_dict):
    return _fast(original, context, data_dict, "dcat_catalog_show")


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(original, context, data_dict):
    return _fast(original, context, data_dict, "dcat_catalog_search")


@tk.chained_action
@tk.side_effect_free
def dcat_dataset_show(original, context, data_dict):
    _check_format(data_dict)
    return original(context, data_dict)


def get_actions() -> dict:
    return {"dcat_catalog_show": dcat_catalog_show,
            "dcat_catalog_search": dcat_catalog_search,
            "dcat_dataset_show": dcat_dataset_show}
